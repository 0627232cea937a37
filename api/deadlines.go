package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// MotionRef is what a list of deadlines or a worklist shows of a motion,
// with the path to read it.
type MotionRef struct {
	ID          string        `json:"id"`
	Href        string        `json:"href" doc:"Pfad des Antrags in dieser API" example:"/v1/motions/0190f5e2-7c1a-7d4e-9c55-1b2a3c4d5e6f"`
	BodyID      string        `json:"body_id"`
	Reference   string        `json:"reference,omitempty" example:"A12/2026"`
	Title       string        `json:"title"`
	Kind        motion.Kind   `json:"kind"`
	KindLabel   string        `json:"kind_label" example:"Anfrage"`
	Status      motion.Status `json:"status"`
	StatusLabel string        `json:"status_label" example:"Registriert"`
	Faction     string        `json:"faction,omitempty" doc:"einreichende Fraktion"`
}

func motionHref(id string) string { return "/v1/motions/" + url.PathEscape(id) }

func motionRefOf(m motion.Motion) MotionRef {
	return MotionRef{ID: m.ID, Href: motionHref(m.ID), BodyID: m.BodyID, Reference: m.Reference, Title: m.Title,
		Kind: m.Kind, KindLabel: m.Kind.Label(), Status: m.Status, StatusLabel: m.Status.Label(), Faction: m.Faction}
}

func motionRefOfDeadline(d store.MotionDeadline) MotionRef {
	return MotionRef{ID: d.MotionID, Href: motionHref(d.MotionID), BodyID: d.BodyID, Reference: d.MotionReference,
		Title: d.MotionTitle, Kind: d.MotionKind, KindLabel: d.MotionKind.Label(), Status: d.MotionStatus,
		StatusLabel: d.MotionStatus.Label(), Faction: d.Faction}
}

// DeadlineView is one current deadline of a motion.
type DeadlineView struct {
	Key   string              `json:"key" doc:"Kennung der Frist im Antrag; bei Sitzungsfristen mit :<Sitzungs-Id>" example:"papers_due:gr-2026-03-10"`
	Kind  motion.DeadlineKind `json:"kind" enum:"agenda_placement,submission_cutoff,papers_due,inquiry_answer,implementation_report,stale_motion,reschedule,implementation_close"`
	Label string              `json:"label" doc:"Art der Frist auf Deutsch" example:"Beantwortung der Anfrage"`
	Due   time.Time           `json:"due" doc:"Fälligkeit (RFC 3339, in der Zeitzone der Körperschaft)" example:"2026-03-03T16:00:00+01:00"`
	// Overdue is computed when the answer is made.
	Overdue     bool     `json:"overdue" doc:"Fälligkeit liegt in der Vergangenheit"`
	Rule        string   `json:"rule" doc:"Regel, die das Datum ergab, oder manual (von Hand gesetzt)" example:"papers_due"`
	RuleVersion int      `json:"rule_version,omitempty" doc:"Version der Fristenregeln der Körperschaft, die das Datum ergab (nicht bei manual)"`
	Reason      string   `json:"reason,omitempty" doc:"Begründung einer von Hand gesetzten Frist"`
	MeetingID   string   `json:"meeting_id,omitempty" doc:"Sitzung, auf die sich die Frist bezieht"`
	Audiences   []string `json:"audiences" doc:"Wer erinnert wird: council_office, faction:<Fraktion>, department:<Dezernat>, administration"`
	Informed    []string `json:"informed" doc:"Wer das Datum sieht, aber nicht erinnert wird"`
	// Motion is set in lists across motions.
	Motion *MotionRef `json:"motion,omitempty"`
}

// zones finds the time zone a body counts its deadlines in, once per body
// and request.
type zones struct {
	s *server
	m map[string]*time.Location
}

func (s *server) zones() *zones { return &zones{s: s, m: map[string]*time.Location{}} }

