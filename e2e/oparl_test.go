package e2e

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/feeds"
	"github.com/motionflow/motionflow/feeds/feedstest"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/oparl/oparltest"
)

// publicServer serves the OParl endpoint and the Atom feeds on the
// harness's database, next to its API, the way cmd mounts them; links to
// motions lead to the API. It returns the server's base URL.
func (h *harness) publicServer(pageSize int) string {
	h.t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	h.t.Cleanup(srv.Close)
	link := h.URL + "/v1/motions/{id}"
	mux.Handle(oparl.Prefix, oparl.New(oparl.Config{BaseURL: srv.URL, PageSize: pageSize, MotionLink: link}, h.Store))
	mux.Handle(feeds.Prefix, feeds.Handler(feeds.Config{BaseURL: srv.URL, MotionLink: link}, h.Store))
	// The API's documents (a meeting's invitation and minutes) are served
	// under the same base URL, as in production.
	api, err := url.Parse(h.URL)
	if err != nil {
		h.t.Fatal(err)
	}
	mux.Handle("/v1/", httputil.NewSingleHostReverseProxy(api))
	return srv.URL
}

// oparlGet reads a public URL and returns its body.
func (h *harness) oparlGet(u string) []byte {
	h.t.Helper()
	res, err := http.Get(u)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", u, res.StatusCode, b)
	}
	return b
}

// oparlIDs follows a list through links.next and returns its ids.
func (h *harness) oparlIDs(u string) []string {
	h.t.Helper()
	var ids []string
	for u != "" {
		var page struct {
			Data  []struct{ ID string } `json:"data"`
			Links struct{ Next string } `json:"links"`
		}
		h.decode(response{Body: h.oparlGet(u), req: "GET " + u}, &page)
		for _, o := range page.Data {
			ids = append(ids, o.ID)
		}
		u = page.Links.Next
	}
	return ids
}

