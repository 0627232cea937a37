package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// pathSegment is the last path segment of a command: its name with hyphens.
func pathSegment(c motion.CommandName) string { return strings.ReplaceAll(string(c), "_", "-") }

// CommandPath is the path of a command on a motion, with {id} in it.
func CommandPath(c motion.CommandName) string { return "/v1/motions/{id}/" + pathSegment(c) }

// CommandParams are the parameters every command takes (exported so that
// huma finds them when they are embedded).
type CommandParams struct {
	MotionPath
	IfMatch        string `header:"If-Match" doc:"Pflicht: die Version, auf die sich der Befehl bezieht, als starkes ETag (\"3\"), eine Liste (\"3\", \"4\") oder * (jede aktuelle Version). Fehlt sie: 428; passt keine: 412."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Wiederholungsschutz: derselbe Schlüssel wirkt höchstens einmal (sonst gilt die Request-ID)."`
}

type commandInput[B any] struct {
	CommandParams
	Body B
}

// commandSummaries are the operations' summaries.
var commandSummaries = map[motion.CommandName]string{
	motion.CmdEdit:                 "Entwurf bearbeiten",
	motion.CmdInviteCosponsor:      "Fraktion als Mitantragstellerin einladen",
	motion.CmdSubmit:               "Antrag einreichen",
	motion.CmdRegister:             "Antrag registrieren (Aktenzeichen vergeben)",
	motion.CmdDeclareInadmissible:  "Antrag für unzulässig erklären",
	motion.CmdSetRoute:             "Beratungsfolge festlegen",
	motion.CmdSchedule:             "Beratung in eine Sitzung einplanen",
	motion.CmdRecordResult:         "Beratungsergebnis erfassen",
	motion.CmdRecordStatement:      "Stellungnahme der Verwaltung erfassen",
	motion.CmdRecordAnswer:         "Anfrage beantworten",
	motion.CmdRecordOutcome:        "Endergebnis direkt erfassen",
	motion.CmdStartImplementation:  "Umsetzung beginnen",
	motion.CmdReportImplementation: "Bericht zur Umsetzung erfassen",
	motion.CmdClose:                "Antrag abschließen",
	motion.CmdWithdraw:             "Antrag zurückziehen",
	motion.CmdCorrectResult:        "Beratungsergebnis korrigieren",
	motion.CmdLapse:                "Antrag als nicht behandelt beenden (Ende der Wahlperiode)",
	motion.CmdSetDeadline:          "Frist von Hand setzen",
	motion.CmdSign:                 "Antrag unterschreiben (Mitglied des Gemeinderats)",
	motion.CmdAcceptCosponsorship:  "Einladung zur Mitantragstellung annehmen",
	motion.CmdDeclineCosponsorship: "Einladung zur Mitantragstellung ablehnen",
	motion.CmdSetDepartments:       "Federführung und beteiligte Dezernate festlegen",
}

