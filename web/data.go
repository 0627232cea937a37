package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// requestKey is the id that makes a form's command idempotent: derived from
// the form's hidden key, or new if the form has none.
func requestKey(a motion.Actor, key string) string {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 200 {
		return uuid.Must(uuid.NewV7()).String()
	}
	return workflows.KeyID(a, key)
}

func actorOf(r *http.Request) motion.Actor { return auth.ActorFrom(r.Context()) }

// bodyIDs are the bodies the caller may see: its own, or every body for the
// anonymous public.
func (s *server) bodies(ctx context.Context, a motion.Actor) ([]store.Body, error) {
	if a.Anonymous() {
		return s.store.Bodies(ctx, nil)
	}
	return s.store.Bodies(ctx, nonNilSlice(a.Bodies))
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// orgs loads the organizations of the bodies, by id.
func (s *server) orgs(ctx context.Context, bodyIDs ...string) (map[string]store.Organization, error) {
	out := map[string]store.Organization{}
	seen := map[string]bool{}
	for _, b := range bodyIDs {
		if b == "" || seen[b] {
			continue
		}
		seen[b] = true
		os, err := s.store.Organizations(ctx, b, "")
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			out[o.ID] = o
		}
	}
	return out, nil
}

// names turns organizations into display names (short name for factions).
func names(orgs map[string]store.Organization) map[string]string {
	out := make(map[string]string, len(orgs))
	for id, o := range orgs {
		out[id] = o.Name
	}
	return out
}

// ofKind lists the organizations of the kinds, ordered by name.
func ofKind(orgs map[string]store.Organization, kinds ...store.OrgKind) []store.Organization {
	var out []store.Organization
	for _, o := range orgs {
		if slices.Contains(kinds, o.Kind) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b store.Organization) int {
		if a.Kind != b.Kind {
			return slices.Index(store.OrgKinds, a.Kind) - slices.Index(store.OrgKinds, b.Kind)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// errNotVisible is what the caller may not see, answered like what does not exist.
var errNotVisible = errors.New("not visible")

// visibleMotion reads the motion from the read model; errNotVisible if it
// does not exist or the caller may not see it — the same answer.
func (s *server) visibleMotion(ctx context.Context, id string, a motion.Actor) (motion.Motion, error) {
	m, err := s.store.Motion(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !m.VisibleTo(a)) {
		return motion.Motion{}, errNotVisible
	}
	return m, err
}

// visibleMeeting returns the meeting if the caller may see its body.
func (s *server) visibleMeeting(ctx context.Context, id string, a motion.Actor) (store.Meeting, error) {
	m, err := s.store.Meeting(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !a.InBody(m.BodyID)) {
		return store.Meeting{}, errNotVisible
	}
	return m, err
}

// localPath accepts a path on this site to return to ("/sitzungen/x"), and
// nothing that could lead elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return p
}

// withOK adds the confirmation flag to a local path, before its fragment.
func withOK(p, ok string) string {
	frag := ""
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p, frag = p[:i], p[i:]
	}
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	return p + sep + "ok=" + url.QueryEscape(ok) + frag
}

func motionPath(id string) string  { return "/antraege/" + url.PathEscape(id) }
func meetingPath(id string) string { return "/sitzungen/" + url.PathEscape(id) }

// requireLogin sends an anonymous caller to the login page and reports
// whether it did.
func (s *server) requireLogin(w http.ResponseWriter, r *http.Request) bool {
	if !actorOf(r).Anonymous() {
		return false
	}
	if r.Method == http.MethodGet {
		http.Redirect(w, r, s.login(r.URL.RequestURI()), http.StatusSeeOther)
		return true
	}
	s.errorPage(w, r, http.StatusForbidden, "Bitte melden Sie sich an", "Für diesen Schritt müssen Sie angemeldet sein.")
	return true
}

// directory is the part of the read model that knows the members of an
// organization (*store.Store has it). The pages ask the store for it where
// they need it, so that the Store interface stays as it is.
type directory interface {
	Members(ctx context.Context, organizationID string) ([]store.Member, error)
}

// quorumSource computes how many signatures a motion of councillors of a
// body needs, from the body's rules and the council's members (the same
// figure the API fills into motion.Create.Quorum; store.MotionQuorum).
type quorumSource interface {
	MotionQuorum(ctx context.Context, bodyID string, kind motion.Kind) (int, error)
}

// quorum is the number of signatures a motion of councillors of kind needs
// in the body, as the server computes it (never typed by a user); 0 when
// the store cannot tell, which the domain refuses with its own message.
func (s *server) quorum(ctx context.Context, bodyID string, kind motion.Kind) (int, error) {
	// store.MotionQuorum (store/quorum.go) computes it; a store without
	// it knows no quorum.
	q, ok := s.store.(quorumSource)
	if !ok || bodyID == "" || !kind.Valid() {
		return 0, nil
	}
	n, err := q.MotionQuorum(ctx, bodyID, kind)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return n, err
}

// councillors lists the current members of the body's council (the
// organizations of kind council), each person once, ordered as the
// directory orders them (family name, given name).
func (s *server) councillors(ctx context.Context, orgs map[string]store.Organization, now time.Time) ([]store.Person, error) {
	d, ok := s.store.(directory)
	if !ok {
		return nil, nil
	}
	var out []store.Person
	seen := map[string]bool{}
	for _, o := range ofKind(orgs, store.OrgCouncil) {
		ms, err := d.Members(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		// A membership counts from its first to its last day (Berlin), as
		// the store counts the quorum (store.MotionQuorum).
		today := now.In(motion.Berlin).Format("2006-01-02")
		for _, m := range ms {
			start, end := m.Membership.Start, m.Membership.End
			current := (start == nil || start.UTC().Format("2006-01-02") <= today) && (end == nil || end.UTC().Format("2006-01-02") >= today)
			if current && !seen[m.Person.ID] {
				seen[m.Person.ID] = true
				out = append(out, m.Person)
			}
		}
	}
	return out, nil
}

// signersFrom turns the persons chosen in a form (their ids) into signers
// with their names; an id that is not a current member of the council is
// recorded on f at field.
func signersFrom(f *Form, field string, ids []string, members []store.Person, skip string) []motion.Signer {
	byID := map[string]store.Person{}
	for _, p := range members {
		byID[p.ID] = p
	}
	var out []motion.Signer
	seen := map[string]bool{}
	for _, id := range nonEmpty(ids) {
		if id == skip || seen[id] {
			continue
		}
		seen[id] = true
		p, ok := byID[id]
		if !ok {
			f.invalid(field, "Eine der gewählten Personen ist kein Mitglied des Gemeinderats; bitte wählen Sie aus der Liste.")
			continue
		}
		out = append(out, motion.Signer{PersonID: p.ID, Name: p.Name})
	}
	return out
}
