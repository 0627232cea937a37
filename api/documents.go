package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
)

// pdfOutput is a document with its entity tag.
type pdfOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	ETag               string `header:"ETag" doc:"Version des Antrags, mit eingereichten Änderungsanträgen auch deren Versionen, bei einem Änderungsantrag auch die des geänderten Antrags"`
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
			"ETag ist die Version des Antrags, bei eingereichten Änderungsanträgen mit deren Versionen, bei einem " +
			"Änderungsantrag mit der Version des geänderten Antrags.",
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
		doc, err := export.LoadMotionDocument(ctx, s.store, m, Caller(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if documents.Unchanged(in.IfNoneMatch, doc.Tag) {
			return nil, huma.Status304NotModified()
		}
		pdf, err := doc.PDF(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		cache := "public, max-age=60"
		if m.Status == motion.StatusDraft {
			cache = "private, no-cache"
		}
		return &pdfOutput{ContentType: "application/pdf", ETag: doc.Tag, CacheControl: cache,
			ContentDisposition: `inline; filename="` + documents.FileName(m) + `"`, Body: pdf}, nil
	})
}
