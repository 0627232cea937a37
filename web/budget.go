package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// budgetStore is the part of the read model the budget pages use;
// *store.Store is one.
type budgetStore interface {
	CreateBudgetCycle(ctx context.Context, c motion.BudgetCycle) (store.BudgetCycle, error)
	BudgetCycle(ctx context.Context, id string) (store.BudgetCycle, error)
	BudgetCycles(ctx context.Context, bodyID string) ([]store.BudgetCycle, error)
	BudgetMotions(ctx context.Context, q store.BudgetQuery) (store.BudgetList, error)
}

var _ budgetStore = (*store.Store)(nil)

// budgetPath is the page of the budget deliberations.
const budgetPath = "/haushalt"

// budgetCyclesPage is /haushalt: the body's budget deliberations and, for
// the council office, the form to create one.
type budgetCyclesPage struct {
	Bodies   []store.Body
	BodyID   string
	BodyName string
	Cycles   []store.BudgetCycle
	// Form is the council office's form to create a cycle; nil for others.
	Form *Form
}

// YearsText writes a cycle's years as "2020 und 2021" or "2020 bis 2023"
// (documents.YearsText, as the list's PDF does).
func (budgetCyclesPage) YearsText(ys []int) string { return documents.YearsText(ys) }

// budgetFields are the inputs of the form that creates a cycle.
var budgetFields = []string{"body_id", "name", "first_year", "last_year", "years", "motion_deadline", "resolution"}

// budgetCycles serves GET /haushalt.
func (s *server) budgetCycles(w http.ResponseWriter, r *http.Request) {
	s.renderBudgetCycles(w, r, http.StatusOK, nil)
}

func (s *server) renderBudgetCycles(w http.ResponseWriter, r *http.Request, status int, f *Form) {
	ctx, a := r.Context(), actorOf(r)
	bs, ok := s.store.(budgetStore)
	if !ok {
		s.fail(w, r, errors.New("web: the store has no budget deliberations"))
		return
	}
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(bodies) == 0 {
		s.errorPage(w, r, http.StatusNotFound, "Nicht gefunden", "Es ist noch keine Körperschaft eingerichtet.")
		return
	}
	p := budgetCyclesPage{Bodies: bodies, BodyID: r.URL.Query().Get("koerperschaft")}
	if f != nil {
		p.BodyID = f.Val("body_id")
	}
	if p.BodyID == "" {
		p.BodyID = bodies[0].ID
	}
	i := slices.IndexFunc(bodies, func(b store.Body) bool { return b.ID == p.BodyID })
	if i < 0 {
		s.errorPage(w, r, http.StatusNotFound, "Nicht gefunden", "Diese Körperschaft gibt es nicht.")
		return
	}
	p.BodyName = bodies[i].Name
	if p.Cycles, err = bs.BudgetCycles(ctx, p.BodyID); err != nil {
		s.fail(w, r, err)
		return
	}
	if a.Has(motion.RoleCouncilOffice) && slices.Contains(a.Bodies, p.BodyID) {
		if f == nil {
			f = newForm("budget_cycle", "")
			f.ID = "neue-haushaltsberatung"
			f.Fields = budgetFields
			f.Set("body_id", p.BodyID)
		}
		p.Form = f
	}
	s.render(w, r, status, "haushalt", page{Title: "Haushaltsberatungen", Nav: "haushalt", Data: p})
}

