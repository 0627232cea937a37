package oparl_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/oparl/oparltest"
	"github.com/motionflow/motionflow/store"
)

const secretTitle = "GEHEIMER ENTWURF"

// example carries "Digitalisierung im Quadrat" to its outcome the way the
// council office recorded it, next to the CDU motion that settled it.
func (f *fixture) example() (ex, other *motion.Motion) {
	f.t.Helper()
	other = f.submitted("cdu-digitalstrategie", f.cdu, "Digitalstrategie für die Stadtverwaltung")
	f.register(other, 761)
	f.meeting("ha-2020-01-28", committee, "Hauptausschuss (Haushaltsberatungen)", time.Date(2020, 1, 28, 16, 0, 0, 0, berlin))
	f.meeting("gr-2020-02-11", council, "Gemeinderat (Haushaltssitzung)", time.Date(2020, 2, 11, 15, 0, 0, 0, berlin))
	ex = f.draft("spd-digitalisierung-im-quadrat", f.spd, motion.KindBudgetMotion, motion.Content{
		Title: "Digitalisierung im Quadrat",
		ResolutionPoints: []string{
			"Zur befristeten Anschubfinanzierung zur Implementierung des Projekts „digitale Metropole“ werden Sachmittel in Höhe von 225.000 Euro bereitgestellt.",
			"Aus dem internen Stellenpool der Stadtverwaltung werden zwei weitere Stellen im Fachbereich Sicherheit und Ordnung eingerichtet.",
			"Die Stadtverwaltung richtet einen Fonds für kreative Kleinstbetriebe zur digitalen Umstellung ein.",
		},
		Justification: "Infrastruktur ist mehr als Beton und Stahl.",
		Tags:          []string{"Antrag Mobilität und Digitalisierung", "Haushalt2020"},
		BudgetCycle:   "Haushalt 2020/2021",
		Signatories:   []string{"Ralf Eisenhauer", "Dr. Boris Weirauch", "Niemand Unbekannt"},
		Attachments: []motion.Attachment{
			{Name: "Notizen.txt", ContentType: "text/plain"}, // no address: not a File
			{Name: "A762_2019_Digitalisierung_im_Quadrat_SPD.pdf", URL: "https://www.spd-mannheim.example/A762_2019.pdf", ContentType: "application/pdf", Size: 182044},
		},
	})
	f.step(ex, f.spd, motion.Submit{})
	f.register(ex, 762)
	f.step(ex, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: committee}, {OrganizationID: council, Decisive: true}}})
	f.step(ex, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "ha-2020-01-28"})
	f.step(ex, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{
		Result: motion.ResultRecommendApproval, Vote: &motion.Vote{Yes: 9, No: 5, Abstain: 1}}})
	f.step(ex, f.office, motion.Schedule{ConsultationID: "c2", MeetingID: "gr-2020-02-11"})
	f.step(ex, f.office, motion.RecordResult{ConsultationID: "c2", ResultInput: motion.ResultInput{
		Result:           motion.ResultSettledByOtherResolutions,
		Links:            []motion.Link{{MotionID: other.ID, Reference: other.Reference, Title: other.Title}},
		OriginatorAgreed: ptr(true),
		Note:             "Erledigt durch die Beschlüsse zum Haushalt 2020/2021.",
	}})
	return ex, other
}

// people adds the signatories as persons, members of the SPD faction.
func (f *fixture) people() {
	f.t.Helper()
	ctx := f.t.Context()
	start := time.Date(2019, 7, 1, 0, 0, 0, 0, berlin)
	for _, p := range []store.Person{
		{ID: "eisenhauer", GivenName: "Ralf", FamilyName: "Eisenhauer"},
		{ID: "weirauch", Name: "Dr. Boris Weirauch", GivenName: "Boris", FamilyName: "Weirauch"},
	} {
		p.BodyID = bodyID
		ok(f.t)(f.st.CreatePerson(ctx, p))
		ok(f.t)(f.st.AddMembership(ctx, store.Membership{ID: "spd-" + p.ID, PersonID: p.ID, OrganizationID: spd, Role: "Mitglied", Start: &start}))
	}
	ok(f.t)(f.st.ImportLegislativeTerm(ctx, store.OParlLegislativeTerm{ID: "wp-2019", BodyID: bodyID, Name: "Wahlperiode 2019–2024",
		Start: ptr(time.Date(2019, 7, 1, 0, 0, 0, 0, berlin)), End: ptr(time.Date(2024, 6, 30, 0, 0, 0, 0, berlin))}))
}

func TestWalkLikeAnImportingClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{PageSize: 3, MotionLink: "https://rat.example/antraege/{id}"})
	f.people()
	ctx := t.Context()

	// A person who left, and a membership that was removed: tombstones.
	ok(t)(f.st.CreatePerson(ctx, store.Person{ID: "ausgeschieden", BodyID: bodyID, Name: "Alt Ausgeschieden"}))
	ok(t)(f.st.AddMembership(ctx, store.Membership{ID: "cdu-ausgeschieden", PersonID: "ausgeschieden", OrganizationID: cdu}))
	ok(t)(f.st.MarkOParlDeleted(ctx, store.OParlKindPerson, "ausgeschieden"))
	ok(t)(f.st.MarkOParlDeleted(ctx, store.OParlKindMembership, "cdu-ausgeschieden"))

	ex, other := f.example()
	// Enough public motions for several pages …
	for i := range 7 {
		m := f.submitted(fmt.Sprintf("cdu-%02d", i), f.cdu, fmt.Sprintf("Antrag Nummer %d", i))
		f.register(m, 800+i)
	}
	// … and drafts that must never appear: one plain, one with everything a
	// paper shows, one of the faction whose motions are public.
	drafts := []*motion.Motion{
		f.draft("aaa-draft", f.spd, motion.KindMotion, motion.Content{Title: secretTitle + " 1", ResolutionPoints: []string{"x"}}),
		f.draft("zzz-draft", f.cdu, motion.KindMotion, motion.Content{Title: secretTitle + " 2", ResolutionPoints: []string{"y"},
			Tags: []string{"Haushalt2020"}, Signatories: []string{"Ralf Eisenhauer"},
			Attachments: []motion.Attachment{{Name: "geheim.pdf", URL: "https://geheim.example/geheim.pdf"}}}),
	}

	schemas := oparltest.LoadSchemas(t, "testdata/schema")
	crawl := oparltest.Walk(t, http.DefaultClient, f.base+"/system", schemas)
	crawl.CheckReferences(t)

	// Drafts never appear, in no list and no object.
	for _, b := range crawl.Bodies {
		for _, d := range drafts {
			if bytes.Contains(b, []byte(secretTitle)) || bytes.Contains(b, []byte(d.ID)) || bytes.Contains(b, []byte("geheim")) {
				t.Fatalf("a draft leaks: %s", b)
			}
		}
	}
	for _, d := range drafts {
		if res := f.get("/paper/"+d.ID, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET draft %s: %d, want 404", d.ID, res.StatusCode)
		}
		if res := f.get("/file/"+d.ID+"/0", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET draft's document %s: %d, want 404", d.ID, res.StatusCode)
		}
	}

	// Every list was paged, each object listed once.
	papers := crawl.OfType("Paper")
	if len(papers) != 9 || crawl.Pages < 12 {
		t.Errorf("%d papers on %d pages, want 9 papers and paged lists", len(papers), crawl.Pages)
	}
	for name, n := range map[string]int{"Body": 1, "Organization": 5, "Person": 3, "Membership": 3, "Meeting": 2,
		"AgendaItem": 2, "Consultation": 2, "File": 1 + 9, "LegislativeTerm": 1, "Location": 1, "System": 1} {
		if got := len(crawl.OfType(name)); got != n {
			t.Errorf("%d objects of type %s, want %d", got, name, n)
		}
	}

	// The example as a paper: what the faction published, the route and the result.
	p := crawl.Objects[f.base+"/paper/"+ex.ID]
	if p == nil {
		t.Fatalf("the example is not a paper; papers: %v", crawl.Lists[f.base+"/body/"+bodyID+"/papers"])
	}
	want := map[string]any{
		"name": "Digitalisierung im Quadrat", "reference": ex.Reference, "paperType": "Haushaltsantrag",
		"date": "2019-12-12", "body": f.base + "/body/" + bodyID, "web": "https://rat.example/antraege/" + ex.ID,
		"keyword":                []any{"Antrag Mobilität und Digitalisierung", "Haushalt2020"},
		"originatorOrganization": []any{f.base + "/organization/" + spd},
		"originatorPerson":       []any{f.base + "/person/eisenhauer", f.base + "/person/weirauch"},
		"relatedPaper":           []any{f.base + "/paper/" + other.ID},
		"modified":               oparlTime(ex.UpdatedAt),
		"created":                oparlTime(*ex.SubmittedAt),
	}
	for k, v := range want {
		if g, w := js(p[k]), js(v); g != w {
			t.Errorf("paper %s = %s, want %s", k, g, w)
		}
	}
	// The mainFile is the motion's own document, the PDF at MotionLink +
	// "/pdf"; the attachment with an address is an auxiliaryFile.
	main, _ := p["mainFile"].(map[string]any)
	if main["accessUrl"] != "https://rat.example/antraege/"+ex.ID+"/pdf" || main["mimeType"] != "application/pdf" ||
		main["id"] != f.base+"/file/"+ex.ID+"/0" || main["fileName"] != strings.ReplaceAll(ex.Reference, "/", "-")+".pdf" ||
		js(main["paper"]) != js([]any{f.base + "/paper/" + ex.ID}) {
		t.Errorf("mainFile %v", main)
	}
	if obj := crawl.Objects[f.base+"/file/"+ex.ID+"/0"]; js(obj) != js(main) {
		t.Errorf("the mainFile's own URL serves %s, the paper embeds %s", js(obj), js(main))
	}
	aux, _ := p["auxiliaryFile"].([]any)
	if len(aux) != 1 || aux[0].(map[string]any)["accessUrl"] != "https://www.spd-mannheim.example/A762_2019.pdf" ||
		aux[0].(map[string]any)["id"] != f.base+"/file/"+ex.ID+"/2" {
		t.Errorf("auxiliaryFile %v", p["auxiliaryFile"])
	}
	// Every paper has its PDF as mainFile.
	for _, id := range crawl.Lists[f.base+"/body/"+bodyID+"/papers"] {
		pp := crawl.Objects[id]
		if pp["deleted"] == true {
			continue
		}
		mf, _ := pp["mainFile"].(map[string]any)
		if mf["mimeType"] != "application/pdf" || !strings.HasSuffix(fmt.Sprint(mf["accessUrl"]), "/pdf") {
			t.Errorf("paper %s has mainFile %v", id, mf)
		}
	}
	cons, _ := p["consultation"].([]any)
	if len(cons) != 2 {
		t.Fatalf("paper has %d consultations, want 2: %s", len(cons), js(p))
	}
	for i, w := range []struct {
		org, meeting, role, result string
		authoritative              bool
	}{
		{committee, "ha-2020-01-28", "Vorberatung", "Zustimmung empfohlen", false},
		{council, "gr-2020-02-11", "Entscheidung", "Erledigt durch andere Beschlüsse", true},
	} {
		c := cons[i].(map[string]any)
		if js(c["organization"]) != js([]any{f.base + "/organization/" + w.org}) || c["meeting"] != f.base+"/meeting/"+w.meeting ||
			c["role"] != w.role || c["authoritative"] != w.authoritative || c["paper"] != p["id"] {
			t.Errorf("consultation %d: %s", i, js(c))
		}
		item := crawl.Objects[c["agendaItem"].(string)]
		if item == nil || item["result"] != w.result || item["meeting"] != c["meeting"] || item["consultation"] != c["id"] ||
			item["name"] != "Digitalisierung im Quadrat" {
			t.Errorf("agenda item of consultation %d: %s", i, js(item))
		}
		// The meeting embeds the same agenda item.
		mt := crawl.Objects[c["meeting"].(string)]
		if items, _ := mt["agendaItem"].([]any); len(items) != 1 || js(items[0]) != js(item) {
			t.Errorf("meeting %s embeds %s, want %s", w.meeting, js(mt["agendaItem"]), js(item))
		}
		if loc, _ := mt["location"].(map[string]any); loc["description"] != place {
			t.Errorf("meeting %s location %v", w.meeting, mt["location"])
		}
	}
	if item := crawl.Objects[cons[1].(map[string]any)["agendaItem"].(string)]; item["resolutionText"] != "Erledigt durch die Beschlüsse zum Haushalt 2020/2021." {
		t.Errorf("resolution text %v", item["resolutionText"])
	}

	// Tombstones are listed, and stay reachable.
	gone := crawl.Objects[f.base+"/person/ausgeschieden"]
	if gone["deleted"] != true || gone["name"] != nil || gone["created"] == nil || gone["modified"] == nil {
		t.Errorf("deleted person: %s", js(gone))
	}
	if !slices.Contains(crawl.Lists[f.base+"/body/"+bodyID+"/memberships"], f.base+"/membership/cdu-ausgeschieden") {
		t.Errorf("the deleted membership is not listed")
	}
	// The person of the faction embeds its membership; the faction lists it.
	person := crawl.Objects[f.base+"/person/weirauch"]
	if ms, _ := person["membership"].([]any); len(ms) != 1 || ms[0].(map[string]any)["organization"] != f.base+"/organization/"+spd ||
		ms[0].(map[string]any)["startDate"] != "2019-07-01" {
		t.Errorf("person memberships: %s", js(person["membership"]))
	}
	body := crawl.Objects[f.base+"/body/"+bodyID]
	if terms, _ := body["legislativeTerm"].([]any); len(terms) != 1 || terms[0].(map[string]any)["startDate"] != "2019-07-01" ||
		terms[0].(map[string]any)["endDate"] != "2024-06-30" {
		t.Errorf("legislative terms: %s", js(body["legislativeTerm"]))
	}
}

