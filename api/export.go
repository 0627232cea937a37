package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/negotiation"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
)

// A list endpoint answers JSON (a page) or, by Accept, an export of every
// matching row: CSV or XLSX for the council office.
const jsonType = "application/json"

var listMediaTypes = []string{jsonType, export.CSVType, export.XLSXType}

// exportMaxRows bounds an export (export.MaxRows; tests lower it).
var exportMaxRows = export.MaxRows

// listFormat is the media type the Accept header asks for: JSON unless CSV
// or XLSX is preferred (a browser's */* gets JSON).
func listFormat(accept string) string {
	if f := negotiation.SelectQValueFast(accept, listMediaTypes); f != "" {
		return f
	}
	return jsonType
}

// ListOutput is a list answer: a JSON page, or an export (Body []byte,
// written as is with ContentType).
type ListOutput struct {
	Link               string `header:"Link" doc:"rel=next: die nächste Seite (nur JSON)"`
	ContentType        string `header:"Content-Type" hidden:"true"`
	ContentDisposition string `header:"Content-Disposition" doc:"beim Export: attachment mit Dateinamen"`
	Vary               string `header:"Vary" doc:"Accept: die Antwort hängt vom Format ab"`
	Body               any
}

// listResponses documents the three answers of a list endpoint: the JSON
// page (schema of jsonBody, named hint as huma would), CSV and XLSX.
func listResponses(a huma.API, jsonBody any, hint, what string) map[string]*huma.Response {
	schema := a.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(jsonBody), true, hint)
	return map[string]*huma.Response{
		"200": {
			Description: "Mit Accept: application/json (Vorgabe) eine Seite; mit Accept: " + export.CSVType + " oder " +
				export.XLSXType + " alle " + what + " der Filter ohne Seiten (limit und cursor gelten dann nicht), " +
				fmt.Sprintf("höchstens %d Zeilen, sonst 422. ", export.MaxRows) +
				"CSV nach RFC 4180: UTF-8 mit BOM (für Excel), Kopfzeile, CRLF; Datumsangaben als JJJJ-MM-TT (Europe/Berlin); " +
				"ein Feld, das mit = + - @ beginnt, erhält ein vorangestelltes Apostroph.",
			Content: map[string]*huma.MediaType{
				jsonType:        {Schema: schema},
				export.CSVType:  {Schema: &huma.Schema{Type: huma.TypeString}},
				export.XLSXType: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}},
			},
		},
	}
}

// exportOutput writes rows in the media type (CSV or XLSX) as an attachment
// named base.csv or base.xlsx.
func exportOutput(mediaType, base, sheet string, rows [][]string) (*ListOutput, error) {
	var b bytes.Buffer
	out := &ListOutput{Vary: "Accept"}
	switch mediaType {
	case export.CSVType:
		if err := export.WriteCSV(&b, rows); err != nil {
			return nil, err
		}
		out.ContentType = "text/csv; charset=utf-8; header=present"
		out.ContentDisposition = `attachment; filename="` + base + `.csv"`
	case export.XLSXType:
		if err := export.WriteXLSX(&b, sheet, rows); err != nil {
			return nil, err
		}
		out.ContentType = export.XLSXType
		out.ContentDisposition = `attachment; filename="` + base + `.xlsx"`
	default:
		return nil, fmt.Errorf("export: media type %q", mediaType)
	}
	out.Body = b.Bytes()
	return out, nil
}

// tooManyRows is the answer to an export beyond exportMaxRows.
func tooManyRows(what string) error {
	return problem.New(http.StatusUnprocessableEntity,
		fmt.Sprintf("Der Export umfasst mehr als %d %s. Bitte die Filter einschränken (z. B. status, kind, faction, submitted_from).", exportMaxRows, what))
}

// exportMotions answers every motion of the filter the actor may see, in
// the list's order, paging through the store internally.
func (s *server) exportMotions(ctx context.Context, actor motion.Actor, f store.MotionFilter, mediaType string) (*ListOutput, error) {
	f.Limit, f.After = store.MaxLimit, ""
	var ms []motion.Motion
	for {
		page, next, err := s.store.Motions(ctx, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		for _, m := range page {
			if m.VisibleTo(actor) { // the SQL decides; this is a second lock on the door
				ms = append(ms, m)
			}
		}
		if len(ms) > exportMaxRows {
			return nil, tooManyRows("Anträge")
		}
		if next == "" {
			break
		}
		f.After = next
	}
	out, err := exportOutput(mediaType, "antraege", "Anträge", export.MotionRows(ms))
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return out, nil
}
