package api

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/negotiation"
	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
)

// budgetStore is the part of the read model the budget deliberations
// read and write; *store.Store is one.
type budgetStore interface {
	CreateBudgetCycle(ctx context.Context, c motion.BudgetCycle) (store.BudgetCycle, error)
	UpdateBudgetCycle(ctx context.Context, c motion.BudgetCycle) (store.BudgetCycle, error)
	BudgetCycle(ctx context.Context, id string) (store.BudgetCycle, error)
	BudgetCycles(ctx context.Context, bodyID string) ([]store.BudgetCycle, error)
	BudgetMotions(ctx context.Context, q store.BudgetQuery) (store.BudgetList, error)
}

var _ budgetStore = (*store.Store)(nil)

// BudgetCycleView is a budget deliberation (Haushaltsberatung).
type BudgetCycleView struct {
	ID             string     `json:"id"`
	Href           string     `json:"href" doc:"Pfad der Haushaltsberatung in dieser API"`
	BodyID         string     `json:"body_id"`
	Name           string     `json:"name" example:"Haushalt 2020/2021"`
	Years          []int      `json:"years" doc:"Haushaltsjahre" example:"[2020,2021]"`
	MotionDeadline *time.Time `json:"motion_deadline,omitempty" doc:"Antragsschluss für Haushaltsanträge; spätere sind als verspätet gekennzeichnet"`
	MeetingIDs     []string   `json:"meeting_ids" doc:"die Sitzungen, die den Haushalt beraten (Ids)"`
	Resolution     *LinkBody  `json:"resolution,omitempty" doc:"der Haushaltsbeschluss, sobald gefasst: erledigt die Anträge „durch den Haushaltsbeschluss“"`
	MotionsHref    string     `json:"motions_href" doc:"Pfad der Haushaltsantragsliste"`
	Created        time.Time  `json:"created"`
	Modified       time.Time  `json:"modified"`
}

func budgetCycleHref(id string) string { return "/v1/budget-cycles/" + url.PathEscape(id) }

func budgetCycleView(c store.BudgetCycle) BudgetCycleView {
	v := BudgetCycleView{ID: c.ID, Href: budgetCycleHref(c.ID), BodyID: c.BodyID, Name: c.Name, Years: c.Years,
		MotionDeadline: c.MotionDeadline, MeetingIDs: nonNilStrings(c.MeetingIDs), MotionsHref: budgetCycleHref(c.ID) + "/motions",
		Created: c.Created, Modified: c.Updated}
	if v.Years == nil {
		v.Years = []int{}
	}
	if c.Resolution != nil {
		l := LinkBody(*c.Resolution)
		v.Resolution = &l
	}
	return v
}

// BudgetCycleInput creates or replaces a budget deliberation.
type BudgetCycleInput struct {
	ID             string     `json:"id,omitempty" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.:-]*$" doc:"Id (optional beim Anlegen; sonst eine UUID)" example:"hh-2020"`
	Name           string     `json:"name" maxLength:"300" doc:"Name, eindeutig in der Körperschaft; Haushaltsanträge nennen die Beratung mit diesem Namen oder der Id" example:"Haushalt 2020/2021"`
	Years          []int      `json:"years" maxItems:"10" doc:"die Haushaltsjahre, lückenlos aufeinanderfolgend" example:"[2020,2021]"`
	MotionDeadline *time.Time `json:"motion_deadline,omitempty" doc:"Antragsschluss für Haushaltsanträge"`
	MeetingIDs     []string   `json:"meeting_ids,omitempty" maxItems:"50" doc:"Sitzungen, die den Haushalt beraten (Ids)"`
	Resolution     *LinkBody  `json:"resolution,omitempty" doc:"der Haushaltsbeschluss (Aktenzeichen, Antrag oder Adresse)"`
}

func (in BudgetCycleInput) cycle(bodyID string) motion.BudgetCycle {
	c := motion.BudgetCycle{ID: in.ID, BodyID: bodyID, Name: in.Name, Years: in.Years, MotionDeadline: in.MotionDeadline, MeetingIDs: in.MeetingIDs}
	if in.Resolution != nil {
		l := motion.Link(*in.Resolution)
		c.Resolution = &l
	}
	return c
}

