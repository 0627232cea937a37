package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/store"
)

// The archive: papers a city brought from its former council information
// system (motionflow import oparl, store/history.go). They are public and
// no motions, so they have their own search.

// PaperStore is the part of the read model the archive's search uses;
// *store.Store is one.
type PaperStore interface {
	Papers(ctx context.Context, f store.PaperFilter) ([]store.ArchivedPaper, string, error)
}

var _ PaperStore = (*store.Store)(nil)

// PapersOutput is one page of the archive's papers.
type PapersOutput struct {
	Body struct {
		Items []store.ArchivedPaper `json:"items"`
		Next  string                `json:"next,omitempty" doc:"cursor der nächsten Seite; fehlt auf der letzten"`
	}
}

type listPapersInput struct {
	Q      string `query:"q" maxLength:"500" doc:"Volltextsuche (deutsch; \"Phrase\", -ausschließen, or) in Titel, Drucksachennummer, Art und Text der Dateien"`
	BodyID string `query:"body" maxLength:"64" doc:"Körperschaft"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Cursor string `query:"cursor" maxLength:"1000" doc:"next aus der vorigen Seite"`
}

func (s *server) registerPapers(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "list-papers",
		Method:      http.MethodGet,
		Path:        "/v1/papers",
		Summary:     "Archiv: importierte Drucksachen suchen",
		Description: "Die Drucksachen, die aus dem früheren Ratsinformationssystem übernommen wurden (OParl-Import), " +
			"mit ihrer ursprünglichen Drucksachennummer und OParl-Kennung. Das Archiv ist öffentlich. Sortiert nach dem Datum " +
			"der Drucksache, die neuesten zuerst (ohne Datum zuletzt); q sucht deutsch im Titel, in der Drucksachennummer, " +
			"in der Art und im Text der Dateien, soweit das Quellsystem ihn mitgeliefert hat.",
		Tags:     []string{"Papers"},
		Security: optionalToken,
		Errors:   []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *listPapersInput) (*PapersOutput, error) {
		items, next, err := s.store.Papers(ctx, store.PaperFilter{BodyID: in.BodyID, Query: in.Q, Limit: in.Limit, After: in.Cursor})
		if errors.Is(err, store.ErrInvalid) && in.Cursor != "" {
			return nil, huma.Error400BadRequest("Ungültiger Cursor.", &huma.ErrorDetail{Location: "query.cursor", Message: "ungültig"})
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &PapersOutput{}
		out.Body.Items, out.Body.Next = items, next
		return out, nil
	})
}
