package activities_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

// registry records what Register registers and hands it to the test environment.
type registry struct {
	worker.Registry // only the activity methods below are used
	env             *testsuite.TestActivityEnvironment
	names           []string
}

func (r *registry) RegisterActivityWithOptions(a any, o activity.RegisterOptions) {
	r.names = append(r.names, o.Name)
	r.env.RegisterActivityWithOptions(a, o)
}

// setup returns a test activity environment with the activities registered
// through Register, on a fresh database with the body "ma".
func setup(t *testing.T) (*testsuite.TestActivityEnvironment, *store.Store) {
	t.Helper()
	s := storetest.New(t)
	return setupWith(t, s, &activities.Activities{Store: s}), s
}

// setupWith registers a's activities in a new test activity environment; a's
// store must have been made by storetest. It creates the body "ma".
func setupWith(t *testing.T, s *store.Store, a *activities.Activities) *testsuite.TestActivityEnvironment {
	t.Helper()
	if _, err := s.UpsertBody(t.Context(), store.Body{ID: "ma", Name: "Stadt Mannheim"}); err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	r := &registry{env: env}
	a.Register(r)
	want := []string{workflows.ActivityProject, workflows.ActivityAssignReference, workflows.ActivityLoadCalendar, workflows.ActivityNotify,
		workflows.ActivityProjectDeadlines, workflows.ActivityDigest,
		workflows.ActivityProjectMeeting, workflows.ActivityTell, workflows.ActivityMeetingDocument, workflows.ActivitySendInvitation,
		workflows.ActivityAnnounce}
	if !slices.Equal(r.names, want) {
		t.Fatalf("registered %v, want %v", r.names, want)
	}
	return env
}

func TestProjectActivity(t *testing.T) {
	t.Parallel()
	env, s := setup(t)
	at := time.Date(2019, 12, 12, 9, 0, 0, 0, time.UTC)
	m := motion.Motion{
		ID: "quadrat", BodyID: "ma", Version: 2, Kind: motion.KindBudgetMotion, Status: motion.StatusSubmitted,
		Content: motion.Content{Title: "Digitalisierung im Quadrat", ResolutionPoints: []string{"Ein Digitalbeirat wird eingerichtet."},
			BudgetCycle: "Haushalt 2020/2021", Tags: []string{"Digitalisierung"}},
		Faction: "spd", CreatedAt: at, UpdatedAt: at.Add(time.Hour), SubmittedAt: new(at.Add(time.Hour)),
	}
	ev := motion.Event{MotionID: "quadrat", Version: 2, Command: motion.CmdSubmit, At: at.Add(time.Hour),
		Actor:  motion.ActorRef{Issuer: "iss", Subject: "u1", Name: "Erika Muster", Role: motion.RoleFactionStaff},
		Status: motion.StatusSubmitted, RequestID: "req-1", Summary: "Eingereicht", Data: []byte(`{}`)}

	// The activity goes through the data converter like on a real worker, twice (a retry).
	for range 2 {
		if _, err := env.ExecuteActivity(workflows.ActivityProject, workflows.ProjectInput{Motion: m, Event: ev}); err != nil {
			t.Fatalf("Project: %v", err)
		}
	}
	got, err := s.Motion(t.Context(), "quadrat")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Title != m.Title || got.BudgetCycle != m.BudgetCycle || got.SubmittedAt == nil || !got.SubmittedAt.Equal(*m.SubmittedAt) {
		t.Errorf("projected motion = %+v", got)
	}
	hist, err := s.History(t.Context(), "quadrat")
	if err != nil || len(hist) != 1 || hist[0].RequestID != "req-1" || hist[0].Actor.Name != "Erika Muster" {
		t.Errorf("history after a retried projection = %+v, %v; want one event", hist, err)
	}
	// The public sees the submitted motion in search.
	items, _, err := s.Motions(t.Context(), store.MotionFilter{Query: "Digitalisierung"})
	if err != nil || len(items) != 1 || items[0].ID != "quadrat" {
		t.Errorf("search after projection = %v, %v", items, err)
	}

	// Input no retry can fix fails for good instead of retrying forever.
	bad := ev
	bad.MotionID = "other"
	_, err = env.ExecuteActivity(workflows.ActivityProject, workflows.ProjectInput{Motion: m, Event: bad})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != activities.ErrTypeInvalid {
		t.Errorf("mismatched event: err = %v, want a non-retryable %s ApplicationError", err, activities.ErrTypeInvalid)
	}
}

func TestAssignReferenceActivity(t *testing.T) {
	t.Parallel()
	env, _ := setup(t)
	assign := func(motionID string, year int) workflows.AssignReferenceResult {
		t.Helper()
		v, err := env.ExecuteActivity(workflows.ActivityAssignReference, workflows.AssignReferenceInput{BodyID: "ma", MotionID: motionID, Year: year})
		if err != nil {
			t.Fatalf("AssignReference(%s): %v", motionID, err)
		}
		var res workflows.AssignReferenceResult
		if err := v.Get(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := assign("m1", 2019)
	if first != (workflows.AssignReferenceResult{Reference: "A1/2019", Year: 2019, Seq: 1}) {
		t.Errorf("first = %+v, want A1/2019", first)
	}
	if second := assign("m2", 2019); second.Reference != "A2/2019" || second.Seq != 2 {
		t.Errorf("second = %+v, want A2/2019", second)
	}
	// A retried activity, even one that runs after New Year, gets the same number.
	if retry := assign("m1", 2020); retry != first {
		t.Errorf("retry = %+v, want %+v", retry, first)
	}
	if next := assign("m3", 2019); next.Seq != 3 {
		t.Errorf("after retries the next number is %d, want 3", next.Seq)
	}

	_, err := env.ExecuteActivity(workflows.ActivityAssignReference, workflows.AssignReferenceInput{BodyID: "nowhere", MotionID: "x", Year: 2019})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != activities.ErrTypeNotFound {
		t.Errorf("unknown body: err = %v, want a non-retryable %s ApplicationError", err, activities.ErrTypeNotFound)
	}
}
