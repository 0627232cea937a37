package activities_test

import (
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
	"github.com/motionflow/motionflow/workflows"
)

// TestInvitationGoesOnceToEveryMemberWithItsPDF: publishing the invitation
// stores its PDF, and the mail with that PDF reaches every member of the
// organization who has an address exactly once, however often the activity
// is retried; a member without an address is left out.
func TestInvitationGoesOnceToEveryMemberWithItsPDF(t *testing.T) {
	t.Parallel()
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	s := storetest.New(t)
	env := setupWith(t, s, withMailer(s, sink))
	ctx := t.Context()
	if _, err := s.CreateOrganization(ctx, store.Organization{ID: "gr", BodyID: "ma", Kind: "council", Name: "Gemeinderat"}); err != nil {
		t.Fatal(err)
	}
	for i, p := range []struct{ id, name, email string }{
		{"p1", "Anna Albrecht", "anna@mannheim.example"}, {"p2", "Bernd Bauer", "bernd@mannheim.example"}, {"p3", "Carla Conrad", ""},
	} {
		if _, err := s.Pool.Exec(ctx, `INSERT INTO persons (id, body_id, name, email) VALUES ($1, 'ma', $2, $3)`, p.id, p.name, p.email); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Pool.Exec(ctx, `INSERT INTO memberships (id, body_id, person_id, organization_id) VALUES ($1, 'ma', $2, 'gr')`,
			"m"+p.id, p.id); err != nil {
			t.Fatal(i, err)
		}
	}
	start := time.Date(2027, 4, 20, 16, 0, 0, 0, motion.Berlin)
	if _, err := s.CreateMeeting(ctx, store.Meeting{ID: "gr-1", BodyID: "ma", OrganizationID: "gr", Name: "Sitzung des Gemeinderats", Start: start}); err != nil {
		t.Fatal(err)
	}
	published := start.AddDate(0, 0, -8)
	m := meeting.Meeting{ID: "gr-1", BodyID: "ma", OrganizationID: "gr", Name: "Sitzung des Gemeinderats", Start: start,
		Version: 2, Status: meeting.StatusConvened, InvitationPublishedAt: &published, UpdatedAt: published,
		Agenda: []meeting.Item{{ID: "t1", Number: "1", Kind: meeting.ItemPaper, Title: "Haushaltssatzung 2027", Public: true, Status: meeting.ItemOpen}}}
	doc := workflows.Outgoing{Kind: workflows.OutDocument, Document: "invitation", Meeting: &m}
	if _, err := env.ExecuteActivity(workflows.ActivityMeetingDocument, doc); err != nil {
		t.Fatal(err)
	}
	mail := workflows.Outgoing{Kind: workflows.OutMail, Document: "invitation", Meeting: &m}
	for range 3 { // the first attempt and two retries
		if _, err := env.ExecuteActivity(workflows.ActivitySendInvitation, mail); err != nil {
			t.Fatal(err)
		}
	}
	got := sink.Messages()
	if len(got) != 2 {
		t.Fatalf("%d mails, want one to each of the two members with an address", len(got))
	}
	to := map[string]bool{}
	for _, r := range got {
		to[r.To[0]] = true
		if !strings.Contains(r.Subject, "Einladung") || !strings.Contains(string(r.Data), "application/pdf") ||
			!strings.Contains(string(r.Data), "Haushaltssatzung 2027") {
			t.Errorf("mail to %v: subject %q, PDF or agenda missing", r.To, r.Subject)
		}
	}
	if !to["anna@mannheim.example"] || !to["bernd@mannheim.example"] {
		t.Fatalf("mails went to %v", to)
	}
}
