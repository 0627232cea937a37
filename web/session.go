package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// meetingProcessStore is the part of the read model the session mode and the
// live view need: the meeting as its workflow projected it, the wait for its
// next version and the organization's members; part of Store.
type meetingProcessStore interface {
	MeetingState(ctx context.Context, id string) (meeting.Meeting, error)
	WaitMeeting(ctx context.Context, id string, afterVersion int64) (int64, error)
	MeetingMembers(ctx context.Context, organizationID string, at time.Time) (names, emails []string, err error)
	CompleteAgendaItem(ctx context.Context, m meeting.Meeting, c meeting.AddItem) (meeting.AddItem, error)
}

var _ meetingProcessStore = (*store.Store)(nil)

// sessionFields are the inputs of the session's forms, where the domain's
// field messages are shown.
var sessionFields = []string{"present", "members", "item_id", "item_ids", "result", "vote", "vote.yes", "vote.no",
	"vote.abstain", "resolution_text", "postpone_to", "referred_to", "notes", "kind", "title", "motion_id",
	"consultation_id", "urgent_reason", "reason", "agenda"}

// sessionFlashes confirm a command of the session mode (?ok=<command>).
var sessionFlashes = map[meeting.CommandName]string{
	meeting.CmdAddItem:           "Der Tagesordnungspunkt wurde aufgenommen.",
	meeting.CmdPublishInvitation: "Die Einladung mit Tagesordnung wurde veröffentlicht.",
	meeting.CmdOpenSession:       "Die Sitzung wurde eröffnet.",
	meeting.CmdRecordAttendance:  "Die Anwesenheit wurde erfasst.",
	meeting.CmdCallItem:          "Der Tagesordnungspunkt wurde aufgerufen.",
	meeting.CmdRecordResults:     "Das Ergebnis wurde erfasst.",
	meeting.CmdCloseSession:      "Die Sitzung wurde geschlossen.",
	meeting.CmdAmendMinutes:      "Die Ergänzungen der Niederschrift wurden gespeichert.",
	meeting.CmdApproveMinutes:    "Die Niederschrift wurde als genehmigt vermerkt.",
	meeting.CmdPublishMinutes:    "Die Niederschrift wurde veröffentlicht.",
}

// sessionPage is the council office's session mode of one meeting.
type sessionPage struct {
	M       meeting.Meeting
	OrgName string
	// Allowed are the commands the office may run now.
	Allowed []meeting.CommandName
	// Members are the organization's members on the meeting's day (for
	// opening the session); Present who is present now.
	Members []string
	// NextOpen is the id of the first open item: it gets the focus.
	NextOpen string
	Results  []motion.Result
	Later    []store.Meeting
	Gremia   []store.Organization
	// Refused is the form the workflow refused, with what was typed.
	Refused *Form
	// Key is the idempotency key of this rendering's forms.
	Key string
	// Live is the path of the public live view.
	Live string
}

// Can reports whether the command is possible now.
func (p *sessionPage) Can(name string) bool {
	return slices.Contains(p.Allowed, meeting.CommandName(name))
}

// FormFor is the form of an operation on an item: the refused one with what
// was typed, or a fresh one.
func (p *sessionPage) FormFor(op, target string) *Form {
	if p.Refused != nil && string(p.Refused.Command) == op && p.Refused.Target == target {
		return p.Refused
	}
	f := newForm(motion.CommandName(op), target)
	f.Version, f.Key = p.M.Version, p.Key
	return f
}

// IsPresent reports whether a member counts as present in the attendance
// form: every member before the session, those present during it.
func (p *sessionPage) IsPresent(name string) bool {
	if p.M.Status == meeting.StatusConvened || p.M.Status == meeting.StatusPlanned {
		return true
	}
	return slices.Contains(p.M.Present, name)
}

// Quorum is "beschlussfähig: 4 von 5" or "nicht beschlussfähig: 2 von 5".
func (p *sessionPage) Quorum() string {
	word := "beschlussfähig"
	if !p.M.Quorate() {
		word = "nicht beschlussfähig"
	}
	return fmt.Sprintf("%s: %d von %d", word, len(p.M.Present), len(p.M.Members))
}

// ItemKinds are the kinds of item the add form offers.
func (p *sessionPage) ItemKinds() []meeting.ItemKind {
	return []meeting.ItemKind{meeting.ItemMotion, meeting.ItemPaper, meeting.ItemReport, meeting.ItemFree}
}

// meetingStates returns the read model's meeting process store.
func (s *server) meetingStates() (meetingProcessStore, bool) {
	return s.store, s.store != nil
}

