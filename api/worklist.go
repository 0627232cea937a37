package api

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// WorklistItem is one thing that needs the caller: a deadline of its
// audiences, a step only its role can take, or a deadline of a motion it
// watches.
type WorklistItem struct {
	Type string `json:"type" enum:"deadline,step,watched" doc:"deadline: eine Frist, an die der Aufrufer erinnert wird; step: ein Schritt, auf den der Antrag wartet; watched: eine Frist eines beobachteten Antrags"`
	// Reason says in German why the item is on the list.
	Reason   string        `json:"reason" doc:"warum der Eintrag auf der Liste steht" example:"Frist überschritten: Beantwortung der Anfrage, fällig am 03.03.2026 16:00"`
	Motion   MotionRef     `json:"motion"`
	Deadline *DeadlineView `json:"deadline,omitempty" doc:"die Frist (bei deadline und watched)"`
	Overdue  bool          `json:"overdue"`
	// Actions are the commands that take the step (for type step).
	Actions []motion.CommandName `json:"actions,omitempty" doc:"Befehle, die den Schritt ausführen (bei step)"`
	Since   *time.Time           `json:"since,omitempty" doc:"seit wann der Antrag wartet (letzte Änderung; bei step)"`
}

// WorklistOutput is the caller's worklist.
type WorklistOutput struct {
	Body struct {
		Items     []WorklistItem `json:"items"`
		Audiences []string       `json:"audiences" doc:"die Zielgruppen des Aufrufers, deren Fristen die Liste zeigt"`
		Truncated bool           `json:"truncated" doc:"es gibt mehr Einträge als limit je Abschnitt"`
	}
}

// stepScanMax bounds how many motions one role's step search reads.
const stepScanMax = 1000

// watchScanMax bounds how many watched motions the worklist looks at.
const watchScanMax = 200

func (s *server) registerWorklist(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-worklist",
		Method:      http.MethodGet,
		Path:        "/v1/me/worklist",
		Summary:     "Meine Arbeitsliste: was auf mich wartet, nach Dringlichkeit",
		Description: "Zuerst die Fristen, an die die Zielgruppen des Aufrufers erinnert werden (Ratsbüro: council_office; " +
			"Fraktion: faction:<Fraktion>; Verwaltung: department:<Dezernat> und administration), überfällige zuerst, dann nach " +
			"Fälligkeit; dann die Anträge, die auf einen Schritt warten, den nur die Rolle des Aufrufers tun kann (am längsten " +
			"wartende zuerst); zuletzt die Fristen der Anträge, die der Aufrufer in der App beobachtet. Jeder Eintrag sagt, warum.",
		Tags:     []string{"Deadlines"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized},
	}, func(ctx context.Context, in *struct {
		Limit int `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"höchstens so viele Einträge je Abschnitt"`
	}) (*WorklistOutput, error) {
		actor := Caller(ctx)
		now := time.Now()
		z := s.zones()
		out := &WorklistOutput{}
		out.Body.Items = []WorklistItem{}
		out.Body.Audiences = actor.Audiences()

		// (a) Deadlines of the caller's audiences.
		listed := map[string]bool{}
		if len(out.Body.Audiences) > 0 {
			ds, next, err := s.store.Deadlines(ctx, store.DeadlineFilter{Viewer: actor, BodyIDs: actor.Bodies,
				Audiences: out.Body.Audiences, Limit: in.Limit})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out.Body.Truncated = next != ""
			items := make([]WorklistItem, 0, len(ds))
			for _, d := range ds {
				listed[d.MotionID+"\x00"+d.Key] = true
				items = append(items, deadlineItem("deadline", d, z.of(ctx, d.BodyID), now))
			}
			// Overdue first, then by due: the store's order already is, this keeps it so.
			sort.SliceStable(items, func(i, j int) bool {
				if items[i].Overdue != items[j].Overdue {
					return items[i].Overdue
				}
				return items[i].Deadline.Due.Before(items[j].Deadline.Due)
			})
			out.Body.Items = append(out.Body.Items, items...)
		}

		// (b) Motions waiting for a step of the caller's role.
		steps, more, err := s.steps(ctx, actor, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out.Body.Truncated = out.Body.Truncated || more
		out.Body.Items = append(out.Body.Items, steps...)

		// (c) Deadlines of motions the caller watches in the app.
		watched, more, err := s.watchedDeadlines(ctx, actor, listed, in.Limit, z, now)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out.Body.Truncated = out.Body.Truncated || more
		out.Body.Items = append(out.Body.Items, watched...)
		return out, nil
	})
}

