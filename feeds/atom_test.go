package feeds_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/feeds"
	"github.com/motionflow/motionflow/feeds/feedstest"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

const (
	bodyID  = "mannheim"
	spd     = "mannheim-spd"
	cdu     = "mannheim-cdu"
	council = "mannheim-gemeinderat"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

type fixture struct {
	t      *testing.T
	st     *store.Store
	clock  time.Time
	office motion.Actor
}

func ok(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) step(m *motion.Motion, a motion.Actor, cmd motion.Command) {
	f.t.Helper()
	f.clock = f.clock.Add(time.Hour)
	ev, err := motion.Apply(m, motion.Request{Command: cmd, Actor: a, ExpectedVersion: m.Version, At: f.clock})
	if err != nil {
		f.t.Fatalf("%s: %v", cmd.Name(), err)
	}
	if err := f.st.Project(f.t.Context(), *m, ev); err != nil {
		f.t.Fatal(err)
	}
}

func staff(faction string) motion.Actor {
	return motion.Actor{Subject: faction + "-staff", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: faction, Bodies: []string{bodyID}}
}

func (f *fixture) motion(id string, a motion.Actor, kind motion.Kind, c motion.Content, submit bool) *motion.Motion {
	m := &motion.Motion{ID: id}
	f.step(m, a, motion.Create{BodyID: bodyID, Kind: kind, Content: c})
	if submit {
		f.step(m, a, motion.Submit{})
	}
	return m
}

func TestAtomFeeds(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := t.Context()
	f := &fixture{t: t, st: st, clock: time.Date(2019, 12, 12, 9, 0, 0, 0, berlin),
		office: motion.Actor{Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{bodyID}}}
	ok(t)(st.UpsertBody(ctx, store.Body{ID: bodyID, Name: "Stadt Mannheim"}))
	for _, o := range []store.Organization{
		{ID: spd, Kind: store.OrgFaction, Name: "SPD-Gemeinderatsfraktion Mannheim"},
		{ID: cdu, Kind: store.OrgFaction, Name: "CDU-Gemeinderatsfraktion Mannheim"},
		{ID: council, Kind: store.OrgCouncil, Name: "Gemeinderat"},
	} {
		o.BodyID = bodyID
		ok(t)(st.CreateOrganization(ctx, o))
	}
	yes := true
	ok(t)(st.CreateMeeting(ctx, store.Meeting{ID: "gr", BodyID: bodyID, OrganizationID: council, Start: time.Date(2020, 2, 11, 15, 0, 0, 0, berlin)}))

	other := f.motion("7f7c1f2e-5d3a-4f63-9b4e-0d6a1e2b3c4d", staff(cdu), motion.KindMotion, motion.Content{
		Title: "Digitalstrategie", ResolutionPoints: []string{"Eine Strategie."}}, true)
	ex := f.motion("spd-digitalisierung", staff(spd), motion.KindBudgetMotion, motion.Content{
		Title: "Digitalisierung im Quadrat",
		ResolutionPoints: []string{
			"Zur befristeten Anschubfinanzierung werden Sachmittel in Höhe von 225.000 Euro bereitgestellt.",
			"Zwei weitere Stellen im Fachbereich Sicherheit & Ordnung <sofort>.",
			"Ein Fonds für kreative Kleinstbetriebe.",
		},
		Tags: []string{"Haushalt2020", "Antrag Mobilität und Digitalisierung"}, BudgetCycle: "Haushalt 2020/2021",
	}, true)
	f.step(ex, f.office, motion.Register{Reference: "A762/2019", Year: 2019, Seq: 762})
	f.step(ex, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: council, Decisive: true}}})
	f.step(ex, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "gr"})
	f.step(ex, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{
		Result: motion.ResultSettledByOtherResolutions, Links: []motion.Link{{MotionID: other.ID}}, OriginatorAgreed: &yes}})
	f.motion("spd-older", staff(spd), motion.KindInquiry, motion.Content{Title: "Eine Anfrage", ResolutionPoints: []string{"Warum?"}}, true)
	f.motion("spd-draft", staff(spd), motion.KindMotion, motion.Content{Title: "GEHEIMER ENTWURF", ResolutionPoints: []string{"x"},
		Tags: []string{"Haushalt2020"}}, false)
	// The example is decided last, so it leads the feed.
	f.step(ex, f.office, motion.CorrectResult{ConsultationID: "c1", Reason: "Tippfehler", ResultInput: motion.ResultInput{
		Result: motion.ResultSettledByOtherResolutions, Links: []motion.Link{{MotionID: other.ID}}, OriginatorAgreed: &yes, Note: "korrigiert"}})

	srv := httptest.NewServer(feeds.Handler(feeds.Config{MotionLink: "https://rat.example/antraege/{id}"}, st))
	t.Cleanup(srv.Close)
	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	check := func(path string) feedstest.Feed {
		t.Helper()
		res, b := get(path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" ||
			res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("GET %s: %d %v\n%s", path, res.StatusCode, res.Header, b)
		}
		feed, problems := feedstest.Check(b)
		for _, p := range problems {
			t.Errorf("GET %s: %s", path, p)
		}
		if strings.Contains(string(b), "GEHEIMER ENTWURF") || strings.Contains(string(b), "spd-draft") {
			t.Errorf("GET %s: a draft leaks:\n%s", path, b)
		}
		return feed
	}

	feed := check("/feeds/atom/factions/" + spd + ".xml")
	if len(feed.Entry) != 2 {
		t.Fatalf("SPD feed has %d entries, want the two submitted motions", len(feed.Entry))
	}
	e := feed.Entry[0]
	if feed.Author[0].Name[0] != "SPD-Gemeinderatsfraktion Mannheim" || feed.ID[0] != srv.URL+"/feeds/atom/factions/"+spd+".xml" {
		t.Errorf("feed author %v id %v", feed.Author, feed.ID)
	}
	if e.Title[0].Body != "Haushaltsantrag: Digitalisierung im Quadrat" || e.Alternate() != "https://rat.example/antraege/spd-digitalisierung" ||
		!strings.HasPrefix(e.ID[0], "urn:uuid:") || e.Author[0].Name[0] != "SPD-Gemeinderatsfraktion Mannheim" ||
		e.Updated[0] != ex.UpdatedAt.In(berlin).Format(time.RFC3339) || e.Updated[0] != feed.Updated[0] ||
		e.Published[0] != ex.SubmittedAt.In(berlin).Format(time.RFC3339) || len(e.Category) != 2 {
		t.Errorf("example entry %+v", e)
	}
	if s := e.Summary[0].Body; !strings.Contains(s, "Ergebnis: Erledigt durch andere Beschlüsse") || !strings.Contains(s, "A762/2019") {
		t.Errorf("summary %q", s)
	}
	c := e.Content[0]
	if c.Type != "html" || !strings.Contains(c.Body, "<li>Zwei weitere Stellen im Fachbereich Sicherheit &amp; Ordnung &lt;sofort&gt;.</li>") ||
		!strings.Contains(c.Body, "<p>Ergebnis: Erledigt durch andere Beschlüsse</p>") || strings.Count(c.Body, "<li>") != 3 {
		t.Errorf("content %q", c.Body)
	}
	if got := feed.Entry[1].Summary[0].Body; !strings.Contains(got, "Stand: Eingereicht") {
		t.Errorf("undecided entry's summary %q", got)
	}
	if id := check("/feeds/atom/factions/" + cdu + ".xml").Entry[0].ID[0]; id != "urn:uuid:"+other.ID {
		t.Errorf("a UUID motion's entry id %q", id)
	}

	tagFeed := check("/feeds/atom/tags/" + url.PathEscape("Antrag Mobilität und Digitalisierung") + ".xml?body=" + bodyID)
	if len(tagFeed.Entry) != 1 || tagFeed.Entry[0].ID[0] != e.ID[0] || tagFeed.Author[0].Name[0] != "motionflow" {
		t.Errorf("tag feed: %+v", tagFeed)
	}
	if empty := check("/feeds/atom/tags/Unbekannt.xml"); len(empty.Entry) != 0 {
		t.Errorf("unknown tag has %d entries", len(empty.Entry))
	}

	// Conditional requests and errors.
	res, _ := get("/feeds/atom/factions/"+spd+".xml", "If-Modified-Since", ex.UpdatedAt.Add(time.Minute).UTC().Format(http.TimeFormat))
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", res.StatusCode)
	}
	for _, p := range []string{"/feeds/atom/factions/" + council + ".xml", "/feeds/atom/factions/unbekannt.xml", "/feeds/atom/factions/" + spd, "/feeds/atom/sonstwas"} {
		if res, b := get(p); res.StatusCode != http.StatusNotFound || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: %d %s", p, res.StatusCode, b)
		}
	}
}

