package motion

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Limits of a budget motion's financial effect.
const (
	MaxBudgetItems = 50
	// MaxBudgetAmount bounds one amount in Euro (ten billion), far above any
	// city's budget, so that sums of thousands of motions stay exact.
	MaxBudgetAmount = 10_000_000_000
	// MaxPositions bounds the positions (Stellen) one motion adds or cuts.
	MaxPositions = 10_000
	// MaxBudgetCycleYears bounds the years of one budget deliberation (a
	// double budget has two, a medium-term plan up to five).
	MaxBudgetCycleYears = 10
	minBudgetYear       = 1990
	maxBudgetYear       = 2100
)

// BudgetPlan is the part of a municipal budget (Doppik) an amount belongs to.
type BudgetPlan string

// The parts of the budget.
const (
	// PlanResult is the Ergebnishaushalt: expenses and income.
	PlanResult BudgetPlan = "result"
	// PlanFinancial is the Finanzhaushalt: payments, above all investments.
	PlanFinancial BudgetPlan = "financial"
)

// Label is the German name of the part of the budget.
func (p BudgetPlan) Label() string {
	switch p {
	case PlanResult:
		return "Ergebnishaushalt"
	case PlanFinancial:
		return "Finanzhaushalt"
	}
	return string(p)
}

// BudgetEffect is the financial effect of a budget motion as data: what it
// costs (or saves) in which year and part of the budget, the positions it
// adds, and the product or sub-budget it concerns. The administration's
// statement gives its own estimate in the same shape.
type BudgetEffect struct {
	Items []BudgetItem `json:"items,omitempty"`
	// Positions are the positions (Stellen) added; negative when cut.
	Positions float64 `json:"positions,omitempty"`
	// Product is the product or sub-budget (Produkt, Teilhaushalt).
	Product string `json:"product,omitempty"`
}

// BudgetItem is one amount of a budget motion.
type BudgetItem struct {
	Year int `json:"year"`
	// Amount is in whole Euro: positive for more expense, negative for a
	// saving or more income.
	Amount int64 `json:"amount"`
	// Recurring amounts fall again in every later year; one-off amounts
	// only in Year.
	Recurring bool       `json:"recurring,omitempty"`
	Plan      BudgetPlan `json:"plan"`
	// Purpose says what the money is for: Sachmittel, Personal, Zuschuss, …
	Purpose string `json:"purpose,omitempty"`
}

func (b *BudgetEffect) clone() *BudgetEffect {
	if b == nil {
		return nil
	}
	c := *b
	c.Items = append([]BudgetItem(nil), b.Items...)
	return &c
}

// InYear is what the effect amounts to in year y: the one-off amounts of
// that year and every recurring amount from its year on.
func (b *BudgetEffect) InYear(y int) int64 {
	if b == nil {
		return 0
	}
	var sum int64
	for _, it := range b.Items {
		if it.Year == y || (it.Recurring && it.Year < y) {
			sum += it.Amount
		}
	}
	return sum
}

// Over is what the effect amounts to over the given years together.
func (b *BudgetEffect) Over(years []int) int64 {
	var sum int64
	for _, y := range years {
		sum += b.InYear(y)
	}
	return sum
}

// validate checks the financial effect's structure; its texts are checked
// with the content's.
func (b *BudgetEffect) validate(field string, f *fields) {
	if b == nil {
		return
	}
	for i, it := range b.Items {
		name := fieldIndex(field+".items", i)
		if it.Year < minBudgetYear || it.Year > maxBudgetYear {
			f.add(name+".year", "Das Haushaltsjahr des %s Betrags muss zwischen %d und %d liegen.", ordinal(i), minBudgetYear, maxBudgetYear)
		}
		if it.Amount == 0 {
			f.add(name+".amount", "Der %s Betrag ist 0 Euro; bitte geben Sie den Betrag an oder lassen Sie die Zeile weg.", ordinal(i))
		} else if it.Amount > MaxBudgetAmount || it.Amount < -MaxBudgetAmount {
			f.add(name+".amount", "Der %s Betrag darf höchstens %s Euro groß sein.", ordinal(i), FormatEuro(MaxBudgetAmount))
		}
		if it.Plan != PlanResult && it.Plan != PlanFinancial {
			f.add(name+".plan", "Bitte geben Sie an, ob der %s Betrag den Ergebnishaushalt (result) oder den Finanzhaushalt (financial) betrifft.", ordinal(i))
		}
	}
	if math.IsNaN(b.Positions) || math.Abs(b.Positions) > MaxPositions {
		f.add(field+".positions", "Es sind höchstens %d Stellen möglich.", MaxPositions)
	} else if p := b.Positions * 100; math.Abs(p-math.Round(p)) > 1e-6 {
		f.add(field+".positions", "Stellen werden auf Hundertstel angegeben, z. B. 0,5 oder 2,25.")
	}
}

