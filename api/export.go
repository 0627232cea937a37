package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/negotiation"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/meeting"
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

// TableOutput is the answer of a list without pages: JSON with every
// row, or the same rows as an export (see ListOutput).
type TableOutput struct {
	ContentType        string `header:"Content-Type" hidden:"true"`
	ContentDisposition string `header:"Content-Disposition" doc:"beim Export: attachment mit Dateinamen"`
	Vary               string `header:"Vary" doc:"Accept: die Antwort hängt vom Format ab"`
	Body               any
}

// listResponses documents the three answers of a list endpoint: the JSON
// page (schema of jsonBody, named hint as huma would), CSV and XLSX.
func listResponses(a huma.API, jsonBody any, hint, what string) map[string]*huma.Response {
	return exportResponses(a, jsonBody, hint, "Mit Accept: application/json (Vorgabe) eine Seite; mit Accept: "+export.CSVType+" oder "+
		export.XLSXType+" alle "+what+" der Filter ohne Seiten (limit und cursor gelten dann nicht), ")
}

// tableResponses documents the three answers of a list without pages
// (TableOutput): JSON, CSV and XLSX with the same rows.
func tableResponses(a huma.API, jsonBody any, hint, what string) map[string]*huma.Response {
	return exportResponses(a, jsonBody, hint, "Mit Accept: application/json (Vorgabe) alle "+what+" als JSON; mit Accept: "+
		export.CSVType+" oder "+export.XLSXType+" dieselben Zeilen als Tabelle, ")
}

