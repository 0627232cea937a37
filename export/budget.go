package export

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// BudgetKindTotal marks a total in the "Art" column of the budget list's
// table; the faction column names whose total it is ("" overall).
const BudgetKindTotal = "Summe"

// BudgetHeader names the columns of a cycle's list of budget motions; the
// cycle's years come between "Stellen" and "Summe".
func BudgetHeader(years []int) []string {
	h := []string{"Aktenzeichen", "Titel", "Art", "Fraktion", "Mitantragsteller", "Status", "Ergebnis", "Eingereicht",
		"Verspätet", "Produkt", "Anträge", "Stellen"}
	for _, y := range years {
		h = append(h, strconv.Itoa(y))
	}
	return append(h, "Summe", "Schätzung der Verwaltung (Summe)", "Antrag-Id")
}

// BudgetRows is a cycle's list as a table: the header, one row per motion
// in the list's order, then a total per faction and the overall total
// ("Art" is BudgetKindTotal). Amounts are whole Euro as plain numbers
// (-1500), positions decimal with a point (0.5); name turns faction ids
// into display names; days are ISO dates in loc.
func BudgetRows(l store.BudgetList, name func(string) string, loc *time.Location) [][]string {
	out := [][]string{BudgetHeader(l.Cycle.Years)}
	for _, r := range l.Rows {
		cos := make([]string, len(r.Cosponsors))
		for i, c := range r.Cosponsors {
			cos[i] = name(c)
		}
		submitted := ""
		if r.SubmittedAt != nil {
			submitted = r.SubmittedAt.In(loc).Format("2006-01-02")
		}
		outcome := ""
		if r.Outcome != "" {
			outcome = r.Outcome.Label()
		}
		estimate := ""
		if r.Estimate != nil {
			estimate = strconv.FormatInt(r.EstimateTotal, 10)
		}
		row := []string{r.Reference, r.Title, r.Kind.Label(), name(r.Faction), strings.Join(cos, "; "), r.Status.Label(), outcome,
			submitted, Mark(r.Late), r.Product, "", Positions(r.Positions)}
		for _, v := range r.Years {
			row = append(row, strconv.FormatInt(v, 10))
		}
		out = append(out, append(row, strconv.FormatInt(r.Total, 10), estimate, r.MotionID))
	}
	total := func(t store.BudgetTotal, title, faction string) []string {
		row := []string{"", title, BudgetKindTotal, faction, "", "", "", "", "", "", strconv.Itoa(t.Motions), Positions(t.Positions)}
		for _, v := range t.Years {
			row = append(row, strconv.FormatInt(v, 10))
		}
		return append(row, strconv.FormatInt(t.Total, 10), "", "")
	}
	for _, f := range l.Factions {
		n := FactionName(f.Faction, name)
		out = append(out, total(f, "Summe "+n, n))
	}
	return append(out, total(l.Overall, "Summe aller Haushaltsanträge", ""))
}

// FactionName is the display name of faction id, "ohne Fraktion" for none.
func FactionName(id string, name func(string) string) string {
	if id == "" {
		return "ohne Fraktion"
	}
	return name(id)
}

// Positions writes positions (Stellen) as a decimal with a point and at
// most two places ("2", "0.5", "-1.25"), rounded to hundredths so that a
// spreadsheet still reads a sum as a number; "" for none.
func Positions(p float64) string {
	s := strconv.FormatFloat(math.Round(p*100)/100, 'f', -1, 64)
	if s == "0" || s == "-0" {
		return ""
	}
	return s
}