func (z *zones) of(ctx context.Context, bodyID string) *time.Location {
	if l, ok := z.m[bodyID]; ok {
		return l
	}
	name := motion.DefaultDeadlineRules().TimeZone
	if r, err := z.s.store.DeadlineRules(ctx, bodyID); err != nil {
		z.s.log.WarnContext(ctx, "deadline rules for the time zone", "body", bodyID, "error", err)
	} else if r.TimeZone != "" {
		name = r.TimeZone
	}
	l, err := motion.LoadLocation(name)
	if err != nil {
		l = time.UTC // where motion.Deadlines counts in an unknown zone
	}
	z.m[bodyID] = l
	return l
}

func deadlineView(d store.MotionDeadline, loc *time.Location, now time.Time, withMotion bool) DeadlineView {
	v := DeadlineView{
		Key: d.Key, Kind: d.Kind, Label: d.Kind.Label(), Due: d.Due.In(loc), Overdue: d.Due.Before(now),
		Rule: d.Rule, RuleVersion: d.RuleVersion, Reason: d.Reason, MeetingID: d.MeetingID,
		Audiences: nonNilStrings(d.Audiences), Informed: nonNilStrings(d.Informed),
	}
	if d.Rule == "manual" {
		v.RuleVersion = 0
	}
	if withMotion {
		ref := motionRefOfDeadline(d)
		v.Motion = &ref
	}
	return v
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// germanTime writes t as "03.03.2026 16:00" in loc.
func germanTime(t time.Time, loc *time.Location) string { return t.In(loc).Format("02.01.2006 15:04") }

// DeadlinesOutput is a motion's deadlines.
type DeadlinesOutput struct {
	Body struct {
		Items []DeadlineView `json:"items"`
	}
}

// DeadlinePage is a page of deadlines across motions.
type DeadlinePage struct {
	Link string `header:"Link" doc:"rel=next: die nächste Seite"`
	Body struct {
		Items []DeadlineView `json:"items"`
		Next  string         `json:"next,omitempty" doc:"Cursor der nächsten Seite"`
	}
}

// DeadlineRulesBody are a body's deadline rules as written: durations as
// "14d", "36h" or "3d12h".
type DeadlineRulesBody struct {
	TimeZone                   string   `json:"time_zone,omitempty" maxLength:"64" doc:"Zeitzone, in der ganze Tage gezählt werden (Standard Europe/Berlin)" example:"Europe/Berlin"`
	AgendaPlacementMeetings    int      `json:"agenda_placement_meetings" doc:"Behandlung spätestens in der n-ten Sitzung des Gemeinderats nach Eingang (§ 34 Abs. 1 GemO: 2)" example:"2"`
	SubmissionCutoff           string   `json:"submission_cutoff" maxLength:"32" doc:"Antragsschluss vor der Sitzung" example:"14d"`
	PapersDue                  string   `json:"papers_due" maxLength:"32" doc:"Vorlage an die Mitglieder vor der Sitzung" example:"7d"`
	InquiryAnswer              string   `json:"inquiry_answer" maxLength:"32" doc:"Antwortfrist einer Anfrage" example:"21d"`
	InquiryAnswerFundamental   string   `json:"inquiry_answer_fundamental" maxLength:"32" doc:"Antwortfrist einer Anfrage von grundsätzlicher Bedeutung" example:"42d"`
	ImplementationReportMonths int      `json:"implementation_report_months,omitempty" doc:"Bericht zur Umsetzung so viele Kalendermonate nach dem Beschluss" example:"6"`
	ImplementationReport       string   `json:"implementation_report,omitempty" maxLength:"32" doc:"ersetzt die Monate durch eine Dauer (z. B. für Tests)"`
	ImplementationCycleMonths  int      `json:"implementation_cycle_months,omitempty" minimum:"0" maximum:"12" doc:"Beschlusskontrolle: ein Bericht zur Umsetzung zum Ende jedes Zeitraums so vieler Kalendermonate, ab Januar gezählt (3: quartalsweise); 0: nur ein Bericht nach implementation_report_months" example:"3"`
	ImplementationCycle        string   `json:"implementation_cycle,omitempty" maxLength:"32" doc:"ersetzt die Monate der Berichte durch eine Dauer nach dem letzten Bericht (z. B. für Tests)"`
	ImplementationClose        string   `json:"implementation_close,omitempty" maxLength:"32" doc:"Abschluss durch das Ratsbüro so lange nach dem Bericht, der alle Beschlusspunkte erledigt" example:"14d"`
	QuorumDivisor              int      `json:"quorum_divisor,omitempty" minimum:"0" maximum:"100" doc:"Anträge von Mitgliedern des Gemeinderats brauchen die Unterschriften dieses Bruchteils der Mitglieder (6: ein Sechstel, § 34 Abs. 1 GemO BW); 0: 6" example:"6"`
	Stale                      string   `json:"stale" maxLength:"32" doc:"Antrag ohne Fortgang nach" example:"90d"`
	Offsets                    []string `json:"offsets" maxItems:"20" maxLength:"32" doc:"Erinnerungen relativ zur Fälligkeit" example:"[\"-7d\",\"-1d\",\"0s\",\"3d\"]"`
	Escalation                 string   `json:"escalation,omitempty" maxLength:"32" doc:"Abstand der weiteren Erinnerungen an das Ratsbüro nach der letzten" example:"7d"`
	EscalationMax              int      `json:"escalation_max,omitempty" doc:"höchstens so viele weitere Erinnerungen" example:"8"`
	// The deadlines of a meeting's own process: an empty or missing field
	// (rules saved before they existed) turns the deadline off.
	InvitationDue      string `json:"invitation_due,omitempty" maxLength:"32" doc:"Einladung mit Tagesordnung und Vorlagen so lange vor der Sitzung (§ 34 Abs. 1 GemO); Erinnerungen an das Ratsbüro, bis eingeladen ist; leer: keine Frist" example:"7d"`
	DecisionsPublished string `json:"decisions_published,omitempty" maxLength:"32" doc:"Bekanntgabe der in öffentlicher Sitzung gefassten Beschlüsse so lange nach der Sitzung (§ 41b GemO); leer: keine Frist" example:"7d"`
	MinutesDueMonths   int    `json:"minutes_due_months,omitempty" doc:"Niederschrift an den Gemeinderat so viele Kalendermonate nach der Sitzung (§ 38 GemO); 0: keine Frist" example:"1"`
}

// DeadlineRulesView are a body's current deadline rules with their version.
type DeadlineRulesView struct {
	Version int `json:"version" doc:"Version; jede Änderung erhöht sie, berechnete Fristen nennen sie"`
	DeadlineRulesBody
}

type deadlineRulesOutput struct {
	Body DeadlineRulesView
}

func rulesView(r motion.DeadlineRules) DeadlineRulesView {
	opt := func(d motion.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	v := DeadlineRulesView{Version: r.Version, DeadlineRulesBody: DeadlineRulesBody{
		TimeZone: r.TimeZone, AgendaPlacementMeetings: r.AgendaPlacementMeetings,
		SubmissionCutoff: r.SubmissionCutoff.String(), PapersDue: r.PapersDue.String(),
		InquiryAnswer: r.InquiryAnswer.String(), InquiryAnswerFundamental: r.InquiryAnswerFundamental.String(),
		ImplementationReportMonths: r.ImplementationReportMonths, ImplementationReport: opt(r.ImplementationReport),
		ImplementationCycleMonths: r.ImplementationCycleMonths, ImplementationCycle: opt(r.ImplementationCycle),
		ImplementationClose: opt(r.ImplementationClose), QuorumDivisor: r.QuorumDivisor,
		Stale: r.Stale.String(), Offsets: []string{}, Escalation: opt(r.Escalation), EscalationMax: r.EscalationMax,
		InvitationDue: opt(r.InvitationDue), DecisionsPublished: opt(r.DecisionsPublished), MinutesDueMonths: r.MinutesDueMonths,
	}}
	for _, o := range r.Offsets {
		v.Offsets = append(v.Offsets, o.String())
	}
	return v
}

// rules reads the body into domain rules and checks them with
// motion.DeadlineRules.Validate: a duration that does not parse, or rules the
// domain refuses, are a 422 naming each wrong field.
func (b DeadlineRulesBody) rules() (motion.DeadlineRules, error) {
	r := motion.DeadlineRules{TimeZone: b.TimeZone, AgendaPlacementMeetings: b.AgendaPlacementMeetings,
		ImplementationReportMonths: b.ImplementationReportMonths, EscalationMax: b.EscalationMax,
		MinutesDueMonths: b.MinutesDueMonths, ImplementationCycleMonths: b.ImplementationCycleMonths, QuorumDivisor: b.QuorumDivisor}
	var details []error
	unparsed := map[string]bool{}
	dur := func(field, s string, required bool) motion.Duration {
		if s == "" && !required {
			return 0
		}
		d, err := motion.ParseDuration(s)
		if err != nil || s == "" {
			unparsed[field] = true
			details = append(details, &huma.ErrorDetail{Location: "body." + field,
				Message: "Keine Dauer; erwartet z. B. 14d, -7d, 36h oder 3d12h."})
		}
		return d
	}
	r.SubmissionCutoff = dur("submission_cutoff", b.SubmissionCutoff, true)
	r.PapersDue = dur("papers_due", b.PapersDue, true)
	r.InquiryAnswer = dur("inquiry_answer", b.InquiryAnswer, true)
	r.InquiryAnswerFundamental = dur("inquiry_answer_fundamental", b.InquiryAnswerFundamental, true)
	r.ImplementationReport = dur("implementation_report", b.ImplementationReport, false)
	r.ImplementationCycle = dur("implementation_cycle", b.ImplementationCycle, false)
	r.ImplementationClose = dur("implementation_close", b.ImplementationClose, false)
	r.Stale = dur("stale", b.Stale, true)
	r.Escalation = dur("escalation", b.Escalation, false)
	r.InvitationDue = dur("invitation_due", b.InvitationDue, false)
	r.DecisionsPublished = dur("decisions_published", b.DecisionsPublished, false)
	for i, o := range b.Offsets {
		r.Offsets = append(r.Offsets, dur("offsets["+strconv.Itoa(i)+"]", o, true))
	}
	if r.TimeZone == "" {
		r.TimeZone = motion.DefaultDeadlineRules().TimeZone
	}
	var me *motion.Error
	if errors.As(r.Validate(), &me) {
		for _, f := range me.Fields {
			if !unparsed[f.Field] { // a duration that did not parse is named once
				details = append(details, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message})
			}
		}
	}
	if len(details) > 0 {
		return motion.DeadlineRules{}, huma.Error422UnprocessableEntity("Die Fristenregeln sind ungültig.", details...)
	}
	return r, nil
}

func (s *server) registerDeadlines(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-motion-deadlines",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}/deadlines",
		Summary:     "Fristen eines Antrags",
		Description: "Die laufenden Fristen, früheste zuerst, je mit der Regel und ihrer Version, die das Datum ergab " +
			"(oder manual mit Begründung). Was der Aufrufer nicht sehen darf, ist 404.",
		Tags:     []string{"Deadlines"},
		Security: optionalToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MotionPath) (*DeadlinesOutput, error) {
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		ds, _, err := s.store.Deadlines(ctx, store.DeadlineFilter{Viewer: Caller(ctx), MotionID: m.ID, Limit: store.MaxLimit})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		loc, now := s.zones().of(ctx, m.BodyID), time.Now()
		out := &DeadlinesOutput{}
		out.Body.Items = make([]DeadlineView, 0, len(ds))
		for _, d := range ds {
			out.Body.Items = append(out.Body.Items, deadlineView(d, loc, now, false))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-deadlines",
		Method:      http.MethodGet,
		Path:        "/v1/deadlines",
		Summary:     "Fristen auflisten (nach Fälligkeit, seitenweise)",
		Description: "Die Fristen der öffentlichen Anträge und der Entwürfe der eigenen Fraktion, früheste zuerst; " +
			"nie die Entwürfe anderer Fraktionen. " +
			"Mit Accept: text/csv oder XLSX alle Treffer als Tabelle (Export, ohne Seiten).",
		Tags:      []string{"Deadlines"},
		Security:  optionalToken,
		Responses: listResponses(a, DeadlinePage{}.Body, "DeadlinePageBody", "Fristen"),
		Errors:    []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		Bodies  []string  `query:"body" maxItems:"50" maxLength:"64" doc:"Körperschaften, kommagetrennt"`
		Faction string    `query:"faction" maxLength:"64" doc:"Anträge dieser Fraktion (als Antragsteller oder Mitantragsteller)"`
		Kind    []string  `query:"kind" enum:"agenda_placement,submission_cutoff,papers_due,inquiry_answer,implementation_report,stale_motion,reschedule,implementation_close" doc:"Art der Frist, kommagetrennt"`
		From    time.Time `query:"from" doc:"fällig ab (RFC 3339)"`
		To      time.Time `query:"to" doc:"fällig vor (RFC 3339)"`
		Limit   int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
		Cursor  string    `query:"cursor" maxLength:"1000" doc:"next aus der vorigen Seite"`
		Accept  string    `header:"Accept" hidden:"true"` // JSON, CSV or XLSX; see listResponses
	}) (*ListOutput, error) {
		f := store.DeadlineFilter{Viewer: Caller(ctx), Faction: in.Faction, Limit: in.Limit, After: in.Cursor}
		if len(in.Bodies) > 0 {
			f.BodyIDs = in.Bodies
		}
		for _, k := range in.Kind {
			f.Kinds = append(f.Kinds, motion.DeadlineKind(k))
		}
		if !in.From.IsZero() {
			f.From = &in.From
		}
		if !in.To.IsZero() {
			f.To = &in.To
		}
		if format := listFormat(in.Accept); format != jsonType {
			return s.exportDeadlines(ctx, f, format)
		}
		ds, next, err := s.store.Deadlines(ctx, f)
		if errors.Is(err, store.ErrInvalid) && in.Cursor != "" {
			return nil, huma.Error400BadRequest("Ungültiger Cursor.", &huma.ErrorDetail{Location: "query.cursor", Message: "ungültig oder zu einer anderen Suche"})
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		z, now := s.zones(), time.Now()
		out := &DeadlinePage{}
		out.Body.Items = make([]DeadlineView, 0, len(ds))
		for _, d := range ds {
			out.Body.Items = append(out.Body.Items, deadlineView(d, z.of(ctx, d.BodyID), now, true))
		}
		out.Body.Next = next
		return &ListOutput{Link: nextLink(ctx, next), Vary: "Accept", Body: out.Body}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-deadline-rules",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}/deadline-rules",
		Summary:     "Fristenregeln einer Körperschaft",
		Description: "Die geltende Version; ohne eigene Regeln die Standardregeln (Version 1).",
		Tags:        []string{"Deadlines"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *BodyPath) (*deadlineRulesOutput, error) {
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		r, err := s.store.DeadlineRules(ctx, in.BodyID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &deadlineRulesOutput{Body: rulesView(r)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "put-deadline-rules",
		Method:      http.MethodPut,
		Path:        "/v1/bodies/{body}/deadline-rules",
		Summary:     "Fristenregeln ändern (admin)",
		Description: "Speichert die Regeln als neue Version (frühere bleiben erhalten). Die offenen Anträge der " +
			"Körperschaft berechnen ihre Fristen daraufhin neu; bereits berechnete Fristen nennen ihre Version.",
		Tags:     []string{"Deadlines"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Body DeadlineRulesBody
	}) (*deadlineRulesOutput, error) {
		if err := requireRole(ctx, in.BodyID, motion.RoleAdmin); err != nil {
			return nil, err
		}
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		r, err := in.Body.rules()
		if err != nil {
			return nil, err
		}
		r, err = s.store.SetDeadlineRules(ctx, in.BodyID, r)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Körperschaft")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.rulesChanged(ctx, in.BodyID)
		return &deadlineRulesOutput{Body: rulesView(r)}, nil
	})
}

// deadlineStatuses are the statuses in which a motion can have deadlines
// (see motion.Deadlines): drafts aimed at a meeting, open motions, and
// decided motions awaiting their implementation report.
var deadlineStatuses = []motion.Status{motion.StatusSubmitted, motion.StatusRegistered, motion.StatusInConsultation,
	motion.StatusDecided, motion.StatusImplementation}

// rulesChanged tells every motion of the body that can have deadlines to
// recompute them under the new rules: the public ones in deadlineStatuses and
// every faction's drafts aimed at a meeting. Like calendarChanged, a failure
// is logged, not answered: the rules are saved, and motions re-arm at their
// next transition at the latest.
func (s *server) rulesChanged(ctx context.Context, bodyID string) {
	ids := map[string]bool{}
	s.collectMotions(ctx, store.MotionFilter{BodyIDs: []string{bodyID}, Statuses: deadlineStatuses}, ids, nil)
	// Drafts are visible to their faction only: list them as each faction.
	factions, err := s.store.Organizations(ctx, bodyID, store.OrgFaction)
	if err != nil {
		s.log.ErrorContext(ctx, "rules change: factions", "body", bodyID, "error", err)
	}
	for _, f := range factions {
		viewer := motion.Actor{Subject: "motionflow:rules-change", Roles: []motion.Role{motion.RoleFactionStaff},
			Faction: f.ID, Bodies: []string{bodyID}}
		s.collectMotions(ctx, store.MotionFilter{Viewer: viewer, BodyIDs: []string{bodyID}, Faction: f.ID,
			Statuses: []motion.Status{motion.StatusDraft}}, ids, func(m *motion.Motion) bool { return m.TargetMeeting != "" })
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	slices.Sort(list)
	workflows.Rearm(ctx, s.motions, s.log, func(context.Context) ([]string, error) { return list, nil }, "body", bodyID)
}

// collectMotions adds the ids of every motion the filter lists (all pages)
// and keep accepts (nil: all) to ids.
func (s *server) collectMotions(ctx context.Context, f store.MotionFilter, ids map[string]bool, keep func(*motion.Motion) bool) {
	f.Limit = store.MaxLimit
	for {
		page, next, err := s.store.Motions(ctx, f)
		if err != nil {
			s.log.ErrorContext(ctx, "list motions to re-arm", "error", err)
			return
		}
		for i := range page {
			if keep == nil || keep(&page[i]) {
				ids[page[i].ID] = true
			}
		}
		if next == "" {
			return
		}
		f.After = next
	}
}

// exportDeadlines answers every deadline of the filter, in the list's order
// (by due time), paging through the store internally.
func (s *server) exportDeadlines(ctx context.Context, f store.DeadlineFilter, mediaType string) (*ListOutput, error) {
	f.Limit, f.After = store.MaxLimit, ""
	z, now := s.zones(), time.Now()
	var vs []DeadlineView
	for {
		page, next, err := s.store.Deadlines(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		for _, d := range page {
			vs = append(vs, deadlineView(d, z.of(ctx, d.BodyID), now, true))
		}
		if len(vs) > exportMaxRows {
			return nil, tooManyRows("Fristen", "kind, faction, from, to")
		}
		if next == "" {
			break
		}
		f.After = next
	}
	out, err := exportOutput(mediaType, "fristen", "Fristen", deadlineRows(vs))
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return out, nil
}

// DeadlineHeader names the columns of the deadline list.
var DeadlineHeader = []string{"Fällig", "Frist", "Überfällig", "Aktenzeichen", "Titel", "Art", "Status", "Fraktion",
	"Sitzung", "Regel", "Begründung", "Erinnert", "Antrag-Id", "Schlüssel"}

// deadlineRows is the deadline list as a table: the header, then one row
// per deadline as the JSON list has it. The due time is in the body's time
// zone, as in JSON ("2026-03-03 16:00"); "Überfällig" is "ja" or empty;
// "Erinnert" lists the audiences reminded, joined with "; ".
func deadlineRows(vs []DeadlineView) [][]string {
	rows := [][]string{DeadlineHeader}
	for _, v := range vs {
		var m MotionRef
		if v.Motion != nil {
			m = *v.Motion
		}
		rows = append(rows, []string{export.DateTime(v.Due, v.Due.Location()), v.Label, export.Mark(v.Overdue), m.Reference,
			m.Title, m.KindLabel, m.StatusLabel, m.Faction, v.MeetingID, v.Rule, v.Reason,
			strings.Join(v.Audiences, "; "), m.ID, v.Key})
	}
	return rows
}
