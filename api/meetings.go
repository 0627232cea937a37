package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// Meeting is a session of an organization (OParl Meeting).
type Meeting struct {
	ID             string     `json:"id"`
	BodyID         string     `json:"body_id"`
	OrganizationID string     `json:"organization_id,omitempty"`
	Name           string     `json:"name" example:"Sitzung des Hauptausschusses"`
	Location       string     `json:"location,omitempty" example:"Ratssaal, Rathaus E 5"`
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end,omitempty"`
	Cancelled      bool       `json:"cancelled"`
	Created        time.Time  `json:"created"`
	Modified       time.Time  `json:"modified"`
}

// MeetingDetail is one meeting with its agenda.
type MeetingDetail struct {
	Meeting
	Agenda []AgendaItem `json:"agenda"`
}

func meetingOf(m store.Meeting) Meeting {
	return Meeting{ID: m.ID, BodyID: m.BodyID, OrganizationID: m.OrganizationID, Name: m.Name, Location: m.Location,
		Start: m.Start, End: m.End, Cancelled: m.Cancelled, Created: m.Created, Modified: m.Modified}
}

// AgendaItem is a public motion dealt with in the meeting.
type AgendaItem struct {
	MotionID       string        `json:"motion_id"`
	ConsultationID string        `json:"consultation_id"`
	Reference      string        `json:"reference,omitempty"`
	Title          string        `json:"title"`
	Kind           motion.Kind   `json:"kind"`
	Status         motion.Status `json:"status"`
	StatusLabel    string        `json:"status_label"`
}

// MeetingInput creates a meeting.
type MeetingInput struct {
	ID             string     `json:"id,omitempty" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.:-]*$" doc:"Id (optional; sonst eine UUID)"`
	OrganizationID string     `json:"organization_id" minLength:"1" maxLength:"64" doc:"tagendes Gremium"`
	Name           string     `json:"name" minLength:"1" maxLength:"200"`
	Location       string     `json:"location,omitempty" maxLength:"200"`
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end,omitempty"`
}

// MeetingPatch moves, renames or cancels a meeting; absent fields stay.
type MeetingPatch struct {
	Name      *string    `json:"name,omitempty" minLength:"1" maxLength:"200"`
	Location  *string    `json:"location,omitempty" maxLength:"200"`
	Start     *time.Time `json:"start,omitempty"`
	End       *time.Time `json:"end,omitempty"`
	Cancelled *bool      `json:"cancelled,omitempty"`
}

// MeetingPath is the {id} path parameter of a meeting.
type MeetingPath struct {
	ID string `path:"id" maxLength:"64" doc:"Sitzung (Id)"`
}

type meetingOutput struct {
	Location string `header:"Location"`
	Body     Meeting
}

type meetingDetailOutput struct {
	Body MeetingDetail
}

type meetingsOutput struct {
	Link string `header:"Link" doc:"rel=next: die nächste Seite"`
	Body struct {
		Items []Meeting `json:"items"`
		Next  string    `json:"next,omitempty" doc:"Cursor der nächsten Seite"`
	}
}

