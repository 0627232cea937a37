package api

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/negotiation"
	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// The stages of an adopted motion's implementation (ImplementationItem.Stage).
const (
	// stageToStart: adopted, the council office has not started the
	// implementation yet (status decided).
	stageToStart = "to_start"
	// stageReportDue: in implementation, the administration's report is
	// outstanding.
	stageReportDue = "report_due"
	// stageReported: in implementation, the administration has reported.
	stageReported = "reported"
)

var stageLabels = map[string]string{
	stageToStart:   "Umsetzung einzuleiten",
	stageReportDue: "Bericht ausstehend",
	stageReported:  "Bericht erstattet",
}

// ImplementationItem is one adopted motion on its way to implementation:
// where it stands, the report deadline and the reports so far.
type ImplementationItem struct {
	Motion      MotionRef     `json:"motion"`
	Result      motion.Result `json:"result" doc:"Ergebnis (angenommen oder geändert angenommen)"`
	ResultLabel string        `json:"result_label" example:"angenommen"`
	DecidedAt   *time.Time    `json:"decided_at,omitempty" doc:"Tag des Beschlusses"`
	Department  string        `json:"department,omitempty" doc:"das zuständige Dezernat (dem der Antrag zugewiesen ist)"`
	Stage       string        `json:"stage" enum:"to_start,report_due,reported" doc:"to_start: Umsetzung noch nicht eingeleitet; report_due: Bericht der Verwaltung ausstehend; reported: Bericht erstattet"`
	StageLabel  string        `json:"stage_label" example:"Bericht ausstehend"`
	ReportDue   *time.Time    `json:"report_due,omitempty" doc:"Frist für den nächsten Bericht zur Umsetzung (in der Zeitzone der Körperschaft), solange einer verlangt ist"`
	Overdue     bool          `json:"overdue" doc:"die Frist für den Bericht ist verstrichen"`
	Reports     int           `json:"reports" doc:"Zahl der Berichte zur Umsetzung"`
	LastReport  *time.Time    `json:"last_report,omitempty" doc:"Zeitpunkt des letzten Berichts"`
	ReportedBy  string        `json:"reported_by,omitempty" doc:"Dezernat des letzten Berichts"`
	// The Beschlusskontrolle of a motion in implementation (issue 15).
	LeadDepartment string                    `json:"lead_department,omitempty" doc:"federführendes Dezernat"`
	Light          motion.Light              `json:"light,omitempty" enum:"green,yellow,red" doc:"Ampel der Umsetzung (nur in Umsetzung): green im Plan, yellow offen oder nicht umsetzbar, red Zieldatum überschritten"`
	LightLabel     string                    `json:"light_label,omitempty" example:"im Plan"`
	Points         []ImplementationPointItem `json:"points,omitempty" doc:"Stand je Beschlusspunkt (ab Beginn der Umsetzung)"`
}

// ImplementationPointItem is where one resolution point's implementation
// stands.
type ImplementationPointItem struct {
	Point      int               `json:"point" doc:"Nummer des Beschlusspunkts, ab 1"`
	Text       string            `json:"text" doc:"der Beschlusspunkt"`
	State      motion.PointState `json:"state" enum:"open,in_progress,done,not_feasible"`
	StateLabel string            `json:"state_label" example:"in Arbeit"`
	TargetDate *time.Time        `json:"target_date,omitempty" doc:"Zieldatum"`
	Reason     string            `json:"reason,omitempty" doc:"Begründung, warum der Punkt nicht umsetzbar ist"`
	LastNote   string            `json:"last_note,omitempty" doc:"letzte Notiz zum Stand"`
	LastNoteAt *time.Time        `json:"last_note_at,omitempty"`
}

// implementationPointItems are the points of a row as the API writes them.
func implementationPointItems(ps []store.ImplementationPoint) []ImplementationPointItem {
	out := make([]ImplementationPointItem, 0, len(ps))
	for _, p := range ps {
		out = append(out, ImplementationPointItem{Point: p.Point, Text: p.Text, State: p.State, StateLabel: p.State.Label(),
			TargetDate: p.TargetDate, Reason: p.Reason, LastNote: p.LastNote, LastNoteAt: p.LastNoteAt})
	}
	return out
}

// ImplementationBody is the implementation list.
type ImplementationBody struct {
	Items []ImplementationItem `json:"items"`
}

