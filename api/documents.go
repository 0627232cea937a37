package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
)

// pdfOutput is a document with its entity tag.
type pdfOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	ETag               string `header:"ETag" doc:"Version des Antrags"`
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
			"Begründung, Anlagen, Schlagworte. Ein Entwurf (nur für die eigene Fraktion) ist auf jeder Seite als Entwurf " +
			"gekennzeichnet. Was der Aufrufer nicht sehen darf, ist 404. ETag ist die Version des Antrags.",
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
		if parseEntityTags(in.IfNoneMatch).matchWeak(m.Version) {
			return nil, huma.Status304NotModified()
		}
		names, err := s.documentNames(ctx, m)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		pdf, err := documents.MotionPDF(m, names)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		cache := "public, max-age=60"
		if m.Status == motion.StatusDraft {
			cache = "private, no-cache"
		}
		return &pdfOutput{ContentType: "application/pdf", ETag: etag(m.Version), CacheControl: cache,
			ContentDisposition: `inline; filename="` + documents.FileName(m) + `"`, Body: pdf}, nil
	})
}

// documentNames looks up the names a motion's document shows: its body and
// the organizations it names. A name that is gone is shown as its id.
func (s *server) documentNames(ctx context.Context, m motion.Motion) (documents.Names, error) {
	var n documents.Names
	var err error
	n.Body, n.Organizations, err = s.store.DisplayNames(ctx, m.BodyID, documents.OrganizationIDs(m))
	return n, err
}
