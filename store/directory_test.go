package store_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

func TestBodiesUpsert(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	b, err := s.UpsertBody(ctx(t), store.Body{ID: "ma", Name: "Stadt Mannheim", ShortName: "MA"})
	if err != nil {
		t.Fatal(err)
	}
	if b.ReferencePrefix != "A" || b.Created.IsZero() || b.Modified.IsZero() {
		t.Errorf("new body = %+v, want prefix A and timestamps", b)
	}
	// The seed runs again with a new name: the body is updated, not duplicated.
	b2, err := s.UpsertBody(ctx(t), store.Body{ID: "ma", Name: "Gemeinderat Mannheim", ReferencePrefix: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if b2.Name != "Gemeinderat Mannheim" || !b2.Created.Equal(b.Created) {
		t.Errorf("updated body = %+v, want new name and the original creation time %v", b2, b.Created)
	}
	if _, err := s.UpsertBody(ctx(t), store.Body{ID: "hd", Name: "Stadt Heidelberg", ReferencePrefix: "DS"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Body(ctx(t), "ma")
	if err != nil || got.Name != "Gemeinderat Mannheim" {
		t.Errorf("Body(ma) = %+v, %v", got, err)
	}
	if _, err := s.Body(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Body(nope) err = %v, want ErrNotFound", err)
	}
	names := func(bs []store.Body, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return out
	}
	equal(t, "Bodies(nil)", names(s.Bodies(ctx(t), nil)), []string{"ma", "hd"}) // by name: Gemeinderat < Stadt
	equal(t, "Bodies(hd)", names(s.Bodies(ctx(t), []string{"hd", "nope"})), []string{"hd"})
	equal(t, "Bodies([])", names(s.Bodies(ctx(t), []string{})), nil)
	if _, err := s.UpsertBody(ctx(t), store.Body{ID: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("body without name: err = %v, want ErrInvalid", err)
	}
}

func TestOrganizationsAndMembers(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma", "hd")
	gr, err := s.CreateOrganization(ctx(t), store.Organization{BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(gr.ID) {
		t.Errorf("generated id %q is not a UUID", gr.ID)
	}
	spd, err := s.CreateOrganization(ctx(t), store.Organization{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD-Fraktion", ShortName: "SPD"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganization(ctx(t), store.Organization{ID: "gruene", BodyID: "ma", Kind: store.OrgFaction, Name: "Grüne"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganization(ctx(t), store.Organization{ID: "hd-spd", BodyID: "hd", Kind: store.OrgFaction, Name: "SPD Heidelberg"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganization(ctx(t), store.Organization{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "Doppelt"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate id: err = %v, want ErrConflict", err)
	}
	if _, err := s.CreateOrganization(ctx(t), store.Organization{BodyID: "nowhere", Kind: store.OrgFaction, Name: "X"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown body: err = %v, want ErrInvalid", err)
	}
	if _, err := s.CreateOrganization(ctx(t), store.Organization{BodyID: "ma", Kind: "club", Name: "X"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown kind: err = %v, want ErrInvalid", err)
	}

	spd.Name, spd.ShortName = "SPD-Gemeinderatsfraktion", "SPD"
	upd, err := s.UpdateOrganization(ctx(t), spd)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Organization(ctx(t), "spd")
	if err != nil || got.Name != "SPD-Gemeinderatsfraktion" || got.BodyID != "ma" || got.Kind != store.OrgFaction || !got.Created.Equal(spd.Created) || !got.Modified.Equal(upd.Modified) {
		t.Errorf("Organization(spd) after update = %+v, %v", got, err)
	}
	if _, err := s.UpdateOrganization(ctx(t), store.Organization{ID: "nope", Kind: store.OrgFaction, Name: "X"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update unknown: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Organization(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Organization(nope) err = %v, want ErrNotFound", err)
	}

	orgIDs := func(kind store.OrgKind) []string {
		os, err := s.Organizations(ctx(t), "ma", kind)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	equal(t, "factions of ma", orgIDs(store.OrgFaction), []string{"gruene", "spd"})
	equal(t, "all of ma", orgIDs(""), []string{gr.ID, "gruene", "spd"})

	// Members.
	weber, err := s.CreatePerson(ctx(t), store.Person{BodyID: "ma", GivenName: "Anna", FamilyName: "Weber"})
	if err != nil {
		t.Fatal(err)
	}
	if weber.Name != "Anna Weber" {
		t.Errorf("person name = %q, want it made of given and family name", weber.Name)
	}
	bauer, err := s.CreatePerson(ctx(t), store.Person{ID: "p-bauer", BodyID: "ma", Name: "Dr. Max Bauer", GivenName: "Max", FamilyName: "Bauer"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.Person(ctx(t), "p-bauer"); err != nil || p.Name != "Dr. Max Bauer" {
		t.Errorf("Person(p-bauer) = %+v, %v", p, err)
	}
	start := time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.AddMembership(ctx(t), store.Membership{PersonID: weber.ID, OrganizationID: "spd", Role: "Vorsitzende", Start: &start}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMembership(ctx(t), store.Membership{PersonID: bauer.ID, OrganizationID: "spd", Role: "Mitglied"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMembership(ctx(t), store.Membership{PersonID: bauer.ID, OrganizationID: "hd-spd"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("membership in another body's organization: err = %v, want ErrInvalid", err)
	}
	if _, err := s.AddMembership(ctx(t), store.Membership{PersonID: "ghost", OrganizationID: "spd"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("membership of unknown person: err = %v, want ErrInvalid", err)
	}
	members, err := s.Members(ctx(t), "spd")
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 2 || members[0].Person.FamilyName != "Bauer" || members[1].Person.FamilyName != "Weber" {
		t.Fatalf("members = %+v, want Bauer and Weber in that order", members)
	}
	if m := members[1].Membership; m.Role != "Vorsitzende" || m.Start == nil || !m.Start.Equal(start) || m.End != nil || m.OrganizationID != "spd" {
		t.Errorf("Weber's membership = %+v", m)
	}
}

func TestMeetingsRoundTripAndPaging(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma", "hd")
	for _, o := range []store.Organization{
		{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "haa", BodyID: "ma", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
		{ID: "hd-gr", BodyID: "hd", Kind: store.OrgCouncil, Name: "Gemeinderat Heidelberg"},
	} {
		if _, err := s.CreateOrganization(ctx(t), o); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2020, 1, 28, 15, 0, 0, 0, time.UTC)
	m, err := s.CreateMeeting(ctx(t), store.Meeting{ID: "gr-1", BodyID: "ma", OrganizationID: "gr", Name: "Sitzung des Gemeinderats", Location: "Stadthaus N1", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	// The meeting is moved by a week, gets an end, then is cancelled.
	m.Start = start.AddDate(0, 0, 7)
	m.End = ptr(m.Start.Add(4 * time.Hour))
	m.Cancelled = true
	if _, err := s.UpdateMeeting(ctx(t), m); err != nil {
		t.Fatal(err)
	}
	got, err := s.Meeting(ctx(t), "gr-1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Start.Equal(m.Start) || got.End == nil || !got.End.Equal(*m.End) || !got.Cancelled || got.Location != "Stadthaus N1" || got.OrganizationID != "gr" || got.BodyID != "ma" {
		t.Errorf("meeting after update = %+v", got)
	}
	if _, err := s.Meeting(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Meeting(nope) err = %v, want ErrNotFound", err)
	}
	if _, err := s.UpdateMeeting(ctx(t), store.Meeting{ID: "nope", Start: start}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateMeeting(nope) err = %v, want ErrNotFound", err)
	}
	if _, err := s.CreateMeeting(ctx(t), store.Meeting{ID: "gr-1", BodyID: "ma", Start: start}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate meeting: err = %v, want ErrConflict", err)
	}
	if _, err := s.CreateMeeting(ctx(t), store.Meeting{BodyID: "ma", OrganizationID: "hd-gr", Start: start}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("meeting of another body's organization: err = %v, want ErrInvalid", err)
	}
	if _, err := s.CreateMeeting(ctx(t), store.Meeting{BodyID: "ma", OrganizationID: "gr"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("meeting without start: err = %v, want ErrInvalid", err)
	}

	// 12 more meetings, pairs at the same time (ties break on id), in two bodies.
	var wantAll []string
	for i := range 12 {
		body, org := "ma", "haa"
		if i%3 == 2 {
			body, org = "hd", "hd-gr"
		}
		id := fmt.Sprintf("x%02d", i)
		if _, err := s.CreateMeeting(ctx(t), store.Meeting{ID: id, BodyID: body, OrganizationID: org, Name: "Sitzung", Start: start.AddDate(0, 1, i/2)}); err != nil {
			t.Fatal(err)
		}
		wantAll = append(wantAll, id)
	}
	wantAll = append([]string{"gr-1"}, wantAll...) // gr-1 starts first
	pageAll := func(f store.MeetingFilter) []string {
		t.Helper()
		var out []string
		for range 100 {
			items, next, err := s.Meetings(ctx(t), f)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) > f.Limit {
				t.Fatalf("page of %d meetings, limit %d", len(items), f.Limit)
			}
			for _, m := range items {
				if slices.Contains(out, m.ID) {
					t.Fatalf("meeting %s on two pages", m.ID)
				}
				out = append(out, m.ID)
			}
			if next == "" {
				return out
			}
			f.After = next
		}
		t.Fatal("paging does not end")
		return nil
	}
	equal(t, "all meetings in pages of 5", pageAll(store.MeetingFilter{Limit: 5}), wantAll)
	var wantMa []string
	for _, id := range wantAll {
		if m, _ := s.Meeting(ctx(t), id); m.BodyID == "ma" && m.OrganizationID == "haa" {
			wantMa = append(wantMa, id)
		}
	}
	equal(t, "Hauptausschuss in pages of 2", pageAll(store.MeetingFilter{OrganizationID: "haa", Limit: 2}), wantMa)
	equal(t, "body hd", pageAll(store.MeetingFilter{BodyIDs: []string{"hd"}, Limit: 3}), []string{"x02", "x05", "x08", "x11"})
	equal(t, "no bodies", pageAll(store.MeetingFilter{BodyIDs: []string{}, Limit: 3}), nil)
	// From/To is half-open on the start: months 1 day 1..2 (x02..x05).
	from, to := start.AddDate(0, 1, 1), start.AddDate(0, 1, 3)
	equal(t, "date range", pageAll(store.MeetingFilter{From: &from, To: &to, Limit: 50}), []string{"x02", "x03", "x04", "x05"})
	if _, _, err := s.Meetings(ctx(t), store.MeetingFilter{After: "%%%"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad cursor: err = %v, want ErrInvalid", err)
	}
}

func TestAgenda(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	at := t0
	scheduled := submit(draft("scheduled", "ma", "spd", "Digitalisierung im Quadrat", at), at)
	scheduled.Reference = "A762/2019"
	scheduled.Status = motion.StatusInConsultation
	scheduled.Consultations = []motion.Consultation{
		{ID: "c1", OrganizationID: "haa", Status: motion.ConsultationScheduled, MeetingID: "haa-1"},
		{ID: "c2", OrganizationID: "gr", Decisive: true, Status: motion.ConsultationScheduled, MeetingID: "gr-1"},
	}
	project(t, s, scheduled)

	// Dealt with in gr-1 (the record names the meeting).
	decided := submit(draft("decided", "ma", "cdu", "Bäume pflanzen", at.Add(-time.Hour)), at.Add(-time.Hour))
	decided.Status = motion.StatusDecided
	decided.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: "gr", Decisive: true, Status: motion.ConsultationDone,
		Record: &motion.ResultRecord{Result: motion.ResultAdopted, MeetingID: "gr-1", RecordedAt: at}}}
	project(t, s, decided)

	// A draft never appears on a public agenda.
	hidden := draft("hidden", "ma", "spd", "Geheim", at)
	hidden.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: "gr", Status: motion.ConsultationScheduled, MeetingID: "gr-1"}}
	project(t, s, hidden)

	items, err := s.Agenda(ctx(t), "gr-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.AgendaItem{
		{MotionID: "decided", ConsultationID: "c1", Title: "Bäume pflanzen", Kind: motion.KindMotion, Status: motion.StatusDecided},
		{MotionID: "scheduled", ConsultationID: "c2", Reference: "A762/2019", Title: "Digitalisierung im Quadrat", Kind: motion.KindMotion, Status: motion.StatusInConsultation},
	}
	if !slices.Equal(items, want) {
		t.Errorf("Agenda(gr-1) =\n %+v\nwant\n %+v", items, want)
	}
	items, _ = s.Agenda(ctx(t), "haa-1")
	if len(items) != 1 || items[0].MotionID != "scheduled" || items[0].ConsultationID != "c1" {
		t.Errorf("Agenda(haa-1) = %+v, want scheduled/c1", items)
	}
	items, _ = s.Agenda(ctx(t), "empty")
	if len(items) != 0 {
		t.Errorf("Agenda(empty) = %+v, want none", items)
	}

	// Postponed: the consultation leaves the meeting, and so does the motion.
	moved := *scheduled.Clone()
	moved.Version++
	moved.UpdatedAt = at.Add(time.Hour)
	moved.Consultations[0].MeetingID, moved.Consultations[0].Status = "", motion.ConsultationPlanned
	project(t, s, moved)
	if items, _ = s.Agenda(ctx(t), "haa-1"); len(items) != 0 {
		t.Errorf("Agenda(haa-1) after postponing = %+v, want none", items)
	}
	equal(t, "motions in haa-1", ids(list(t, s, store.MotionFilter{MeetingID: "haa-1"})), nil)
}

// TestDirectoryNamesAreOneLine: a meeting or an organization whose name or
// place carries a line break is refused naming the field (iCalendar feeds
// write them into one-line properties), and nothing is stored.
func TestDirectoryNamesAreOneLine(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	if _, err := s.CreateOrganization(ctx(t), store.Organization{BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat\rX-INJECTED:1"}); motion.CodeOf(err) != motion.CodeInvalid {
		t.Fatalf("organization name with CR: %v, want Invalid", err)
	}
	gr, err := s.CreateOrganization(ctx(t), store.Organization{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2020, 1, 28, 15, 0, 0, 0, time.UTC)
	for _, m := range []store.Meeting{
		{ID: "gr-1", BodyID: "ma", OrganizationID: gr.ID, Name: "Sitzung\r\nLOCATION:anderswo", Start: start},
		{ID: "gr-1", BodyID: "ma", OrganizationID: gr.ID, Name: "Sitzung", Location: "Stadthaus\nN1", Start: start},
	} {
		_, err := s.CreateMeeting(ctx(t), m)
		var me *motion.Error
		if !errors.As(err, &me) || me.Code != motion.CodeInvalid || len(me.Fields) != 1 {
			t.Fatalf("meeting %q/%q: %v, want one field error", m.Name, m.Location, err)
		}
	}
	if _, err := s.Meeting(ctx(t), "gr-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused meeting was stored: %v", err)
	}
}
