package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// MeetingProcess is a meeting as a process: status, agenda with results,
// attendance and minutes, with the commands the caller may run now. The
// public sees the non-public part only as numbered items without content.
type MeetingProcess struct {
	meeting.Meeting
	StatusLabel string   `json:"status_label"`
	Quorate     bool     `json:"quorate"`
	Allowed     []string `json:"allowed"`
}

type meetingProcessOutput struct {
	ETag string `header:"ETag" doc:"Version der Sitzung"`
	Body MeetingProcess
}

// meetingCommandInput is a meeting command with its request body.
type meetingCommandInput[B any] struct {
	MeetingPath
	IfMatch        string `header:"If-Match" doc:"Pflicht: die Version der Sitzung als ETag (\"3\") oder *. Fehlt sie: 428; passt sie nicht: 412."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Wiederholungsschutz: derselbe Schlüssel wirkt höchstens einmal."`
	Body           B
}

// meetingCommandSummaries are the operations' summaries.
var meetingCommandSummaries = map[meeting.CommandName]string{
	meeting.CmdAddItem:           "Punkt auf die Tagesordnung setzen (nach der Einladung nur dringlich, mit Begründung)",
	meeting.CmdRemoveItem:        "Punkt von der Tagesordnung nehmen (vor der Einladung)",
	meeting.CmdMoveItem:          "Punkt auf der Tagesordnung verschieben (vor der Einladung)",
	meeting.CmdPublishInvitation: "Einladung mit Tagesordnung veröffentlichen und versenden",
	meeting.CmdCancel:            "Sitzung absagen",
	meeting.CmdOpenSession:       "Sitzung eröffnen (Mitglieder und Anwesende)",
	meeting.CmdRecordAttendance:  "Anwesenheit erfassen",
	meeting.CmdCallItem:          "Tagesordnungspunkt aufrufen",
	meeting.CmdRecordResults:     "Ergebnis eines oder mehrerer Punkte erfassen (Sammelabstimmung)",
	meeting.CmdCloseSession:      "Sitzung schließen",
	meeting.CmdAmendMinutes:      "Niederschrift ergänzen",
	meeting.CmdApproveMinutes:    "Niederschrift genehmigen",
	meeting.CmdPublishMinutes:    "Niederschrift veröffentlichen",
	meeting.CmdMarkWithdrawn:     "Zurückgezogenen Antrag auf der Tagesordnung kennzeichnen",
}

// MeetingCommandPath is the path of a command on a meeting.
func MeetingCommandPath(c meeting.CommandName) string {
	return "/v1/meetings/{id}/" + strings.ReplaceAll(string(c), "_", "-")
}

func (s *server) registerMeetingProcess(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-meeting-process",
		Method:      http.MethodGet,
		Path:        "/v1/meetings/{id}/process",
		Summary:     "Sitzung als Ablauf: Stand, Tagesordnung mit Ergebnissen, Anwesenheit, Niederschrift",
		Tags:        []string{"Meetings"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MeetingPath) (*meetingProcessOutput, error) {
		m, err := s.visibleMeetingState(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return &meetingProcessOutput{ETag: etag(m.Version), Body: processView(m, Caller(ctx))}, nil
	})
	meetingCommand(s, a, meeting.CmdAddItem, s.prepareAddItem)
	meetingCommand(s, a, meeting.CmdRemoveItem, same[meeting.RemoveItem])
	meetingCommand(s, a, meeting.CmdMoveItem, same[meeting.MoveItem])
	meetingCommand(s, a, meeting.CmdPublishInvitation, empty[meeting.PublishInvitation])
	meetingCommand(s, a, meeting.CmdCancel, same[meeting.Cancel])
	meetingCommand(s, a, meeting.CmdOpenSession, s.prepareOpenSession)
	meetingCommand(s, a, meeting.CmdRecordAttendance, same[meeting.RecordAttendance])
	meetingCommand(s, a, meeting.CmdCallItem, same[meeting.CallItem])
	meetingCommand(s, a, meeting.CmdRecordResults, same[meeting.RecordResults])
	meetingCommand(s, a, meeting.CmdCloseSession, empty[meeting.CloseSession])
	meetingCommand(s, a, meeting.CmdAmendMinutes, same[meeting.AmendMinutes])
	meetingCommand(s, a, meeting.CmdApproveMinutes, empty[meeting.ApproveMinutes])
	meetingCommand(s, a, meeting.CmdPublishMinutes, empty[meeting.PublishMinutes])
	meetingCommand(s, a, meeting.CmdMarkWithdrawn, same[meeting.MarkWithdrawn])
	s.registerMeetingFiles(a)
}

// same takes a command body as it is.
func same[C meeting.Command](_ context.Context, _ meeting.Meeting, c C) (meeting.Command, error) {
	return c, nil
}

// empty takes a command without content; a body, if any, is ignored.
func empty[C meeting.Command](_ context.Context, _ meeting.Meeting, _ *struct{}) (meeting.Command, error) {
	var c C
	return c, nil
}