// TestAtomErrorsAreProblems: every error of the feeds is a valid RFC 9457
// problem that does not repeat what was asked for; a NUL or invalid UTF-8
// in the address is refused before it reaches the database.
func TestAtomErrorsAreProblems(t *testing.T) {
	st := storetest.New(t)
	srv := httptest.NewServer(feeds.Handler(feeds.Config{}, st))
	t.Cleanup(srv.Close)
	for _, path := range []string{
		"/feeds/atom/factions/" + url.PathEscape(`die "Grünen"\`) + ".xml",
		"/feeds/atom/factions/a%00b.xml",
		"/feeds/atom/tags/a%ffb.xml",
		"/feeds/atom/tags/verkehr.xml?body=a%00b",
		"/feeds/atom/tags/verkehr",
		"/feeds/atom/nirgends",
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var p struct {
			Title  string `json:"title"`
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if res.StatusCode < 400 || res.StatusCode >= 500 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if err := json.Unmarshal(b, &p); err != nil || p.Status != res.StatusCode || p.Title == "" {
			t.Errorf("%s: not a problem (%v): %s", path, err, b)
		}
		if strings.Contains(p.Detail, "Grünen") {
			t.Errorf("%s: repeats the name: %s", path, p.Detail)
		}
	}
}

// TestAtomEntryCarriesTheVote: the entry of a decided motion tells how the
// decision was voted, in German: the tally, each faction's share (by the
// faction's name) and the named votes; an undecided motion's entry tells of
// no vote, not even of an advising committee's.
func TestAtomEntryCarriesTheVote(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := t.Context()
	f := &fixture{t: t, st: st, clock: time.Date(2019, 12, 12, 9, 0, 0, 0, berlin),
		office: motion.Actor{Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{bodyID}}}
	ok(t)(st.UpsertBody(ctx, store.Body{ID: bodyID, Name: "Stadt Mannheim"}))
	for _, o := range []store.Organization{
		{ID: spd, Kind: store.OrgFaction, Name: "SPD-Gemeinderatsfraktion Mannheim"},
		{ID: cdu, Kind: store.OrgFaction, Name: "CDU-Gemeinderatsfraktion Mannheim"},
		{ID: council, Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "mannheim-ha", Kind: store.OrgCommittee, Name: "Hauptausschuss"},
	} {
		o.BodyID = bodyID
		ok(t)(st.CreateOrganization(ctx, o))
	}
	ok(t)(st.CreateMeeting(ctx, store.Meeting{ID: "ha", BodyID: bodyID, OrganizationID: "mannheim-ha", Start: time.Date(2020, 1, 28, 16, 0, 0, 0, berlin)}))
	ok(t)(st.CreateMeeting(ctx, store.Meeting{ID: "gr", BodyID: bodyID, OrganizationID: council, Start: time.Date(2020, 2, 11, 15, 0, 0, 0, berlin)}))

	decided := f.motion("spd-decided", staff(spd), motion.KindMotion, motion.Content{Title: "Radwege", ResolutionPoints: []string{"Mehr Radwege."}}, true)
	f.step(decided, f.office, motion.Register{Reference: "A1/2019", Year: 2019, Seq: 1})
	f.step(decided, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: council, Decisive: true}}})
	f.step(decided, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "gr"})
	f.step(decided, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{Result: motion.ResultAdopted,
		Vote: &motion.Vote{Yes: 3, No: 2, Abstain: 1, Absent: ptr(1),
			ByFaction: []motion.FactionVote{{OrganizationID: spd, Yes: 3, Abstain: 1}, {OrganizationID: cdu, No: 2}},
			Named: []motion.NamedVote{{Name: "Anna Aal", Vote: "yes"}, {Name: "Bernd Bach", Vote: "yes"}, {Name: "Ralf Eisenhauer", Vote: "yes"},
				{Name: "Carl Muster", Vote: "no"}, {Name: "Dora Dach", Vote: "no"}, {Name: "Emil Eck", Vote: "abstain"}, {Name: "Frida Fass", Vote: "absent"}}}}})

	advised := f.motion("spd-advised", staff(spd), motion.KindMotion, motion.Content{Title: "Busse", ResolutionPoints: []string{"Mehr Busse."}}, true)
	f.step(advised, f.office, motion.Register{Reference: "A2/2019", Year: 2019, Seq: 2})
	f.step(advised, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: "mannheim-ha"}, {OrganizationID: council, Decisive: true}}})
	f.step(advised, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "ha"})
	f.step(advised, f.office, motion.RecordResult{ConsultationID: "c1", ResultInput: motion.ResultInput{Result: motion.ResultRecommendApproval,
		Vote: &motion.Vote{Yes: 9, No: 2, ByFaction: []motion.FactionVote{{OrganizationID: spd, Yes: 9}, {OrganizationID: cdu, No: 2}}}}})

	srv := httptest.NewServer(feeds.Handler(feeds.Config{}, st))
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/feeds/atom/factions/" + spd + ".xml")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	feed, problems := feedstest.Check(b)
	for _, p := range problems {
		t.Error(p)
	}
	content := map[string]string{}
	for _, e := range feed.Entry {
		content[e.Alternate()] = e.Content[0].Body
	}
	got := content[srv.URL+"/v1/motions/spd-decided"]
	for _, want := range []string{
		"<p>Ergebnis: Beschlossen</p>",
		"<p>Abstimmung: 3 Ja, 2 Nein, 1 Enthaltung, 1 abwesend</p>",
		"<li>SPD-Gemeinderatsfraktion Mannheim: 3 Ja, 0 Nein, 1 Enthaltung</li>",
		"<li>CDU-Gemeinderatsfraktion Mannheim: 0 Ja, 2 Nein, 0 Enthaltungen</li>",
		"<li>Ralf Eisenhauer: Ja</li>", "<li>Dora Dach: Nein</li>", "<li>Emil Eck: Enthaltung</li>", "<li>Frida Fass: abwesend</li>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the decided motion's content lacks %q:\n%s", want, got)
		}
	}
	if got := content[srv.URL+"/v1/motions/spd-advised"]; got == "" || strings.Contains(got, "Abstimmung") || strings.Contains(got, "9 Ja") {
		t.Errorf("the undecided motion's content %q, want it without a vote", got)
	}
}

func ptr[T any](v T) *T { return &v }
