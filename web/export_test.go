package web_test

import (
	"bytes"
	"encoding/csv"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/xuri/excelize/v2"
)

// downloadLink finds the page's download link of a format ("CSV" or
// "Excel (XLSX)") and returns its URL, "" when there is none.
func downloadLink(body, label string) string {
	m := regexp.MustCompile(`<a href="([^"]*format=[^"]*)">` + regexp.QuoteMeta(label) + `</a>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// csvTable parses a downloaded CSV (BOM stripped).
func csvTable(t *testing.T, p page) [][]string {
	t.Helper()
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("%s: Content-Type %q, Content-Disposition %q", p.URL, p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column returns the cells of the column named name.
func column(t *testing.T, table [][]string, name string) []string {
	t.Helper()
	i := slices.Index(table[0], name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, table[0])
	}
	var out []string
	for _, row := range table[1:] {
		out = append(out, row[i])
	}
	return out
}

// TestDownloads: the council office finds links to the motion list (with
// the current filters) and to a meeting's votes as CSV and XLSX; the files
// hold what the pages' caller may see; nobody else is offered the links.
func TestDownloads(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	radwege := e.createDraft("spd", "Radwege sanieren", "Punkt eins.")
	must(t, e.act("spd", radwege, "submit", nil), 200)
	draft := e.createDraft("spd", "Radwege-Entwurf", "Punkt eins.")
	other := e.createDraft("cdu", "Bänke aufstellen", "Punkt eins.")
	must(t, e.act("cdu", other, "submit", nil), 200)

	list := e.get("office", "/antraege?fraktion=spd&weiter=")
	must(t, list, 200)
	link := downloadLink(list.Body, "CSV")
	if !strings.Contains(link, "fraktion=spd") || !strings.Contains(link, "format=csv") || strings.Contains(link, "weiter") {
		t.Fatalf("CSV link %q: want the filters without the page cursor", link)
	}
	if x := downloadLink(list.Body, "Excel (XLSX)"); !strings.Contains(x, "format=xlsx") {
		t.Errorf("XLSX link %q", x)
	}
	for _, user := range []string{"", "spd"} {
		if l := downloadLink(e.get(user, "/antraege").Body, "CSV"); l != "" {
			t.Errorf("%q is offered %s", user, l)
		}
	}
	table := csvTable(t, e.get("office", link))
	if ids := column(t, table, "Id"); !slices.Equal(ids, []string{radwege}) {
		t.Errorf("office's SPD export %v, want only %s (not the draft %s, not the CDU's %s)", ids, radwege, draft, other)
	}
	// The file holds what its caller may see: the faction's own draft too.
	spdTable := csvTable(t, e.get("spd", "/antraege?format=csv&fraktion=spd"))
	if ids := column(t, spdTable, "Id"); len(ids) != 2 || !slices.Contains(ids, draft) {
		t.Errorf("SPD's own export %v, want its draft %s too", ids, draft)
	}
	must(t, e.get("office", "/antraege?format=pdf"), 400)

	// A meeting whose process recorded a public and a non-public result.
	start := time.Now().AddDate(0, 0, -7).UTC().Truncate(time.Second)
	if _, err := e.st.CreateMeeting(ctx, store.Meeting{ID: "gr-dl", BodyID: "ma", OrganizationID: "gr", Name: "Gemeinderat", Start: start}); err != nil {
		t.Fatal(err)
	}
	m := meeting.Meeting{ID: "gr-dl", BodyID: "ma", OrganizationID: "gr", Name: "Gemeinderat", Start: start, Version: 1,
		Status: meeting.StatusHeld, UpdatedAt: start, Agenda: []meeting.Item{
			{ID: "t1", Number: "1", Kind: meeting.ItemPaper, Public: true, Title: "Haushaltssatzung", Status: meeting.ItemDecided,
				Result: motion.ResultAdopted, Vote: &motion.Vote{Yes: 3, No: 1, ByFaction: []motion.FactionVote{
					{OrganizationID: "spd", Yes: 3}, {OrganizationID: "cdu", No: 1}}}},
			{ID: "t2", Number: "N1", Kind: meeting.ItemFree, Public: false, Title: "Grundstück Q 7", Status: meeting.ItemDecided,
				Result: motion.ResultRejected},
		}}
	if err := e.st.ProjectMeeting(ctx, m, meeting.Event{MeetingID: m.ID, Version: 1, Command: meeting.CmdCloseSession, At: start,
		Status: meeting.StatusHeld, Summary: "Sitzung geschlossen"}); err != nil {
		t.Fatal(err)
	}
	show := e.get("office", "/sitzungen/gr-dl")
	must(t, show, 200)
	link = downloadLink(show.Body, "CSV")
	if link != "/sitzungen/gr-dl?format=csv" {
		t.Fatalf("votes link %q", link)
	}
	if l := downloadLink(e.get("spd", "/sitzungen/gr-dl").Body, "CSV"); l != "" {
		t.Errorf("faction staff is offered %s", l)
	}
	table = csvTable(t, e.get("office", link))
	if tops := column(t, table, "TOP"); !slices.Equal(tops, []string{"1", "N1"}) {
		t.Errorf("office's votes %q", table)
	}
	if got := column(t, table, "SPD-Gemeinderatsfraktion: Ja"); !slices.Equal(got, []string{"3", ""}) {
		t.Errorf("SPD's yes votes %q", got)
	}
	// Anybody else gets the public part only, here as a workbook.
	x := e.get("", "/sitzungen/gr-dl?format=xlsx")
	must(t, x, 200)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Abstimmungen")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "1" || rows[1][3] != "Haushaltssatzung" {
		t.Errorf("public votes %q", rows)
	}
}