func (s *server) registerMeetings(a huma.API) {
	s.registerMeetingProcess(a)
	huma.Register(a, huma.Operation{
		OperationID: "list-meetings",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}/meetings",
		Summary:     "Sitzungen einer Körperschaft (nach Beginn, seitenweise)",
		Tags:        []string{"Meetings"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusBadRequest},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Organization string    `query:"organization" maxLength:"64" doc:"nur Sitzungen dieses Gremiums"`
		From         time.Time `query:"from" doc:"Beginn ab (RFC 3339)"`
		To           time.Time `query:"to" doc:"Beginn vor (RFC 3339)"`
		Limit        int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
		Cursor       string    `query:"cursor" maxLength:"500" doc:"next aus der vorigen Seite"`
	}) (*meetingsOutput, error) {
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		f := store.MeetingFilter{BodyIDs: []string{in.BodyID}, OrganizationID: in.Organization, Limit: in.Limit, After: in.Cursor}
		if !in.From.IsZero() {
			f.From = &in.From
		}
		if !in.To.IsZero() {
			f.To = &in.To
		}
		ms, next, err := s.store.Meetings(ctx, f)
		if errors.Is(err, store.ErrInvalid) {
			return nil, huma.Error400BadRequest("Ungültiger Cursor.", &huma.ErrorDetail{Location: "query.cursor", Message: "ungültig"})
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &meetingsOutput{}
		out.Body.Items = make([]Meeting, 0, len(ms))
		for _, m := range ms {
			out.Body.Items = append(out.Body.Items, meetingOf(m))
		}
		out.Body.Next = next
		out.Link = nextLink(ctx, next)
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "create-meeting",
		Method:        http.MethodPost,
		Path:          "/v1/bodies/{body}/meetings",
		Summary:       "Sitzung anlegen (Ratsbüro)",
		Tags:          []string{"Meetings"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Body MeetingInput
	}) (*meetingOutput, error) {
		if err := requireRole(ctx, in.BodyID, motion.RoleCouncilOffice); err != nil {
			return nil, err
		}
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		if err := s.store.CheckGremium(ctx, in.BodyID, in.Body.OrganizationID, "organization_id"); err != nil {
			return nil, s.problem(ctx, err)
		}
		if in.Body.End != nil && in.Body.End.Before(in.Body.Start) {
			return nil, fieldError("body.end", "liegt vor dem Beginn")
		}
		m, err := s.store.CreateMeeting(ctx, store.Meeting{
			ID: in.Body.ID, BodyID: in.BodyID, OrganizationID: in.Body.OrganizationID, Name: in.Body.Name,
			Location: in.Body.Location, Start: in.Body.Start, End: in.Body.End,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.calendarChanged(ctx, m)
		return &meetingOutput{Location: "/v1/meetings/" + url.PathEscape(m.ID), Body: meetingOf(m)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-meeting",
		Method:      http.MethodGet,
		Path:        "/v1/meetings/{id}",
		Summary:     "Sitzung mit Tagesordnung lesen",
		Description: "Die Tagesordnung nennt die öffentlichen Anträge, die in der Sitzung beraten werden oder wurden.",
		Tags:        []string{"Meetings"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MeetingPath) (*meetingDetailOutput, error) {
		m, err := s.visibleMeeting(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		items, err := s.store.Agenda(ctx, m.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := MeetingDetail{Meeting: meetingOf(m)}
		out.Agenda = make([]AgendaItem, 0, len(items))
		for _, it := range items {
			out.Agenda = append(out.Agenda, AgendaItem{MotionID: it.MotionID, ConsultationID: it.ConsultationID,
				Reference: it.Reference, Title: it.Title, Kind: it.Kind, Status: it.Status, StatusLabel: it.Status.Label()})
		}
		return &meetingDetailOutput{Body: out}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "patch-meeting",
		Method:      http.MethodPatch,
		Path:        "/v1/meetings/{id}",
		Summary:     "Sitzung verschieben, umbenennen oder absagen (Ratsbüro)",
		Tags:        []string{"Meetings"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		MeetingPath
		Body MeetingPatch
	}) (*meetingOutput, error) {
		m, err := s.visibleMeeting(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		if err := requireRole(ctx, m.BodyID, motion.RoleCouncilOffice); err != nil {
			return nil, err
		}
		p := in.Body
		if p.Name != nil {
			m.Name = *p.Name
		}
		if p.Location != nil {
			m.Location = *p.Location
		}
		if p.Start != nil {
			m.Start = *p.Start
		}
		if p.End != nil {
			m.End = p.End
		}
		if p.Cancelled != nil {
			m.Cancelled = *p.Cancelled
		}
		if m.End != nil && m.End.Before(m.Start) {
			return nil, fieldError("body.end", "liegt vor dem Beginn")
		}
		m.Modified = time.Time{}
		m, err = s.store.UpdateMeeting(ctx, m)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.calendarChanged(ctx, m)
		return &meetingOutput{Body: meetingOf(m)}, nil
	})
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

// visibleMeeting returns the meeting if the caller may see its body, else 404.
func (s *server) visibleMeeting(ctx context.Context, id string) (store.Meeting, error) {
	m, err := s.store.Meeting(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !Caller(ctx).InBody(m.BodyID)) {
		return store.Meeting{}, notFound("Sitzung")
	}
	if err != nil {
		return store.Meeting{}, s.problem(ctx, err)
	}
	return m, nil
}

// nextLink is the Link header pointing at the page after this one: the
// request's URL with cursor replaced; "" when there is none.
func nextLink(ctx context.Context, next string) string {
	if next == "" {
		return ""
	}
	u := requestOf(ctx).url
	if u == nil {
		return ""
	}
	q := u.Query()
	q.Set("cursor", next)
	return "<" + u.Path + "?" + q.Encode() + `>; rel="next"`
}