// BudgetFilters describe the filters of q in German ("Fraktion: SPD",
// "Ergebnis: noch offen"), as the list's PDF shows them under its title;
// name turns the faction id into its display name.
func BudgetFilters(q store.BudgetQuery, name func(string) string) []string {
	var out []string
	if q.Faction != "" {
		out = append(out, "Fraktion: "+name(q.Faction))
	}
	if q.Plan != "" {
		out = append(out, "Nur: "+q.Plan.Label())
	}
	for _, st := range q.Statuses {
		out = append(out, "Status: "+st.Label())
	}
	for _, o := range q.Outcomes {
		if o == store.OutcomeOpen {
			out = append(out, "Ergebnis: noch offen")
		} else {
			out = append(out, "Ergebnis: "+motion.Result(o).Label())
		}
	}
	if qs := strings.TrimSpace(q.Query); qs != "" {
		out = append(out, "Suche: "+qs)
	}
	return out
}

// BudgetFactionIDs lists the factions the list names, for their names.
func BudgetFactionIDs(l store.BudgetList) []string {
	seen := map[string]bool{}
	var ids []string
	for _, r := range l.Rows {
		for _, f := range append([]string{r.Faction}, r.Cosponsors...) {
			if f != "" && !seen[f] {
				seen[f] = true
				ids = append(ids, f)
			}
		}
	}
	return ids
}

// BudgetReportOf is the list as its PDF shows it (documents.BudgetPDF),
// with faction ids turned into display names.
func BudgetReportOf(l store.BudgetList, name func(string) string) documents.BudgetReport {
	rep := documents.BudgetReport{Cycle: l.Cycle.Name, Years: l.Cycle.Years, Deadline: l.Cycle.MotionDeadline}
	if l.Cycle.Resolution != nil {
		rep.Resolution = strings.TrimSpace(l.Cycle.Resolution.Reference + " " + l.Cycle.Resolution.Title)
	}
	for _, r := range l.Rows {
		it := documents.BudgetItem{Reference: r.Reference, Title: r.Title, Kind: r.Kind.Label(), Faction: FactionName(r.Faction, name),
			Status: r.Status.Label(), Late: r.Late, Years: r.Years, Total: r.Total, Positions: r.Positions, Product: r.Product}
		if n := r.AmendsName(); r.Kind == motion.KindAmendment && n != "" {
			it.Kind += " zu " + n
		}
		if r.Outcome != "" {
			it.Outcome = r.Outcome.Label()
		}
		if r.Estimate != nil {
			t := r.EstimateTotal
			it.Estimate = &t
		}
		rep.Items = append(rep.Items, it)
	}
	for _, f := range l.Factions {
		rep.Factions = append(rep.Factions, documents.BudgetTotal{Name: FactionName(f.Faction, name), Motions: f.Motions,
			Years: f.Years, Total: f.Total, Positions: f.Positions})
	}
	o := l.Overall
	rep.Overall = documents.BudgetTotal{Name: "Gesamt", Motions: o.Motions, Years: o.Years, Total: o.Total, Positions: o.Positions}
	return rep
}

// number is a whole or decimal number as BudgetRows writes amounts and
// positions; a spreadsheet reads it as a number, never as a formula.
var number = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$`)

// budgetNumber reports whether cell j of a row of BudgetRows is a figure:
// the columns from "Anträge" to the estimate, when they hold a number.
func budgetNumber(row []string, j int) bool {
	return j >= budgetFirstFigure && j < len(row)-1 && number.MatchString(row[j])
}

// budgetFirstFigure is the column of "Anträge", the first figure.
const budgetFirstFigure = 10

// BudgetTable is the budget list's table (BudgetRows) to encode: amounts
// and positions are figures (in CSV a negative amount keeps its minus
// without the formula guard's apostrophe, in XLSX every amount is a number
// cell a spreadsheet can sum), and the totals are bold.
func BudgetTable(l store.BudgetList, name func(string) string, loc *time.Location) Table {
	return Table{Sheet: "Haushaltsanträge", Rows: BudgetRows(l, name, loc), Figures: budgetNumber, Bold: budgetTotal}
}

// budgetTotal reports whether a row of BudgetRows is a total ("Summe"),
// set in bold.
func budgetTotal(row []string) bool { return len(row) > 2 && row[2] == BudgetKindTotal }