// createBudgetCycle serves POST /haushalt: the council office creates a
// cycle; the domain checks it (motion.CheckBudgetCycle).
func (s *server) createBudgetCycle(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if !s.readForm(w, r) {
		return
	}
	bs, ok := s.store.(budgetStore)
	if !ok {
		s.fail(w, r, errors.New("web: the store has no budget deliberations"))
		return
	}
	f := newForm("budget_cycle", "")
	f.ID = "neue-haushaltsberatung"
	f.Fields = budgetFields
	f.Values = r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Val(k)) }
	c := motion.BudgetCycle{BodyID: get("body_id"), Name: get("name")}
	if !a.Has(motion.RoleCouncilOffice) || !slices.Contains(a.Bodies, c.BodyID) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Haushaltsberatungen legt das Ratsbüro an.")
		return
	}
	// Only what cannot be read is refused here; the years' order and
	// number are the domain's to judge (motion.CheckBudgetCycle).
	first, err1 := strconv.Atoi(get("first_year"))
	last, err2 := strconv.Atoi(get("last_year"))
	switch {
	case err1 != nil:
		f.invalid("first_year", "Bitte geben Sie das erste Haushaltsjahr als Zahl an, z. B. 2020.")
	case get("last_year") == "":
		c.Years = []int{first}
	case err2 != nil:
		f.invalid("last_year", "Bitte geben Sie das letzte Haushaltsjahr als Zahl an, z. B. 2021.")
	case last < first:
		c.Years = []int{first, last}
	default:
		// Far more years than the domain allows are cut, so that an
		// absurd range costs nothing; the domain refuses it either way.
		for y := first; y <= last && len(c.Years) <= motion.MaxBudgetCycleYears; y++ {
			c.Years = append(c.Years, y)
		}
	}
	if d := get("motion_deadline"); d != "" {
		day, err := time.ParseInLocation("2006-01-02", d, s.loc)
		if err != nil {
			f.invalid("motion_deadline", "Bitte geben Sie den Antragsschluss als Datum an.")
		} else {
			// The deadline is the end of that day.
			end := day.AddDate(0, 0, 1).Add(-time.Second)
			c.MotionDeadline = &end
		}
	}
	if ref := get("resolution"); ref != "" {
		c.Resolution = &motion.Link{Reference: ref}
	}
	if !f.Failed() {
		checked, err := motion.CheckBudgetCycle(c)
		if err != nil {
			f.fail(err)
		} else {
			got, err := bs.CreateBudgetCycle(ctx, checked)
			var refused *motion.Error
			switch {
			case errors.As(err, &refused):
				f.fail(err)
			case errors.Is(err, store.ErrConflict):
				f.invalid("name", "Eine Haushaltsberatung mit diesem Namen gibt es schon.")
			case errors.Is(err, store.ErrInvalid):
				f.invalid("body_id", "Diese Körperschaft gibt es nicht.")
			case err != nil:
				s.fail(w, r, err)
				return
			default:
				http.Redirect(w, r, budgetPath+"/"+url.PathEscape(got.ID), http.StatusSeeOther)
				return
			}
		}
	}
	s.renderBudgetCycles(w, r, http.StatusUnprocessableEntity, f)
}

// budgetListPage is /haushalt/{id}: the Haushaltsantragsliste.
type budgetListPage struct {
	Cycle    store.BudgetCycle
	BodyName string
	Years    []int
	Factions []store.Organization
	Faction  string
	Status   string
	Outcome  string
	Plan     string
	Query    string
	Statuses []motion.Status
	Outcomes []budgetOption
	Plans    []budgetOption
	Rows     []budgetRowView
	Totals   []budgetTotalView
	Overall  budgetTotalView
	Count    int
	Today    time.Time
	Deadline string
	// Filtered: a filter is set (the totals are of the filtered motions).
	Filtered  bool
	Downloads struct{ PDF, CSV, XLSX string }
}

type budgetOption struct{ Value, Label string }

// budgetRowView is one motion of the list as the page shows it.
type budgetRowView struct {
	store.BudgetRow
	FactionName string
	OutcomeText string
	AmendsText  string
	YearTexts   []string
	TotalText   string
	Positions   string
	Estimate    string
}

// budgetTotalView is a total as the page shows it.
type budgetTotalView struct {
	Name      string
	Motions   int
	YearTexts []string
	TotalText string
	Positions string
}

// budgetOutcomes are the outcome filter's choices.
var budgetOutcomes = []motion.Result{motion.ResultAdopted, motion.ResultAdoptedAmended, motion.ResultRejected,
	motion.ResultSettledByOtherResolutions, motion.ResultReferred, motion.ResultWithdrawn}

