package oparl_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/oparl/oparltest"
	"github.com/motionflow/motionflow/store"
)

// secretVoter votes in the non-public part; the name must never appear.
const secretVoter = "Gerda Geheimabstimmung"

// TestOParlPublishesVotes: the vote of every recorded result, its tally, the
// factions' shares and the named votes, is the vendor extension
// "motionflow:vote" on the Consultation and on its AgendaItem (and on the
// consultations a Paper embeds); the walk validates it against its schema
// and follows its references. A motion dealt with in the non-public part of
// a meeting carries no vote, neither on the consultation nor on the item,
// although its result holds one. A corrected vote moves the agenda item's
// modified.
func TestOParlPublishesVotes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{})
	ok(t)(f.st.CreatePerson(t.Context(), store.Person{ID: "eisenhauer", BodyID: bodyID, GivenName: "Ralf", FamilyName: "Eisenhauer"}))
	// (Entered with a time of its own, so that its modified shows the change.)
	ok(t)(f.st.CreateMeeting(t.Context(), store.Meeting{ID: "ha", BodyID: bodyID, OrganizationID: committee, Name: "Hauptausschuss",
		Start: time.Date(2020, 1, 28, 16, 0, 0, 0, berlin), Created: f.clock, Modified: f.clock}))
	f.meeting("gr", council, "Gemeinderat", time.Date(2020, 2, 11, 15, 0, 0, 0, berlin))

	// The committee (not run as a process) recommends with a named vote.
	m := f.submitted("m", f.spd, "Digitalisierung im Quadrat")
	f.register(m, 1)
	f.step(m, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: committee}, {OrganizationID: council, Decisive: true}}})
	f.step(m, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "ha"})
	committeeVote := &motion.Vote{Yes: 3, No: 2, Abstain: 1, Absent: ptr(1),
		ByFaction: []motion.FactionVote{{OrganizationID: spd, Yes: 3, Abstain: 1}, {OrganizationID: cdu, No: 2}},
		Named: []motion.NamedVote{
			{PersonID: "eisenhauer", Name: "Ralf Eisenhauer", Vote: "yes"}, {Name: "Anna Aal", Vote: "yes"},
			{Name: "Bernd Bach", Vote: "yes"}, {Name: "Carl Muster", Vote: "no"}, {Name: "Dora Dach", Vote: "no"},
			{Name: "Emil Eck", Vote: "abstain"}, {Name: "Frida Fass", Vote: "absent"},
		}}
	f.step(m, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{
		Result: motion.ResultRecommendApproval, Vote: committeeVote}})
	f.step(m, f.office, motion.Schedule{ConsultationID: "c2", MeetingID: "gr"})

	// The council, run as a process, adopts it in public; another motion
	// it rejects in the non-public part, by a named vote.
	councilVote := &motion.Vote{Yes: 30, No: 10, ByFaction: []motion.FactionVote{{OrganizationID: spd, Yes: 30}, {OrganizationID: cdu, No: 10}}}
	f.step(m, f.office, motion.RecordResult{ConsultationID: "c2", ResultInput: motion.ResultInput{Result: motion.ResultAdopted, Vote: councilVote}})
	s := f.submitted("s", f.cdu, "Grundstücksangelegenheit")
	f.register(s, 2)
	f.step(s, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: council, Decisive: true}}})
	f.step(s, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "gr"})
	secretVote := &motion.Vote{Yes: 0, No: 1, Named: []motion.NamedVote{{Name: secretVoter, Vote: "no"}}}
	f.step(s, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{Result: motion.ResultRejected, Vote: secretVote}})
	held := time.Date(2020, 2, 11, 19, 0, 0, 0, berlin)
	f.projectMeeting(meeting.Meeting{ID: "gr", BodyID: bodyID, OrganizationID: council, Name: "Gemeinderat",
		Start: time.Date(2020, 2, 11, 15, 0, 0, 0, berlin), Version: 7, Status: meeting.StatusHeld,
		Agenda: []meeting.Item{
			{ID: "t1", Number: "1", Kind: meeting.ItemMotion, Title: m.Title, Public: true, MotionID: "m", ConsultationID: "c2",
				Status: meeting.ItemDecided, Result: motion.ResultAdopted, Vote: councilVote, RecordedAt: &held},
			{ID: "t2", Number: "N1", Kind: meeting.ItemMotion, Title: s.Title, MotionID: "s", ConsultationID: "c1",
				Status: meeting.ItemDecided, Result: motion.ResultRejected, Vote: secretVote, RecordedAt: &held},
		},
		UpdatedAt: held}, meeting.CmdRecordResults)

	schemas := oparltest.LoadSchemas(t, "testdata/schema")
	crawl := oparltest.Walk(t, http.DefaultClient, f.base+"/system", schemas)
	crawl.CheckReferences(t)
	for _, b := range crawl.Bodies {
		if bytes.Contains(b, []byte(secretVoter)) {
			t.Fatalf("a vote of the non-public part leaks: %s", b)
		}
	}

	org := func(id string) string { return f.base + "/organization/" + id }
	wantCommittee := map[string]any{"yes": 3, "no": 2, "abstain": 1, "absent": 1,
		"byFaction": []any{
			map[string]any{"organization": org(spd), "yes": 3, "no": 0, "abstain": 1},
			map[string]any{"organization": org(cdu), "yes": 0, "no": 2, "abstain": 0},
		},
		"named": []any{
			map[string]any{"person": f.base + "/person/eisenhauer", "name": "Ralf Eisenhauer", "vote": "yes"},
			map[string]any{"name": "Anna Aal", "vote": "yes"}, map[string]any{"name": "Bernd Bach", "vote": "yes"},
			map[string]any{"name": "Carl Muster", "vote": "no"}, map[string]any{"name": "Dora Dach", "vote": "no"},
			map[string]any{"name": "Emil Eck", "vote": "abstain"}, map[string]any{"name": "Frida Fass", "vote": "absent"},
		}}
	wantCouncil := map[string]any{"yes": 30, "no": 10, "abstain": 0,
		"byFaction": []any{
			map[string]any{"organization": org(spd), "yes": 30, "no": 0, "abstain": 0},
			map[string]any{"organization": org(cdu), "yes": 0, "no": 10, "abstain": 0},
		}}
	for id, want := range map[string]map[string]any{
		"/consultation/m/c1":  wantCommittee,
		"/agendaitem/ha/m/c1": wantCommittee,
		"/consultation/m/c2":  wantCouncil,
		"/agendaitem/gr/m/c2": wantCouncil,
		"/consultation/s/c1":  nil,
		"/agendaitem/gr/s/c1": nil,
	} {
		obj := crawl.Objects[f.base+id]
		if obj == nil {
			t.Errorf("the walk did not find %s", id)
			continue
		}
		got, has := obj[oparl.VoteProperty]
		switch {
		case want == nil && has:
			t.Errorf("%s carries the vote %s, want none", id, js(got))
		case want != nil && js(got) != js(want):
			t.Errorf("%s %s = %s, want %s", id, oparl.VoteProperty, js(got), js(want))
		}
	}
	if r := crawl.Objects[f.base+"/agendaitem/gr/s/c1"]; r["public"] != false {
		t.Errorf("agenda item of the non-public part: %s", js(r))
	}
	// The paper embeds its consultations with their votes.
	paper := crawl.Objects[f.base+"/paper/m"]
	if cs, _ := paper["consultation"].([]any); len(cs) != 2 ||
		js(cs[0].(map[string]any)[oparl.VoteProperty]) != js(wantCommittee) || js(cs[1].(map[string]any)[oparl.VoteProperty]) != js(wantCouncil) {
		t.Errorf("paper m embeds the consultations %s", js(paper["consultation"]))
	}

	// Correcting only the vote changes the consultation, its agenda item
	// and the meeting that embeds the item.
	before := crawl.Objects[f.base+"/agendaitem/ha/m/c1"]["modified"]
	meetingBefore := crawl.Objects[f.base+"/meeting/ha"]["modified"]
	corrected := *committeeVote
	corrected.Absent = ptr(0)
	corrected.Named = corrected.Named[:6]
	f.step(m, f.office, motion.CorrectResult{ConsultationID: "c1", Reason: "Frau Fass war nicht Mitglied des Ausschusses.",
		ResultInput: motion.ResultInput{Result: motion.ResultRecommendApproval, Vote: &corrected}})
	var item map[string]any
	f.get("/agendaitem/ha/m/c1", &item)
	vote, _ := item[oparl.VoteProperty].(map[string]any)
	if named, _ := vote["named"].([]any); len(named) != 6 || vote["absent"] != float64(0) {
		t.Errorf("corrected vote %s", js(vote))
	}
	if item["modified"] == before || item["modified"] != oparlTime(f.clock) {
		t.Errorf("agenda item modified %v after the correction at %s (before: %v)", item["modified"], oparlTime(f.clock), before)
	}
	var mt map[string]any
	f.get("/meeting/ha", &mt)
	if mt["modified"] == meetingBefore || mt["modified"] != oparlTime(f.clock) {
		t.Errorf("meeting modified %v after the correction at %s (before: %v)", mt["modified"], oparlTime(f.clock), meetingBefore)
	}
	var c map[string]any
	f.get("/consultation/m/c1", &c)
	if c["modified"] != oparlTime(f.clock) || js(c[oparl.VoteProperty]) != js(vote) {
		t.Errorf("corrected consultation %s", js(c))
	}
}
