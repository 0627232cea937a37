package store_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// TestProjectSameVersionAgainWins: when a worker dies after Project
// committed but before the workflow task that ran it completed, the command
// is applied again in a new task, with that task's time. The read model and
// the audit trail must end with what the workflow kept, not the lost attempt.
func TestProjectSameVersionAgainWins(t *testing.T) {
	t.Parallel()
	s := newStore(t, "mw")
	v1 := draft("w1", "mw", "spd", "Trinkbrunnen", t0)
	lost := submit(v1, t0.Add(time.Hour))
	kept := submit(v1, t0.Add(time.Hour+12*time.Second))
	project(t, s, v1)
	project(t, s, lost)
	project(t, s, kept)

	got, err := s.Motion(ctx(t), "w1")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, kept); g != w {
		t.Errorf("Motion =\n %s\nwant the attempt the workflow kept\n %s", g, w)
	}
	hist, err := s.History(ctx(t), "w1")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || !hist[1].At.Equal(kept.UpdatedAt) {
		t.Errorf("history %+v, want two events, the second at %v", hist, kept.UpdatedAt)
	}
	if l := list(t, s, store.MotionFilter{SubmittedFrom: ptr(kept.UpdatedAt)}); !slices.Equal(ids(l), []string{"w1"}) {
		t.Errorf("submitted since the kept time: %v, want w1", ids(l))
	}
}

func TestProjectIsIdempotentAndMonotonic(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	v1 := draft("m1", "ma", "spd", "Digitalisierung im Quadrat", t0)
	v1.Tags = []string{"Digitalisierung"}
	v2 := submit(v1, t0.Add(time.Hour))

	project(t, s, v1)
	project(t, s, v2)
	// A retried activity projects v2 again; a delayed one projects v1 again.
	project(t, s, v2)
	project(t, s, v1)

	got, err := s.Motion(ctx(t), "m1")
	if err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, v2); g != w {
		t.Errorf("Motion after re-projecting v1 =\n %s\nwant v2\n %s", g, w)
	}

	hist, err := s.History(ctx(t), "m1")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("history has %d events, want 2 (one per version): %+v", len(hist), hist)
	}
	want := eventFor(v2, motion.CmdEdit)
	hist[1].At = hist[1].At.UTC() // the same instant, whatever the local zone
	if g, w := mustJSON(t, hist[1]), mustJSON(t, want); g != w {
		t.Errorf("event v2 =\n %s\nwant\n %s", g, w)
	}
	if hist[0].Version != 1 || hist[0].Command != motion.CmdCreate || !hist[0].At.Equal(t0) {
		t.Errorf("event v1 = %+v", hist[0])
	}

	// The motion row follows the newest version: the submitted motion is
	// public now, anonymous readers see it.
	if l := list(t, s, store.MotionFilter{}); !slices.Equal(ids(l), []string{"m1"}) {
		t.Errorf("anonymous list = %v, want the submitted m1", ids(l))
	}

	// Events that arrive out of order still complete the trail, but never
	// move the motion backwards.
	v3 := *v2.Clone()
	v3.Version, v3.Status, v3.Reference, v3.UpdatedAt = 3, motion.StatusRegistered, "A762/2019", t0.Add(2*time.Hour)
	v4 := *v3.Clone()
	v4.Version, v4.Title, v4.UpdatedAt = 4, "Digitalisierung im Quadrat (korrigiert)", t0.Add(3*time.Hour)
	project(t, s, v4)
	project(t, s, v3)
	got, _ = s.Motion(ctx(t), "m1")
	if got.Version != 4 || got.Title != v4.Title {
		t.Errorf("after late v3: version %d title %q, want v4", got.Version, got.Title)
	}
	hist, _ = s.History(ctx(t), "m1")
	var versions []int64
	for _, e := range hist {
		versions = append(versions, e.Version)
	}
	if !slices.Equal(versions, []int64{1, 2, 3, 4}) {
		t.Errorf("history versions = %v, want [1 2 3 4] in order", versions)
	}
	// Times are the workflow's, not the database's.
	if !hist[3].At.Equal(t0.Add(3 * time.Hour)) {
		t.Errorf("event v4 at %v, want the workflow time %v", hist[3].At, t0.Add(3*time.Hour))
	}

	if _, err := s.Motion(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Motion(nope) err = %v, want ErrNotFound", err)
	}
	if _, err := s.History(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("History(nope) err = %v, want ErrNotFound", err)
	}
	bad := eventFor(v4, motion.CmdEdit)
	bad.MotionID = "other"
	if err := s.Project(ctx(t), v4, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Project with another motion's event: err = %v, want ErrInvalid", err)
	}
}

