package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestEveryoneTheCodeAllowsMovesAMotion: councillors, the council office on
// behalf of a paper submission, and factions that consent to co-sponsor.
//
//   - A motion of eight of the council's 48 members (one sixth, § 34 Abs. 1
//     GemO BW) is refused until the eighth has signed, then submitted, with
//     the § 34 deadline that tells every signer.
//   - An inquiry of a single councillor is answered by the department.
//   - The council office enters a letter of the CDU, submitted on the day it
//     arrived; the CDU acts on it as its originator.
//   - The SPD invites the CDU to co-sponsor; the CDU declines, is invited
//     again and accepts, and then the motion's deadlines tell it too.
func TestEveryoneTheCodeAllowsMovesAMotion(t *testing.T) {
	h := newHarness(t, api.Config{})
	ctx := context.Background()

	// The council has 48 members; the first nine can sign in.
	for i := 1; i <= 48; i++ {
		pid := fmt.Sprintf("p%d", i)
		if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO persons (id, body_id, name) VALUES ($1, $2, $3)`, pid, bodyID, fmt.Sprintf("Ratsmitglied %d", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO memberships (id, body_id, person_id, organization_id) VALUES ($1, $2, $3, $4)`,
			"m"+pid, bodyID, pid, council); err != nil {
			t.Fatal(err)
		}
	}
	councillor := func(i int) user {
		return h.user(fmt.Sprintf("rat-%d", i), fmt.Sprintf("Ratsmitglied %d", i), motion.RoleCouncillor, fmt.Sprintf("person:p%d", i))
	}
	// Two council meetings ahead: § 34 asks for the second-next.
	first := time.Now().AddDate(0, 0, 10).Truncate(time.Hour)
	h.meeting("gr-1", council, "1. Sitzung des Gemeinderats", first)
	second := h.meeting("gr-2", council, "2. Sitzung des Gemeinderats", first.AddDate(0, 0, 14))

	// Eight councillors: the first moves the motion and names seven more.
	var signers []map[string]any
	for i := 2; i <= 8; i++ {
		signers = append(signers, map[string]any{"person_id": fmt.Sprintf("p%d", i)})
	}
	content := draftContent("Ein Jugendgemeinderat für die Stadt")
	content["signers"] = signers
	m := h.create(councillor(1), motion.KindMotion, content)
	if m.Quorum != 8 || m.Signed() != 1 || len(m.Signers) != 8 || m.Signers[1].Name != "Ratsmitglied 2" || m.Faction != "" {
		t.Fatalf("motion of councillors: quorum %d, signed %d, signers %+v, faction %q", m.Quorum, m.Signed(), m.Signers, m.Faction)
	}
	// A councillor not named sees nothing of the draft.
	h.mustStatus(h.command(councillor(9), m.ID, motion.CmdSign, m.Version, nil), 404)
	for i := 2; i <= 7; i++ {
		m = h.run(councillor(i), m.ID, motion.CmdSign, nil)
	}
	r := h.mustStatus(h.command(councillor(1), m.ID, motion.CmdSubmit, m.Version, nil), 422)
	if got := h.fieldMessages(r); len(got) != 1 || !strings.HasPrefix(got[0], "signers: Der Antrag braucht die Unterschriften von mindestens 8 Mitgliedern des Gemeinderats; bisher haben 7 unterschrieben.") {
		t.Fatalf("submitted with seven signatures: %v", got)
	}
	h.run(councillor(8), m.ID, motion.CmdSign, nil)
	m = h.run(councillor(1), m.ID, motion.CmdSubmit, nil)
	if m.Status != motion.StatusSubmitted {
		t.Fatalf("status %s", m.Status)
	}
	waitFor(t, 15*time.Second, "the § 34 deadline telling every signer", func() bool {
		for _, d := range h.deadlines(m.ID) {
			if d.Kind == motion.DeadlineAgendaPlacement && d.MeetingID == second && len(d.Informed) == 8 &&
				slices.Contains(d.Informed, motion.PersonAudience("p8")) {
				return true
			}
		}
		return false
	})

	// A single councillor's inquiry, answered by the department.
	q := h.create(councillor(9), motion.KindInquiry, map[string]any{"title": "Wie viele Spielplätze werden saniert?",
		"resolution_points": []string{"Wie viele Spielplätze saniert die Stadt im nächsten Jahr?"}, "addressed_department": department})
	if q.Quorum != 1 {
		t.Fatalf("an inquiry needs one signature, not %d", q.Quorum)
	}
	h.run(councillor(9), q.ID, motion.CmdSubmit, nil)
	h.run(h.Office, q.ID, motion.CmdRegister, nil)
	waitFor(t, 15*time.Second, "the answer deadline telling the councillor", func() bool {
		for _, d := range h.deadlines(q.ID) {
			if d.Kind == motion.DeadlineInquiryAnswer && slices.Equal(d.Informed, []string{motion.PersonAudience("p9")}) {
				return true
			}
		}
		return false
	})
	q = h.run(h.Dept, q.ID, motion.CmdRecordAnswer, map[string]any{"text": "Die Stadt saniert im nächsten Jahr zwölf Spielplätze."})
	if q.Status != motion.StatusAnswered {
		t.Fatalf("inquiry %s", q.Status)
	}

	// A letter of the CDU, entered by the council office.
	received := time.Now().Add(-50 * time.Hour).UTC().Truncate(time.Second)
	r = h.mustStatus(h.call("POST", "/v1/submissions", h.Office, map[string]any{
		"body_id": bodyID, "kind": "motion", "title": "Mehr Bäume in der Innenstadt",
		"resolution_points": []string{"Die Verwaltung pflanzt 100 Bäume."},
		"originator":        "faction", "organization": factionCDU,
		"paper": map[string]any{"submitted_by": "Carl Muster", "received_at": received, "channel": "paper"},
	}), 201)
	var p motionView
	h.decode(r, &p)
	if p.Status != motion.StatusSubmitted || p.Faction != factionCDU || p.SubmittedAt == nil || !p.SubmittedAt.Equal(received) ||
		p.Originator == nil || p.Originator.Paper == nil || p.Originator.Paper.Channel != "paper" || p.Originator.Paper.EnteredBy != "Rita Ratsbüro" {
		t.Fatalf("paper submission: %+v", p.Motion)
	}
	if !slices.Contains(h.get(h.CDU, p.ID).AllowedActions, motion.CmdWithdraw) {
		t.Fatal("the CDU cannot act on its letter as its originator")
	}
	// Faction staff cannot enter submissions.
	h.mustStatus(h.call("POST", "/v1/submissions", h.SPD, map[string]any{
		"body_id": bodyID, "kind": "motion", "title": "Fremder Eingang", "resolution_points": []string{"Etwas."},
		"originator": "faction", "organization": factionSPD,
		"paper": map[string]any{"submitted_by": "Sabine", "received_at": received, "channel": "email"},
	}), 403)

	// The SPD invites the CDU, which declines, then accepts.
	s := h.create(h.SPD, motion.KindMotion, draftContent("Gemeinsam für den Radverkehr"))
	h.run(h.SPD, s.ID, motion.CmdInviteCosponsor, map[string]any{"faction": factionCDU})
	h.run(h.CDU, s.ID, motion.CmdDeclineCosponsorship, map[string]any{"reason": "Wir bringen einen eigenen Antrag ein."})
	s = h.get(h.SPD, s.ID) // the inviting faction reads the answer
	if len(s.Cosponsors) != 0 || len(s.Invitations) != 1 || s.Invitations[0].State != motion.InvitationDeclined ||
		s.Invitations[0].Reason != "Wir bringen einen eigenen Antrag ein." {
		t.Fatalf("declined: cosponsors %v, invitations %+v", s.Cosponsors, s.Invitations)
	}
	h.mustStatus(h.call("GET", "/v1/motions/"+s.ID, h.CDU, nil), 404) // declined, it sees the draft no more
	h.run(h.SPD, s.ID, motion.CmdInviteCosponsor, map[string]any{"faction": factionCDU})
	s = h.run(h.CDU, s.ID, motion.CmdAcceptCosponsorship, nil)
	if !slices.Equal(s.Cosponsors, []string{factionCDU}) || len(s.Invitations) != 0 {
		t.Fatalf("accepted: cosponsors %v, invitations %+v", s.Cosponsors, s.Invitations)
	}
	h.run(h.SPD, s.ID, motion.CmdSubmit, nil)
	waitFor(t, 15*time.Second, "the § 34 deadline telling both factions", func() bool {
		for _, d := range h.deadlines(s.ID) {
			if d.Kind == motion.DeadlineAgendaPlacement &&
				slices.Equal(d.Informed, []string{motion.FactionAudience(factionSPD), motion.FactionAudience(factionCDU)}) {
				return true
			}
		}
		return false
	})
	h.replayHistories(map[string]string{"councillors-motion": m.ID, "councillor-inquiry": q.ID, "paper-submission": p.ID, "cosponsor-consent": s.ID})
}

// fieldMessages lists a problem's field errors as "field: message", the
// field without huma's "body." prefix.
func (h *harness) fieldMessages(r response) []string {
	h.t.Helper()
	var p problem
	h.decode(r, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, strings.TrimPrefix(e.Location, "body.")+": "+e.Message)
	}
	return out
}