type implementationInput struct {
	Bodies     []string `query:"body" maxItems:"50" maxLength:"64" doc:"Körperschaften, kommagetrennt"`
	Department string   `query:"department" maxLength:"64" doc:"nur Anträge, die diesem Dezernat zugewiesen sind"`
	Faction    string   `query:"faction" maxLength:"64" doc:"Anträge dieser Fraktion (als Antragsteller oder Mitantragsteller)"`
	Stage      []string `query:"stage" enum:"to_start,report_due,reported" doc:"Stand, kommagetrennt"`
	Overdue    bool     `query:"overdue" doc:"nur Anträge, deren Frist für den Bericht verstrichen ist"`
	Accept     string   `header:"Accept" hidden:"true"` // JSON, CSV or XLSX; see tableResponses
}

// registerImplementation registers GET /v1/implementation, the council
// office's and the administration's list of adopted motions to implement.
// It is not paged: the list is as long as the implementations under way,
// and bounded by exportMaxRows like the exports.
func (s *server) registerImplementation(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "list-implementation",
		Method:      http.MethodGet,
		Path:        "/v1/implementation",
		Summary:     "Umsetzungsliste: angenommene Anträge mit Berichtsfrist (Ratsbüro, Verwaltung)",
		Description: "Die angenommenen Anträge, deren Umsetzung noch einzuleiten ist (entschieden) oder läuft (in Umsetzung), " +
			"mit dem zuständigen Dezernat, der Frist für den Bericht zur Umsetzung und den Berichten; überfällige zuerst, dann " +
			"nach Frist, zuletzt die berichteten. Nur für das Ratsbüro und die Verwaltung, nur lesend, ohne Seiten.",
		Tags:      []string{"Deadlines"},
		Security:  requireToken,
		Responses: tableResponses(a, ImplementationBody{}, "ImplementationBody", "Anträge"),
		Errors:    []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *implementationInput) (*TableOutput, error) {
		actor := Caller(ctx)
		if !actor.Has(motion.RoleCouncilOffice) && !actor.Has(motion.RoleAdministration) {
			return nil, huma.Error403Forbidden("Die Umsetzungsliste ist dem Ratsbüro und der Verwaltung vorbehalten.")
		}
		items, err := s.implementation(ctx, actor, in)
		if err != nil {
			return nil, err
		}
		if format := listFormat(in.Accept); format != jsonType {
			out, err := exportTable(format, "umsetzung", "Umsetzung", implementationRows(items))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return out, nil
		}
		return &TableOutput{Vary: "Accept", Body: ImplementationBody{Items: items}}, nil
	})
	s.registerImplementationReport(a)
}

// implementation lists the adopted motions of the filter in status decided
// or implementation that actor may see, with their report deadlines.
func (s *server) implementation(ctx context.Context, actor motion.Actor, in *implementationInput) ([]ImplementationItem, error) {
	f := store.MotionFilter{Viewer: actor, Faction: in.Faction,
		Statuses: []motion.Status{motion.StatusDecided, motion.StatusImplementation},
		Outcomes: []motion.Result{motion.ResultAdopted, motion.ResultAdoptedAmended}}
	df := store.DeadlineFilter{Viewer: actor, Faction: in.Faction, Limit: store.MaxLimit,
		Kinds: []motion.DeadlineKind{motion.DeadlineImplementationReport}}
	if len(in.Bodies) > 0 {
		f.BodyIDs, df.BodyIDs = in.Bodies, in.Bodies
	}
	// The report deadlines, by motion (one each, while no report is there).
	due := map[string]store.MotionDeadline{}
	for {
		page, next, err := s.store.Deadlines(ctx, df)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		for _, d := range page {
			due[d.MotionID] = d
		}
		if len(due) > exportMaxRows {
			return nil, tooManyRows("Anträge", "body, department, faction, stage")
		}
		if next == "" {
			break
		}
		df.After = next
	}
	z, now := s.zones(), time.Now()
	ms, err := export.AllMotions(ctx, s.store, f, exportMaxRows)
	if errors.Is(err, export.ErrTooMany) {
		return nil, tooManyRows("Anträge", "body, faction")
	}
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	items := []ImplementationItem{}
	for _, m := range ms {
		if m.Outcome == nil || !m.Outcome.Result.Adopted() {
			continue
		}
		if in.Department != "" && !slices.Contains(m.Departments(), in.Department) {
			continue
		}
		it := implementationItem(m, due, z.of(ctx, m.BodyID), now)
		if (in.Overdue && !it.Overdue) || (len(in.Stage) > 0 && !slices.Contains(in.Stage, it.Stage)) {
			continue
		}
		items = append(items, it)
	}
	// Overdue first, then by report deadline (none last), then by decision.
	slices.SortStableFunc(items, func(a, b ImplementationItem) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		if c := cmpTimes(a.ReportDue, b.ReportDue); c != 0 {
			return c
		}
		return cmp.Or(cmpTimes(a.DecidedAt, b.DecidedAt), strings.Compare(a.Motion.ID, b.Motion.ID))
	})
	return items, nil
}