// TestModifiedSince: the filters return exactly the objects changed in the
// window, down to the single consultation and agenda item whose result was
// recorded, whatever the spelling of the time.
func TestModifiedSince(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{PageSize: 2})
	f.people()
	// Real clock, so that the directory's times (the database's clock) and
	// the motions' (the workflow's) are comparable.
	now := func() time.Time { return time.Now() }
	f.meeting("ha", committee, "Hauptausschuss", time.Date(2020, 1, 28, 16, 0, 0, 0, berlin))
	f.meeting("gr", council, "Gemeinderat", time.Date(2020, 2, 11, 15, 0, 0, 0, berlin))
	m := &motion.Motion{ID: "m"}
	f.stepAt(m, f.spd, motion.Create{BodyID: bodyID, Kind: motion.KindMotion, Content: motion.Content{Title: "Ein Antrag", ResolutionPoints: []string{"x"}}}, now())
	f.stepAt(m, f.spd, motion.Submit{}, now())
	f.stepAt(m, f.office, motion.Register{Reference: "A1/2026", Year: 2026, Seq: 1}, now())
	f.stepAt(m, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: committee}, {OrganizationID: council, Decisive: true}}}, now())
	f.stepAt(m, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "ha"}, now())
	f.stepAt(m, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{Result: motion.ResultRecommendApproval}}, now())
	f.stepAt(m, f.office, motion.Schedule{ConsultationID: "c2", MeetingID: "gr"}, now())
	quiet := f.submitted("quiet", f.cdu, "Ein anderer Antrag")
	_ = quiet

	time.Sleep(1100 * time.Millisecond) // so that even a second-precision bound separates before from after
	since := time.Now()
	time.Sleep(10 * time.Millisecond)
	f.stepAt(m, f.office, motion.RecordResult{ConsultationID: "c2", ResultInput: motion.ResultInput{Result: motion.ResultAdopted}}, now())
	ok(t)(f.st.CreatePerson(t.Context(), store.Person{ID: "neu", BodyID: bodyID, Name: "Nora Neu"}))
	time.Sleep(10 * time.Millisecond)
	until := time.Now()

	lists := map[string][]string{
		"papers":           {"/paper/m"},
		"consultations":    {"/consultation/m/c2"},
		"agendaitems":      {"/agendaitem/gr/m/c2"},
		"meetings":         {"/meeting/gr"},
		"persons":          {"/person/neu"},
		"organizations":    nil,
		"memberships":      nil,
		"files":            nil,
		"locations":        nil,
		"legislativeterms": nil,
	}
	spellings := map[string]string{
		"fractions, Z":           since.UTC().Format(time.RFC3339Nano),
		"fractions, offset":      since.In(berlin).Format("2006-01-02T15:04:05.999999-07:00"),
		"seconds, offset":        since.In(berlin).Format(time.RFC3339),
		"seconds, Z":             since.UTC().Format(time.RFC3339),
		"unencoded plus (blank)": strings.Replace(since.In(berlin).Format(time.RFC3339), "+", " ", 1),
	}
	for spelling, s := range spellings {
		for list, want := range lists {
			got := f.listAll("/body/"+bodyID+"/"+list, url.Values{"modified_since": {s}})
			var w []string
			for _, p := range want {
				w = append(w, f.base+p)
			}
			if !slices.Equal(got, w) {
				t.Errorf("%s modified_since %s (%s) = %v, want %v", list, s, spelling, got, w)
			}
		}
	}
	// The window [since, until] is the same; before it, everything else.
	for list, want := range lists {
		got := f.listAll("/body/"+bodyID+"/"+list, url.Values{
			"modified_since": {since.Format(time.RFC3339Nano)}, "modified_until": {until.Format(time.RFC3339Nano)}})
		if len(got) != len(want) {
			t.Errorf("%s in [since, until]: %v, want %v", list, got, want)
		}
		before := f.listAll("/body/"+bodyID+"/"+list, url.Values{"modified_until": {since.Format(time.RFC3339Nano)}})
		all := f.listAll("/body/"+bodyID+"/"+list, nil)
		if len(before)+len(want) != len(all) {
			t.Errorf("%s: %d before, %d since, %d in all", list, len(before), len(want), len(all))
		}
	}
	if got := f.listAll("/body/"+bodyID+"/persons", url.Values{"created_since": {since.Format(time.RFC3339)}}); !slices.Equal(got, []string{f.base + "/person/neu"}) {
		t.Errorf("persons created since: %v", got)
	}
	if got := f.listAll("/body/"+bodyID+"/papers", url.Values{"created_since": {since.Format(time.RFC3339)}}); len(got) != 0 {
		t.Errorf("papers created since: %v", got)
	}

	// The paper's and the meeting's modified are the recorded result's time.
	var p, mt map[string]any
	f.get("/paper/m", &p)
	f.get("/meeting/gr", &mt)
	if p["modified"] != oparlTime(m.UpdatedAt) || mt["modified"] != oparlTime(m.UpdatedAt) {
		t.Errorf("paper modified %v, meeting modified %v, want %s", p["modified"], mt["modified"], oparlTime(m.UpdatedAt))
	}
	// The links keep the filter.
	var page struct {
		Links struct{ Next string } `json:"links"`
	}
	f.get("/body/"+bodyID+"/persons?created_until=2100-01-01T00:00:00Z", &page)
	if !strings.Contains(page.Links.Next, "created_until=2100-01-01T00%3A00%3A00Z") {
		t.Errorf("next page %q lost the filter", page.Links.Next)
	}
}

