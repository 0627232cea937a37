package documents

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// BudgetReport is what the list of a budget deliberation's motions
// (Haushaltsantragsliste) shows; names are display names already.
type BudgetReport struct {
	// Body is the name of the body ("Stadt Mannheim").
	Body string
	// Cycle is the name of the budget deliberation ("Haushalt 2020/2021").
	Cycle string
	Years []int
	// Deadline is the deadline for budget motions, nil when none is set.
	Deadline *time.Time
	// Resolution names the budget resolution once taken.
	Resolution string
	// Filters describe limits in German ("Fraktion: SPD"), shown under the
	// title.
	Filters []string
	// Date is the day of the list; it is also the document's date.
	Date     time.Time
	Items    []BudgetItem
	Factions []BudgetTotal
	Overall  BudgetTotal
}

// BudgetItem is one motion of the list with its effect in the cycle's
// years (Years in the order of BudgetReport.Years).
type BudgetItem struct {
	Reference string
	Title     string
	Kind      string
	Faction   string
	Status    string
	Outcome   string
	Late      bool
	Years     []int64
	Total     int64
	Positions float64
	Product   string
	// Estimate is the total of the administration's estimate, nil when it
	// gave none.
	Estimate *int64
}

// BudgetTotal sums the budget motions of a faction (or all).
type BudgetTotal struct {
	Name      string
	Motions   int
	Years     []int64
	Total     int64
	Positions float64
}

// BudgetTitle is the list's title.
const BudgetTitle = "Haushaltsantragsliste"

// BudgetPDF renders the list: title, body, cycle, years, deadline and day,
// then the totals per faction and overall as a table (per year, the sum
// over the years, positions), then every motion with its reference, title,
// faction, status, the amounts per year in Euro, the positions, the
// product and the administration's estimate. A late motion says so in
// words. Amounts are German (225.000 €).
func BudgetPDF(r BudgetReport) (out []byte, err error) {
	defer rescue(&out, &err, "budget list")
	title := BudgetTitle
	if r.Cycle != "" {
		title += " – " + r.Cycle
	}
	p := listPaper(r.Date, r.Body, "Haushaltsberatung", BudgetTitle, title)
	p.field("Körperschaft", r.Body)
	p.field("Haushaltsjahre", YearsText(r.Years))
	if r.Deadline != nil {
		p.field("Antragsschluss", germanDate(*r.Deadline)+" "+r.Deadline.In(motion.Berlin).Format("15:04")+" Uhr")
	}
	p.field("Haushaltsbeschluss", r.Resolution)
	for _, f := range r.Filters {
		if label, value, ok := strings.Cut(f, ": "); ok {
			p.field(label, value)
		}
	}
	p.field("Anträge", fmt.Sprint(len(r.Items)))
	p.Ln(4)

	p.heading("Summen je Fraktion (Haushaltsanträge, in Euro)")
	p.budgetTotals(r)
	p.Ln(4)

	p.heading("Anträge")
	if len(r.Items) == 0 {
		p.SetFont("Helvetica", "", 10.5)
		p.MultiCell(p.textW, lineHeight, p.tr("Zu dieser Haushaltsberatung liegt kein Antrag vor, der zu diesen Angaben passt."), "", "L", false)
	}
	for _, it := range r.Items {
		p.budgetItem(it, r.Years)
	}
	return p.output("budget list")
}

// YearsText writes a budget cycle's years (consecutive, motion.CheckBudgetCycle)
// as German readers say them: "2020", "2020 und 2021", "2020 bis 2023".
func YearsText(ys []int) string {
	switch len(ys) {
	case 0:
		return ""
	case 1:
		return strconv.Itoa(ys[0])
	case 2:
		return strconv.Itoa(ys[0]) + " und " + strconv.Itoa(ys[1])
	}
	return strconv.Itoa(ys[0]) + " bis " + strconv.Itoa(ys[len(ys)-1])
}

// euro writes whole Euro as "225.000 €".
func euro(v int64) string { return motion.FormatEuro(v) + " €" }

