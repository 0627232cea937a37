package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// budgetMotion is a submitted budget motion of faction naming cycle, with
// the effect given.
func budgetMotion(id, faction, cycle string, b *motion.BudgetEffect, at time.Time) motion.Motion {
	m := draft(id, "ma", faction, "Haushaltsantrag "+id, at)
	m.Kind = motion.KindBudgetMotion
	m.BudgetCycle = cycle
	m.Budget = b
	return submit(m, at.Add(time.Hour))
}

// TestBudgetCycles: the council office's cycles are stored, listed with
// the latest years first and changed; a name is unique per body regardless
// of case and blanks.
func TestBudgetCycles(t *testing.T) {
	s := newStore(t, "ma", "hd")
	deadline := time.Date(2019, 11, 30, 23, 0, 0, 0, time.UTC)
	for _, m := range []store.Meeting{{ID: "gr-1", BodyID: "ma", Name: "GR", Start: deadline}, {ID: "hd-1", BodyID: "hd", Name: "GR HD", Start: deadline}} {
		if _, err := s.CreateMeeting(ctx(t), m); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{BodyID: "ma", Name: "Haushalt 2020/2021", Years: []int{2020, 2021},
		MotionDeadline: &deadline, MeetingIDs: []string{"gr-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == "" || !slices.Equal(c.Years, []int{2020, 2021}) || c.MotionDeadline == nil || !c.MotionDeadline.Equal(deadline) {
		t.Fatalf("created %+v", c)
	}
	if _, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{BodyID: "ma", Name: " haushalt 2020/2021", Years: []int{2020}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same name again: %v, want ErrConflict", err)
	}
	if _, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{BodyID: "hd", Name: "Haushalt 2020/2021", Years: []int{2020}}); err != nil {
		t.Errorf("another body's cycle of the same name: %v", err)
	}
	later, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{ID: "hh22", BodyID: "ma", Name: "Haushalt 2022/2023", Years: []int{2022, 2023}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.BudgetCycles(ctx(t), "ma")
	if err != nil || len(cs) != 2 || cs[0].ID != later.ID || cs[1].ID != c.ID {
		t.Fatalf("BudgetCycles = %+v, %v", cs, err)
	}
	c.Resolution = &motion.Link{Reference: "V123/2020", Title: "Haushaltssatzung"}
	c.MeetingIDs = nil
	up, err := s.UpdateBudgetCycle(ctx(t), c.BudgetCycle)
	if err != nil || up.Resolution == nil || up.Resolution.Reference != "V123/2020" || len(up.MeetingIDs) != 0 {
		t.Fatalf("UpdateBudgetCycle = %+v, %v", up, err)
	}
	if _, err := s.UpdateBudgetCycle(ctx(t), motion.BudgetCycle{ID: "nope", Name: "x", Years: []int{2020}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a missing cycle: %v", err)
	}
	// Meetings are the body's: unknown ones and another body's are refused
	// at their place, on create and on update.
	bad := motion.BudgetCycle{BodyID: "ma", Name: "Haushalt 2024", Years: []int{2024}, MeetingIDs: []string{"gr-1", "hd-1", "nirgends"}}
	want := []string{"meeting_ids[1]: Diese Sitzung gibt es in dieser Körperschaft nicht.", "meeting_ids[2]: Diese Sitzung gibt es in dieser Körperschaft nicht."}
	if _, err := s.CreateBudgetCycle(ctx(t), bad); !slices.Equal(fieldErrors(err), want) {
		t.Errorf("create with foreign meetings: %v", err)
	}
	bad.ID, bad.Name = c.ID, c.Name
	if _, err := s.UpdateBudgetCycle(ctx(t), bad); !slices.Equal(fieldErrors(err), want) {
		t.Errorf("update with foreign meetings: %v", err)
	}
	for _, name := range []string{"hh22", " HAUSHALT 2022/2023 "} {
		if got, err := s.BudgetCycleFor(ctx(t), "ma", name); err != nil || got.ID != "hh22" {
			t.Errorf("BudgetCycleFor(%q) = %+v, %v", name, got, err)
		}
	}
	if _, err := s.BudgetCycleFor(ctx(t), "hd", "hh22"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another body's cycle found: %v", err)
	}
}

// TestBudgetMotions: the list holds the public budget motions that name the
// cycle by id or name (and an amendment with money), not drafts nor other
// cycles; the figures per year follow InYear, the totals sum the budget
// motions per faction and overall; late motions are marked; the latest
// estimate is shown; filters narrow list and totals alike.
func TestBudgetMotions(t *testing.T) {
	s := newStore(t, "ma")
	deadline := t0.Add(48 * time.Hour)
	c, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{ID: "hh", BodyID: "ma", Name: "Haushalt 2020/2021", Years: []int{2020, 2021}, MotionDeadline: &deadline})
	if err != nil {
		t.Fatal(err)
	}
	item := func(y int, a int64, rec bool, p motion.BudgetPlan) motion.BudgetItem {
		return motion.BudgetItem{Year: y, Amount: a, Recurring: rec, Plan: p}
	}
	a := budgetMotion("a", "spd", "Haushalt 2020/2021", &motion.BudgetEffect{Positions: 2, Product: "1.11",
		Items: []motion.BudgetItem{item(2020, 225000, false, motion.PlanResult)}}, t0)
	b := budgetMotion("b", "cdu", " haushalt 2020/2021", &motion.BudgetEffect{
		Items: []motion.BudgetItem{item(2020, 10000, true, motion.PlanResult), item(2021, -50000, false, motion.PlanFinancial)}}, t0.Add(72*time.Hour))
	b.Statements = []motion.Statement{
		{Text: "Erste", Estimate: &motion.BudgetEffect{Items: []motion.BudgetItem{item(2020, 1, false, motion.PlanResult)}}},
		{Text: "Zweite", Estimate: &motion.BudgetEffect{Items: []motion.BudgetItem{item(2020, 12000, true, motion.PlanResult)}}},
		{Text: "Ohne Schätzung"},
	}
	cc := budgetMotion("c", "spd", "hh", &motion.BudgetEffect{Positions: 0.5,
		Items: []motion.BudgetItem{item(2021, 7000, false, motion.PlanFinancial)}}, t0)
	cc.Cosponsors = []string{"cdu"}
	other := budgetMotion("other", "spd", "Haushalt 2018/2019", &motion.BudgetEffect{Items: []motion.BudgetItem{item(2020, 1, false, motion.PlanResult)}}, t0)
	private := draft("private", "ma", "spd", "Entwurf", t0)
	private.Kind, private.BudgetCycle = motion.KindBudgetMotion, "hh"
	amend := draft("amend", "ma", "cdu", "Änderungsantrag", t0)
	amend.Kind, amend.Amends = motion.KindAmendment, "a"
	amend.Budget = &motion.BudgetEffect{Items: []motion.BudgetItem{item(2020, 150000, false, motion.PlanResult)}}
	amend = submit(amend, t0.Add(2*time.Hour))
	for _, m := range []motion.Motion{a, b, cc, other, private, amend} {
		project(t, s, m)
	}

	list, err := s.BudgetMotions(ctx(t), store.BudgetQuery{CycleID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range list.Rows {
		got = append(got, r.MotionID)
	}
	equal(t, "rows", sorted(got), []string{"a", "amend", "b", "c"})
	row := func(id string) store.BudgetRow {
		for _, r := range list.Rows {
			if r.MotionID == id {
				return r
			}
		}
		t.Fatalf("no row %s", id)
		return store.BudgetRow{}
	}
	if r := row("b"); !slices.Equal(r.Years, []int64{10000, -40000}) || r.Total != -30000 || !r.Late || r.Estimate == nil ||
		!slices.Equal(r.EstimateYears, []int64{12000, 12000}) || r.EstimateTotal != 24000 {
		t.Errorf("row b = %+v", r)
	}
	// The amendment names the amended motion for readers, not by its id.
	if r := row("amend"); r.AmendsName() != "„Haushaltsantrag a“" {
		t.Errorf("amendment names %q (reference %q, title %q)", r.AmendsName(), r.AmendsReference, r.AmendsTitle)
	}
	if r := row("a"); r.Late || r.Positions != 2 || r.Product != "1.11" || r.Total != 225000 || r.Estimate != nil {
		t.Errorf("row a = %+v", r)
	}
	if o := list.Overall; o.Motions != 3 || !slices.Equal(o.Years, []int64{235000, -33000}) || o.Total != 202000 || o.Positions != 2.5 {
		t.Errorf("overall = %+v (the amendment is not summed)", o)
	}
	if len(list.Factions) != 2 || list.Factions[0].Faction != "cdu" || list.Factions[0].Total != -30000 ||
		list.Factions[1].Faction != "spd" || list.Factions[1].Total != 232000 || list.Factions[1].Motions != 2 {
		t.Errorf("factions = %+v", list.Factions)
	}

	fin, err := s.BudgetMotions(ctx(t), store.BudgetQuery{CycleID: c.ID, Plan: motion.PlanFinancial})
	if err != nil {
		t.Fatal(err)
	}
	if len(fin.Rows) != 2 || fin.Overall.Total != -43000 {
		t.Errorf("financial plan only: %d rows, total %d", len(fin.Rows), fin.Overall.Total)
	}
	cdu, err := s.BudgetMotions(ctx(t), store.BudgetQuery{CycleID: c.ID, Faction: "cdu", Outcomes: []string{store.OutcomeOpen}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cdu.Rows) != 3 || cdu.Overall.Total != -30000+7000 {
		t.Errorf("cdu (co-sponsor too): %d rows, total %d", len(cdu.Rows), cdu.Overall.Total)
	}
	none, err := s.BudgetMotions(ctx(t), store.BudgetQuery{CycleID: c.ID, Outcomes: []string{string(motion.ResultAdopted)}})
	if err != nil || len(none.Rows) != 0 || none.Overall.Total != 0 || len(none.Overall.Years) != 2 {
		t.Errorf("adopted only: %+v, %v", none, err)
	}
	if _, err := s.BudgetMotions(ctx(t), store.BudgetQuery{CycleID: "missing"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing cycle: %v", err)
	}
}

// fieldErrors are the "field: message" of a *motion.Error; nil for others.
func fieldErrors(err error) []string {
	var me *motion.Error
	if !errors.As(err, &me) {
		return nil
	}
	var out []string
	for _, f := range me.Fields {
		out = append(out, f.Field+": "+f.Message)
	}
	return out
}

// TestBudgetCycleRename: a cycle that submitted motions name by its name
// keeps it (ErrCycleNamed, an ErrConflict); a change of case, other fields,
// and renaming a cycle named only by drafts or by its id are fine.
func TestBudgetCycleRename(t *testing.T) {
	s := newStore(t, "ma")
	named, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{ID: "hh20", BodyID: "ma", Name: "Haushalt 2020", Years: []int{2020}})
	if err != nil {
		t.Fatal(err)
	}
	byID, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{ID: "hh22", BodyID: "ma", Name: "Haushalt 2022", Years: []int{2022}})
	if err != nil {
		t.Fatal(err)
	}
	project(t, s, budgetMotion("a", "spd", " haushalt 2020", nil, t0))
	project(t, s, budgetMotion("b", "spd", "hh22", nil, t0))
	d := draft("d", "ma", "spd", "Entwurf", t0)
	d.Kind, d.BudgetCycle = motion.KindBudgetMotion, "Haushalt 2022"
	project(t, s, d)

	c := named.BudgetCycle
	c.Name = "Doppelhaushalt 2020"
	if _, err := s.UpdateBudgetCycle(ctx(t), c); !errors.Is(err, store.ErrCycleNamed) || !errors.Is(err, store.ErrConflict) {
		t.Errorf("renaming a cycle motions name: %v, want ErrCycleNamed", err)
	}
	if got, _ := s.BudgetCycle(ctx(t), c.ID); got.Name != "Haushalt 2020" {
		t.Errorf("name after the refusal: %q", got.Name)
	}
	c.Name, c.Years = "HAUSHALT 2020", []int{2020, 2021}
	if got, err := s.UpdateBudgetCycle(ctx(t), c); err != nil || got.Name != "HAUSHALT 2020" || len(got.Years) != 2 {
		t.Errorf("change of case and years: %+v, %v", got, err)
	}
	c2 := byID.BudgetCycle
	c2.Name = "Doppelhaushalt 2022/2023"
	if got, err := s.UpdateBudgetCycle(ctx(t), c2); err != nil || got.Name != c2.Name {
		t.Errorf("renaming a cycle named by id and by a draft: %+v, %v", got, err)
	}
}

// TestCheckBudgetCycleReferences: a budget motion created, edited or
// entered names a cycle of its body, by id or name, once the body has any;
// a body without cycles keeps free text; other kinds are not checked.
func TestCheckBudgetCycleReferences(t *testing.T) {
	s := newStore(t, "ma", "hd")
	spdStaff := motion.Actor{Subject: "spd-1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma", "hd"}}
	office := motion.Actor{Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}}
	if _, err := s.CreateOrganization(ctx(t), store.Organization{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{ID: "hh20", BodyID: "ma", Name: "Haushalt 2020/2021", Years: []int{2020, 2021}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{ID: "hd20", BodyID: "hd", Name: "Heidelberger Haushalt", Years: []int{2020}}); err != nil {
		t.Fatal(err)
	}
	content := func(cycle string) motion.Content {
		return motion.Content{Title: "Mehr Bäume", ResolutionPoints: []string{"Die Mittel werden bereitgestellt."}, BudgetCycle: cycle}
	}
	create := func(body string, kind motion.Kind, cycle string) motion.Create {
		return motion.Create{BodyID: body, Kind: kind, Content: content(cycle)}
	}
	budgetDraft := motion.Motion{ID: "d", BodyID: "ma", Version: 1, Kind: motion.KindBudgetMotion, Status: motion.StatusDraft, Faction: "spd"}
	const refused = "budget_cycle: Diese Haushaltsberatung gibt es in dieser Körperschaft nicht; bitte wählen Sie eine der vom Ratsbüro angelegten Haushaltsberatungen."
	for _, tc := range []struct {
		name    string
		m       motion.Motion
		cmd     motion.Command
		actor   motion.Actor
		version int64
		want    []string
	}{
		{"by name, case and blanks aside", motion.Motion{}, create("ma", motion.KindBudgetMotion, " haushalt 2020/2021 "), spdStaff, 0, nil},
		{"by id", motion.Motion{}, create("ma", motion.KindBudgetMotion, "hh20"), spdStaff, 0, nil},
		{"an unknown cycle", motion.Motion{}, create("ma", motion.KindBudgetMotion, "Haushalt 2018"), spdStaff, 0, []string{refused}},
		{"another body's cycle", motion.Motion{}, create("ma", motion.KindBudgetMotion, "hd20"), spdStaff, 0, []string{refused}},
		{"blank: the domain says it is missing", motion.Motion{}, create("ma", motion.KindBudgetMotion, " "), spdStaff, 0, nil},
		{"not a budget motion", motion.Motion{}, create("ma", motion.KindMotion, "Haushalt 2018"), spdStaff, 0, nil},
		{"edit to an unknown cycle", budgetDraft, motion.Edit{Content: content("Haushalt 2018")}, spdStaff, 1, []string{refused}},
		{"edit to the cycle", budgetDraft, motion.Edit{Content: content("hh20")}, spdStaff, 1, nil},
		{"enter a paper budget motion of an unknown cycle", motion.Motion{}, motion.EnterSubmission{BodyID: "ma", Kind: motion.KindBudgetMotion,
			Content: content("Haushalt 2018"), Originator: motion.OriginatorFaction, Organization: "spd"}, office, 0, []string{refused}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			err := s.CheckReferences(ctx(t), &m, tc.cmd, tc.actor, tc.version)
			if err != nil && fieldErrors(err) == nil {
				t.Fatalf("error %v", err)
			}
			if got := fieldErrors(err); !slices.Equal(got, tc.want) {
				t.Errorf("refused\n %q\nwant\n %q", got, tc.want)
			}
		})
	}
	// A body without cycles keeps free text.
	if _, err := s.UpsertBody(ctx(t), store.Body{ID: "lu", Name: "Stadt lu"}); err != nil {
		t.Fatal(err)
	}
	luStaff := spdStaff
	luStaff.Bodies = []string{"lu"}
	var m motion.Motion
	if err := s.CheckReferences(ctx(t), &m, create("lu", motion.KindBudgetMotion, "Haushalt irgendwann"), luStaff, 0); err != nil {
		t.Errorf("free text in a body without cycles: %v", err)
	}
}

func TestBudgetCycleByID(t *testing.T) {
	s := newStore(t, "ma")
	c, err := s.CreateBudgetCycle(ctx(t), motion.BudgetCycle{BodyID: "ma", Name: "X", Years: []int{2020}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BudgetCycle(ctx(t), c.ID); err != nil {
		t.Fatal(err)
	}
}