func (s *server) registerCommands(a huma.API) {
	command(s, a, motion.CmdEdit, func(b EditBody) motion.Command { return motion.Edit{Content: b.content()} })
	command(s, a, motion.CmdInviteCosponsor, func(b InviteCosponsorBody) motion.Command {
		return motion.InviteCosponsor{Faction: b.Faction}
	})
	emptyCommand(s, a, motion.CmdSubmit, motion.Submit{})
	// The workflow assigns the reference.
	command(s, a, motion.CmdRegister, func(b *RegisterBody) motion.Command {
		if b == nil {
			return motion.Register{}
		}
		return motion.Register{LeadDepartment: b.LeadDepartment, InvolvedDepartments: slices.Clone(b.InvolvedDepartments)}
	})
	command(s, a, motion.CmdDeclareInadmissible, func(b ReasonBody) motion.Command {
		return motion.DeclareInadmissible{Reason: b.Reason}
	})
	command(s, a, motion.CmdSetRoute, func(b SetRouteBody) motion.Command {
		c := motion.SetRoute{}
		for _, st := range b.Steps {
			c.Steps = append(c.Steps, motion.RouteStep(st))
		}
		return c
	})
	command(s, a, motion.CmdSchedule, func(b ScheduleBody) motion.Command {
		return motion.Schedule{ConsultationID: b.ConsultationID, MeetingID: b.MeetingID, Override: b.Override}
	})
	command(s, a, motion.CmdRecordResult, func(b RecordResultCommandBody) motion.Command {
		return motion.RecordResult{ConsultationID: b.ConsultationID, ResultInput: b.input(), Override: b.Override}
	})
	command(s, a, motion.CmdRecordStatement, func(b StatementBody) motion.Command {
		return motion.RecordStatement{Text: b.Text, Estimate: b.Estimate.effect()}
	})
	command(s, a, motion.CmdRecordAnswer, func(b TextBody) motion.Command { return motion.RecordAnswer{Text: b.Text} })
	command(s, a, motion.CmdRecordOutcome, func(b RecordOutcomeBody) motion.Command {
		return motion.RecordOutcome{Result: motion.Result(b.Result), Links: links(b.Links), OriginatorAgreed: b.OriginatorAgreed, Note: b.Note}
	})
	emptyCommand(s, a, motion.CmdStartImplementation, motion.StartImplementation{})
	command(s, a, motion.CmdReportImplementation, func(b ReportBody) motion.Command { return b.command() })
	command(s, a, motion.CmdClose, func(b *CloseBody) motion.Command {
		if b == nil {
			return motion.Close{}
		}
		return motion.Close{Note: b.Note}
	})
	command(s, a, motion.CmdWithdraw, func(b *WithdrawBody) motion.Command {
		if b == nil {
			return motion.Withdraw{}
		}
		return motion.Withdraw{Reason: b.Reason}
	})
	command(s, a, motion.CmdCorrectResult, func(b CorrectResultBody) motion.Command {
		return motion.CorrectResult{ConsultationID: b.ConsultationID, Reason: b.Reason, ResultInput: b.input()}
	})
	command(s, a, motion.CmdLapse, func(b ReasonBody) motion.Command { return motion.Lapse{Reason: b.Reason} })
	command(s, a, motion.CmdSetDeadline, func(b SetDeadlineBody) motion.Command { return motion.SetDeadline(b) })
	emptyCommand(s, a, motion.CmdSign, motion.Sign{})
	emptyCommand(s, a, motion.CmdAcceptCosponsorship, motion.AcceptCosponsorship{})
	command(s, a, motion.CmdDeclineCosponsorship, func(b *DeclineBody) motion.Command {
		if b == nil {
			return motion.DeclineCosponsorship{}
		}
		return motion.DeclineCosponsorship{Reason: b.Reason}
	})
	command(s, a, motion.CmdSetDepartments, func(b SetDepartmentsBody) motion.Command {
		return motion.SetDepartments{Lead: b.Lead, Involved: slices.Clone(b.Involved)}
	})

	// A command added to the domain must get its endpoint here.
	for _, c := range commandNames() {
		if !s.commands[c] {
			panic("api: no endpoint for command " + string(c))
		}
	}
}

// command registers POST /v1/motions/{id}/<name> with request body B.
func command[B any](s *server, a huma.API, name motion.CommandName, convert func(B) motion.Command) {
	s.commands[name] = true
	huma.Register(a, commandOperation(name), func(ctx context.Context, in *commandInput[B]) (*MotionOutput, error) {
		return s.send(ctx, in.CommandParams, convert(in.Body))
	})
}

// emptyCommand registers a command without a request body.
func emptyCommand(s *server, a huma.API, name motion.CommandName, cmd motion.Command) {
	s.commands[name] = true
	huma.Register(a, commandOperation(name), func(ctx context.Context, in *CommandParams) (*MotionOutput, error) {
		return s.send(ctx, *in, cmd)
	})
}