// meetingCommand registers POST /v1/meetings/{id}/<name>: prepare completes
// the command from the read model (a motion's title, the members), then the
// meeting's workflow decides.
func meetingCommand[B any](s *server, a huma.API, name meeting.CommandName,
	prepare func(context.Context, meeting.Meeting, B) (meeting.Command, error)) {
	huma.Register(a, huma.Operation{
		OperationID: "meeting-" + strings.ReplaceAll(string(name), "_", "-"),
		Method:      http.MethodPost,
		Path:        MeetingCommandPath(name),
		Summary:     meetingCommandSummaries[name],
		Description: fmt.Sprintf("Befehl `%s` der Geschäftsstelle auf einer Sitzung. Antwortet mit der Sitzung in der neuen Version und deren ETag.", name),
		Tags:        []string{"Meetings"},
		Security:    requireToken,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
			http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *meetingCommandInput[B]) (*meetingProcessOutput, error) {
		m, err := s.visibleMeetingState(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		cmd, err := prepare(ctx, m, in.Body)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.sendMeeting(ctx, m, in.IfMatch, in.IdempotencyKey, cmd)
	})
}

// sendMeeting runs a command on the meeting's workflow.
func (s *server) sendMeeting(ctx context.Context, m meeting.Meeting, ifMatch, key string, cmd meeting.Command) (*meetingProcessOutput, error) {
	actor := Caller(ctx)
	mc, ok := s.motions.(workflows.Meetings)
	if !ok {
		return nil, problem.New(http.StatusServiceUnavailable, "Sitzungen können derzeit nicht geführt werden.")
	}
	version, err := ifMatchVersion(ifMatch, "der Sitzung", "Die Sitzung", nil)
	if err != nil {
		return nil, err
	}
	out, err := mc.SendMeeting(ctx, m, cmd, workflows.Meta{Actor: actor, ExpectedVersion: version,
		RequestID: requestKey(ctx, actor, key)})
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &meetingProcessOutput{ETag: etag(out.Version), Body: processView(out, actor)}, nil
}

// visibleMeetingState is the meeting's state as the caller may see it: a
// meeting of a body the caller does not belong to is public (404 only when
// it does not exist), and the non-public part is the office's.
func (s *server) visibleMeetingState(ctx context.Context, id string) (meeting.Meeting, error) {
	m, err := s.store.MeetingState(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return meeting.Meeting{}, notFound("Sitzung")
	}
	if err != nil {
		return meeting.Meeting{}, s.problem(ctx, err)
	}
	return m, nil
}

// processView is the meeting as actor sees it.
func processView(m meeting.Meeting, actor motion.Actor) MeetingProcess {
	if !meeting.Office(actor, m.BodyID) {
		m = m.PublicView()
	}
	allowed := []string{}
	for _, c := range meeting.Allowed(&m, actor) {
		allowed = append(allowed, string(c))
	}
	if m.Agenda == nil {
		m.Agenda = []meeting.Item{}
	}
	return MeetingProcess{Meeting: m, StatusLabel: m.Status.Label(), Quorate: m.Quorate(), Allowed: allowed}
}

// AddItemBody puts an item on the agenda. For a motion, name it and its
// consultation; title and reference are taken from the motion when empty.
type AddItemBody = meeting.AddItem

// prepareAddItem checks and completes an item for a motion from the read
// model (store.CompleteAgendaItem).
func (s *server) prepareAddItem(ctx context.Context, m meeting.Meeting, c AddItemBody) (meeting.Command, error) {
	return s.store.CompleteAgendaItem(ctx, m, c)
}

// OpenSessionBody opens the session; without members the organization's
// members on the meeting's day are taken from the directory.
type OpenSessionBody = meeting.OpenSession

func (s *server) prepareOpenSession(ctx context.Context, m meeting.Meeting, c OpenSessionBody) (meeting.Command, error) {
	if len(c.Members) == 0 && m.OrganizationID != "" {
		names, _, err := s.store.MeetingMembers(ctx, m.OrganizationID, m.Start)
		if err != nil {
			return nil, err
		}
		c.Members = names
	}
	return c, nil
}

// registerMeetingFiles serves the invitation and the minutes as PDF: the
// invitation once published, the minutes once published (the council office
// of the body sees its drafts).
func (s *server) registerMeetingFiles(a huma.API) {
	for _, kind := range []string{"invitation", "minutes"} {
		summary := map[string]string{"invitation": "Einladung mit Tagesordnung als PDF", "minutes": "Niederschrift als PDF"}[kind]
		huma.Register(a, huma.Operation{
			OperationID: "get-meeting-" + kind,
			Method:      http.MethodGet,
			Path:        "/v1/meetings/{id}/" + kind + ".pdf",
			Summary:     summary,
			Tags:        []string{"Meetings"},
			Security:    optionalToken,
			Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
			Responses: map[string]*huma.Response{"200": {Description: "Das PDF",
				Content: map[string]*huma.MediaType{"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
		}, func(ctx context.Context, in *MeetingPath) (*pdfOutput, error) {
			m, err := s.visibleMeetingState(ctx, in.ID)
			if err != nil {
				return nil, err
			}
			if !m.DocumentPublic(kind) && !meeting.Office(Caller(ctx), m.BodyID) {
				return nil, notFound("Dokument")
			}
			f, err := s.store.MeetingFileOf(ctx, m.ID, kind)
			if errors.Is(err, store.ErrNotFound) {
				return nil, notFound("Dokument")
			}
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &pdfOutput{ContentType: f.ContentType, ETag: `"` + f.SHA256 + `"`, CacheControl: "public, max-age=60",
				ContentDisposition: `inline; filename="` + f.Name + `"`, Body: f.Content}, nil
		})
	}
}