// budgetStatuses are the status filter's choices.
var budgetStatuses = []motion.Status{motion.StatusSubmitted, motion.StatusRegistered, motion.StatusInConsultation,
	motion.StatusDecided, motion.StatusImplementation, motion.StatusClosed, motion.StatusWithdrawn}

func euro(v int64) string { return motion.FormatEuro(v) + " €" }

// germanPositions writes positions German ("2", "0,5"); "–" for none.
func germanPositions(v float64) string {
	if v == 0 {
		return "–"
	}
	return motion.FormatPositions(v)
}

func euros(vs []int64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = euro(v)
	}
	return out
}

// budgetList serves GET /haushalt/{id}: the cycle's budget motions with
// their effect per year, the totals per faction and overall, filters
// (Fraktion, Status, Ergebnis, Haushaltsteil, Suche) and the same list as
// PDF, CSV and XLSX (?format=).
func (s *server) budgetList(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	bs, ok := s.store.(budgetStore)
	if !ok {
		s.fail(w, r, errors.New("web: the store has no budget deliberations"))
		return
	}
	c, err := bs.BudgetCycle(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !a.InBody(c.BodyID)) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := budgetListPage{Cycle: c, Years: c.Years, Faction: q.Get("fraktion"), Status: q.Get("status"), Outcome: q.Get("ergebnis"),
		Plan: q.Get("haushalt"), Query: strings.TrimSpace(q.Get("q")), Statuses: budgetStatuses, Today: time.Now()}
	p.Outcomes = append(p.Outcomes, budgetOption{store.OutcomeOpen, "noch nicht entschieden"})
	for _, o := range budgetOutcomes {
		p.Outcomes = append(p.Outcomes, budgetOption{string(o), o.Label()})
	}
	for _, pl := range []motion.BudgetPlan{motion.PlanResult, motion.PlanFinancial} {
		p.Plans = append(p.Plans, budgetOption{string(pl), pl.Label()})
	}
	if p.Plan != "" && p.Plan != string(motion.PlanResult) && p.Plan != string(motion.PlanFinancial) {
		p.Plan = ""
	}
	p.Filtered = p.Faction != "" || p.Status != "" || p.Outcome != "" || p.Plan != "" || p.Query != ""
	if c.MotionDeadline != nil {
		p.Deadline = c.MotionDeadline.In(s.loc).Format("02.01.2006, 15:04 Uhr")
	}
	if b, err := s.store.Body(ctx, c.BodyID); err == nil {
		p.BodyName = b.Name
	}
	orgs, err := s.orgs(ctx, c.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, o := range orgs {
		if o.Kind == store.OrgFaction {
			p.Factions = append(p.Factions, o)
		}
	}
	slices.SortFunc(p.Factions, bkCompareOrgs)
	bq := store.BudgetQuery{CycleID: c.ID, Faction: p.Faction, Plan: motion.BudgetPlan(p.Plan), Query: p.Query}
	if p.Status != "" {
		bq.Statuses = []motion.Status{motion.Status(p.Status)}
	}
	if p.Outcome != "" {
		bq.Outcomes = []string{p.Outcome}
	}
	l, err := bs.BudgetMotions(ctx, bq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := func(id string) string {
		if o, ok := orgs[id]; ok {
			return o.Name
		}
		return id
	}
	base := "haushaltsantraege-" + export.SafeName(c.ID)
	switch format := q.Get("format"); format {
	case "":
	case "pdf":
		rep := export.BudgetReportOf(l, name)
		rep.Body, rep.Date = p.BodyName, p.Today.In(s.loc)
		rep.Filters = export.BudgetFilters(bq, name)
		pdf, err := documents.BudgetPDF(rep)
		s.sendPDF(w, r, base, pdf, err)
		return
	default:
		if _, ok := downloadTypes[format]; !ok {
			s.errorPage(w, r, http.StatusBadRequest, "Unbekanntes Format", "Herunterladen lässt sich die Liste als PDF (format=pdf), CSV (format=csv) oder Excel-Datei (format=xlsx).")
			return
		}
		s.downloadTable(w, r, format, base, func() (export.Table, error) {
			if len(l.Rows) > export.MaxRows {
				return export.Table{}, export.ErrTooMany
			}
			return export.BudgetTable(l, name, s.loc), nil
		})
		return
	}

	p.Count = len(l.Rows)
	for _, row := range l.Rows {
		v := budgetRowView{BudgetRow: row, FactionName: export.FactionName(row.Faction, name), YearTexts: euros(row.Years),
			TotalText: euro(row.Total), Positions: germanPositions(row.Positions), Estimate: "–"}
		if row.Outcome != "" {
			v.OutcomeText = row.Outcome.Label()
		}
		if n := row.AmendsName(); row.Kind == motion.KindAmendment && n != "" {
			v.AmendsText = "Änderungsantrag zu " + n
		}
		if row.Estimate != nil {
			v.Estimate = euro(row.EstimateTotal)
		}
		p.Rows = append(p.Rows, v)
	}
	total := func(t store.BudgetTotal, n string) budgetTotalView {
		return budgetTotalView{Name: n, Motions: t.Motions, YearTexts: euros(t.Years), TotalText: euro(t.Total), Positions: germanPositions(t.Positions)}
	}
	for _, t := range l.Factions {
		p.Totals = append(p.Totals, total(t, export.FactionName(t.Faction, name)))
	}
	p.Overall = total(l.Overall, "Gesamt")
	link := func(format string) string {
		nq := url.Values{}
		for k, vs := range q {
			if k != "format" {
				nq[k] = vs
			}
		}
		nq.Set("format", format)
		return budgetPath + "/" + url.PathEscape(c.ID) + "?" + nq.Encode()
	}
	p.Downloads.PDF, p.Downloads.CSV, p.Downloads.XLSX = link("pdf"), link("csv"), link("xlsx")
	s.render(w, r, http.StatusOK, "haushaltsliste", page{Title: "Haushaltsantragsliste – " + c.Name, Nav: "haushalt", Orgs: names(orgs), Data: p})
}

// budgetCycleOptions are the body's cycles for the editor's select, by
// name; nil when the store has none or the body has none.
func (s *server) budgetCycleOptions(ctx context.Context, bodyID string) []store.BudgetCycle {
	bs, ok := s.store.(budgetStore)
	if !ok || bodyID == "" {
		return nil
	}
	cs, err := bs.BudgetCycles(ctx, bodyID)
	if err != nil {
		s.log.WarnContext(ctx, "web: budget cycles for the editor", "body", bodyID, "error", err)
		return nil
	}
	return cs
}

// budgetItemFields are the error places of a financial effect's amount
// rows (prefix "budget" or "estimate"): the effect, its positions and
// product, and each row.
func budgetItemFields(prefix string) []string {
	out := []string{prefix, prefix + ".positions", prefix + ".product", prefix + ".items"}
	for i := 0; i < motion.MaxBudgetItems; i++ {
		out = append(out, fmt.Sprintf("%s.items[%d]", prefix, i))
	}
	return out
}

// budgetInputRow is one amount row of the budget inputs as the form has it.
type budgetInputRow struct {
	// Field is the row's error place ("budget.items[0]").
	Field                               string
	Year, Amount, Rhythm, Plan, Purpose string
}

// budgetInputRows are the amount rows of the inputs named prefix+"_year",
// prefix+"_amount", …: the ones the form holds and blank ones, at least
// three and one blank (as long as MaxBudgetItems allows), so that amounts
// can be added without script.
func budgetInputRows(f *Form, prefix string) []budgetInputRow {
	n := len(f.Vals(prefix + "_amount"))
	filled := 0
	for i := 0; i < n; i++ {
		if strings.TrimSpace(f.At(prefix+"_amount", i)) != "" || strings.TrimSpace(f.At(prefix+"_year", i)) != "" {
			filled = i + 1
		}
	}
	rows := max(filled+1, 3)
	rows = min(rows, motion.MaxBudgetItems)
	out := make([]budgetInputRow, rows)
	for i := range out {
		out[i] = budgetInputRow{Field: fmt.Sprintf("%s.items[%d]", prefix, i), Year: f.At(prefix+"_year", i), Amount: f.At(prefix+"_amount", i),
			Rhythm: f.At(prefix+"_rhythm", i), Plan: f.At(prefix+"_plan", i), Purpose: f.At(prefix+"_purpose", i)}
	}
	return out
}

// BudgetRows are the amount rows of the form's financial effect inputs
// named prefix+"_year", prefix+"_amount", … ("budget" in the editor,
// "estimate" in the administration's statement).
func (f *Form) BudgetRows(prefix string) []budgetInputRow { return budgetInputRows(f, prefix) }

// setBudgetForm puts a financial effect into the form's inputs named
// prefix+"_…" (the editor opening a saved draft).
func setBudgetForm(f *Form, prefix string, b *motion.BudgetEffect) {
	for _, k := range []string{"_year", "_amount", "_rhythm", "_plan", "_purpose", "_positions", "_product"} {
		f.Values.Del(prefix + k)
	}
	if b == nil {
		return
	}
	for _, it := range b.Items {
		rhythm := "once"
		if it.Recurring {
			rhythm = "recurring"
		}
		f.Values.Add(prefix+"_year", strconv.Itoa(it.Year))
		f.Values.Add(prefix+"_amount", motion.FormatEuro(it.Amount))
		f.Values.Add(prefix+"_rhythm", rhythm)
		f.Values.Add(prefix+"_plan", string(it.Plan))
		f.Values.Add(prefix+"_purpose", it.Purpose)
	}
	if b.Positions != 0 {
		f.Values.Set(prefix+"_positions", motion.FormatPositions(b.Positions))
	}
	f.Values.Set(prefix+"_product", b.Product)
}

// budgetProblem is an input of a financial effect the web layer cannot
// read: the error place and the message.
type budgetProblem struct{ field, msg string }

// formBudget reads a financial effect from the form's inputs named
// prefix+"_…"; nil when nothing is entered. What cannot be read is left
// at zero; checkBudgetInput reports it.
func formBudget(f *Form, prefix string) *motion.BudgetEffect {
	b, _ := parseBudget(f, prefix)
	return b
}

// checkBudgetInput records on f, at its row, every number of the
// financial effect the web layer cannot read; whether the effect is valid
// beyond that the domain decides.
//
// Rows left blank between filled ones are dropped first, so that the
// domain's field names (budget.items[1]) and the rows shown again count
// alike.
func checkBudgetInput(f *Form, prefix string) {
	compactBudgetRows(f, prefix)
	_, problems := parseBudget(f, prefix)
	for _, p := range problems {
		f.invalid(p.field, p.msg)
	}
}

// compactBudgetRows drops the amount rows without year, amount and
// purpose from the form's values.
func compactBudgetRows(f *Form, prefix string) {
	keys := []string{"_year", "_amount", "_rhythm", "_plan", "_purpose"}
	cols := make([][]string, len(keys))
	for i := range f.Vals(prefix + "_amount") {
		if strings.TrimSpace(f.At(prefix+"_year", i)+f.At(prefix+"_amount", i)+f.At(prefix+"_purpose", i)) == "" {
			continue
		}
		for k, key := range keys {
			cols[k] = append(cols[k], f.At(prefix+key, i))
		}
	}
	for k, key := range keys {
		if cols[k] == nil {
			f.Values.Del(prefix + key)
		} else {
			f.Values[prefix+key] = cols[k]
		}
	}
}

func parseBudget(f *Form, prefix string) (*motion.BudgetEffect, []budgetProblem) {
	var b motion.BudgetEffect
	var problems []budgetProblem
	get := func(k string, i int) string { return strings.TrimSpace(f.At(prefix+k, i)) }
	for i := range f.Vals(prefix + "_amount") {
		year, amount, purpose := get("_year", i), get("_amount", i), get("_purpose", i)
		if year == "" && amount == "" && purpose == "" {
			continue
		}
		field := fmt.Sprintf("%s.items[%d]", prefix, i)
		it := motion.BudgetItem{Recurring: get("_rhythm", i) == "recurring", Plan: motion.BudgetPlan(get("_plan", i)), Purpose: purpose}
		y, err := strconv.Atoi(year)
		if err != nil {
			problems = append(problems, budgetProblem{field, fmt.Sprintf("Bitte geben Sie in Zeile %d das Haushaltsjahr als Zahl an, z. B. 2020.", i+1)})
		}
		v, ok := parseEuro(amount)
		if !ok {
			problems = append(problems, budgetProblem{field, fmt.Sprintf("Bitte geben Sie in Zeile %d den Betrag in ganzen Euro an, z. B. 225.000 oder -1.500; der Punkt trennt nur Tausender.", i+1)})
		}
		it.Year, it.Amount = y, v
		b.Items = append(b.Items, it)
	}
	if p := get("_positions", 0); p != "" {
		v, err := strconv.ParseFloat(strings.ReplaceAll(p, ",", "."), 64)
		if err != nil {
			problems = append(problems, budgetProblem{prefix + ".positions", "Bitte geben Sie die Stellen als Zahl an, z. B. 2 oder 0,5."})
		}
		b.Positions = v
	}
	b.Product = get("_product", 0)
	if len(b.Items) == 0 && b.Positions == 0 && b.Product == "" {
		return nil, problems
	}
	return &b, problems
}

// budgetText writes a financial effect for the editor's comparison of two
// versions, one amount a line.
func budgetText(b *motion.BudgetEffect) string {
	if b == nil {
		return ""
	}
	var lines []string
	for _, it := range b.Items {
		lines = append(lines, strings.TrimSpace(fmt.Sprintf("%d: %s, %s, %s %s", it.Year, euro(it.Amount), it.RhythmLabel(), it.Plan.Label(), it.Purpose)))
	}
	if b.Positions != 0 {
		lines = append(lines, "Stellen: "+germanPositions(b.Positions))
	}
	if b.Product != "" {
		lines = append(lines, "Produkt: "+b.Product)
	}
	return strings.Join(lines, "\n")
}

// cycleChoice is the budget cycle select of the editor and the paper
// submission form: the body's cycles by name, and the value the form
// holds when it names none of them (kept, so that nothing typed is lost).
type cycleChoice struct {
	Cycles []store.BudgetCycle
	Value  string
}

// Selected reports whether the form's value names c (by id or name).
func (c cycleChoice) Selected(bc store.BudgetCycle) bool {
	v := strings.ToLower(strings.TrimSpace(c.Value))
	return v != "" && (v == strings.ToLower(bc.ID) || v == strings.ToLower(strings.TrimSpace(bc.Name)))
}

// Other is the form's value when it names none of the cycles, else "".
func (c cycleChoice) Other() string {
	if slices.ContainsFunc(c.Cycles, c.Selected) {
		return ""
	}
	return strings.TrimSpace(c.Value)
}

// parseEuro reads whole Euro as people write them: "225.000", "225000",
// "-1.500", "1 500 €", "225.000,00"; cents other than ",00" are refused.
// A dot or blank separates thousands only: every group after the first
// has three digits, so that "1.5" is refused rather than read as 15.
func parseEuro(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.TrimSuffix(strings.TrimSuffix(s, ",00"), ",-")
	s = strings.Replace(s, "−", "-", 1)
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	groups := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == ' ' || r == '\u00a0' || r == '\u202f' })
	if len(groups) == 0 || strings.Join(groups, ".") != strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return '.'
		}
		return r
	}, s) {
		// Empty, or separators doubled or at either end.
		return 0, false
	}
	for i, g := range groups {
		if (i == 0 && len(groups) > 1 && len(g) > 3) || (i > 0 && len(g) != 3) {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(sign+strings.Join(groups, ""), 10, 64)
	return v, err == nil
}
