package workflows

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/motionflow/motionflow/motion"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Meta is what every command carries besides its content.
type Meta struct {
	Actor motion.Actor
	// ExpectedVersion is the version the caller saw (If-Match); ignored by create.
	ExpectedVersion int64
	// RequestID is the idempotency key: the same id never applies twice, and
	// the same id sent with another command is refused.
	RequestID string
	// Digest identifies the command's content; the Client sets it.
	Digest string
}

// idempotencyNamespace derives motion ids and request ids from a caller's
// Idempotency-Key (UUIDv5), so that a retried request addresses the same
// workflow and update, and two callers' keys never collide.
var idempotencyNamespace = uuid.MustParse("6d1c3f0e-6b0a-4c8e-9a57-3f1f5f9c2b11")

// KeyID is the id a caller's idempotency key stands for: the UUIDv5 of
// (issuer, subject, key). The API and the web pages derive request ids and the
// ids of created motions with it, so that a key sent by a page and the same
// key sent to the API address the same request.
func KeyID(a motion.Actor, key string) string {
	return uuid.NewSHA1(idempotencyNamespace, []byte(a.Issuer+"\n"+a.Subject+"\n"+key)).String()
}

// digest identifies a command's content: its name and its JSON encoding.
func digest(cmd motion.Command) string { return digestOf(string(cmd.Name()), cmd) }

// updateID is the Temporal update id of a request: the request id with the
// command's digest, so that Temporal answers a retry of the same command from
// its first outcome, and the workflow sees (and refuses) the same request id
// with another command instead of Temporal answering it with the first one.
func updateID(meta Meta) string {
	if meta.RequestID == "" {
		return ""
	}
	return meta.RequestID + "/" + meta.Digest
}

// Client sends commands to motion workflows and reads their state. It is the
// only way the API talks to Temporal.
type Client struct {
	Temporal client.Client
}

// Create starts the motion's workflow and creates the motion in one step
// (update-with-start): a draft (motion.Create) or a submission the council
// office received (motion.EnterSubmission). Sending the same request again
// returns the same motion.
func (c *Client) Create(ctx context.Context, motionID string, cmd motion.Command, meta Meta) (motion.Motion, error) {
	meta.Digest = digest(cmd)
	var body string
	var arg any
	status := motion.StatusDraft
	switch x := cmd.(type) {
	case motion.Create:
		body = x.BodyID
		arg = CommandRequest[motion.Create]{Command: x, Actor: meta.Actor, RequestID: meta.RequestID, Digest: meta.Digest}
	case motion.EnterSubmission:
		body, status = x.BodyID, motion.StatusSubmitted
		arg = CommandRequest[motion.EnterSubmission]{Command: x, Actor: meta.Actor, RequestID: meta.RequestID, Digest: meta.Digest}
	default:
		return motion.Motion{}, motion.Refuse(motion.CodeInvalid, "Dieser Befehl legt keinen Antrag an.")
	}
	start := c.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(motionID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			AttrBody.ValueSet(body), AttrStatus.ValueSet(string(status)),
		),
	}, WorkflowName, Input{MotionID: motionID, BodyID: body, InputChecks: currentInputChecks})
	h, err := c.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     updateID(meta),
			UpdateName:   UpdateName(cmd.Name()),
			Args:         []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return motion.Motion{}, domainError(err)
	}
	var m motion.Motion
	if err := h.Get(ctx, &m); err != nil {
		return motion.Motion{}, domainError(err)
	}
	return m, nil
}

// Send runs one command on an existing motion and waits until it is applied
// and projected into the read model.
func (c *Client) Send(ctx context.Context, motionID string, cmd motion.Command, meta Meta) (motion.Motion, error) {
	meta.Digest = digest(cmd)
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: WorkflowID(motionID),
		UpdateID:   updateID(meta),
		UpdateName: UpdateName(cmd.Name()),
		Args: []any{CommandRequest[motion.Command]{Command: cmd, Actor: meta.Actor, ExpectedVersion: meta.ExpectedVersion,
			RequestID: meta.RequestID, Digest: meta.Digest}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return motion.Motion{}, domainError(err)
	}
	var m motion.Motion
	if err := h.Get(ctx, &m); err != nil {
		return motion.Motion{}, domainError(err)
	}
	return m, nil
}

// State returns the motion as its workflow holds it now (strongly consistent).
func (c *Client) State(ctx context.Context, motionID string) (motion.Motion, error) {
	v, err := c.Temporal.QueryWorkflow(ctx, WorkflowID(motionID), "", QueryState)
	if err != nil {
		return motion.Motion{}, domainError(err)
	}
	var m motion.Motion
	if err := v.Get(&m); err != nil {
		return motion.Motion{}, err
	}
	if m.Version == 0 {
		return motion.Motion{}, &motion.Error{Code: motion.CodeNotFound, Message: "Antrag nicht gefunden."}
	}
	return m, nil
}

// domainError turns a refusal that crossed the Temporal wire back into a
// *motion.Error; other errors pass unchanged.
func domainError(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch code := motion.Code(app.Type()); code {
		case motion.CodeNotFound, motion.CodeForbidden, motion.CodeStaleVersion,
			motion.CodeIllegalTransition, motion.CodeInvalid:
			e := &motion.Error{Code: code, Message: app.Message()}
			if app.HasDetails() {
				var fields []motion.FieldError
				if app.Details(&fields) == nil {
					e.Fields = fields
				}
			}
			return e
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &motion.Error{Code: motion.CodeNotFound, Message: "Antrag nicht gefunden."}
	}
	return err
}

// applicationError carries a domain refusal across the Temporal wire, typed by
// its code so that the client can map it back.
func applicationError(err error) error {
	var e *motion.Error
	if errors.As(err, &e) {
		return temporal.NewApplicationErrorWithOptions(e.Message, string(e.Code), temporal.ApplicationErrorOptions{
			NonRetryable: true,
			Details:      []any{e.Fields},
		})
	}
	return err
}

// CalendarChanged tells the motions that a meeting they depend on (or the
// body's deadline rules) changed, so that they re-arm their deadlines. A
// motion whose workflow is gone is skipped.
func (c *Client) CalendarChanged(ctx context.Context, motionIDs ...string) error {
	var errs []error
	for _, id := range motionIDs {
		err := c.Temporal.SignalWorkflow(ctx, WorkflowID(id), "", SignalCalendarChanged, nil)
		var nf *serviceerror.NotFound
		if err != nil && !errors.As(err, &nf) {
			errs = append(errs, fmt.Errorf("motion %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