// FormatEuro writes whole Euro as German readers write them: 225.000,
// -1.500.
func FormatEuro(v int64) string {
	digits := strconv.FormatInt(v, 10)
	sign := ""
	if v < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}

// FormatPositions writes positions (Stellen) as German readers write
// them: 2, 0,5, -1,25; at most two decimals, so that sums of many motions
// print without floating-point noise.
func FormatPositions(p float64) string {
	s := strconv.FormatFloat(math.Round(p*100)/100, 'f', -1, 64)
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, ".", ",", 1)
}

// SumPositions adds positions in hundredths, the unit they are given in,
// so that 0,1 + 0,2 is 0,3 exactly.
func SumPositions(ps ...float64) float64 {
	var h int64
	for _, p := range ps {
		h += int64(math.Round(p * 100))
	}
	return float64(h) / 100
}

// RhythmLabel says whether an amount falls once or every year, in German.
func (it BudgetItem) RhythmLabel() string {
	if it.Recurring {
		return "wiederkehrend"
	}
	return "einmalig"
}

// BudgetCycle is a budget deliberation (Haushaltsberatung): the budget of
// one or more years, the deadline for budget motions and the meetings that
// deliberate it. Budget motions name it (Content.BudgetCycle, by id or by
// name).
type BudgetCycle struct {
	ID     string `json:"id"`
	BodyID string `json:"body_id"`
	Name   string `json:"name"`
	Years  []int  `json:"years"`
	// MotionDeadline is the last moment budget motions are taken; later
	// ones are listed as late.
	MotionDeadline *time.Time `json:"motion_deadline,omitempty"`
	MeetingIDs     []string   `json:"meeting_ids,omitempty"`
	// Resolution is the budget resolution (Haushaltsbeschluss) once taken:
	// what settles the motions "erledigt durch den Haushaltsbeschluss".
	Resolution *Link `json:"resolution,omitempty"`
}

// CheckBudgetCycle checks a budget cycle as the council office enters it
// and returns it with its texts normalised.
func CheckBudgetCycle(c BudgetCycle) (BudgetCycle, error) {
	var t texts
	c.Name = strings.TrimSpace(c.Name)
	t.line("name", "Der Name der Haushaltsberatung", &c.Name, MaxShort, required)
	if t.count("meeting_ids", "Sitzungen", len(c.MeetingIDs), maxLinks) {
		c.MeetingIDs = append([]string(nil), c.MeetingIDs...)
		for i := range c.MeetingIDs {
			t.line(fieldIndex("meeting_ids", i), "Die "+ordinal(i)+" Sitzung", &c.MeetingIDs[i], maxID, filled)
		}
	}
	if c.Resolution != nil {
		r := *c.Resolution
		t.links([]Link{r})
		c.Resolution = &r
	}
	f := t.f
	if len(c.Years) == 0 {
		f.add("years", "Bitte nennen Sie die Haushaltsjahre, z. B. 2020 und 2021.")
	} else if len(c.Years) > MaxBudgetCycleYears {
		f.add("years", "Eine Haushaltsberatung umfasst höchstens %d Jahre.", MaxBudgetCycleYears)
	}
	for i, y := range c.Years {
		if y < minBudgetYear || y > maxBudgetYear {
			f.add(fieldIndex("years", i), "Das Haushaltsjahr %d liegt nicht zwischen %d und %d.", y, minBudgetYear, maxBudgetYear)
		} else if i > 0 && y != c.Years[i-1]+1 {
			f.add(fieldIndex("years", i), "Die Haushaltsjahre folgen lückenlos aufeinander (%d nach %d).", c.Years[i-1]+1, c.Years[i-1])
		}
	}
	if c.Resolution != nil && c.Resolution.MotionID == "" && c.Resolution.Reference == "" && c.Resolution.URL == "" {
		f.add("resolution", "Der Haushaltsbeschluss braucht ein Aktenzeichen oder eine Adresse.")
	}
	if err := f.err(); err != nil {
		return BudgetCycle{}, err
	}
	return c, nil
}
