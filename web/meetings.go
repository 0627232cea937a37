package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// meetingFields are the inputs of the meeting form.
var meetingFields = []string{"body_id", "organization_id", "name", "location", "date", "start", "end"}

// meetingsPage is the list of meetings with the form to create one.
type meetingsPage struct {
	Items   []store.Meeting
	NextURL string
	From    string
	Org     string
	Gremia  []store.Organization
	Bodies  []store.Body
	Form    *Form
	Filter  *Form
	Manage  bool
}

// canManageMeetings reports whether the caller keeps the calendar of a body.
func canManageMeetings(a motion.Actor, bodyID string) bool {
	return a.Has(motion.RoleCouncilOffice) && a.InBody(bodyID) && !a.Anonymous()
}

func (s *server) listMeetings(w http.ResponseWriter, r *http.Request) {
	s.renderMeetings(w, r, http.StatusOK, nil)
}

func (s *server) renderMeetings(w http.ResponseWriter, r *http.Request, status int, form *Form) {
	ctx, a := r.Context(), actorOf(r)
	q := r.URL.Query()
	p := meetingsPage{From: q.Get("ab"), Org: q.Get("gremium"), Form: form}
	p.Filter = newForm("filter", "")
	p.Filter.ID = "filter"
	p.Filter.Fields = []string{"ab", "gremium", "weiter"}
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Bodies = bodies
	var ids []string
	for _, b := range bodies {
		ids = append(ids, b.ID)
		if canManageMeetings(a, b.ID) {
			p.Manage = true
		}
	}
	orgs, err := s.orgs(ctx, ids...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Gremia = ofKind(orgs, store.Gremia...)
	from := time.Now().In(s.loc)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, s.loc)
	if p.From != "" {
		if t, err := s.parseDay(p.From); err == nil {
			from = t
		} else {
			p.Filter.invalid("ab", "Bitte geben Sie ein gültiges Datum an, zum Beispiel 10.03.2026.")
		}
	}
	p.From = from.Format("2006-01-02")
	f := store.MeetingFilter{BodyIDs: ids, OrganizationID: p.Org, From: &from, Limit: 25, After: q.Get("weiter")}
	items, next, err := s.store.Meetings(ctx, f)
	if errors.Is(err, store.ErrInvalid) {
		p.Filter.invalid("weiter", "Die Seite passt nicht zu dieser Auswahl. Bitte beginnen Sie neu.")
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Items = items
	if next != "" {
		nq := url.Values{"ab": {p.From}, "weiter": {next}}
		if p.Org != "" {
			nq.Set("gremium", p.Org)
		}
		p.NextURL = "/sitzungen?" + nq.Encode()
	}
	if p.Form == nil {
		p.Form = newForm("meeting", "")
		p.Form.ID = "neue-sitzung"
		p.Form.Fields = meetingFields
		if len(a.Bodies) > 0 {
			p.Form.Values.Set("body_id", a.Bodies[0])
		}
		p.Form.Values.Set("start", "16:00")
	}
	s.render(w, r, status, "meetings", page{Title: "Sitzungen", Nav: "sitzungen", Orgs: names(orgs), Data: p})
}

// meetingForm reads the meeting form into m; problems go onto f.
func (s *server) meetingForm(f *Form, m *store.Meeting) {
	get := func(k string) string { return strings.TrimSpace(f.Val(k)) }
	m.Name, m.Location = get("name"), get("location")
	// The lengths and characters are the store's rules (motion.CheckLine with
	// the same labels); an empty name gets a request of its own.
	if m.Name == "" {
		f.invalid("name", "Bitte geben Sie den Namen der Sitzung ein.")
	} else if err := motion.CheckLine("name", "Der Name der Sitzung", m.Name, motion.MaxShort, true); err != nil {
		f.fail(err)
	}
	if err := motion.CheckLine("location", "Der Sitzungsort", m.Location, motion.MaxShort, false); err != nil {
		f.fail(err)
	}
	day, err := s.parseDay(get("date"))
	if err != nil {
		f.invalid("date", "Bitte geben Sie ein gültiges Datum an, zum Beispiel 10.03.2026.")
		return
	}
	at := func(field string) *time.Time {
		v := get(field)
		if v == "" {
			return nil
		}
		c, err := time.Parse("15:04", v)
		if err != nil {
			f.invalid(field, "Bitte geben Sie eine gültige Uhrzeit in Stunden und Minuten an, zum Beispiel 16:00.")
			return nil
		}
		t := time.Date(day.Year(), day.Month(), day.Day(), c.Hour(), c.Minute(), 0, 0, s.loc)
		return &t
	}
	start := at("start")
	if start == nil {
		if get("start") == "" {
			f.invalid("start", "Bitte geben Sie an, wann die Sitzung beginnt.")
		}
		return
	}
	m.Start = *start
	m.End = at("end")
	if m.End != nil && m.End.Before(m.Start) {
		f.invalid("end", "Das Ende darf nicht vor dem Beginn der Sitzung liegen.")
	}
}

func (s *server) createMeeting(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if !s.readForm(w, r) {
		return
	}
	f := newForm("meeting", "")
	f.ID = "neue-sitzung"
	f.Fields = meetingFields
	f.Values = r.PostForm
	bodyID := strings.TrimSpace(f.Val("body_id"))
	if !canManageMeetings(a, bodyID) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Sitzungen legt das Ratsbüro an.")
		return
	}
	m := store.Meeting{BodyID: bodyID, OrganizationID: strings.TrimSpace(f.Val("organization_id"))}
	err := s.store.CheckGremium(ctx, bodyID, m.OrganizationID, "organization_id")
	if errors.As(err, new(*motion.Error)) {
		f.fail(err)
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.meetingForm(f, &m)
	if f.Failed() {
		s.renderMeetings(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	m, err = s.store.CreateMeeting(ctx, m)
	if errors.Is(err, store.ErrInvalid) {
		// The form's own checks passed: what is left is a body the store
		// does not know.
		f.invalid("body_id", "Die Sitzung konnte nicht angelegt werden, weil es diese Körperschaft nicht gibt.")
		s.renderMeetings(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.calendarChanged(ctx, m)
	http.Redirect(w, r, withOK(meetingPath(m.ID), "meeting_created"), http.StatusSeeOther)
}

// meetingPage is one meeting with its agenda and, for the council office,
// the forms to schedule motions and record their results.
type meetingPage struct {
	Meeting    store.Meeting
	Org        store.Organization
	Items      []agendaEntry
	Candidates []agendaEntry
	Manage     bool
	Form       *Form
	Return     string
	Factions   []store.Organization
	Gremia     []store.Organization
	// Process is the agenda from the meeting's process (items, results,
	// documents), public view for all but the council office.
	Process *agendaView
	// Downloads are the council office's links to the votes as CSV and XLSX.
	Downloads *downloads
}

// agendaEntry is one motion's consultation in the meeting.
type agendaEntry struct {
	P *motionPage
	K motion.Consultation
}

func (s *server) showMeeting(w http.ResponseWriter, r *http.Request) {
	if format := r.URL.Query().Get("format"); format != "" {
		s.downloadVotes(w, r, r.PathValue("id"), format)
		return
	}
	s.renderMeetingWithForm(w, r, http.StatusOK, r.PathValue("id"), nil)
}

// downloadVotes answers the votes of the meeting as a file in format, the
// table of GET /v1/meetings/{id}/votes (export.VoteRows): the non-public
// part only for the council office.
func (s *server) downloadVotes(w http.ResponseWriter, r *http.Request, id, format string) {
	ctx, a := r.Context(), actorOf(r)
	mt, err := s.visibleMeeting(ctx, id, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.download(w, r, format, "abstimmungen-"+export.SafeName(mt.ID), "Abstimmungen", func() ([][]string, error) {
		m, err := s.store.MeetingState(ctx, mt.ID)
		if err != nil {
			return nil, err
		}
		items, err := export.LoadMeetingVotes(ctx, s.store, m, a, export.MaxRows)
		if err != nil {
			return nil, err
		}
		orgs, err := s.orgs(ctx, mt.BodyID)
		if err != nil {
			return nil, err
		}
		return export.VoteRows(items, export.VoteFactions(items, names(orgs))), nil
	})
}

// renderMeetingWithForm shows the meeting, with a refused form if any: a
// motion's action form (Form.MotionID set) or the meeting's own.
func (s *server) renderMeetingWithForm(w http.ResponseWriter, r *http.Request, status int, id string, refused *Form) {
	ctx, a := r.Context(), actorOf(r)
	if i := strings.IndexAny(id, "?#"); i >= 0 {
		id = id[:i]
	}
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	mt, err := s.visibleMeeting(ctx, id, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orgs, err := s.orgs(ctx, mt.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &meetingPage{Meeting: mt, Org: orgs[mt.OrganizationID], Manage: canManageMeetings(a, mt.BodyID), Return: meetingPath(mt.ID),
		Factions: ofKind(orgs, store.OrgFaction), Gremia: ofKind(orgs, store.Gremia...)}
	if p.Manage {
		p.Downloads = downloadLinks(a, meetingPath(mt.ID), nil)
	}
	items, err := s.store.Agenda(ctx, mt.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Process, err = s.meetingAgenda(ctx, mt.ID, a); err != nil {
		s.fail(w, r, err)
		return
	}
	entry := func(m motion.Motion, k motion.Consultation) agendaEntry {
		mp := &motionPage{M: m, Allowed: motion.Allowed(&m, a), forms: map[string]*Form{}, Factions: p.Factions,
			Gremia: p.Gremia, Return: meetingPath(mt.ID)}
		if refused != nil && refused.MotionID == m.ID {
			mp.forms[formKey(refused.Command, refused.Target)] = refused
		}
		return agendaEntry{P: mp, K: k}
	}
	for _, it := range items {
		m, err := s.store.Motion(ctx, it.MotionID)
		if err != nil || !m.VisibleTo(a) {
			continue
		}
		if k := m.Consultation(it.ConsultationID); k != nil {
			p.Items = append(p.Items, entry(m, *k))
		}
	}
	if p.Manage && !mt.Cancelled {
		f := store.MotionFilter{Viewer: a, BodyIDs: []string{mt.BodyID}, Statuses: []motion.Status{motion.StatusInConsultation}, Limit: store.MaxLimit}
		ms, _, err := s.store.Motions(ctx, f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, m := range ms {
			for _, k := range m.Consultations {
				if k.Status == motion.ConsultationPlanned && k.OrganizationID == mt.OrganizationID && slices.Contains(motion.Allowed(&m, a), motion.CmdSchedule) {
					p.Candidates = append(p.Candidates, entry(m, k))
					break
				}
			}
		}
	}
	if refused != nil && refused.MotionID == "" {
		p.Form = refused
	} else {
		p.Form = newForm("meeting", mt.ID)
		p.Form.ID = "sitzung"
		p.Form.Fields = meetingFields
		p.Form.Values.Set("name", mt.Name)
		p.Form.Values.Set("location", mt.Location)
		p.Form.Values.Set("date", mt.Start.In(s.loc).Format("2006-01-02"))
		p.Form.Values.Set("start", mt.Start.In(s.loc).Format("15:04"))
		if mt.End != nil {
			p.Form.Values.Set("end", mt.End.In(s.loc).Format("15:04"))
		}
	}
	title := mt.Name
	if title == "" {
		title = "Sitzung"
	}
	s.render(w, r, status, "meeting", page{Title: title, Nav: "sitzungen", Orgs: names(orgs), Data: p})
}

func (s *server) updateMeeting(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if !s.readForm(w, r) {
		return
	}
	mt, err := s.visibleMeeting(ctx, r.PathValue("id"), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !canManageMeetings(a, mt.BodyID) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Sitzungen verwaltet das Ratsbüro.")
		return
	}
	f := newForm("meeting", mt.ID)
	f.ID = "sitzung"
	f.Fields = meetingFields
	f.Values = r.PostForm
	ok := "meeting_saved"
	switch f.Val("op") {
	case "cancel":
		mt.Cancelled, ok = true, "meeting_cancelled"
	case "reinstate":
		mt.Cancelled, ok = false, "meeting_reinstated"
	default:
		s.meetingForm(f, &mt)
	}
	if f.Failed() {
		s.renderMeetingWithForm(w, r, http.StatusUnprocessableEntity, mt.ID, f)
		return
	}
	mt.Modified = time.Time{}
	mt, err = s.store.UpdateMeeting(ctx, mt)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.calendarChanged(ctx, mt)
	http.Redirect(w, r, withOK(meetingPath(mt.ID), ok), http.StatusSeeOther)
}

// calendarChanged tells every motion whose deadlines depend on the meeting
// (store.MeetingDependents) to re-arm them; a failure is logged, not
// answered (workflows.Rearm).
func (s *server) calendarChanged(ctx context.Context, m store.Meeting) {
	workflows.Rearm(ctx, s.motions, s.log, func(ctx context.Context) ([]string, error) {
		return s.store.MeetingDependents(ctx, m)
	}, "meeting", m.ID)
	workflows.DirectoryChanged(ctx, s.motions, s.log, func(ctx context.Context) (meeting.Meeting, error) {
		return s.store.MeetingState(ctx, m.ID)
	})
}