// positions writes positions German ("2", "0,5"); "" for none.
func positions(v float64) string {
	if v == 0 {
		return ""
	}
	return motion.FormatPositions(v)
}

// budgetTotals writes the totals as a table: faction, motions, each year
// (up to four; more years only as the sum), sum, positions.
func (p *paper) budgetTotals(r BudgetReport) {
	years := r.Years
	if len(years) > 4 {
		years = nil
	}
	numW, countW, posW := 26.0, 16.0, 16.0
	nameW := p.textW - countW - posW - numW*float64(len(years)+1)
	row := func(bold bool, cells []string) {
		style := ""
		if bold {
			style = "B"
		}
		p.SetFont("Helvetica", style, 9.5)
		p.CellFormat(nameW, 6, p.tr(fit(cells[0], 34)), "B", 0, "L", false, 0, "")
		p.CellFormat(countW, 6, p.tr(cells[1]), "B", 0, "R", false, 0, "")
		for _, c := range cells[2 : len(cells)-1] {
			p.CellFormat(numW, 6, p.tr(c), "B", 0, "R", false, 0, "")
		}
		p.CellFormat(posW, 6, p.tr(cells[len(cells)-1]), "B", 1, "R", false, 0, "")
	}
	head := []string{"Fraktion", "Anträge"}
	for _, y := range years {
		head = append(head, strconv.Itoa(y))
	}
	row(true, append(head, "Summe", "Stellen"))
	line := func(t BudgetTotal, bold bool) {
		cells := []string{t.Name, strconv.Itoa(t.Motions)}
		for i := range years {
			var v int64
			if i < len(t.Years) {
				v = t.Years[i]
			}
			cells = append(cells, motion.FormatEuro(v))
		}
		row(bold, append(cells, motion.FormatEuro(t.Total), positions(t.Positions)))
	}
	for _, t := range r.Factions {
		line(t, false)
	}
	line(r.Overall, true)
	p.SetFont("Helvetica", "", 8.5)
	p.Ln(1)
	p.MultiCell(p.textW, 4.2, p.tr("Jede Summe zählt einen Antrag einmal, bei der antragstellenden Fraktion; Änderungsanträge "+
		"sind aufgeführt, aber nicht mitgezählt. Wiederkehrende Beträge zählen ab ihrem Jahr in jedem Jahr."), "", "L", false)
}

// fit shortens s to at most n characters with an ellipsis.
func fit(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// budgetItem writes one motion of the list.
func (p *paper) budgetItem(it BudgetItem, years []int) {
	p.keep(7 * lineHeight)
	y := p.GetY()
	p.SetDrawColor(150, 150, 150)
	p.Line(marginLeft, y, marginLeft+p.textW, y)
	p.Ln(1.5)
	head := strings.TrimSpace(it.Title)
	if it.Reference != "" {
		head = it.Reference + " – " + head
	}
	p.SetFont("Helvetica", "B", 11)
	p.MultiCell(p.textW, 5.6, p.tr(head), "", "L", false)
	state := it.Status
	if it.Outcome != "" {
		state += ", " + it.Outcome
	}
	if it.Late {
		state += " – nach Antragsschluss eingereicht"
	}
	p.detail("", strings.Join(nonEmpty(it.Kind, it.Faction, state), " · "))
	var amounts []string
	for i, yr := range years {
		if i < len(it.Years) {
			amounts = append(amounts, fmt.Sprintf("%d: %s", yr, euro(it.Years[i])))
		}
	}
	amounts = append(amounts, "Summe: "+euro(it.Total))
	p.detail("Betrag: ", strings.Join(amounts, "; "))
	if s := positions(it.Positions); s != "" {
		p.detail("Stellen: ", s)
	}
	if it.Product != "" {
		p.detail("Produkt: ", it.Product)
	}
	if it.Estimate != nil {
		p.detail("Schätzung der Verwaltung: ", euro(*it.Estimate))
	}
	p.Ln(2)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