// meetingState reads the meeting's state if the caller may see its body;
// errNotVisible otherwise.
func (s *server) meetingState(ctx context.Context, id string, a motion.Actor) (meeting.Meeting, error) {
	ms, ok := s.meetingStates()
	if !ok {
		return meeting.Meeting{}, problem.New(http.StatusServiceUnavailable, "Sitzungen können derzeit nicht geführt werden.")
	}
	if _, err := s.visibleMeeting(ctx, id, a); err != nil {
		return meeting.Meeting{}, err
	}
	m, err := ms.MeetingState(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return meeting.Meeting{}, errNotVisible
	}
	return m, err
}

// sessionPath is the session mode of a meeting.
func sessionPath(id string) string { return meetingPath(id) + "/sitzung" }

func (s *server) showSession(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	s.renderSession(w, r, http.StatusOK, r.PathValue("id"), nil)
}

// renderSession shows the session mode, with a refused form if any.
func (s *server) renderSession(w http.ResponseWriter, r *http.Request, status int, id string, refused *Form) {
	ctx, a := r.Context(), actorOf(r)
	m, err := s.meetingState(ctx, id, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !meeting.Office(a, m.BodyID) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Die Sitzung leitet die Geschäftsstelle des Gremiums.")
		return
	}
	p := &sessionPage{M: m, Allowed: meeting.Allowed(&m, a), Results: motion.Results, Refused: refused, Key: newKey(),
		Live: meetingPath(m.ID) + "/live"}
	if refused != nil {
		refused.Version, refused.Key = m.Version, p.Key
	}
	for _, it := range m.Agenda {
		if it.Status == meeting.ItemOpen {
			p.NextOpen = it.ID
			break
		}
	}
	orgs, err := s.orgs(ctx, m.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.OrgName = orgs[m.OrganizationID].Name
	p.Gremia = ofKind(orgs, store.Gremia...)
	ms, _ := s.meetingStates()
	if p.Can(string(meeting.CmdOpenSession)) && m.OrganizationID != "" {
		if p.Members, _, err = ms.MeetingMembers(ctx, m.OrganizationID, m.Start); err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		p.Members = m.Members
	}
	if p.Can(string(meeting.CmdRecordResults)) && m.OrganizationID != "" {
		from := m.Start.Add(time.Minute)
		later, _, err := s.store.Meetings(ctx, store.MeetingFilter{BodyIDs: []string{m.BodyID}, OrganizationID: m.OrganizationID,
			From: &from, Limit: 20})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, l := range later {
			if !l.Cancelled && l.ID != m.ID {
				p.Later = append(p.Later, l)
			}
		}
	}
	pg := page{Title: "Sitzungsleitung: " + m.Name, Nav: "sitzungen", Orgs: names(orgs), Data: p}
	if msg, ok := sessionFlashes[meeting.CommandName(r.URL.Query().Get("ok"))]; ok && refused == nil {
		pg.Flash = msg
	}
	s.render(w, r, status, "session", pg)
}

// sessionAction runs one command of the session mode through the meeting's
// workflow and returns to the session page at the next open item.
func (s *server) sessionAction(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if !s.readForm(w, r) {
		return
	}
	m, err := s.meetingState(ctx, r.PathValue("id"), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !meeting.Office(a, m.BodyID) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Die Sitzung leitet die Geschäftsstelle des Gremiums.")
		return
	}
	mc, ok := s.motions.(workflows.Meetings)
	if !ok {
		s.errorPage(w, r, http.StatusServiceUnavailable, problem.Title(http.StatusServiceUnavailable), "Sitzungen können derzeit nicht geführt werden.")
		return
	}
	name := meeting.CommandName(r.PostForm.Get("op"))
	if !slices.Contains(meeting.Commands, name) {
		s.errorPage(w, r, http.StatusBadRequest, "Ungültige Anfrage", "Diese Aktion gibt es in der Sitzungsleitung nicht.")
		return
	}
	f := newForm(motion.CommandName(name), strings.TrimSpace(r.PostForm.Get("target")))
	f.Fields = sessionFields
	f.Values = r.PostForm
	version, verr := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if verr != nil || version < 0 {
		f.Message = "Die Version der Sitzung fehlt im Formular. Bitte laden Sie die Seite neu."
		s.renderSession(w, r, http.StatusPreconditionFailed, m.ID, f)
		return
	}
	cmd := s.sessionCommand(ctx, f, m, name)
	if f.Failed() || cmd == nil {
		s.renderSession(w, r, http.StatusUnprocessableEntity, m.ID, f)
		return
	}
	out, err := mc.SendMeeting(ctx, m, cmd, workflows.Meta{Actor: a, ExpectedVersion: version, RequestID: requestKey(a, r.PostForm.Get("key"))})
	if err != nil {
		var me *motion.Error
		if !errors.As(err, &me) {
			s.fail(w, r, err)
			return
		}
		if me.Code == motion.CodeNotFound {
			s.notFound(w, r)
			return
		}
		f.fail(err)
		if me.Code == motion.CodeStaleVersion {
			f.Message = "Die Sitzung wurde inzwischen an anderer Stelle geändert. Unten steht der aktuelle Stand; bitte prüfen Sie ihn und senden Sie Ihre Angaben erneut."
		}
		s.renderSession(w, r, problem.Status(me.Code), m.ID, f)
		return
	}
	back := sessionPath(out.ID)
	if out.ID == "" {
		back = sessionPath(m.ID)
	}
	for _, it := range out.Agenda {
		if it.Status == meeting.ItemOpen {
			back += "#top-" + it.ID
			break
		}
	}
	http.Redirect(w, r, withOK(back, string(name)), http.StatusSeeOther)
}

// sessionCommand reads the command of a session form; problems the web
// layer finds itself (a number that is none) are recorded on f.
func (s *server) sessionCommand(ctx context.Context, f *Form, m meeting.Meeting, name meeting.CommandName) meeting.Command {
	v := f.Values
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	switch name {
	case meeting.CmdPublishInvitation:
		return meeting.PublishInvitation{}
	case meeting.CmdOpenSession:
		members := m.Members
		if m.OrganizationID != "" {
			ms, _ := s.meetingStates()
			names, _, err := ms.MeetingMembers(ctx, m.OrganizationID, m.Start)
			if err != nil {
				f.Message = "Die Mitglieder des Gremiums konnten nicht gelesen werden. Bitte versuchen Sie es erneut."
				return nil
			}
			members = names
		}
		return meeting.OpenSession{Members: members, Present: nonEmpty(v["present"])}
	case meeting.CmdRecordAttendance:
		return meeting.RecordAttendance{Present: nonEmpty(v["present"])}
	case meeting.CmdCallItem:
		return meeting.CallItem{ItemID: get("item_id")}
	case meeting.CmdRecordResults:
		c := meeting.RecordResults{ItemIDs: nonEmpty(v["item_ids"]), ResolutionText: get("resolution_text"), PostponeTo: get("postpone_to")}
		c.Result, c.ReferredTo = motion.Result(get("result")), get("referred_to")
		var vote motion.Vote
		given := false
		num := func(field string) int {
			n, ok := formInt(f, field, v.Get(field))
			given = given || ok
			return n
		}
		vote.Yes, vote.No, vote.Abstain = num("vote.yes"), num("vote.no"), num("vote.abstain")
		if given {
			c.Vote = &vote
		}
		return c
	case meeting.CmdCloseSession:
		return meeting.CloseSession{}
	case meeting.CmdAmendMinutes:
		return meeting.AmendMinutes{Notes: get("notes")}
	case meeting.CmdApproveMinutes:
		return meeting.ApproveMinutes{}
	case meeting.CmdPublishMinutes:
		return meeting.PublishMinutes{}
	case meeting.CmdAddItem:
		c := meeting.AddItem{Kind: meeting.ItemKind(get("kind")), Title: get("title"), Public: get("public") != "",
			MotionID: get("motion_id"), ConsultationID: get("consultation_id"), UrgentReason: get("urgent_reason")}
		c, err := s.store.CompleteAgendaItem(ctx, m, c)
		var me *motion.Error
		switch {
		case errors.As(err, &me):
			for _, fe := range me.Fields {
				f.invalid(fe.Field, fe.Message)
			}
		case err != nil:
			f.Message = "Der Antrag konnte nicht geprüft werden; bitte erneut versuchen."
		}
		return c
	}
	f.Message = "Diese Aktion bietet die Sitzungsleitung nicht an."
	return nil
}

// agendaView is the agenda of a meeting as the meeting page shows it: the
// public view for everyone but the council office.
type agendaView struct {
	M      meeting.Meeting
	Office bool
	// Invitation and Minutes are the PDF links, "" while not available.
	Invitation, Minutes string
	Session, Live       string
}

// meetingAgenda reads the agenda for the meeting page; nil when the read
// model has no meeting process (then the page shows the motions only).
func (s *server) meetingAgenda(ctx context.Context, id string, a motion.Actor) (*agendaView, error) {
	ms, ok := s.meetingStates()
	if !ok {
		return nil, nil
	}
	m, err := ms.MeetingState(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &agendaView{Office: meeting.Office(a, m.BodyID), Live: meetingPath(m.ID) + "/live"}
	if v.Office {
		v.Session = sessionPath(m.ID)
	} else {
		m = m.PublicView()
	}
	v.M = m
	base := "/v1/meetings/" + url.PathEscape(m.ID)
	if m.DocumentPublic("invitation") || (v.Office && m.InvitationPublishedAt != nil) {
		v.Invitation = base + "/invitation.pdf"
	}
	if m.DocumentPublic("minutes") || (v.Office && m.SessionClosedAt != nil) {
		v.Minutes = base + "/minutes.pdf"
	}
	return v, nil
}
