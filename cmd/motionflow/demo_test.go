//go:build !nodev

package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// TestDemoExampleIsThePublishedMotion: the motion the demo files is the one
// on the SPD faction's page, word for word (title, points, Begründung, tags).
func TestDemoExampleIsThePublishedMotion(t *testing.T) {
	page, err := os.Open("../../e2e/testdata/antrag-digitalisierung-im-quadrat.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()
	want, err := parseExample(page)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseExample(strings.NewReader(exampleMotion))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the demo's motion differs from the page:\ndemo %+v\npage %+v", got, want)
	}
	if got.Title != "Digitalisierung im Quadrat" || len(got.ResolutionPoints) != 3 ||
		strings.Count(got.Justification, "\n\n") != 5 || len(got.Tags) != 6 ||
		!strings.HasPrefix(got.Justification, "Infrastruktur ist mehr als Beton und Stahl.") {
		t.Fatalf("example not read as published: %+v", got)
	}
	if _, err := parseExample(strings.NewReader("Soziales Miteinander\nKontakt\n")); err == nil {
		t.Fatal("a page without a motion was read as one")
	}
}

// TestDemoMeetingProcess runs the demo as dev does, against the embedded
// Temporal, the worker and a fresh database with the seed: the
// Hauptausschuss meeting is held and its minutes are published, with the
// example motion recommended for approval; the motion is on the agenda of
// the council's next meeting; a second run changes nothing.
func TestDemoMeetingProcess(t *testing.T) {
	w := newReadModelWorld(t, nil, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	st := w.st
	if err := seed(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	users := devstack.DemoUsers(devBody)
	staff, office, err := demoActors("http://127.0.0.1:8081", users)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	d := demoRun{st: st, wc: w.wc, log: slog.New(slog.NewTextHandler(&logs, nil)), staff: staff, office: office}

	// With -ephemeral dev sets up no demo.
	startDemo(ctx, d.log, st, w.tc, "http://127.0.0.1:8081", users, true)()
	if _, err := st.MeetingState(ctx, demoMeetingID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the demo was set up in -ephemeral mode: %v", err)
	}

	if err := d.run(ctx); err != nil {
		t.Fatalf("demo: %v\n%s", err, logs.String())
	}

	// The Hauptausschuss meeting: held with the committee's members, the
	// motion recommended for approval, minutes published.
	hfa, err := st.MeetingState(ctx, demoMeetingID)
	if err != nil {
		t.Fatal(err)
	}
	members, emails, err := st.MeetingMembers(ctx, demoCommittee, hfa.Start)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) < 3 || len(emails) != len(members) {
		t.Fatalf("Hauptausschuss members %v, e-mail addresses %v", members, emails)
	}
	if hfa.Status != meeting.StatusPublished || hfa.OrganizationID != demoCommittee || len(hfa.Agenda) != 1 ||
		!reflect.DeepEqual(hfa.Members, members) || !hfa.Quorate() || hfa.MinutesPublishedAt == nil ||
		hfa.InvitationPublishedAt == nil || !hfa.InvitationPublishedAt.Before(hfa.Start) {
		t.Fatalf("demo meeting: %+v", hfa)
	}
	item := hfa.Agenda[0]
	if item.MotionID != demoMotionID || item.Title != "Digitalisierung im Quadrat" || item.Status != meeting.ItemDecided ||
		item.Result != motion.ResultRecommendApproval || item.Vote == nil || item.Vote.Yes <= item.Vote.No || !item.Public {
		t.Fatalf("demo meeting's item: %+v", item)
	}
	for _, kind := range []string{"invitation", "minutes"} {
		f, err := st.MeetingFileOf(ctx, demoMeetingID, kind)
		if err != nil || !bytes.HasPrefix(f.Content, []byte("%PDF")) {
			t.Fatalf("%s of the demo meeting: %v (%d bytes)", kind, err, len(f.Content))
		}
	}

	// The motion: the faction's, registered; the committee has advised on the
	// meeting's day, the council's consultation is in its next meeting.
	m, err := st.Motion(ctx, demoMotionID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Title != "Digitalisierung im Quadrat" || len(m.ResolutionPoints) != 3 || m.Faction != demoFaction ||
		m.Reference == "" || m.Status != motion.StatusInConsultation || len(m.Consultations) != 2 {
		t.Fatalf("demo motion: %+v", m)
	}
	c1, c2 := m.Consultations[0], m.Consultations[1]
	if c1.OrganizationID != demoCommittee || c1.Status != motion.ConsultationDone || c1.Record == nil ||
		c1.Record.Result != motion.ResultRecommendApproval || c1.Record.MeetingID != demoMeetingID ||
		c1.Record.DecidedAt == nil || !c1.Record.DecidedAt.Equal(hfa.Start) {
		t.Fatalf("Hauptausschuss consultation: %+v (record %+v)", c1, c1.Record)
	}
	// The seed's first council meeting is the next one to come.
	council := devBody + "-gr-1"
	if c2.OrganizationID != demoCouncil || !c2.Decisive || c2.Status != motion.ConsultationScheduled || c2.MeetingID != council {
		t.Fatalf("council consultation: %+v", c2)
	}
	gr, err := st.MeetingState(ctx, council)
	if err != nil {
		t.Fatal(err)
	}
	if it := gr.ItemFor(demoMotionID, c2.ID); gr.Status != meeting.StatusPlanned || it == nil || it.Status != meeting.ItemOpen ||
		it.Reference != m.Reference || !gr.Start.After(time.Now()) {
		t.Fatalf("council meeting: %+v", gr)
	}

	// Again (dev started on the same data): nothing changes.
	logs.Reset()
	if err := d.run(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := st.MeetingState(ctx, demoMeetingID)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := st.Motion(ctx, demoMotionID)
	if err != nil {
		t.Fatal(err)
	}
	gr2, err := st.MeetingState(ctx, council)
	if err != nil {
		t.Fatal(err)
	}
	if again.Version != hfa.Version || m2.Version != m.Version || gr2.Version != gr.Version {
		t.Fatalf("second run changed something: meeting v%d→v%d, motion v%d→v%d, council meeting v%d→v%d",
			hfa.Version, again.Version, m.Version, m2.Version, gr.Version, gr2.Version)
	}
	var motions int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM motions`).Scan(&motions); err != nil {
		t.Fatal(err)
	}
	if motions != 1 {
		t.Fatalf("%d motions after two runs, want 1", motions)
	}
	if !strings.Contains(logs.String(), "already set up") {
		t.Fatalf("second run does not say the demo is there:\n%s", logs.String())
	}
	// Seeding again keeps the councillors as they are.
	if err := seed(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	if again, _, err := st.MeetingMembers(ctx, demoCommittee, hfa.Start); err != nil || !reflect.DeepEqual(again, members) {
		t.Fatalf("members after a second seed: %v %v", again, err)
	}
}