func exportResponses(a huma.API, jsonBody any, hint, lead string) map[string]*huma.Response {
	schema := a.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(jsonBody), true, hint)
	return map[string]*huma.Response{
		"200": {
			Description: lead + fmt.Sprintf("höchstens %d Zeilen, sonst 422. ", export.MaxRows) +
				"CSV nach RFC 4180: UTF-8 mit BOM (für Excel), Kopfzeile, CRLF; Datumsangaben als JJJJ-MM-TT (Europe/Berlin; " +
				"Fristen mit Uhrzeit in der Zeitzone der Körperschaft); " +
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
	t, err := exportTable(mediaType, base, sheet, rows)
	if err != nil {
		return nil, err
	}
	return &ListOutput{ContentType: t.ContentType, ContentDisposition: t.ContentDisposition, Vary: t.Vary, Body: t.Body}, nil
}

// exportTable is exportOutput for a list without pages.
func exportTable(mediaType, base, sheet string, rows [][]string) (*TableOutput, error) {
	return exportTableOf(mediaType, base, export.Table{Sheet: sheet, Rows: rows})
}

// exportTableOf is exportTable for a table with figures and bold rows
// (export.Table).
func exportTableOf(mediaType, base string, t export.Table) (*TableOutput, error) {
	ct, ext, body, err := export.EncodeTable(mediaType, t)
	if err != nil {
		return nil, err
	}
	return &TableOutput{ContentType: ct, ContentDisposition: `attachment; filename="` + base + "." + ext + `"`, Vary: "Accept", Body: body}, nil
}

// tooManyRows is the answer to an export beyond exportMaxRows; filters
// names some of the request's filters to narrow it with.
func tooManyRows(what, filters string) error {
	return problem.New(http.StatusUnprocessableEntity,
		fmt.Sprintf("Der Export umfasst mehr als %d %s. Bitte die Filter einschränken (z. B. %s).", exportMaxRows, what, filters))
}

// exportMotions answers every motion of the filter the actor may see, in
// the list's order.
func (s *server) exportMotions(ctx context.Context, actor motion.Actor, f store.MotionFilter, mediaType string) (*ListOutput, error) {
	f.Viewer = actor
	ms, err := export.AllMotions(ctx, s.store, f, exportMaxRows)
	if errors.Is(err, export.ErrTooMany) {
		return nil, tooManyRows("Anträge", "status, kind, faction, submitted_from")
	}
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out, err := exportOutput(mediaType, "antraege", "Anträge", export.MotionRows(ms))
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return out, nil
}

// registerExports registers the lists that exist for their exports: the
// votes of a meeting and the implementation list.
func (s *server) registerExports(a huma.API) {
	s.registerMeetingVotes(a)
	s.registerImplementation(a)
}

// MeetingVote is one result of a meeting (export.VoteItem): an agenda item
// with its result, or a result recorded for the meeting on a motion only.
type MeetingVote struct {
	Number         string           `json:"number,omitempty" doc:"TOP-Nummer; leer bei einem nur im Antrag erfassten Ergebnis" example:"3"`
	ItemID         string           `json:"item_id,omitempty" doc:"Id des Tagesordnungspunkts"`
	Kind           meeting.ItemKind `json:"kind" enum:"motion,paper,report,free"`
	KindLabel      string           `json:"kind_label" example:"Antrag"`
	Public         bool             `json:"public" doc:"im öffentlichen Teil"`
	Reference      string           `json:"reference,omitempty" example:"A12/2026"`
	Title          string           `json:"title"`
	MotionID       string           `json:"motion_id,omitempty"`
	ConsultationID string           `json:"consultation_id,omitempty"`
	Result         motion.Result    `json:"result"`
	ResultLabel    string           `json:"result_label" example:"angenommen"`
	Vote           *motion.Vote     `json:"vote,omitempty" doc:"Stimmen, je Fraktion und namentlich, soweit erfasst"`
	EnBloc         []string         `json:"en_bloc,omitempty" doc:"TOP-Nummern derselben Sammelabstimmung (diese eingeschlossen)"`
}

// VoteFaction is a faction with a share in a vote of the meeting.
type VoteFaction struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// MeetingVotesBody are the results of a meeting.
type MeetingVotesBody struct {
	MeetingID string        `json:"meeting_id"`
	Factions  []VoteFaction `json:"factions" doc:"die Fraktionen mit Stimmen in einer der Abstimmungen, nach Namen; in CSV und XLSX je drei Spalten (Ja, Nein, Enthaltung)"`
	Items     []MeetingVote `json:"items"`
}

func (s *server) registerMeetingVotes(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "get-meeting-votes",
		Method:      http.MethodGet,
		Path:        "/v1/meetings/{id}/votes",
		Summary:     "Abstimmungsergebnisse einer Sitzung (JSON, CSV, XLSX)",
		Description: "Je Tagesordnungspunkt mit Ergebnis eine Zeile, in der Reihenfolge der Tagesordnung: TOP, Antrag, Ergebnis, " +
			"Ja/Nein/Enthaltung/Abwesend, Sammelabstimmung und die Stimmen je Fraktion (in CSV und XLSX je Fraktion drei Spalten); " +
			"danach die nur im Antrag für diese Sitzung erfassten Ergebnisse. Der nichtöffentliche Teil nur für das Ratsbüro " +
			"der Körperschaft; alle anderen sehen, was öffentlich ist.",
		Tags:      []string{"Meetings"},
		Security:  optionalToken,
		Responses: tableResponses(a, MeetingVotesBody{}, "MeetingVotesBody", "Ergebnisse"),
		Errors:    []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		MeetingPath
		Accept string `header:"Accept" hidden:"true"` // JSON, CSV or XLSX; see tableResponses
	}) (*TableOutput, error) {
		m, err := s.visibleMeetingState(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		actor := Caller(ctx)
		items, err := export.LoadMeetingVotes(ctx, s.store, m, actor, exportMaxRows)
		if errors.Is(err, export.ErrTooMany) {
			return nil, tooManyRows("Ergebnisse", "eine andere Sitzung")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		_, names, err := s.store.DisplayNames(ctx, m.BodyID, export.VoteFactionIDs(items))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		factions := export.VoteFactions(items, names)
		if format := listFormat(in.Accept); format != jsonType {
			out, err := exportTable(format, "abstimmungen-"+export.SafeName(m.ID), "Abstimmungen", export.VoteRows(items, factions))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return out, nil
		}
		body := MeetingVotesBody{MeetingID: m.ID, Factions: []VoteFaction{}, Items: []MeetingVote{}}
		for _, f := range factions {
			body.Factions = append(body.Factions, VoteFaction(f))
		}
		for _, it := range items {
			body.Items = append(body.Items, MeetingVote{Number: it.Number, ItemID: it.ItemID, Kind: it.Kind, KindLabel: it.Kind.Label(),
				Public: it.Public, Reference: it.Reference, Title: it.Title, MotionID: it.MotionID, ConsultationID: it.ConsultationID,
				Result: it.Result, ResultLabel: it.Result.Label(), Vote: it.Vote, EnBloc: it.EnBloc})
		}
		return &TableOutput{Vary: "Accept", Body: body}, nil
	})
}