// cmpTimes orders times, nil after every time.
func cmpTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

func implementationItem(m motion.Motion, dues map[string]store.MotionDeadline, loc *time.Location, now time.Time) ImplementationItem {
	it := ImplementationItem{Motion: motionRefOf(m), Result: m.Outcome.Result, ResultLabel: m.Outcome.Result.Label(),
		DecidedAt: m.DecidedAt, Reports: len(m.Reports), Stage: stageToStart}
	if ds := m.Departments(); len(ds) > 0 {
		it.Department = ds[0]
	}
	d, due := dues[m.ID]
	if m.Status == motion.StatusImplementation {
		// Reports recur under the Beschlusskontrolle: a report is due
		// whenever its deadline is open, also after earlier ones.
		it.Stage = stageReportDue
		if len(m.Reports) > 0 && !due {
			it.Stage = stageReported
		}
	}
	it.StageLabel = stageLabels[it.Stage]
	it.LeadDepartment, it.Light = m.LeadDepartment, m.Light(now)
	it.LightLabel = it.Light.Label()
	if len(m.Points) > 0 {
		it.Points = implementationPointItems(store.ImplementationPoints(&m))
	}
	if due {
		t := d.Due.In(loc)
		it.ReportDue, it.Overdue = &t, d.Due.Before(now)
	}
	if n := len(m.Reports); n > 0 {
		at := m.Reports[n-1].At
		it.LastReport, it.ReportedBy = &at, m.Reports[n-1].Department
	}
	return it
}

// ImplementationHeader names the columns of the implementation list.
var ImplementationHeader = []string{"Aktenzeichen", "Titel", "Art", "Status", "Ergebnis", "Fraktion", "Beschlossen",
	"Dezernat", "Stand", "Bericht fällig", "Überfällig", "Berichte", "Letzter Bericht", "Berichtet von", "Antrag-Id"}

// implementationRows is the implementation list as a table: the header,
// then one row per motion as the JSON list has it. The decision and the
// last report are days in Berlin, the report deadline a day and time in the
// body's time zone; "Überfällig" is "ja" or empty.
func implementationRows(items []ImplementationItem) [][]string {
	rows := [][]string{ImplementationHeader}
	for _, it := range items {
		reportDue := ""
		if it.ReportDue != nil {
			reportDue = export.DateTime(*it.ReportDue, it.ReportDue.Location())
		}
		m := it.Motion
		rows = append(rows, []string{m.Reference, m.Title, m.KindLabel, m.StatusLabel, it.ResultLabel, m.Faction,
			export.Date(it.DecidedAt), it.Department, it.StageLabel, reportDue, export.Mark(it.Overdue),
			strconv.Itoa(it.Reports), export.Date(it.LastReport), it.ReportedBy, m.ID})
	}
	return rows
}

// pdfType is the media type of the implementation report as a document.
const pdfType = "application/pdf"

// reportMediaTypes are the answers of the implementation report: the
// table's three, and the PDF document.
var reportMediaTypes = []string{jsonType, export.CSVType, export.XLSXType, pdfType}

// implementationReporter is the part of the read model the report reads;
// *store.Store is one.
type implementationReporter interface {
	ImplementationReport(ctx context.Context, q store.ImplementationQuery) ([]store.ImplementationRow, error)
}

var _ implementationReporter = (*store.Store)(nil)

