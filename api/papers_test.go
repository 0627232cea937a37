package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/store"
)

func TestPapersSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, api.Config{})
	day := func(d int) *time.Time { x := time.Date(2016, 3, d, 0, 0, 0, 0, time.UTC); return &x }
	var papers []store.ImportedPaper
	for i, p := range []struct{ name, text string }{
		{"Sanierung des Bürgerhauses", "Die Schuldnerberatung zieht in das Bürgerhaus."},
		{"Radwege in der Innenstadt", ""},
		{"Mehr Radwege am Neckar", ""},
	} {
		id := "mannheim-paper-" + string(rune('1'+i))
		src := "https://ris.example/paper/" + string(rune('1'+i))
		papers = append(papers, store.ImportedPaper{ID: id, BodyID: "mannheim", SourceID: src, Name: p.name,
			Reference: "DS 0" + string(rune('1'+i)) + "/2016", PaperType: "Antrag", Date: day(i + 1),
			Files: []store.ImportedFile{{ID: id + "-f", SourceID: src + "/file", Name: "Vorlage", MimeType: "application/pdf",
				AccessURL: src + "/file/access", Text: p.text}}})
	}
	if _, err := e.store.ImportPapers(t.Context(), papers); err != nil {
		t.Fatal(err)
	}
	list := func(query string) (items []store.ArchivedPaper, next string) {
		t.Helper()
		r := e.do(http.MethodGet, "/v1/papers"+query, "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET /v1/papers%s: %d %s", query, r.status, r.body)
		}
		var out struct {
			Items []store.ArchivedPaper `json:"items"`
			Next  string                `json:"next"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		return out.Items, out.Next
	}
	// Anonymous, German full text over the name and the files' text.
	for q, want := range map[string]string{"Schuldnerberatung": "mannheim-paper-1", "Bürgerhaus": "mannheim-paper-1", "Neckar": "mannheim-paper-3"} {
		items, _ := list("?q=" + url.QueryEscape(q) + "&body=mannheim")
		if len(items) != 1 || items[0].ID != want || items[0].SourceID == "" || items[0].Reference == "" || len(items[0].Files) != 1 {
			t.Errorf("q=%s: %+v", q, items)
		}
	}
	if items, _ := list("?q=Radwege&body=heidelberg"); len(items) != 0 {
		t.Errorf("another body's papers: %+v", items)
	}
	// Keyset pages, newest first.
	var ids []string
	for cursor := ""; ; {
		items, next := list("?q=Radwege&limit=1&cursor=" + cursor)
		for _, p := range items {
			ids = append(ids, p.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(ids, ",") != "mannheim-paper-3,mannheim-paper-2" {
		t.Errorf("pages: %v", ids)
	}
	// Bad parameters are problems.
	for query, status := range map[string]int{"?cursor=kaputt": http.StatusBadRequest, "?limit=0": http.StatusUnprocessableEntity} {
		r := e.do(http.MethodGet, "/v1/papers"+query, "", nil)
		if r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET /v1/papers%s: %d %s %s", query, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
}