func deadlineItem(typ string, d store.MotionDeadline, loc *time.Location, now time.Time) WorklistItem {
	v := deadlineView(d, loc, now, false)
	reason := "Frist: " + v.Label + ", fällig am " + germanTime(d.Due, loc)
	if v.Overdue {
		reason = "Frist überschritten: " + v.Label + ", fällig am " + germanTime(d.Due, loc)
	}
	if typ == "watched" {
		reason = "Beobachteter Antrag – " + reason
	}
	return WorklistItem{Type: typ, Reason: reason, Motion: motionRefOfDeadline(d), Deadline: &v, Overdue: v.Overdue}
}

// steps lists the motions waiting for a step of one of the caller's roles,
// longest waiting first, at most limit; more tells whether there were more.
func (s *server) steps(ctx context.Context, actor motion.Actor, limit int) (items []WorklistItem, more bool, err error) {
	byRole := map[motion.Role][]motion.WaitingStep{}
	var roles []motion.Role
	for _, r := range motion.WaitingSteps {
		if !actor.Has(r.Role) {
			continue
		}
		if _, ok := byRole[r.Role]; !ok {
			roles = append(roles, r.Role)
		}
		byRole[r.Role] = append(byRole[r.Role], r)
	}
	type found struct {
		m    motion.Motion
		item WorklistItem
	}
	seen := map[string]bool{}
	var all []found
	for _, role := range roles {
		rules := byRole[role]
		f := store.MotionFilter{Viewer: actor, BodyIDs: actor.Bodies, Limit: store.MaxLimit}
		for _, r := range rules {
			f.Statuses = append(f.Statuses, r.Statuses...)
		}
		if role == motion.RoleFactionStaff {
			if actor.Faction == "" {
				continue
			}
			f.Faction = actor.Faction
		}
		for read := 0; read < stepScanMax; {
			page, next, err := s.store.Motions(ctx, f)
			if err != nil {
				return nil, false, err
			}
			read += len(page)
			for i := range page {
				m := &page[i]
				if seen[m.ID] || !m.VisibleTo(actor) {
					continue
				}
				if it, ok := stepItem(m, actor, rules); ok {
					seen[m.ID] = true
					all = append(all, found{m: *m, item: it})
				}
			}
			if next == "" {
				break
			}
			f.After = next
			if read >= stepScanMax {
				more = true
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].m.UpdatedAt.Equal(all[j].m.UpdatedAt) {
			return all[i].m.UpdatedAt.Before(all[j].m.UpdatedAt)
		}
		return all[i].m.ID < all[j].m.ID
	})
	if len(all) > limit {
		all, more = all[:limit], true
	}
	items = make([]WorklistItem, 0, len(all))
	for _, f := range all {
		items = append(items, f.item)
	}
	return items, more, nil
}

// stepItem applies the first matching waiting step to m.
func stepItem(m *motion.Motion, actor motion.Actor, steps []motion.WaitingStep) (WorklistItem, bool) {
	reason, cmds, ok := motion.Waiting(m, actor, steps)
	if !ok {
		return WorklistItem{}, false
	}
	since := m.UpdatedAt
	return WorklistItem{Type: "step", Reason: reason, Motion: motionRefOf(*m), Actions: cmds, Since: &since}, true
}

// watchedDeadlines lists the deadlines of motions the caller watches in the
// app that are not listed already, by due time, at most limit.
func (s *server) watchedDeadlines(ctx context.Context, actor motion.Actor, listed map[string]bool, limit int, z *zones, now time.Time) ([]WorklistItem, bool, error) {
	ws, err := s.store.WatchedBy(ctx, actor.Subject)
	if err != nil {
		return nil, false, err
	}
	var ds []store.MotionDeadline
	for i, w := range ws {
		if i >= watchScanMax {
			break
		}
		if !slices.Contains(w.Channels, store.ChannelInApp) {
			continue
		}
		page, _, err := s.store.Deadlines(ctx, store.DeadlineFilter{Viewer: actor, BodyIDs: actor.Bodies, MotionID: w.MotionID, Limit: store.MaxLimit})
		if err != nil {
			return nil, false, err
		}
		for _, d := range page {
			if !listed[d.MotionID+"\x00"+d.Key] {
				ds = append(ds, d)
			}
		}
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Due.Before(ds[j].Due) })
	more := false
	if len(ds) > limit {
		ds, more = ds[:limit], true
	}
	items := make([]WorklistItem, 0, len(ds))
	for _, d := range ds {
		items = append(items, deadlineItem("watched", d, z.of(ctx, d.BodyID), now))
	}
	return items, more, nil
}