// ImplementationReportRow is one adopted motion of the report
// (Beschlusskontrolle).
type ImplementationReportRow struct {
	MotionID            string                    `json:"motion_id"`
	Href                string                    `json:"href" doc:"Pfad des Antrags in dieser API"`
	Reference           string                    `json:"reference,omitempty" example:"A12/2026"`
	Title               string                    `json:"title"`
	Faction             string                    `json:"faction,omitempty" doc:"antragstellende Fraktion (Id)"`
	FactionName         string                    `json:"faction_name,omitempty"`
	Cosponsors          []string                  `json:"cosponsors" doc:"mitantragstellende Fraktionen (Ids)"`
	Organization        string                    `json:"organization,omitempty" doc:"das beschließende Gremium (Id): das Gremium, dessen Ergebnis gilt, sonst der Gemeinderat"`
	OrganizationName    string                    `json:"organization_name,omitempty" example:"Gemeinderat"`
	DecidedAt           *time.Time                `json:"decided_at,omitempty" doc:"Tag des Beschlusses"`
	Status              motion.Status             `json:"status" enum:"implementation,closed"`
	StatusLabel         string                    `json:"status_label" example:"In Umsetzung"`
	LeadDepartment      string                    `json:"lead_department,omitempty" doc:"federführendes Dezernat (Id)"`
	LeadDepartmentName  string                    `json:"lead_department_name,omitempty"`
	InvolvedDepartments []string                  `json:"involved_departments" doc:"beteiligte Dezernate (Ids)"`
	Light               motion.Light              `json:"light" enum:"green,yellow,red" doc:"Ampel: green im Plan, yellow offen oder nicht umsetzbar, red Zieldatum überschritten"`
	LightLabel          string                    `json:"light_label" example:"im Plan"`
	Points              []ImplementationPointItem `json:"points" doc:"Stand je Beschlusspunkt"`
	NextReportDue       *time.Time                `json:"next_report_due,omitempty" doc:"nächste Frist für den Bericht zur Umsetzung (in der Zeitzone der Körperschaft)"`
	Reports             int                       `json:"reports" doc:"Zahl der Berichte zur Umsetzung"`
}

// ImplementationReportBody is the implementation report of a body.
type ImplementationReportBody struct {
	BodyID       string                    `json:"body_id"`
	BodyName     string                    `json:"body_name"`
	Organization string                    `json:"organization,omitempty" doc:"das Gremium, auf das der Bericht beschränkt ist"`
	Date         time.Time                 `json:"date" doc:"Stand des Berichts"`
	Items        []ImplementationReportRow `json:"items"`
}

type implementationReportInput struct {
	BodyPath
	Organization string `query:"organization" maxLength:"64" doc:"nur Beschlüsse dieses Gremiums (Id)"`
	Faction      string `query:"faction" maxLength:"64" doc:"nur Anträge dieser Fraktion (als Antragsteller oder Mitantragsteller)"`
	Department   string `query:"department" maxLength:"64" doc:"nur Anträge, für die dieses Dezernat federführend oder beteiligt ist"`
	Closed       bool   `query:"closed" doc:"auch abgeschlossene Anträge, deren Umsetzung Punkt für Punkt verfolgt wurde"`
	Accept       string `header:"Accept" hidden:"true"` // JSON, CSV, XLSX or PDF
}

