package activities_test

import (
	"errors"
	"testing"
	"time"

	"github.com/motionflow/motionflow/activities"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/temporal"
)

func TestLoadCalendarActivity(t *testing.T) {
	t.Parallel()
	env, s := setup(t)
	ctx := t.Context()
	for _, o := range []store.Organization{
		{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "afa", BodyID: "ma", Kind: store.OrgCommittee, Name: "Ausschuss für Finanzen"},
	} {
		if _, err := s.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	since := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, m := range []store.Meeting{
		{ID: "gr-feb", BodyID: "ma", OrganizationID: "gr", Start: since.AddDate(0, 0, -10)},
		{ID: "gr-mar", BodyID: "ma", OrganizationID: "gr", Start: since.AddDate(0, 0, 24)},
		{ID: "gr-apr", BodyID: "ma", OrganizationID: "gr", Start: since.AddDate(0, 1, 20), Cancelled: true},
		{ID: "afa-mar", BodyID: "ma", OrganizationID: "afa", Start: since.AddDate(0, 0, 10)},
	} {
		if _, err := s.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	rules := motion.DefaultDeadlineRules()
	rules.PapersDue = motion.Duration(10 * 24 * time.Hour)
	if _, err := s.SetDeadlineRules(ctx, "ma", rules); err != nil {
		t.Fatal(err)
	}

	v, err := env.ExecuteActivity(workflows.ActivityLoadCalendar, workflows.LoadCalendarInput{
		BodyID: "ma", MotionID: "m1", Since: since, MeetingIDs: []string{"afa-mar", "gone"}})
	if err != nil {
		t.Fatal(err)
	}
	var cal motion.Calendar
	if err := v.Get(&cal); err != nil {
		t.Fatal(err)
	}
	if cal.Rules.Version != 2 || cal.Rules.PapersDue != rules.PapersDue {
		t.Errorf("rules = %+v, want version 2 with 10d papers", cal.Rules)
	}
	if len(cal.CouncilMeetings) != 2 || cal.CouncilMeetings[0].ID != "gr-mar" || cal.CouncilMeetings[1].ID != "gr-apr" ||
		!cal.CouncilMeetings[1].Cancelled || !cal.CouncilMeetings[0].Start.Equal(since.AddDate(0, 0, 24)) {
		t.Errorf("council meetings = %+v", cal.CouncilMeetings)
	}
	if len(cal.Meetings) != 1 || cal.Meetings[0].ID != "afa-mar" || cal.Meetings[0].OrganizationID != "afa" {
		t.Errorf("meetings = %+v", cal.Meetings)
	}

	// A body without rules gets the defaults.
	if _, err := s.UpsertBody(ctx, store.Body{ID: "hd", Name: "Stadt Heidelberg"}); err != nil {
		t.Fatal(err)
	}
	v, err = env.ExecuteActivity(workflows.ActivityLoadCalendar, workflows.LoadCalendarInput{BodyID: "hd", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	var hd motion.Calendar
	if err := v.Get(&hd); err != nil || hd.Rules.Version != 1 || len(hd.CouncilMeetings) != 0 || len(hd.Meetings) != 0 {
		t.Errorf("calendar of hd = %+v, %v", hd, err)
	}

	_, err = env.ExecuteActivity(workflows.ActivityLoadCalendar, workflows.LoadCalendarInput{})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != activities.ErrTypeInvalid {
		t.Errorf("no body: err = %v, want a non-retryable %s ApplicationError", err, activities.ErrTypeInvalid)
	}
}

func TestProjectDeadlinesActivity(t *testing.T) {
	t.Parallel()
	env, s := setup(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := motion.Motion{ID: "m1", BodyID: "ma", Version: 2, Kind: motion.KindMotion, Status: motion.StatusSubmitted,
		Content: motion.Content{Title: "Radwege"}, Faction: "spd", CreatedAt: at, UpdatedAt: at, SubmittedAt: &at}
	if err := s.Project(t.Context(), m, motion.Event{MotionID: "m1", Version: 2, Command: motion.CmdSubmit, At: at, Status: m.Status}); err != nil {
		t.Fatal(err)
	}
	in := workflows.ProjectDeadlinesInput{MotionID: "m1", BodyID: "ma", Faction: "spd", Deadlines: []motion.Deadline{
		{Key: "agenda_placement", Kind: motion.DeadlineAgendaPlacement, Due: at.AddDate(0, 2, 0), Rule: "agenda_placement", RuleVersion: 1,
			Audiences: []string{motion.AudienceCouncilOffice}, Informed: []string{motion.FactionAudience("spd")}},
	}}
	for range 2 { // a retry changes nothing
		if _, err := env.ExecuteActivity(workflows.ActivityProjectDeadlines, in); err != nil {
			t.Fatal(err)
		}
	}
	items, _, err := s.Deadlines(t.Context(), store.DeadlineFilter{MotionID: "m1"})
	if err != nil || len(items) != 1 || items[0].Key != "agenda_placement" || !items[0].Due.Equal(at.AddDate(0, 2, 0)) {
		t.Errorf("deadlines = %+v, %v", items, err)
	}
	in.Deadlines = nil // decided: no deadlines any more
	if _, err := env.ExecuteActivity(workflows.ActivityProjectDeadlines, in); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := s.Deadlines(t.Context(), store.DeadlineFilter{MotionID: "m1"}); len(items) != 0 {
		t.Errorf("deadlines after clearing = %+v", items)
	}
	_, err = env.ExecuteActivity(workflows.ActivityProjectDeadlines, workflows.ProjectDeadlinesInput{MotionID: "m1"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Errorf("no body: err = %v, want non-retryable", err)
	}
}