// TestTombstonesOfDerivedObjects: a consultation dropped from the route and
// an agenda item of a postponed consultation stay as deleted objects with a
// new modified; the paper and the meeting change with them.
func TestTombstonesOfDerivedObjects(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{})
	f.meeting("ha", committee, "Hauptausschuss", time.Date(2020, 1, 28, 16, 0, 0, 0, berlin))
	f.clock = time.Now() // after the meeting's creation, which the database timed
	m := f.submitted("m", f.spd, "Ein Antrag")
	f.register(m, 1)
	f.step(m, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: committee}, {OrganizationID: council, Decisive: true}}})
	f.step(m, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "ha"})
	var item map[string]any
	f.get("/agendaitem/ha/m/c1", &item)
	if item["order"] != 1.0 || item["deleted"] != nil {
		t.Fatalf("agenda item %v", item)
	}
	// Postponed: the item leaves the meeting's agenda.
	f.step(m, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{Result: motion.ResultPostponed}})
	item = nil
	f.get("/agendaitem/ha/m/c1", &item)
	if item["deleted"] != true || item["modified"] != oparlTime(m.UpdatedAt) || item["meeting"] != nil {
		t.Errorf("postponed agenda item %v", item)
	}
	var mt map[string]any
	f.get("/meeting/ha", &mt)
	if mt["agendaItem"] != nil || mt["modified"] != oparlTime(m.UpdatedAt) {
		t.Errorf("meeting after postponement: %v", mt)
	}
	// A new route drops the planned steps.
	f.step(m, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: council, Decisive: true}}})
	var c map[string]any
	f.get("/consultation/m/c1", &c)
	if c["deleted"] != true || c["modified"] != oparlTime(m.UpdatedAt) {
		t.Errorf("dropped consultation %v", c)
	}
	var p map[string]any
	f.get("/paper/m", &p)
	if cs, _ := p["consultation"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != f.base+"/consultation/m/c3" {
		t.Errorf("paper consultations after the new route: %v", p["consultation"])
	}
	ids := f.listAll("/body/"+bodyID+"/consultations", nil)
	if !slices.Equal(ids, []string{f.base + "/consultation/m/c1", f.base + "/consultation/m/c2", f.base + "/consultation/m/c3"}) {
		t.Errorf("consultations %v", ids)
	}
	// Scheduled again into the same meeting: the item comes back, its place kept.
	f.step(m, f.office, motion.Schedule{ConsultationID: "c3", MeetingID: "ha"})
	item = nil
	f.get("/agendaitem/ha/m/c3", &item)
	if item["order"] != 2.0 || item["deleted"] != nil {
		t.Errorf("agenda item of c3: %v", item)
	}
}

