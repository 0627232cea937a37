package activities_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// councillor adds a person of body ma with e-mail address email ("" for
// none), as the directory has councillors.
func councillor(t *testing.T, s *store.Store, id, name, email string) {
	t.Helper()
	if _, err := s.CreatePerson(t.Context(), store.Person{ID: id, BodyID: "ma", Name: name}); err != nil {
		t.Fatal(err)
	}
	// store.Person has no e-mail field: the directory import sets the column.
	if _, err := s.Pool.Exec(t.Context(), `UPDATE persons SET email = $2 WHERE id = $1`, id, email); err != nil {
		t.Fatal(err)
	}
}

// TestNotifyReachesACouncillorInPerson: a reminder for a councillor
// (audience person:<id>, a signer of a motion of councillors) is mailed to
// the address the directory has for that person, once however often it is
// retried, and recorded in the councillor's in-app worklist; a councillor
// without an address, or not in the directory, gets the in-app record only.
func TestNotifyReachesACouncillorInPerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withMailer)
	councillor(t, w.s, "p1", "Miriam Keller", "miriam.keller@gemeinderat.example")
	councillor(t, w.s, "p2", "Jonas Albrecht", "")
	in := reminder(-7*24*time.Hour, false, motion.PersonAudience("p1"), motion.PersonAudience("p2"), motion.PersonAudience("gone"))

	res, err := w.notify(t, in)
	if err != nil {
		t.Fatal(err)
	}
	// The councillor, and the motion's watchers as always (u1, u4; u2's digest queued).
	if res != (workflows.NotifyResult{Sent: 3}) {
		t.Errorf("Notify = %+v, want 3 e-mails sent", res)
	}
	var toCouncillor []string
	for _, m := range w.sink.Messages() {
		for _, to := range m.To {
			if to == "miriam.keller@gemeinderat.example" {
				toCouncillor = append(toCouncillor, m.Subject)
			}
		}
	}
	if len(toCouncillor) != 1 || toCouncillor[0] != "Erinnerung: Beantwortung der Anfrage fällig am 23.03.2026 – A12/2026 Sanierung der Schulen" {
		t.Errorf("mails to the councillor: %q", toCouncillor)
	}
	log, err := w.s.Reminders(t.Context(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, d := range log {
		rows = append(rows, string(d.Channel)+" "+d.Recipient+" "+d.Audience+" "+string(d.Status))
	}
	for _, want := range []string{
		"email mailto:miriam.keller@gemeinderat.example person:p1 sent",
		"inapp audience:person:p1 person:p1 sent",
		"inapp audience:person:p2 person:p2 sent",
		"inapp audience:person:gone person:gone sent",
	} {
		if !slices.Contains(rows, want) {
			t.Errorf("log lacks %q: %q", want, rows)
		}
	}
	// Neither the council office nor the administration was this reminder's audience.
	for _, d := range log {
		if d.Recipient == store.EmailRecipient("verwaltung@mannheim.example") || d.Recipient == store.AudienceRecipient(motion.AudienceAdministration) ||
			d.Recipient == store.AudienceRecipient(motion.AudienceCouncilOffice) {
			t.Errorf("the reminder for councillors reached %s", d.Recipient)
		}
	}

	// A retry sends nothing again.
	res, err = w.notify(t, in)
	if err != nil || res != (workflows.NotifyResult{Skipped: 3}) || len(w.sink.Messages()) != 3 {
		t.Errorf("repeated Notify = %+v, %v, %d mails; want all skipped", res, err, len(w.sink.Messages()))
	}
}

// TestAnnounceTellsSignersAndNotInvitedFactions: a step of a motion of
// councillors reaches each signer's own inbox and, where the directory has
// one, e-mail address; a faction invited to co-sponsor that has not
// accepted hears nothing of the steps, an accepted co-sponsor does.
func TestAnnounceTellsSignersAndNotInvitedFactions(t *testing.T) {
	t.Parallel()
	w := newAnnounceWorld(t)
	councillor(t, w.s, "p1", "Miriam Keller", "miriam.keller@gemeinderat.example")
	councillor(t, w.s, "p2", "Jonas Albrecht", "")

	at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	signed := at.Add(-time.Hour)
	m := motion.Motion{ID: "m2", BodyID: "ma", Version: 4, Kind: motion.KindMotion, Status: motion.StatusRegistered, Reference: "A13/2026",
		Content:    motion.Content{Title: "Bänke am Neckarufer"},
		Originator: &motion.Originator{Kind: motion.OriginatorCouncillors}, Quorum: 2,
		Signers:   []motion.Signer{{PersonID: "p1", Name: "Miriam Keller", SignedAt: &signed}, {PersonID: "p2", Name: "Jonas Albrecht", SignedAt: &signed}},
		CreatedAt: at, UpdatedAt: at, SubmittedAt: &at}
	if err := w.s.Project(t.Context(), m, motion.Event{MotionID: "m2", Version: 4, Command: motion.CmdRegister, At: at, Status: m.Status}); err != nil {
		t.Fatal(err)
	}
	ev := motion.Event{MotionID: "m2", Version: 4, Command: motion.CmdRegister, At: at, Status: m.Status, Summary: "Eingetragen als A13/2026"}
	res, err := w.announce(t, m, ev)
	if err != nil {
		t.Fatal(err)
	}
	if res != (workflows.NotifyResult{Sent: 2}) {
		t.Errorf("Announce = %+v, want 2 sent (the councillor's mail, the event webhook)", res)
	}
	if got, want := recipients(w.sink.Messages()), []string{"miriam.keller@gemeinderat.example"}; !slices.Equal(got, want) {
		t.Errorf("mailed %q, want %q", got, want)
	}
	line := "motion/m2/v4 Registriert als A13/2026 – „Bänke am Neckarufer“"
	for recipient, want := range map[string]int{
		"audience:person:p1": 1, "audience:person:p2": 1, "audience:faction:spd": 0, "audience:faction:": 0, "audience:person:": 0,
	} {
		entries := w.inbox(t, recipient)
		if len(entries) != want || (want == 1 && entries[0] != line) {
			t.Errorf("inbox of %s: %q, want %d entry %q", recipient, entries, want, line)
		}
	}

	// The SPD's motion: the CDU accepted, the Greens are invited (pending)
	// and a fourth faction declined; only the accepted one hears of it.
	invited := w.m
	invited.Version = 4
	invited.Invitations = []motion.Invitation{
		{Faction: "gruene", State: motion.InvitationPending, InvitedAt: at},
		{Faction: "linke", State: motion.InvitationDeclined, InvitedAt: at, AnsweredAt: &at},
	}
	w.sink.Reset()
	ev = motion.Event{MotionID: "m1", Version: 4, Command: motion.CmdSetRoute, At: at, Status: invited.Status, Summary: "Beratungsfolge festgelegt"}
	if _, err := w.announce(t, invited, ev); err != nil {
		t.Fatal(err)
	}
	got := recipients(w.sink.Messages())
	if !slices.Contains(got, "cdu@mannheim.example") || !slices.Contains(got, "spd@mannheim.example") || slices.Contains(got, "gruene@mannheim.example") {
		t.Errorf("mailed %q: want the SPD and the CDU, not the invited Greens", got)
	}
	for recipient, want := range map[string]int{"audience:faction:cdu": 1, "audience:faction:gruene": 0, "audience:faction:linke": 0} {
		n := 0
		for _, e := range w.inbox(t, recipient) {
			if strings.HasPrefix(e, "motion/m1/v4 ") {
				n++
			}
		}
		if n != want {
			t.Errorf("inbox of %s has %d entries of the step, want %d", recipient, n, want)
		}
	}
}