// BudgetAmount is an amount of one year.
type BudgetAmount struct {
	Year   int   `json:"year" example:"2020"`
	Amount int64 `json:"amount" doc:"ganze Euro: Mehraufwand positiv, Einsparung oder Mehrertrag negativ" example:"225000"`
}

func budgetAmounts(years []int, vs []int64) []BudgetAmount {
	out := make([]BudgetAmount, 0, len(years))
	for i, y := range years {
		var v int64
		if i < len(vs) {
			v = vs[i]
		}
		out = append(out, BudgetAmount{Year: y, Amount: v})
	}
	return out
}

// BudgetEstimateView is the administration's estimate of a motion's effect.
type BudgetEstimateView struct {
	Years     []BudgetAmount   `json:"years" doc:"Betrag je Haushaltsjahr der Beratung"`
	Total     int64            `json:"total" doc:"Summe über die Haushaltsjahre"`
	Positions float64          `json:"positions,omitempty"`
	Items     []BudgetItemBody `json:"items"`
}

// BudgetMotionRow is one motion of the Haushaltsantragsliste.
type BudgetMotionRow struct {
	MotionID     string              `json:"motion_id"`
	Href         string              `json:"href" doc:"Pfad des Antrags in dieser API"`
	Kind         motion.Kind         `json:"kind" enum:"budget_motion,amendment"`
	KindLabel    string              `json:"kind_label" example:"Haushaltsantrag"`
	Reference    string              `json:"reference,omitempty" example:"A12/2020"`
	Title        string              `json:"title"`
	Faction      string              `json:"faction,omitempty" doc:"antragstellende Fraktion (Id)"`
	FactionName  string              `json:"faction_name,omitempty"`
	Cosponsors   []string            `json:"cosponsors" doc:"mitantragstellende Fraktionen (Ids)"`
	Status       motion.Status       `json:"status"`
	StatusLabel  string              `json:"status_label" example:"Eingereicht"`
	Outcome      motion.Result       `json:"outcome,omitempty" doc:"Ergebnis, sobald entschieden"`
	OutcomeLabel string              `json:"outcome_label,omitempty" example:"angenommen"`
	Amends       string              `json:"amends,omitempty" doc:"bei einem Änderungsantrag: der geänderte Antrag (Id oder Aktenzeichen)"`
	AmendsName   string              `json:"amends_name,omitempty" doc:"bei einem Änderungsantrag: Aktenzeichen (sonst Titel) des geänderten Antrags" example:"A12/2020"`
	SubmittedAt  *time.Time          `json:"submitted_at,omitempty"`
	Late         bool                `json:"late" doc:"nach dem Antragsschluss eingereicht"`
	Years        []BudgetAmount      `json:"years" doc:"Betrag je Haushaltsjahr der Beratung (einmalige Beträge in ihrem Jahr, wiederkehrende ab ihrem Jahr in jedem)"`
	Total        int64               `json:"total" doc:"Summe über die Haushaltsjahre"`
	Positions    float64             `json:"positions,omitempty" doc:"Stellen"`
	Product      string              `json:"product,omitempty" doc:"Produkt oder Teilhaushalt"`
	Items        []BudgetItemBody    `json:"items" doc:"die Beträge des Antrags"`
	Estimate     *BudgetEstimateView `json:"estimate,omitempty" doc:"die letzte Schätzung der Verwaltung in ihrer Stellungnahme"`
}

// BudgetTotalView sums the budget motions of a faction or of all.
type BudgetTotalView struct {
	Faction     string         `json:"faction,omitempty" doc:"Fraktion (Id); leer für die Gesamtsumme und für Anträge ohne Fraktion"`
	FactionName string         `json:"faction_name" example:"SPD-Fraktion"`
	Motions     int            `json:"motions" doc:"Zahl der Haushaltsanträge"`
	Years       []BudgetAmount `json:"years"`
	Total       int64          `json:"total"`
	Positions   float64        `json:"positions"`
}

// BudgetListBody is the Haushaltsantragsliste of a cycle.
type BudgetListBody struct {
	Cycle    BudgetCycleView   `json:"cycle"`
	BodyName string            `json:"body_name"`
	Date     time.Time         `json:"date" doc:"Stand der Liste"`
	Items    []BudgetMotionRow `json:"items"`
	Factions []BudgetTotalView `json:"factions" doc:"Summen je antragstellender Fraktion (jeder Haushaltsantrag einmal; Änderungsanträge nicht mitgezählt)"`
	Total    BudgetTotalView   `json:"total" doc:"Summe aller Haushaltsanträge der Liste"`
}