func TestMotionsVisibility(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma", "hd")
	d := draft("draft-a", "ma", "fa", "Digitalisierung der Bürgerdienste", t0)
	d.Justification = "Vertraulicher Entwurf der Fraktion A."
	project(t, s, d)
	inv := draft("draft-ac", "ma", "fa", "Gemeinsamer Entwurf zur Digitalisierung", t0.Add(time.Minute))
	inv.Cosponsors = []string{"fc"}
	project(t, s, inv)
	pub := submit(draft("public-b", "ma", "fb", "Mehr Bäume in der Innenstadt", t0), t0.Add(2*time.Minute))
	project(t, s, pub)
	other := submit(draft("public-hd", "hd", "fb", "Digitalisierung in Heidelberg", t0), t0.Add(3*time.Minute))
	project(t, s, other)
	// A draft with a pending invitation to faction D and a declined one of
	// faction E; a draft of councillors naming p1 (signed) and p2.
	pending := draft("draft-ad", "ma", "fa", "Entwurf mit offener Einladung", t0.Add(4*time.Minute))
	pending.Invitations = []motion.Invitation{{Faction: "fd", State: motion.InvitationPending, InvitedAt: t0}, {Faction: "fe", State: motion.InvitationDeclined, InvitedAt: t0}}
	project(t, s, pending)
	byCouncillors := draft("draft-p", "ma", "", "Entwurf von Ratsmitgliedern", t0.Add(5*time.Minute))
	byCouncillors.Originator = &motion.Originator{Kind: motion.OriginatorCouncillors}
	byCouncillors.Signers = []motion.Signer{{PersonID: "p1", Name: "Erika", SignedAt: &t0}, {PersonID: "p2", Name: "Max"}}
	project(t, s, byCouncillors)
	councillor := func(person string) motion.Actor {
		return motion.Actor{Issuer: "iss", Subject: "rat-" + person, Roles: []motion.Role{motion.RoleCouncillor}, Person: person, Bodies: []string{"ma"}}
	}

	staff := func(faction string, bodies ...string) motion.Actor {
		return motion.Actor{Issuer: "iss", Subject: "u-" + faction, Roles: []motion.Role{motion.RoleFactionStaff}, Faction: faction, Bodies: bodies}
	}
	office := motion.Actor{Issuer: "iss", Subject: "office", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}}
	// A council-office user who also happens to carry a faction claim but not
	// the faction_staff role must not see drafts.
	officeWithFaction := office
	officeWithFaction.Faction = "fa"

	cases := []struct {
		name   string
		viewer motion.Actor
		query  string
		want   []string
	}{
		{"anonymous", motion.Actor{}, "", []string{"public-b", "public-hd"}},
		{"anonymous search", motion.Actor{}, "Digitalisierung", []string{"public-hd"}},
		{"faction B", staff("fb", "ma"), "", []string{"public-b"}},
		{"faction B search", staff("fb", "ma"), "Digitalisierung", nil},
		{"faction B search draft words", staff("fb", "ma"), "vertraulich Entwurf", nil},
		{"faction A", staff("fa", "ma"), "", []string{"draft-a", "draft-ac", "draft-ad", "public-b"}},
		{"invited faction D", staff("fd", "ma"), "", []string{"draft-ad", "public-b"}},
		{"declined faction E", staff("fe", "ma"), "", []string{"public-b"}},
		{"signing councillor", councillor("p1"), "", []string{"draft-p", "public-b"}},
		{"named councillor", councillor("p2"), "", []string{"draft-p", "public-b"}},
		{"other councillor", councillor("p3"), "", []string{"public-b"}},
		{"faction A search draft words", staff("fa", "ma"), "vertraulich Entwurf", []string{"draft-a"}},
		{"faction A search", staff("fa", "ma"), "Digitalisierung", []string{"draft-a", "draft-ac"}},
		{"invited cosponsor C", staff("fc", "ma"), "", []string{"draft-ac", "public-b"}},
		{"faction A in Heidelberg only", staff("fa", "hd"), "", []string{"public-hd"}},
		{"faction A in both bodies", staff("fa", "ma", "hd"), "", []string{"draft-a", "draft-ac", "draft-ad", "public-b", "public-hd"}},
		{"signed in without bodies", staff("fa"), "", nil},
		{"council office", office, "", []string{"public-b"}},
		{"faction claim without role", officeWithFaction, "", []string{"public-b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := all(t, s, store.MotionFilter{Viewer: c.viewer, Query: c.query, Limit: 1})
			equal(t, "visible", sorted(got), sorted(c.want))
		})
	}

	// Filters cannot widen visibility: asking for drafts or for faction A
	// as faction B yields nothing, not even an extra page.
	items, next, err := s.Motions(ctx(t), store.MotionFilter{Viewer: staff("fb", "ma"), Statuses: []motion.Status{motion.StatusDraft}, Faction: "fa", Limit: 1})
	if err != nil || len(items) != 0 || next != "" {
		t.Errorf("faction B asking for A's drafts: items %v next %q err %v", ids(items), next, err)
	}
	// The BodyIDs filter narrows within what the viewer may see.
	got := all(t, s, store.MotionFilter{Viewer: staff("fa", "ma", "hd"), BodyIDs: []string{"hd"}})
	equal(t, "faction A filtered to hd", got, []string{"public-hd"})
	got = all(t, s, store.MotionFilter{BodyIDs: []string{}})
	equal(t, "empty BodyIDs", got, nil)
}