// registerImplementationReport registers GET
// /v1/bodies/{body}/implementation-report, the public report on
// implementing the council's decisions (Beschlusskontrolle): only public
// motions are in it, so anybody may read it.
func (s *server) registerImplementationReport(a huma.API) {
	responses := tableResponses(a, ImplementationReportBody{}, "ImplementationReportBody", "Anträge")
	ok := *responses["200"]
	ok.Description += " Mit Accept: " + pdfType + " der Bericht als PDF-Dokument „" + documents.ImplementationTitle + "“."
	ok.Content = maps.Clone(ok.Content)
	ok.Content[pdfType] = &huma.MediaType{Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}
	responses["200"] = &ok
	huma.Register(a, huma.Operation{
		OperationID: "get-implementation-report",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}/implementation-report",
		Summary:     "Beschlusskontrolle: Bericht zur Umsetzung von Beschlüssen (JSON, CSV, XLSX, PDF)",
		Description: "Die angenommenen Anträge in Umsetzung (mit closed=true auch die abgeschlossenen, deren Beschlusspunkte verfolgt " +
			"wurden), nach Aktenzeichen: beschließendes Gremium, federführendes Dezernat, Ampel, Stand, Zieldatum, Begründung und " +
			"letzte Notiz je Beschlusspunkt, nächste Berichtsfrist. Öffentlich: er enthält nur eingereichte Anträge. In CSV und XLSX " +
			"eine Zeile je Beschlusspunkt.",
		Tags:      []string{"Deadlines"},
		Security:  optionalToken,
		Responses: responses,
		Errors:    []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *implementationReportInput) (*TableOutput, error) {
		b, err := s.visibleBody(ctx, in.BodyID)
		if err != nil {
			return nil, err
		}
		rep, ok := s.store.(implementationReporter)
		if !ok {
			return nil, s.problem(ctx, errors.New("api: the store has no implementation report"))
		}
		now := time.Now()
		rows, err := rep.ImplementationReport(ctx, store.ImplementationQuery{BodyID: b.ID, Organization: in.Organization,
			Faction: in.Faction, Department: in.Department, Now: now, IncludeClosed: in.Closed})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if len(rows) > exportMaxRows {
			return nil, tooManyRows("Anträge", "organization, faction, department")
		}
		ids := export.ImplementationOrganizationIDs(rows)
		if in.Organization != "" {
			ids = append(ids, in.Organization)
		}
		_, names, name, err := s.displayNames(ctx, b.ID, ids)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		loc := s.zones().of(ctx, b.ID)
		format := negotiation.SelectQValueFast(in.Accept, reportMediaTypes)
		switch format {
		case pdfType:
			rep := documents.ImplementationReport{Body: b.Name, Date: now.In(loc), Items: export.ImplementationReportItems(rows, name)}
			if in.Organization != "" {
				rep.Organization = name(in.Organization)
			}
			if in.Faction != "" {
				rep.Filters = append(rep.Filters, "Fraktion: "+name(in.Faction))
			}
			if in.Department != "" {
				rep.Filters = append(rep.Filters, "Dezernat: "+name(in.Department))
			}
			pdf, err := documents.ImplementationPDF(rep)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &TableOutput{ContentType: pdfType, Vary: "Accept", Body: pdf,
				ContentDisposition: `inline; filename="beschlusskontrolle-` + export.SafeName(b.ID) + `.pdf"`}, nil
		case export.CSVType, export.XLSXType:
			out, err := exportTable(format, "beschlusskontrolle-"+export.SafeName(b.ID), "Beschlusskontrolle",
				export.ImplementationReportRows(rows, name, loc))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return out, nil
		}
		body := ImplementationReportBody{BodyID: b.ID, BodyName: b.Name, Organization: in.Organization, Date: now.In(loc),
			Items: []ImplementationReportRow{}}
		for _, r := range rows {
			var due *time.Time
			if r.NextReportDue != nil {
				d := r.NextReportDue.In(loc)
				due = &d
			}
			body.Items = append(body.Items, ImplementationReportRow{MotionID: r.MotionID, Href: motionHref(r.MotionID),
				Reference: r.Reference, Title: r.Title, Faction: r.Faction, FactionName: names[r.Faction],
				Cosponsors: nonNilStrings(r.Cosponsors), Organization: r.Organization, OrganizationName: names[r.Organization],
				DecidedAt: r.DecidedAt, Status: r.Status, StatusLabel: r.Status.Label(), LeadDepartment: r.LeadDepartment,
				LeadDepartmentName: names[r.LeadDepartment], InvolvedDepartments: nonNilStrings(r.InvolvedDepartments),
				Light: r.Light, LightLabel: r.Light.Label(), Points: implementationPointItems(r.Points),
				NextReportDue: due, Reports: r.Reports})
		}
		return &TableOutput{Vary: "Accept", Body: body}, nil
	})
}

// displayNames reads the names a list shows (store DisplayNames): the
// body's, the organizations' by id, and name, which answers an
// organization's name or, for one that is gone, its id.
func (s *server) displayNames(ctx context.Context, bodyID string, ids []string) (body string, names map[string]string, name func(string) string, err error) {
	body, names, err = s.store.DisplayNames(ctx, bodyID, ids)
	if err != nil {
		return "", nil, nil, err
	}
	return body, names, func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}, nil
}
