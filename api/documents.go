package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// pdfOutput is a document with its entity tag.
type pdfOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	ETag               string `header:"ETag" doc:"Version des Antrags, mit eingereichten Änderungsanträgen auch deren Versionen"`
	Body               []byte
}

func (s *server) registerDocuments(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-motion-pdf",
		Method:      http.MethodGet,
		Path:        "/v1/motions/{id}/pdf",
		Summary:     "Antrag als PDF",
		Description: "Das Dokument des Antrags im Layout einer Gemeinderatsdrucksache: Körperschaft, Art, Nummer und Datum " +
			"der Einreichung, Antragsteller und Unterzeichner, Titel, Beschlusspunkte (bei einer Anfrage die Fragen), " +
			"Begründung, beides mit den Zeilennummern der Antragsseite, bei einem Haushaltsantrag die finanziellen " +
			"Auswirkungen und die Schätzung der Verwaltung, Anlagen, Schlagworte. Ein Änderungsantrag zeigt, was er ändert, " +
			"und seine Änderungen als Vergleich (gestrichen [- … -], eingefügt {+ … +}). Ein Antrag mit eingereichten " +
			"Änderungsanträgen führt sie mit Änderungen und Ergebnis auf und, sobald einer angenommen ist, den Beschlusstext " +
			"mit den angenommenen Änderungen und den Konflikten, die nicht eingearbeitet sind. Ein Entwurf (nur für die " +
			"eigene Fraktion) ist auf jeder Seite als Entwurf gekennzeichnet. Was der Aufrufer nicht sehen darf, ist 404. " +
			"ETag ist die Version des Antrags, bei eingereichten Änderungsanträgen mit deren Versionen.",
		Tags:     []string{"Motions"},
		Security: optionalToken,
		Errors:   []int{http.StatusUnauthorized, http.StatusNotFound},
		Responses: map[string]*huma.Response{
			"200": {
				Description: "Das PDF",
				Content:     map[string]*huma.MediaType{"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}}},
			},
		},
	}, func(ctx context.Context, in *struct {
		MotionPath
		IfNoneMatch string `header:"If-None-Match" doc:"ETag einer bekannten Version: 304, wenn unverändert"`
	}) (*pdfOutput, error) {
		m, err := s.visibleMotion(ctx, in.ID, false)
		if err != nil {
			return nil, err
		}
		amendments, err := s.documentAmendments(ctx, m)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		tag := documents.Tag(m, amendments)
		if documents.Unchanged(in.IfNoneMatch, tag) {
			return nil, huma.Status304NotModified()
		}
		names, err := s.documentNames(ctx, m, amendments)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		pdf, err := documents.MotionPDF(m, names, amendments)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		cache := "public, max-age=60"
		if m.Status == motion.StatusDraft {
			cache = "private, no-cache"
		}
		return &pdfOutput{ContentType: "application/pdf", ETag: tag, CacheControl: cache,
			ContentDisposition: `inline; filename="` + documents.FileName(m) + `"`, Body: pdf}, nil
	})
}

// documentStore is what a motion's document reads of the read model beyond
// Store: its amendments and the motion an amendment amends. *store.Store is
// one; with a Store that is not, the document shows no amendments.
type documentStore interface {
	AmendmentsOf(ctx context.Context, id string, viewer motion.Actor) ([]motion.Motion, error)
	AmendedMotion(ctx context.Context, bodyID, amends string) (motion.Motion, error)
}

var _ documentStore = (*store.Store)(nil)

// documentAmendments are the amendments a motion's document prints: those
// submitted (documents.Filed) of the ones the caller may see.
func (s *server) documentAmendments(ctx context.Context, m motion.Motion) ([]motion.Motion, error) {
	ds, ok := s.store.(documentStore)
	if !ok {
		return nil, nil
	}
	amendments, err := ds.AmendmentsOf(ctx, m.ID, Caller(ctx))
	return documents.Filed(amendments), err
}

// documentNames looks up the names a motion's document shows: its body, the
// organizations it and its amendments name, and for an amendment the motion
// it amends (when that is submitted: the document may be cached publicly).
// A name that is gone is shown as its id.
func (s *server) documentNames(ctx context.Context, m motion.Motion, amendments []motion.Motion) (documents.Names, error) {
	var n documents.Names
	var err error
	n.Body, n.Organizations, err = s.store.DisplayNames(ctx, m.BodyID, documents.OrganizationIDs(m, amendments...))
	if err != nil {
		return n, err
	}
	if ds, ok := s.store.(documentStore); ok && m.Amends != "" {
		a, err := ds.AmendedMotion(ctx, m.BodyID, m.Amends)
		if err == nil && a.Public() && a.VisibleTo(Caller(ctx)) {
			n.Amended = a.Label()
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return n, err
		}
	}
	return n, nil
}