// TestKeysetPagesAreStable: objects added while a client pages do not make
// it see an object twice or miss one it had not reached.
func TestKeysetPagesAreStable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{PageSize: 2})
	for _, id := range []string{"b", "d", "f", "h"} {
		f.submitted(id, f.cdu, "Antrag "+id)
	}
	var page struct {
		Data       []map[string]any `json:"data"`
		Pagination struct {
			ElementsPerPage int `json:"elementsPerPage"`
			CurrentPage     int `json:"currentPage"`
		} `json:"pagination"`
		Links struct{ First, Self, Next string } `json:"links"`
	}
	f.get("/body/"+bodyID+"/papers", &page)
	if len(page.Data) != 2 || page.Pagination.ElementsPerPage != 2 || page.Pagination.CurrentPage != 1 || page.Links.Next == "" {
		t.Fatalf("first page %+v", page)
	}
	seen := []string{page.Data[0]["id"].(string), page.Data[1]["id"].(string)}
	f.submitted("a", f.cdu, "Antrag a") // before the page boundary
	f.submitted("e", f.cdu, "Antrag e") // after it
	next := page.Links.Next
	for next != "" {
		page.Links.Next = ""
		f.get(next, &page)
		for _, o := range page.Data {
			seen = append(seen, o["id"].(string))
		}
		next = page.Links.Next
	}
	var want []string
	for _, id := range []string{"b", "d", "e", "f", "h"} {
		want = append(want, f.base+"/paper/"+id)
	}
	if !slices.Equal(seen, want) {
		t.Errorf("paged through %v, want %v", seen, want)
	}
	// elementsPerPage asks for smaller pages, never larger ones.
	f.get("/body/"+bodyID+"/papers?elementsPerPage=1", &page)
	if len(page.Data) != 1 {
		t.Errorf("elementsPerPage=1 gave %d", len(page.Data))
	}
	f.get("/body/"+bodyID+"/papers?elementsPerPage=50", &page)
	if len(page.Data) != 2 {
		t.Errorf("elementsPerPage=50 gave %d, the server's page size is 2", len(page.Data))
	}
}