// BudgetCyclePath names a budget cycle in the path.
type BudgetCyclePath struct {
	ID string `path:"id" maxLength:"64" doc:"Haushaltsberatung (Id)"`
}

type budgetListInput struct {
	BudgetCyclePath
	Faction string   `query:"faction" maxLength:"64" doc:"nur Anträge dieser Fraktion (als Antragsteller oder Mitantragsteller)"`
	Status  []string `query:"status" maxItems:"20" enum:"submitted,registered,inadmissible,in_consultation,decided,implementation,answered,closed,withdrawn,lapsed" doc:"Status, kommagetrennt"`
	Outcome []string `query:"outcome" maxItems:"20" maxLength:"64" doc:"Ergebnis, kommagetrennt (adopted, rejected, …); open für noch nicht entschiedene"`
	Plan    string   `query:"plan" enum:"result,financial" doc:"nur die Beträge des Ergebnishaushalts (result) oder des Finanzhaushalts (financial)"`
	Q       string   `query:"q" maxLength:"200" doc:"Volltextsuche oder Aktenzeichen"`
	Accept  string   `header:"Accept" hidden:"true"` // JSON, CSV, XLSX or PDF
}

type budgetCycleOutput struct {
	Body BudgetCycleView
}

// registerBudget registers the budget deliberations: the council office
// creates and changes cycles, everybody reads them and their list of
// budget motions (only public motions are in it).
func (s *server) registerBudget(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID:   "create-budget-cycle",
		Method:        http.MethodPost,
		Path:          "/v1/bodies/{body}/budget-cycles",
		Summary:       "Haushaltsberatung anlegen (Ratsbüro)",
		Description:   "Legt eine Haushaltsberatung an: Name, Haushaltsjahre, Antragsschluss, beratende Sitzungen, ggf. der Haushaltsbeschluss.",
		Tags:          []string{"Budget"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Body BudgetCycleInput
	}) (*budgetCycleOutput, error) {
		bs, err := s.budget(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		if err := requireRole(ctx, in.BodyID, motion.RoleCouncilOffice); err != nil {
			return nil, err
		}
		c, err := motion.CheckBudgetCycle(in.Body.cycle(in.BodyID))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		got, err := bs.CreateBudgetCycle(ctx, c)
		if err != nil {
			return nil, s.budgetProblem(ctx, err)
		}
		return &budgetCycleOutput{Body: budgetCycleView(got)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-budget-cycles",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}/budget-cycles",
		Summary:     "Haushaltsberatungen der Körperschaft",
		Description: "Die Haushaltsberatungen, die jüngsten Haushaltsjahre zuerst.",
		Tags:        []string{"Budget"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *struct{ BodyPath }) (*struct {
		Body struct {
			Items []BudgetCycleView `json:"items"`
		}
	}, error) {
		bs, err := s.budget(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		cs, err := bs.BudgetCycles(ctx, in.BodyID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct {
			Body struct {
				Items []BudgetCycleView `json:"items"`
			}
		}{}
		out.Body.Items = []BudgetCycleView{}
		for _, c := range cs {
			out.Body.Items = append(out.Body.Items, budgetCycleView(c))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-budget-cycle",
		Method:      http.MethodGet,
		Path:        "/v1/budget-cycles/{id}",
		Summary:     "Haushaltsberatung",
		Tags:        []string{"Budget"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *BudgetCyclePath) (*budgetCycleOutput, error) {
		c, err := s.visibleCycle(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return &budgetCycleOutput{Body: budgetCycleView(c)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "update-budget-cycle",
		Method:      http.MethodPut,
		Path:        "/v1/budget-cycles/{id}",
		Summary:     "Haushaltsberatung ändern (Ratsbüro)",
		Description: "Ersetzt Name, Haushaltsjahre, Antragsschluss, Sitzungen und Haushaltsbeschluss der Haushaltsberatung. " +
			"Umbenennen lässt sie sich nur, solange kein eingereichter Antrag sie mit ihrem Namen nennt (sonst 409); " +
			"die Sitzungen müssen Sitzungen der Körperschaft sein.",
		Tags:     []string{"Budget"},
		Security: requireToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		BudgetCyclePath
		Body BudgetCycleInput
	}) (*budgetCycleOutput, error) {
		bs, err := s.budget(ctx)
		if err != nil {
			return nil, err
		}
		old, err := s.visibleCycle(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		if err := requireRole(ctx, old.BodyID, motion.RoleCouncilOffice); err != nil {
			return nil, err
		}
		if in.Body.ID != "" && in.Body.ID != old.ID {
			return nil, fieldError("body.id", "Die Id einer Haushaltsberatung lässt sich nicht ändern.")
		}
		in.Body.ID = old.ID
		c, err := motion.CheckBudgetCycle(in.Body.cycle(old.BodyID))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		got, err := bs.UpdateBudgetCycle(ctx, c)
		if err != nil {
			return nil, s.budgetProblem(ctx, err)
		}
		return &budgetCycleOutput{Body: budgetCycleView(got)}, nil
	})

	responses := tableResponses(a, BudgetListBody{}, "BudgetListBody", "Anträge")
	ok := *responses["200"]
	ok.Description += " In CSV und XLSX eine Zeile je Antrag, dann je Fraktion und insgesamt eine Zeile „Summe“ (Spalte Art); " +
		"Beträge als ganze Euro (negativ: Einsparung), in XLSX als Zahlen. Mit Accept: " + pdfType + " die Liste als PDF-Dokument „" +
		documents.BudgetTitle + "“."
	ok.Content = maps.Clone(ok.Content)
	ok.Content[pdfType] = &huma.MediaType{Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}
	responses["200"] = &ok
	huma.Register(a, huma.Operation{
		OperationID: "list-budget-motions",
		Method:      http.MethodGet,
		Path:        "/v1/budget-cycles/{id}/motions",
		Summary:     "Haushaltsantragsliste: Haushaltsanträge mit Beträgen und Summen (JSON, CSV, XLSX, PDF)",
		Description: "Alle eingereichten Haushaltsanträge der Beratung (sie nennen sie mit Id oder Namen) und die Änderungsanträge " +
			"mit Beträgen, nach Aktenzeichen: Fraktion, Status, Ergebnis, Betrag je Haushaltsjahr (einmalige Beträge in ihrem Jahr, " +
			"wiederkehrende ab ihrem Jahr in jedem), Summe, Stellen, Produkt, die Schätzung der Verwaltung und ob der Antrag nach " +
			"dem Antragsschluss kam; dazu die Summen je Fraktion und insgesamt. Öffentlich.",
		Tags:      []string{"Budget"},
		Security:  optionalToken,
		Responses: responses,
		Errors:    []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *budgetListInput) (*TableOutput, error) {
		bs, err := s.budget(ctx)
		if err != nil {
			return nil, err
		}
		c, err := s.visibleCycle(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		q := store.BudgetQuery{CycleID: c.ID, Faction: in.Faction, Outcomes: in.Outcome, Plan: motion.BudgetPlan(in.Plan), Query: in.Q}
		for _, st := range in.Status {
			q.Statuses = append(q.Statuses, motion.Status(st))
		}
		l, err := bs.BudgetMotions(ctx, q)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if len(l.Rows) > exportMaxRows {
			return nil, tooManyRows("Anträge", "faction, status, plan")
		}
		ids := export.BudgetFactionIDs(l)
		if in.Faction != "" {
			ids = append(ids, in.Faction)
		}
		bodyName, names, name, err := s.displayNames(ctx, c.BodyID, ids)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		loc, now := s.zones().of(ctx, c.BodyID), time.Now()
		base := "haushaltsantraege-" + export.SafeName(c.ID)
		switch format := negotiation.SelectQValueFast(in.Accept, reportMediaTypes); format {
		case pdfType:
			rep := export.BudgetReportOf(l, name)
			rep.Body, rep.Date = bodyName, now.In(loc)
			rep.Filters = export.BudgetFilters(q, name)
			pdf, err := documents.BudgetPDF(rep)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &TableOutput{ContentType: pdfType, Vary: "Accept", Body: pdf,
				ContentDisposition: `inline; filename="` + base + `.pdf"`}, nil
		case export.CSVType, export.XLSXType:
			out, err := exportTableOf(format, base, export.BudgetTable(l, name, loc))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return out, nil
		}
		return &TableOutput{Vary: "Accept", Body: budgetListBody(l, bodyName, now.In(loc), names)}, nil
	})
}

func budgetListBody(l store.BudgetList, bodyName string, date time.Time, names map[string]string) BudgetListBody {
	years := l.Cycle.Years
	body := BudgetListBody{Cycle: budgetCycleView(l.Cycle), BodyName: bodyName, Date: date, Items: []BudgetMotionRow{}, Factions: []BudgetTotalView{}}
	for _, r := range l.Rows {
		row := BudgetMotionRow{MotionID: r.MotionID, Href: motionHref(r.MotionID), Kind: r.Kind, KindLabel: r.Kind.Label(),
			Reference: r.Reference, Title: r.Title, Faction: r.Faction, FactionName: names[r.Faction], Cosponsors: nonNilStrings(r.Cosponsors),
			Status: r.Status, StatusLabel: r.Status.Label(), Outcome: r.Outcome, Amends: r.Amends, AmendsName: r.AmendsName(), SubmittedAt: r.SubmittedAt, Late: r.Late,
			Years: budgetAmounts(years, r.Years), Total: r.Total, Positions: r.Positions, Product: r.Product, Items: budgetItemBodies(r.Effect.Items)}
		if r.Outcome != "" {
			row.OutcomeLabel = r.Outcome.Label()
		}
		if r.Estimate != nil {
			row.Estimate = &BudgetEstimateView{Years: budgetAmounts(years, r.EstimateYears), Total: r.EstimateTotal,
				Positions: r.Estimate.Positions, Items: budgetItemBodies(r.Estimate.Items)}
		}
		body.Items = append(body.Items, row)
	}
	total := func(t store.BudgetTotal, name string) BudgetTotalView {
		return BudgetTotalView{Faction: t.Faction, FactionName: name, Motions: t.Motions, Years: budgetAmounts(years, t.Years),
			Total: t.Total, Positions: t.Positions}
	}
	for _, f := range l.Factions {
		n := names[f.Faction]
		if n == "" {
			n = export.FactionName(f.Faction, func(id string) string { return id })
		}
		body.Factions = append(body.Factions, total(f, n))
	}
	body.Total = total(l.Overall, "Gesamt")
	return body
}

func budgetItemBodies(items []motion.BudgetItem) []BudgetItemBody {
	out := make([]BudgetItemBody, 0, len(items))
	for _, it := range items {
		out = append(out, BudgetItemBody{Year: it.Year, Amount: it.Amount, Recurring: it.Recurring, Plan: string(it.Plan), Purpose: it.Purpose})
	}
	return out
}

// budget is the store's budget part, or an internal error.
func (s *server) budget(ctx context.Context) (budgetStore, error) {
	bs, ok := s.store.(budgetStore)
	if !ok {
		return nil, s.problem(ctx, errors.New("api: the store has no budget deliberations"))
	}
	return bs, nil
}

// visibleCycle returns the cycle with id if the caller may see its body,
// else 404.
func (s *server) visibleCycle(ctx context.Context, id string) (store.BudgetCycle, error) {
	bs, err := s.budget(ctx)
	if err != nil {
		return store.BudgetCycle{}, err
	}
	c, err := bs.BudgetCycle(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !Caller(ctx).InBody(c.BodyID)) {
		return store.BudgetCycle{}, notFound("Haushaltsberatung")
	}
	if err != nil {
		return store.BudgetCycle{}, s.problem(ctx, err)
	}
	return c, nil
}

// budgetProblem answers a store error of a cycle: a renaming that would
// drop the motions naming the cycle, and a taken name or id, as 409 in
// words.
func (s *server) budgetProblem(ctx context.Context, err error) error {
	if errors.Is(err, store.ErrCycleNamed) {
		return problem.New(http.StatusConflict, "Eingereichte Haushaltsanträge nennen die Haushaltsberatung mit ihrem bisherigen Namen; "+
			"sie würden durch die Umbenennung aus ihrer Antragsliste fallen. Bitte behalten Sie den Namen bei.")
	}
	if errors.Is(err, store.ErrConflict) {
		return problem.New(http.StatusConflict, "Eine Haushaltsberatung mit diesem Namen oder dieser Id gibt es in der Körperschaft schon.")
	}
	return s.problem(ctx, err)
}