// TestOParlAndFeedsPublishTheExample carries the example through the real
// API (embedded Temporal, workflow, projection) and reads it back the way
// the public does: an importing OParl client walks the whole endpoint and
// validates every object against the OParl 1.1 schemas; a syncing client
// asks for what changed since its last visit; the faction's website reads
// the Atom feed.
func TestOParlAndFeedsPublishTheExample(t *testing.T) {
	ex := readExample(t)
	h := newHarness(t, api.Config{})
	pub := h.publicServer(2)
	base := pub + "/oparl/v1"

	// The signatories are councillors of the faction.
	for _, p := range []map[string]any{
		{"id": "ralf-eisenhauer", "given_name": "Ralf", "family_name": "Eisenhauer"},
		{"id": "boris-weirauch", "name": "Dr. Boris Weirauch", "given_name": "Boris", "family_name": "Weirauch"},
	} {
		h.mustStatus(h.call("POST", "/v1/bodies/"+bodyID+"/persons", h.Office, p), 201)
		h.mustStatus(h.call("POST", "/v1/organizations/"+factionSPD+"/members", h.Office, map[string]any{
			"person_id": p["id"], "role": "Stadtrat", "start": time.Date(2019, 7, 1, 0, 0, 0, 0, berlin)}), 201)
	}
	// Drafts of both factions, which must never appear.
	secret := h.create(h.SPD, motion.KindMotion, map[string]any{"title": "VERTRAULICHER ENTWURF", "resolution_points": []string{"Geheim."},
		"tags": ex.Tags, "signatories": []string{"Ralf Eisenhauer"}})
	secret2 := h.create(h.CDU, motion.KindMotion, map[string]any{"title": "VERTRAULICHER ENTWURF 2", "resolution_points": []string{"Geheim."}})

	other := h.create(h.CDU, motion.KindMotion, map[string]any{
		"title": "Digitalstrategie für die Stadtverwaltung", "resolution_points": []string{"Die Verwaltung legt eine Digitalstrategie vor."}})
	h.run(h.CDU, other.ID, motion.CmdSubmit, nil)
	other = h.run(h.Office, other.ID, motion.CmdRegister, nil)
	ha := h.meeting("ha-2020-01-28", committee, "Hauptausschuss (Haushaltsberatungen)", time.Date(2020, 1, 28, 16, 0, 0, 0, berlin))
	gr := h.meeting("gr-2020-02-11", council, "Gemeinderat (Haushaltssitzung)", time.Date(2020, 2, 11, 15, 0, 0, 0, berlin))

	pdf := "https://www.spd-fraktion-mannheim.example/dokumente/" + url.PathEscape(ex.Attachment)
	m := h.create(h.SPD, motion.KindBudgetMotion, map[string]any{
		"title": ex.Title, "resolution_points": ex.ResolutionPoints, "justification": ex.Justification, "tags": ex.Tags,
		"budget_cycle": "Haushalt 2020/2021", "signatories": []string{"Ralf Eisenhauer", "Dr. Boris Weirauch"},
		"attachments": []map[string]any{{"name": ex.Attachment, "url": pdf, "content_type": "application/pdf"}},
	})
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	m = h.run(h.Office, m.ID, motion.CmdRegister, nil)
	m = h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": committee}, {"organization_id": council, "decisive": true}}})
	haStep, grStep := m.Consultations[0].ID, m.Consultations[1].ID
	// The 2020 sessions are past: the council office enters them after the fact.
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": haStep, "meeting_id": ha, "override": backfill})
	h.run(h.Office, m.ID, motion.CmdRecordResult, map[string]any{"consultation_id": haStep, "result": "recommend_approval",
		"vote": map[string]any{"yes": 9, "no": 5, "abstain": 1}})
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": grStep, "meeting_id": gr, "override": backfill})

	// A syncing client was here last after the scheduling.
	time.Sleep(1100 * time.Millisecond)
	lastVisit := time.Now()
	m = h.run(h.Office, m.ID, motion.CmdRecordResult, map[string]any{
		"consultation_id": grStep, "result": "settled_by_other_resolutions",
		"links":             []map[string]any{{"motion_id": other.ID, "reference": other.Reference, "title": other.Title}},
		"originator_agreed": true, "note": "Erledigt durch die Beschlüsse zum Haushalt 2020/2021.",
	})
	if m.Status != motion.StatusDecided || m.OutcomeLabel+"." != ex.Result {
		t.Fatalf("the example ended %s with %q", m.Status, m.OutcomeLabel)
	}

	// 1. An importing client walks everything and finds only valid objects.
	crawl := oparltest.Walk(t, http.DefaultClient, base+"/system", oparltest.LoadSchemas(t, "../oparl/testdata/schema"))
	crawl.CheckReferences(t)
	for _, b := range crawl.Bodies {
		for _, leak := range []string{"VERTRAULICHER", secret.ID, secret2.ID} {
			if bytes.Contains(b, []byte(leak)) {
				t.Fatalf("a draft leaks (%s): %s", leak, b)
			}
		}
	}
	if papers := crawl.OfType("Paper"); len(papers) != 2 {
		t.Errorf("%d papers, want the example and the motion that settled it", len(papers))
	}

	// The example is a Paper that says what was recorded.
	p := crawl.Objects[base+"/paper/"+m.ID]
	if p == nil {
		t.Fatalf("no paper for the example")
	}
	for k, want := range map[string]any{
		"name": ex.Title, "reference": m.Reference, "paperType": "Haushaltsantrag",
		"date": m.SubmittedAt.In(berlin).Format(time.DateOnly), "web": h.URL + "/v1/motions/" + m.ID,
	} {
		if p[k] != want {
			t.Errorf("paper %s = %v, want %v", k, p[k], want)
		}
	}
	if !slices.Equal(oparlStrings(p["keyword"]), ex.Tags) ||
		!slices.Equal(oparlStrings(p["originatorOrganization"]), []string{base + "/organization/" + factionSPD}) ||
		!slices.Equal(oparlStrings(p["originatorPerson"]), []string{base + "/person/ralf-eisenhauer", base + "/person/boris-weirauch"}) ||
		!slices.Equal(oparlStrings(p["relatedPaper"]), []string{base + "/paper/" + other.ID}) {
		t.Errorf("paper keywords/originators/related: %v %v %v %v", p["keyword"], p["originatorOrganization"], p["originatorPerson"], p["relatedPaper"])
	}
	// Its mainFile is the motion's own PDF, served by the API; the
	// attachment is an auxiliaryFile.
	if f, _ := p["mainFile"].(map[string]any); f["accessUrl"] != h.URL+"/v1/motions/"+m.ID+"/pdf" || f["mimeType"] != "application/pdf" {
		t.Errorf("mainFile %v", p["mainFile"])
	}
	if aux, _ := p["auxiliaryFile"].([]any); len(aux) != 1 || aux[0].(map[string]any)["accessUrl"] != pdf ||
		aux[0].(map[string]any)["fileName"] != ex.Attachment {
		t.Errorf("auxiliaryFile %v", p["auxiliaryFile"])
	}
	// Every paper's mainFile serves a PDF to anyone.
	for _, paper := range crawl.OfType("Paper") {
		f, _ := paper["mainFile"].(map[string]any)
		res, err := http.Get(oparlString(f["accessUrl"]))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%v: mainFile %v answers %d %s", paper["id"], f["accessUrl"], res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	cons, _ := p["consultation"].([]any)
	if len(cons) != len(m.Consultations) {
		t.Fatalf("paper has %d consultations, the motion %d", len(cons), len(m.Consultations))
	}
	for i, k := range m.Consultations {
		c := cons[i].(map[string]any)
		item := crawl.Objects[oparlString(c["agendaItem"])]
		if c["id"] != base+"/consultation/"+m.ID+"/"+k.ID || c["authoritative"] != k.Decisive ||
			!slices.Equal(oparlStrings(c["organization"]), []string{base + "/organization/" + k.OrganizationID}) ||
			c["meeting"] != base+"/meeting/"+k.Record.MeetingID || item == nil || item["result"] != k.Record.Result.Label() {
			t.Errorf("consultation %s: %v, agenda item %v; recorded %+v", k.ID, c, item, k.Record)
		}
	}
	if item := crawl.Objects[oparlString(cons[1].(map[string]any)["agendaItem"])]; oparlString(item["result"])+"." != ex.Result {
		t.Errorf("the council's agenda item says %v, the faction published %q", item["result"], ex.Result)
	}
	if p["modified"] != m.UpdatedAt.Truncate(time.Microsecond).In(berlin).Format("2006-01-02T15:04:05.999999Z07:00") {
		t.Errorf("paper modified %v, motion updated %v", p["modified"], m.UpdatedAt)
	}

	// 2. A syncing client gets exactly what changed since its last visit:
	// the paper, the consultation whose result was recorded, its agenda item
	// and the meeting that embeds it.
	since := url.QueryEscape(lastVisit.Format(time.RFC3339Nano))
	for list, want := range map[string][]string{
		"papers":        {base + "/paper/" + m.ID},
		"consultations": {base + "/consultation/" + m.ID + "/" + grStep},
		"agendaitems":   {base + "/agendaitem/" + gr + "/" + m.ID + "/" + grStep},
		"meetings":      {base + "/meeting/" + gr},
		"organizations": nil, "persons": nil, "memberships": nil, "files": nil, "locations": nil, "legislativeterms": nil,
	} {
		if got := h.oparlIDs(base + "/body/" + bodyID + "/" + list + "?modified_since=" + since); !slices.Equal(got, want) {
			t.Errorf("%s modified since the last visit: %v, want %v", list, got, want)
		}
	}

	// 3. The faction's website reads its Atom feed.
	doc := h.oparlGet(pub + "/feeds/atom/factions/" + factionSPD + ".xml")
	feed, problems := feedstest.Check(doc)
	for _, pr := range problems {
		t.Errorf("Atom: %s", pr)
	}
	if bytes.Contains(doc, []byte("VERTRAULICHER")) || len(feed.Entry) != 1 {
		t.Fatalf("the SPD feed has %d entries:\n%s", len(feed.Entry), doc)
	}
	e := feed.Entry[0]
	if e.Title[0].Body != "Haushaltsantrag: "+ex.Title || !strings.Contains(e.Summary[0].Body, "Ergebnis: Erledigt durch andere Beschlüsse") ||
		!strings.Contains(e.Content[0].Body, "Ergebnis: Erledigt durch andere Beschlüsse") || e.ID[0] != "urn:uuid:"+m.ID ||
		e.Author[0].Name[0] != "SPD-Gemeinderatsfraktion Mannheim" {
		t.Errorf("feed entry %+v", e)
	}
	for _, point := range ex.ResolutionPoints {
		if !strings.Contains(e.Content[0].Body, html.EscapeString(point)) {
			t.Errorf("the entry lacks the point %q", point)
		}
	}
	// Its link leads to the motion, which the public may read.
	if !strings.HasPrefix(e.Alternate(), h.URL) {
		t.Fatalf("alternate link %q", e.Alternate())
	}
	h.mustStatus(h.call("GET", strings.TrimPrefix(e.Alternate(), h.URL), h.Anon, nil), 200)
	tagDoc := h.oparlGet(pub + "/feeds/atom/tags/" + url.PathEscape("Haushalt2020") + ".xml")
	tagFeed, problems := feedstest.Check(tagDoc)
	if len(problems) > 0 || len(tagFeed.Entry) != 1 || tagFeed.Entry[0].ID[0] != e.ID[0] {
		t.Errorf("tag feed: %v %+v", problems, tagFeed)
	}
}

func oparlString(v any) string {
	s, _ := v.(string)
	return s
}

func oparlStrings(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, oparlString(x))
	}
	return out
}