func TestMotionsFilters(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	at := func(days int) time.Time { return t0.AddDate(0, 0, days) }

	quadrat := submit(draft("quadrat", "ma", "spd", "Digitalisierung im Quadrat", at(0)), at(0))
	quadrat.Kind = motion.KindBudgetMotion
	quadrat.BudgetCycle = "Haushalt 2020/2021"
	quadrat.Tags = []string{"Digitalisierung", "Verwaltung"}
	quadrat.ResolutionPoints = []string{"Die Verwaltung richtet einen Digitalbeirat ein.", "Alle Schulen erhalten WLAN."}
	quadrat.Reference = "A762/2019"
	quadrat.Status = motion.StatusInConsultation
	quadrat.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: "council", Decisive: true, Status: motion.ConsultationScheduled, MeetingID: "gr-2020-01"}}
	project(t, s, quadrat)

	verwaltung := submit(draft("verwaltung", "ma", "gruene", "Bürgerdienste online", at(10)), at(10))
	verwaltung.Justification = "Eine digitale Verwaltung spart Wege."
	verwaltung.Tags = []string{"Verwaltung"}
	project(t, s, verwaltung)

	radwege := submit(draft("radwege", "ma", "gruene", "Radwege sanieren", at(20)), at(20))
	radwege.Cosponsors = []string{"spd"}
	radwege.Tags = []string{"Radverkehr"}
	radwege.Kind = motion.KindInquiry
	project(t, s, radwege)

	baeume := submit(draft("baeume", "ma", "cdu", "Bäume pflanzen", at(30)), at(30))
	baeume.Justification = "Neben neuen Radwegen sollen Bäume stehen."
	baeume.Status = motion.StatusDecided
	baeume.Outcome = &motion.Outcome{Result: motion.ResultSettledByOtherResolutions, DecidedAt: at(40)}
	baeume.Consultations = []motion.Consultation{{ID: "c1", OrganizationID: "council", Decisive: true, Status: motion.ConsultationDone,
		Record: &motion.ResultRecord{Result: motion.ResultSettledByOtherResolutions, MeetingID: "gr-2020-01", RecordedAt: at(40)}}}
	project(t, s, baeume)

	entwurf := draft("entwurf", "ma", "spd", "Digitale Schulen", at(50))
	project(t, s, entwurf)

	spdStaff := motion.Actor{Subject: "u", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	cases := []struct {
		name string
		f    store.MotionFilter
		want []string // in the expected order
	}{
		{"all public, newest first", store.MotionFilter{}, []string{"baeume", "radwege", "verwaltung", "quadrat"}},
		{"status", store.MotionFilter{Statuses: []motion.Status{motion.StatusSubmitted}}, []string{"radwege", "verwaltung"}},
		{"statuses", store.MotionFilter{Statuses: []motion.Status{motion.StatusDecided, motion.StatusInConsultation}}, []string{"baeume", "quadrat"}},
		{"kind", store.MotionFilter{Kinds: []motion.Kind{motion.KindInquiry}}, []string{"radwege"}},
		{"kind budget", store.MotionFilter{Kinds: []motion.Kind{motion.KindBudgetMotion}}, []string{"quadrat"}},
		{"faction as originator or cosponsor", store.MotionFilter{Faction: "spd"}, []string{"radwege", "quadrat"}},
		{"faction with own draft", store.MotionFilter{Viewer: spdStaff, Faction: "spd"}, []string{"entwurf", "radwege", "quadrat"}},
		{"tag", store.MotionFilter{Tag: "Verwaltung"}, []string{"verwaltung", "quadrat"}},
		{"outcome", store.MotionFilter{Outcomes: []motion.Result{motion.ResultSettledByOtherResolutions}}, []string{"baeume"}},
		{"outcome none matching", store.MotionFilter{Outcomes: []motion.Result{motion.ResultRejected}}, nil},
		{"outcomes any of", store.MotionFilter{Outcomes: []motion.Result{motion.ResultAdopted, motion.ResultSettledByOtherResolutions}}, []string{"baeume"}},
		{"meeting scheduled or recorded", store.MotionFilter{MeetingID: "gr-2020-01"}, []string{"baeume", "quadrat"}},
		{"submitted from", store.MotionFilter{SubmittedFrom: ptr(at(10))}, []string{"baeume", "radwege", "verwaltung"}},
		{"submitted range is half-open", store.MotionFilter{SubmittedFrom: ptr(at(10)), SubmittedTo: ptr(at(30))}, []string{"radwege", "verwaltung"}},
		{"combined with AND", store.MotionFilter{Faction: "gruene", Kinds: []motion.Kind{motion.KindMotion}}, []string{"verwaltung"}},
		{"search title", store.MotionFilter{Query: "Digitalisierung"}, []string{"quadrat"}},
		// German stemming: "digitalen" and "digitale" share the stem "digital",
		// and a compound beginning with the stem matches too ("Digitalisierung");
		// both titles match, so the newest change comes first.
		{"search stem digitalen→digitale, Digitalisierung", store.MotionFilter{Query: "digitalen"}, []string{"quadrat", "verwaltung"}},
		// Plural in the text, singular in the query: "Schulen"/"Schule" → "schul".
		{"search stem Schule→Schulen in a resolution point", store.MotionFilter{Query: "Schule"}, []string{"quadrat"}},
		{"search umlaut plural Baum→Bäume", store.MotionFilter{Query: "Baum"}, []string{"baeume"}},
		{"search tag", store.MotionFilter{Query: "Radverkehr"}, []string{"radwege"}},
		{"search reference", store.MotionFilter{Query: "A762/2019"}, []string{"quadrat"}},
		// Title hits (weight A) rank above justification hits (weight B).
		{"search ranks title first", store.MotionFilter{Query: "Radweg"}, []string{"radwege", "baeume"}},
		{"search web syntax exclusion", store.MotionFilter{Query: "Radweg -Bäume"}, []string{"radwege"}},
		{"search with filter", store.MotionFilter{Query: "Radweg", Faction: "cdu"}, []string{"baeume"}},
		// The draft's title holds both words; "Digitalisierung im Quadrat" only one
		// of them (the other is in a point): the title hit ranks first.
		{"search own draft", store.MotionFilter{Viewer: spdStaff, Query: "digitale Schule"}, []string{"entwurf", "quadrat"}},
		{"search stop words only", store.MotionFilter{Query: "der die das"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			equal(t, "ids", ids(list(t, s, c.f)), c.want)
		})
	}
}

