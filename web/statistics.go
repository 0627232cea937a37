package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// Geometry of the bar charts (SVG user units).
const (
	chartWidth  = 640
	chartLabelW = 250 // labels right-aligned at chartLabelW-8
	chartBarMax = 320
	chartRow    = 28
	chartBar    = 18
	chartPad    = 8
)

// statBar is one row of a chart and its table.
type statBar struct {
	Label string
	Count int
	// Y, TextY and W place the bar in the SVG; ValueX is where its number is written.
	Y, TextY, W, ValueX int
}

// statChart is one dimension: an SVG bar chart and a table with the same numbers.
type statChart struct {
	ID      string
	Caption string
	Head    string
	Bars    []statBar
	Height  int
	Empty   string
}

type statisticsPage struct {
	Stats   store.Statistics
	Charts  []statChart
	Median  string
	Overdue statChart
	// Placement shows the agenda placement within the § 34 deadline
	// (store.AgendaPlacementStats); Share is its percentage in words.
	Placement statChart
	Share     string
}

func newStatChart(id, caption, head string, cs []store.Count, label func(string) string) statChart {
	c := statChart{ID: id, Caption: caption, Head: head, Height: chartPad*2 + chartRow*len(cs)}
	maxN := 0
	for _, x := range cs {
		maxN = max(maxN, x.Count)
	}
	for i, x := range cs {
		w := 0
		if maxN > 0 {
			w = max(1, x.Count*chartBarMax/maxN)
		}
		y := chartPad + i*chartRow
		c.Bars = append(c.Bars, statBar{Label: label(x.Key), Count: x.Count, Y: y + (chartRow-chartBar)/2,
			TextY: y + chartRow/2 + 5, W: w, ValueX: chartLabelW + w + 6})
	}
	return c
}

// germanDecimal writes f with one decimal and a decimal comma.
func germanDecimal(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}

func (s *server) statistics(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	st, err := s.store.Statistics(ctx, store.StatisticsFilter{Viewer: a})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids := make([]string, len(bodies))
	for i, b := range bodies {
		ids[i] = b.ID
	}
	orgs, err := s.orgs(ctx, ids...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orgName := func(none string) func(string) string {
		return func(id string) string {
			if id == "" {
				return none
			}
			if o, ok := orgs[id]; ok {
				return o.Name
			}
			return id
		}
	}
	same := func(k string) string { return k }
	p := statisticsPage{Stats: st, Charts: []statChart{
		newStatChart("status", "Anträge nach Status", "Status", st.ByStatus, func(k string) string { return motion.Status(k).Label() }),
		newStatChart("ergebnis", "Anträge nach Ergebnis (entschiedene Anträge)", "Ergebnis", st.ByOutcome, func(k string) string { return motion.Result(k).Label() }),
		newStatChart("art", "Anträge nach Art", "Art", st.ByKind, func(k string) string { return motion.Kind(k).Label() }),
		newStatChart("fraktion", "Anträge nach antragstellender Fraktion", "Fraktion", st.ByFaction, orgName("ohne Fraktion")),
		newStatChart("jahr", "Anträge nach Jahr der Einreichung", "Jahr", st.ByYear, same),
	}}
	p.Overdue = newStatChart("ueberfaellig", "Überfällige Antworten auf Anfragen nach Fachbereich", "Fachbereich", st.OverdueAnswers, orgName("kein Fachbereich genannt"))
	p.Overdue.Empty = "Zurzeit ist keine Antwort auf eine Anfrage überfällig."
	if st.MedianDaysToDecision != nil {
		p.Median = germanDecimal(*st.MedianDaysToDecision)
	}
	if pl := st.AgendaPlacement; pl.Due > 0 {
		p.Placement = newStatChart("frist", "Anträge auf der Tagesordnung nach § 34 Abs. 1 GemO", "Behandlung",
			[]store.Count{{Key: "in_time", Count: pl.InTime}, {Key: "late", Count: pl.Due - pl.InTime}},
			func(k string) string {
				return map[string]string{"in_time": "fristgerecht", "late": "nicht fristgerecht"}[k]
			})
		p.Share = germanDecimal(100 * *pl.Share())
	} else {
		p.Placement = statChart{ID: "frist", Caption: "Anträge auf der Tagesordnung nach § 34 Abs. 1 GemO",
			Empty: "Noch ist für keinen Antrag die Frist gekommen."}
	}
	s.render(w, r, http.StatusOK, "statistik", page{Title: "Statistik", Nav: "statistik", Orgs: names(orgs), Data: p})
}
