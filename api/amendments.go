package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// AmendmentStore is the part of the read model that amendments need;
// *store.Store is one.
type AmendmentStore interface {
	AmendmentsOf(ctx context.Context, id string, viewer motion.Actor) ([]motion.Motion, error)
	AmendedMotion(ctx context.Context, bodyID, amends string) (motion.Motion, error)
	WithAmendments(ctx context.Context, motionID string, cmd motion.Command, viewer motion.Actor) (motion.Command, error)
}

var _ AmendmentStore = (*store.Store)(nil)

// withAmendments completes every command the API sends with what the read
// model knows of amendments (store.WithAmendments, through
// workflows.Completing).
func withAmendments(ms workflows.Motions, st Store) workflows.Motions {
	if st == nil {
		return ms
	}
	return workflows.Completing(ms, st.WithAmendments)
}

// LinesOutput is a motion's text in numbered lines.
type LinesOutput struct {
	Body struct {
		Lines []motion.Line `json:"lines" doc:"Zeilen des Antragstexts, über den ganzen Antrag gezählt: erst die Beschlusspunkte, dann die Begründung; point 0 ist die Begründung"`
	}
}

// AmendmentView is an amendment as the amended motion lists it, with its
// changes shown against the motion's text.
type AmendmentView struct {
	ID        string              `json:"id"`
	Reference string              `json:"reference,omitempty"`
	Title     string              `json:"title"`
	Kind      motion.Kind         `json:"kind"`
	Faction   string              `json:"faction,omitempty"`
	Status    motion.Status       `json:"status"`
	Outcome   motion.Result       `json:"outcome,omitempty" doc:"Endergebnis, sobald entschieden"`
	Changes   []motion.ChangeView `json:"changes" doc:"Änderungen nach den Zeilen des Antrags, mit Wortvergleich (diff)"`
}

// AmendmentsOutput lists a motion's amendments.
type AmendmentsOutput struct {
	Body struct {
		Amendments []AmendmentView `json:"amendments"`
	}
}

// ResolutionTextOutput is a motion's resolution text with its adopted
// amendments merged.
type ResolutionTextOutput struct {
	Body motion.Merged
}

func (s *server) registerAmendments(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-motion-lines",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}/lines",
		Summary:     "Zeilennummern eines Antrags",
		Description: "Der Text des Antrags in nummerierten Zeilen (höchstens 80 Zeichen), wie Seite, Druckansicht und PDF sie zeigen: " +
			"erst die Beschlusspunkte, dann die Begründung. Änderungsanträge nennen diese Zeilen. Was der Aufrufer nicht sehen darf, ist 404.",
		Tags:     []string{"Motions"},
		Security: optionalToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MotionPath) (*LinesOutput, error) {
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		out := &LinesOutput{}
		out.Body.Lines = m.Lines()
		if out.Body.Lines == nil {
			out.Body.Lines = []motion.Line{}
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-motion-amendments",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}/amendments",
		Summary:     "Änderungsanträge zu einem Antrag",
		Description: "Die Änderungsanträge, die diesen Antrag ändern, in der Reihenfolge ihres Eingangs, jede Änderung mit dem Wortvergleich " +
			"zum jetzigen Text. Entwürfe nur für ihre Antragsteller, wie jede Liste.",
		Tags:     []string{"Motions"},
		Security: optionalToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MotionPath) (*AmendmentsOutput, error) {
		m, ams, err := s.amendments(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		out := &AmendmentsOutput{}
		out.Body.Amendments = make([]AmendmentView, 0, len(ams))
		for _, x := range ams {
			v := AmendmentView{ID: x.ID, Reference: x.Reference, Title: x.Title, Kind: x.Kind, Faction: x.Faction, Status: x.Status,
				Changes: motion.ViewChanges(m.ResolutionPoints, x.Changes)}
			if x.Outcome != nil {
				v.Outcome = x.Outcome.Result
			}
			if v.Changes == nil {
				v.Changes = []motion.ChangeView{}
			}
			out.Body.Amendments = append(out.Body.Amendments, v)
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-motion-resolution-text",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}/resolution-text",
		Summary:     "Beschlusstext mit den angenommenen Änderungsanträgen",
		Description: "Die Beschlusspunkte des Antrags mit den angenommenen Änderungsanträgen eingearbeitet, in der Reihenfolge ihrer Annahme " +
			"(applied). Ein Änderungsantrag, der eine Stelle berührt, die ein früher angenommener schon geändert hat, wird nicht " +
			"eingearbeitet, sondern als Konflikt genannt (conflicts): darüber entscheidet das Ratsbüro.",
		Tags:     []string{"Motions"},
		Security: optionalToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *MotionPath) (*ResolutionTextOutput, error) {
		m, ams, err := s.amendments(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		merged := m.ResolutionText(ams)
		if merged.Points == nil {
			merged.Points = []string{}
		}
		return &ResolutionTextOutput{Body: merged}, nil
	})
}

// amendments reads the motion with id and the amendments of it the caller
// may see (404 for a motion the caller may not see).
func (s *server) amendments(ctx context.Context, id string) (motion.Motion, []motion.Motion, error) {
	m, err := s.visibleMotion(ctx, id, false)
	if err != nil {
		return motion.Motion{}, nil, err
	}
	ams, err := s.store.AmendmentsOf(ctx, m.ID, Caller(ctx))
	if err != nil {
		return motion.Motion{}, nil, s.problem(ctx, err)
	}
	return m, ams, nil
}