func TestMotionsKeysetPagination(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	const n = 205
	for i := range n {
		// Groups of three share updated_at, so the id must break ties.
		at := t0.Add(time.Duration(i/3) * time.Minute)
		m := submit(draft(fmt.Sprintf("m%03d", i), "ma", "spd", fmt.Sprintf("Antrag Nummer %d", i), at), at)
		if i%4 == 0 {
			m.Title += " zum Haushalt" // a title hit: ranks first
		} else {
			m.Justification = "Er betrifft den Haushalt."
		}
		project(t, s, m)
	}
	// Expected order: updated_at desc, id desc; ids sort like their numbers.
	var want []string
	for i := n - 1; i >= 0; i-- {
		want = append(want, fmt.Sprintf("m%03d", i))
	}
	got := all(t, s, store.MotionFilter{Limit: 7})
	equal(t, "pages of 7", got, want)

	// Default and maximum page sizes.
	items, next, err := s.Motions(ctx(t), store.MotionFilter{})
	if err != nil || len(items) != store.DefaultLimit || next == "" {
		t.Errorf("default page: %d items, next %q, err %v; want %d and a cursor", len(items), next, err, store.DefaultLimit)
	}
	items, next, err = s.Motions(ctx(t), store.MotionFilter{Limit: 10000})
	if err != nil || len(items) != store.MaxLimit || next == "" {
		t.Errorf("huge page: %d items, next %q, err %v; want %d and a cursor", len(items), next, err, store.MaxLimit)
	}
	rest, next2, _ := s.Motions(ctx(t), store.MotionFilter{Limit: 10000, After: next})
	if len(rest) != n-store.MaxLimit || next2 != "" {
		t.Errorf("second huge page: %d items, next %q; want %d and none", len(rest), next2, n-store.MaxLimit)
	}

	// A motion changed while a client pages does not shift the pages: every
	// motion of the original set is still seen exactly once.
	first, cur, _ := s.Motions(ctx(t), store.MotionFilter{Limit: 20})
	fresh := submit(draft("new", "ma", "spd", "Ganz neu", t0.Add(24*time.Hour)), t0.Add(24*time.Hour))
	project(t, s, fresh)
	seen := ids(first)
	seen = append(seen, all(t, s, store.MotionFilter{Limit: 20, After: cur})...)
	equal(t, "pages around an insert", seen, want)

	// Search pages the title hits first, then the others, each newest first,
	// and returns every hit once, also across the page where the tiers meet
	// (the second tier skips the 52 title hits it reads again).
	var wantHits []string
	for _, title := range []bool{true, false} {
		for i := n - 1; i >= 0; i-- {
			if (i%4 == 0) == title {
				wantHits = append(wantHits, fmt.Sprintf("m%03d", i))
			}
		}
	}
	equal(t, "search pages of 9", all(t, s, store.MotionFilter{Query: "Haushalt", Limit: 9}), wantHits)

	// Cursors are opaque and checked.
	if _, _, err := s.Motions(ctx(t), store.MotionFilter{After: "not a cursor"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("garbage cursor: err = %v, want ErrInvalid", err)
	}
	_, listCur, _ := s.Motions(ctx(t), store.MotionFilter{Limit: 5})
	if _, _, err := s.Motions(ctx(t), store.MotionFilter{Query: "Haushalt", After: listCur}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("list cursor used for a search: err = %v, want ErrInvalid", err)
	}
}
