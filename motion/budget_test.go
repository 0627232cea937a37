package motion

import (
	"strings"
	"testing"
)

// TestTheMoneyOfABudgetMotion: one-off amounts count in their year,
// recurring ones from their year on; the amounts are checked field by field.
func TestTheMoneyOfABudgetMotion(t *testing.T) {
	b := &BudgetEffect{Items: []BudgetItem{
		{Year: 2020, Amount: 225000, Plan: PlanResult, Purpose: "Sachmittel"},
		{Year: 2021, Amount: 60000, Recurring: true, Plan: PlanResult, Purpose: "Personal"},
		{Year: 2022, Amount: -10000, Plan: PlanFinancial},
	}, Positions: 2}
	for y, want := range map[int]int64{2019: 0, 2020: 225000, 2021: 60000, 2022: 50000, 2023: 60000} {
		if got := b.InYear(y); got != want {
			t.Errorf("%d: %d, want %d", y, got, want)
		}
	}
	if got := b.Over([]int{2020, 2021}); got != 285000 {
		t.Fatalf("over 2020/2021: %d", got)
	}
	if FormatEuro(225000) != "225.000" || FormatEuro(-1500) != "-1.500" || FormatEuro(999) != "999" || FormatEuro(1000000) != "1.000.000" {
		t.Fatal("Euro are written with a dot every three digits")
	}

	m := &Motion{ID: "b1", BodyID: "ma"}
	bad := sample
	bad.Budget = &BudgetEffect{Items: []BudgetItem{{Year: 1900, Amount: 0, Plan: "invest"}}, Positions: 0.333}
	e := refused(t, m, anna, Create{BodyID: "ma", Kind: KindBudgetMotion, Content: bad}, CodeInvalid)
	got := strings.Join(fieldErrors(e), "\n")
	for _, want := range []string{"budget.items[0].year:", "budget.items[0].amount: Der 1. Betrag ist 0 Euro", "budget.items[0].plan:", "budget.positions: Stellen werden auf Hundertstel angegeben"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	good := sample
	good.Budget = b
	do(t, m, anna, Create{BodyID: "ma", Kind: KindBudgetMotion, Content: good})
	b.Items[0].Amount = 1 // the motion keeps its own copy
	if m.Budget.InYear(2020) != 225000 {
		t.Fatal("the motion shares the caller's budget")
	}
	// Money belongs to a budget motion.
	n := &Motion{ID: "m2", BodyID: "ma"}
	plain := sample
	plain.Budget = &BudgetEffect{Items: []BudgetItem{{Year: 2020, Amount: 5, Plan: PlanResult}}}
	do(t, n, anna, Create{BodyID: "ma", Kind: KindMotion, Content: plain})
	if e := refused(t, n, anna, Submit{}, CodeInvalid); !strings.HasPrefix(fieldErrors(e)[0], "budget: Beträge für den Haushalt nennt ein Haushaltsantrag") {
		t.Fatalf("a motion with money: %v", fieldErrors(e))
	}
}

// TestABudgetCycleIsChecked: name, years without gaps and the resolution.
func TestABudgetCycleIsChecked(t *testing.T) {
	c, err := CheckBudgetCycle(BudgetCycle{Name: "  Haushalt 2020/2021 ", Years: []int{2020, 2021}})
	if err != nil || c.Name != "Haushalt 2020/2021" {
		t.Fatalf("good cycle: %+v, %v", c, err)
	}
	_, err = CheckBudgetCycle(BudgetCycle{Years: []int{2020, 2022}, Resolution: &Link{Title: "Haushaltsbeschluss"}})
	var got []string
	if e, ok := err.(*Error); ok {
		got = fieldErrors(e)
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{"name: Der Name der Haushaltsberatung fehlt", "years[1]: Die Haushaltsjahre folgen lückenlos aufeinander (2021 nach 2020).", "resolution: Der Haushaltsbeschluss braucht ein Aktenzeichen oder eine Adresse."} {
		if !strings.Contains(joined, want) {
			t.Errorf("missing %q in\n%s", want, joined)
		}
	}
}