func TestOmitInternal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{})
	f.people()
	f.example()
	for list, field := range map[string]string{"papers": "consultation", "meetings": "agendaItem", "persons": "membership"} {
		var full, omitted struct {
			Data []map[string]any `json:"data"`
		}
		f.get("/body/"+bodyID+"/"+list, &full)
		f.get("/body/"+bodyID+"/"+list+"?omit_internal=true", &omitted)
		if len(full.Data) == 0 || len(full.Data) != len(omitted.Data) {
			t.Fatalf("%s: %d and %d objects", list, len(full.Data), len(omitted.Data))
		}
		has := func(objs []map[string]any) bool {
			return slices.ContainsFunc(objs, func(o map[string]any) bool { return o[field] != nil })
		}
		if !has(full.Data) || has(omitted.Data) {
			t.Errorf("%s: %s in full list %v, with omit_internal %v", list, field, has(full.Data), has(omitted.Data))
		}
	}
}

func TestErrorsAndCORS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{})
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/body/" + bodyID + "/papers?modified_since=gestern", http.StatusBadRequest},
		{"GET", "/body/" + bodyID + "/papers?after=kaputt", http.StatusBadRequest},
		{"GET", "/body/nirgendwo/papers", http.StatusNotFound},
		{"GET", "/paper/unbekannt", http.StatusNotFound},
		{"GET", "/file/unbekannt/x", http.StatusNotFound},
		{"GET", "/gibtsnicht", http.StatusNotFound},
		{"GET", "/paper/a%00b", http.StatusNotFound},
		{"GET", "/paper/a%ffb", http.StatusNotFound},
		{"GET", "/body/" + bodyID + "/papers?after=a%00b", http.StatusBadRequest},
		{"POST", "/body/" + bodyID + "/papers", http.StatusMethodNotAllowed},
		{"OPTIONS", "/body/" + bodyID + "/papers", http.StatusNoContent},
		{"GET", "/system", http.StatusOK},
	} {
		req, _ := http.NewRequest(c.method, f.base+c.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s %s: %d (CORS %q) %s, want %d", c.method, c.path, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"), b, c.status)
		}
		if c.status >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: error as %q", c.method, c.path, res.Header.Get("Content-Type"))
		}
		var p struct{ Status int }
		if c.status >= 400 && (json.Unmarshal(b, &p) != nil || p.Status != c.status) {
			t.Errorf("%s %s: not a problem: %s", c.method, c.path, b)
		}
	}
	// The entry point without "system" leads there.
	res, err := http.Get(f.base + "/")
	if err != nil || res.Request.URL.String() != f.base+"/system" {
		t.Errorf("GET /oparl/v1/ ended at %v (%v)", res.Request.URL, err)
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2019, 12, 12, 10, 0, 0, 0, berlin)
	for _, s := range []string{
		"2019-12-12T10:00:00+01:00", "2019-12-12T09:00:00Z", "2019-12-12T09:00:00.000Z",
		"2019-12-12T10:00:00.000000+01:00", "2019-12-12T10:00:00 01:00", "2019-12-12T10:00:00+0100",
		"2019-12-12T10:00:00", " 2019-12-12T09:00:00z ",
	} {
		got, err := oparl.ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := oparl.ParseTime("2019-12-12T10:00:00.123456789+01:00"); err != nil || got.Nanosecond() != 123456789 {
		t.Errorf("fractions lost: %v %v", got, err)
	}
	for _, s := range []string{"", "gestern", "2019-13-12T10:00:00Z", "12.12.2019"} {
		if _, err := oparl.ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) accepted", s)
		}
	}
}

// oparlTime is how the endpoint writes a time.
func oparlTime(t time.Time) string {
	return t.Truncate(time.Microsecond).In(berlin).Format("2006-01-02T15:04:05.999999Z07:00")
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
