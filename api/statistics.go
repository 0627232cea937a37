package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// StatCount is how many public motions have one value of a dimension.
type StatCount struct {
	Key   string `json:"key" doc:"Wert (Status, Ergebnis, Art, Organisation oder Jahr)"`
	Label string `json:"label,omitempty" doc:"deutsche Bezeichnung des Werts, wo es eine gibt"`
	Count int    `json:"count"`
}

// StatisticsView are the figures over the public motions.
type StatisticsView struct {
	Total                int         `json:"total" doc:"öffentliche Anträge (nie Entwürfe)"`
	ByStatus             []StatCount `json:"by_status"`
	ByOutcome            []StatCount `json:"by_outcome" doc:"nur entschiedene Anträge"`
	ByKind               []StatCount `json:"by_kind"`
	ByFaction            []StatCount `json:"by_faction" doc:"nach antragstellender Fraktion (Organisations-Id)"`
	ByYear               []StatCount `json:"by_year" doc:"nach Jahr der Einreichung"`
	Decided              int         `json:"decided" doc:"Anträge mit Einreichungs- und Entscheidungsdatum"`
	MedianDaysToDecision *float64    `json:"median_days_to_decision,omitempty" doc:"Median der Tage von der Einreichung bis zur Entscheidung"`
	OverdueAnswers       []StatCount `json:"overdue_answers" doc:"Anfragen mit überschrittener Antwortfrist je Fachbereich (Organisations-Id; leer: keiner genannt)"`
	AgendaPlacementDue   int         `json:"agenda_placement_due" doc:"Anträge (keine Anfragen; ohne zurückgezogene, unzulässige und nicht behandelte), deren Frist nach § 34 Abs. 1 GemO – die n-te Sitzung des beschließenden Gremiums nach Eingang, ohne Beratungsfolge die des Gemeinderats – gekommen ist oder die schon auf der Tagesordnung stehen oder entschieden sind"`
	AgendaPlacedInTime   int         `json:"agenda_placed_in_time" doc:"davon bis zu dieser Sitzung in einer Sitzung des beschließenden Gremiums eingeplant oder beraten, oder entschieden"`
	AgendaPlacementShare *float64    `json:"agenda_placement_share,omitempty" doc:"Anteil der fristgerecht auf die Tagesordnung gesetzten (agenda_placed_in_time / agenda_placement_due, 0 bis 1)"`
}

type statisticsOutput struct {
	Body StatisticsView
}

func statCounts[T ~string](cs []store.Count, label func(T) string) []StatCount {
	out := make([]StatCount, len(cs))
	for i, c := range cs {
		out[i] = StatCount{Key: c.Key, Count: c.Count}
		if label != nil {
			out[i].Label = label(T(c.Key))
		}
	}
	return out
}

func statisticsView(st store.Statistics) StatisticsView {
	return StatisticsView{
		Total:                st.Total,
		ByStatus:             statCounts(st.ByStatus, motion.Status.Label),
		ByOutcome:            statCounts(st.ByOutcome, motion.Result.Label),
		ByKind:               statCounts(st.ByKind, motion.Kind.Label),
		ByFaction:            statCounts[string](st.ByFaction, nil),
		ByYear:               statCounts[string](st.ByYear, nil),
		Decided:              st.Decided,
		MedianDaysToDecision: st.MedianDaysToDecision,
		OverdueAnswers:       statCounts[string](st.OverdueAnswers, nil),
		AgendaPlacementDue:   st.AgendaPlacement.Due,
		AgendaPlacedInTime:   st.AgendaPlacement.InTime,
		AgendaPlacementShare: st.AgendaPlacement.Share(),
	}
}

func (s *server) registerStatistics(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-statistics",
		Method:      http.MethodGet,
		Path:        "/v1/statistics",
		Summary:     "Statistik der öffentlichen Anträge",
		Description: "Anträge je Status, Ergebnis, Art, Fraktion und Jahr der Einreichung, der Median der Tage bis zur " +
			"Entscheidung, der Anteil der fristgerecht nach § 34 Abs. 1 GemO auf die Tagesordnung gesetzten Anträge und " +
			"überfällige Antworten auf Anfragen je Fachbereich. Nur öffentliche Anträge, nie Entwürfe; " +
			"angemeldet nur die Körperschaften, die das Token nennt.",
		Tags:     []string{"Statistics"},
		Security: optionalToken,
		Errors:   []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, func(ctx context.Context, in *struct {
		Bodies []string `query:"body" maxItems:"50" maxLength:"64" doc:"Körperschaften, kommagetrennt"`
	}) (*statisticsOutput, error) {
		f := store.StatisticsFilter{Viewer: Caller(ctx)}
		if len(in.Bodies) > 0 {
			f.BodyIDs = in.Bodies
		}
		st, err := s.store.Statistics(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &statisticsOutput{Body: statisticsView(st)}, nil
	})
}
