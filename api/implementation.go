package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
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
	ReportDue   *time.Time    `json:"report_due,omitempty" doc:"Frist für den Bericht zur Umsetzung (in der Zeitzone der Körperschaft), solange kein Bericht vorliegt"`
	Overdue     bool          `json:"overdue" doc:"die Frist für den Bericht ist verstrichen"`
	Reports     int           `json:"reports" doc:"Zahl der Berichte zur Umsetzung"`
	LastReport  *time.Time    `json:"last_report,omitempty" doc:"Zeitpunkt des letzten Berichts"`
	ReportedBy  string        `json:"reported_by,omitempty" doc:"Dezernat des letzten Berichts"`
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
		if in.Department != "" && m.AddressedDepartment != in.Department {
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

func implementationItem(m motion.Motion, due map[string]store.MotionDeadline, loc *time.Location, now time.Time) ImplementationItem {
	it := ImplementationItem{Motion: motionRefOf(m), Result: m.Outcome.Result, ResultLabel: m.Outcome.Result.Label(),
		DecidedAt: m.DecidedAt, Department: m.AddressedDepartment, Reports: len(m.Reports), Stage: stageToStart}
	if m.Status == motion.StatusImplementation {
		it.Stage = stageReportDue
		if len(m.Reports) > 0 {
			it.Stage = stageReported
		}
	}
	it.StageLabel = stageLabels[it.Stage]
	if d, ok := due[m.ID]; ok && len(m.Reports) == 0 {
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