func commandOperation(name motion.CommandName) huma.Operation {
	rule := motion.Table[name]
	var from []string
	for _, st := range rule.From {
		from = append(from, fmt.Sprintf("%s (%s)", st, st.Label()))
	}
	var roles []string
	for _, r := range rule.Roles {
		roles = append(roles, string(r))
	}
	desc := fmt.Sprintf("Befehl `%s`. Erlaubt für: %s; im Status: %s.", name, strings.Join(roles, ", "), strings.Join(from, ", "))
	if len(rule.Kinds) > 0 {
		var kinds []string
		for _, k := range rule.Kinds {
			kinds = append(kinds, string(k))
		}
		desc += " Nur für: " + strings.Join(kinds, ", ") + "."
	}
	if rule.To != "" {
		desc += fmt.Sprintf(" Danach: %s (%s).", rule.To, rule.To.Label())
	}
	desc += " Antwortet mit dem Antrag in der neuen Version und deren ETag."
	return huma.Operation{
		OperationID: "motion-" + pathSegment(name),
		Method:      http.MethodPost,
		Path:        CommandPath(name),
		Summary:     commandSummaries[name],
		Description: desc,
		Tags:        []string{"Commands"},
		Security:    requireToken,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
			http.StatusConflict, http.StatusPreconditionFailed, http.StatusRequestEntityTooLarge, http.StatusPreconditionRequired},
	}
}

// RecordResultCommandBody is the body of record_result: the result and,
// when the council office records it ahead of an earlier step of the route,
// its reason for deviating from the route.
type RecordResultCommandBody struct {
	RecordResultBody
	Override string `json:"override,omitempty" maxLength:"5000" doc:"Begründung des Ratsbüros, warum das Ergebnis vor dem Abschluss einer früheren Beratung der Beratungsfolge erfasst wird (z. B. hat der vorberatende Ausschuss noch nicht beraten). Ohne sie wird ein solches Ergebnis abgelehnt (422); mit ihr bleiben die übergangenen Beratungen als „übersprungen“ mit dieser Begründung sichtbar."`
}

// send runs a command on a motion through its workflow, which decides
// atomically on version, permission, status and content.
func (s *server) send(ctx context.Context, h CommandParams, cmd motion.Command) (*MotionOutput, error) {
	actor := Caller(ctx)
	version, err := s.expectedVersion(ctx, h.ID, actor, h.IfMatch)
	if err != nil {
		return nil, err
	}
	if cmd, err = s.checkReferences(ctx, h.ID, cmd, actor, version); err != nil {
		return nil, err
	}
	m, err := s.motions.Send(ctx, h.ID, cmd, workflows.Meta{
		Actor: actor, ExpectedVersion: version, RequestID: requestKey(ctx, actor, h.IdempotencyKey),
	})
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &MotionOutput{ETag: etag(m.Version), Body: view(m, actor)}, nil
}

// checkReferences refuses (422, naming the field) a command that names
// organizations, meetings, factions or motions that are not there in the
// motion's body (store.CheckReferences), and returns the command with the
// start of its meeting filled in (withMeetingStart). A motion missing from
// the read model is left to the workflow.
func (s *server) checkReferences(ctx context.Context, id string, cmd motion.Command, actor motion.Actor, version int64) (motion.Command, error) {
	if !store.NamesReferences(cmd) {
		return cmd, nil
	}
	m, err := s.store.Motion(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return cmd, nil
	}
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	if err := s.store.CheckReferences(ctx, &m, cmd, actor, version); err != nil {
		return nil, s.problem(ctx, err)
	}
	if cmd, err = s.store.WithMeetingStart(ctx, &m, cmd); err != nil {
		return nil, s.problem(ctx, err)
	}
	return cmd, nil
}

// commandNames lists the commands on an existing motion, each with an API
// path (all but those that create a motion, which have their own).
func commandNames() []motion.CommandName {
	return slices.DeleteFunc(slices.Clone(motion.Commands), motion.Creating)
}
