package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

func TestDeadlineRulesVersions(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma", "hd")

	// A body that configured nothing has the defaults, version 1.
	r, err := s.DeadlineRules(ctx(t), "ma")
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, r) != mustJSON(t, motion.DefaultDeadlineRules()) || r.Version != 1 {
		t.Errorf("rules of an unconfigured body = %+v, want the defaults", r)
	}

	day := motion.Duration(24 * time.Hour)
	custom := motion.DefaultDeadlineRules()
	custom.Version = 77 // ignored: the store numbers versions
	custom.SubmissionCutoff = 10 * day
	custom.Offsets = []motion.Duration{-3 * day, 0}
	v2, err := s.SetDeadlineRules(ctx(t), "ma", custom)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.SubmissionCutoff != 10*day {
		t.Errorf("first stored rules = %+v, want version 2 (1 is the default)", v2)
	}
	custom.SubmissionCutoff = 12 * day
	v3, err := s.SetDeadlineRules(ctx(t), "ma", custom)
	if err != nil || v3.Version != 3 {
		t.Fatalf("second stored rules = %+v, %v; want version 3", v3, err)
	}
	cur, err := s.DeadlineRules(ctx(t), "ma")
	if err != nil || cur.Version != 3 || cur.SubmissionCutoff != 12*day || !slices.Equal(cur.Offsets, custom.Offsets) {
		t.Errorf("current rules = %+v, %v; want version 3 with 12d", cur, err)
	}
	old, err := s.DeadlineRulesVersion(ctx(t), "ma", 2)
	if err != nil || old.Version != 2 || old.SubmissionCutoff != 10*day {
		t.Errorf("version 2 = %+v, %v", old, err)
	}
	if def, err := s.DeadlineRulesVersion(ctx(t), "ma", 1); err != nil || mustJSON(t, def) != mustJSON(t, motion.DefaultDeadlineRules()) {
		t.Errorf("version 1 = %+v, %v; want the defaults", def, err)
	}
	if _, err := s.DeadlineRulesVersion(ctx(t), "ma", 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("version 9: err = %v, want ErrNotFound", err)
	}
	// Other bodies are untouched.
	if hd, _ := s.DeadlineRules(ctx(t), "hd"); hd.Version != 1 {
		t.Errorf("rules of hd = version %d, want the defaults", hd.Version)
	}

	// Concurrent writers get consecutive versions.
	var wg sync.WaitGroup
	versions := make([]int, 4)
	for i := range versions {
		wg.Go(func() {
			got, err := s.SetDeadlineRules(ctx(t), "hd", motion.DefaultDeadlineRules())
			if err != nil {
				t.Errorf("concurrent SetDeadlineRules: %v", err)
			}
			versions[i] = got.Version
		})
	}
	wg.Wait()
	slices.Sort(versions)
	if !slices.Equal(versions, []int{2, 3, 4, 5}) {
		t.Errorf("concurrent versions = %v, want 2..5", versions)
	}

	if _, err := s.SetDeadlineRules(ctx(t), "nowhere", motion.DefaultDeadlineRules()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown body: err = %v, want ErrNotFound", err)
	}
	bad := motion.DefaultDeadlineRules()
	bad.Offsets = nil
	if _, err := s.SetDeadlineRules(ctx(t), "ma", bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("rules without offsets: err = %v, want ErrInvalid", err)
	}
	bad = motion.DefaultDeadlineRules()
	bad.TimeZone = "Europe/Nirgendwo"
	if _, err := s.SetDeadlineRules(ctx(t), "ma", bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("rules with an unknown time zone: err = %v, want ErrInvalid", err)
	}
	bad = motion.DefaultDeadlineRules()
	bad.AgendaPlacementMeetings = 0
	if _, err := s.SetDeadlineRules(ctx(t), "ma", bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("rules with 0 meetings: err = %v, want ErrInvalid", err)
	}
}

func TestCouncilMeetingsAndMeetingDates(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma", "hd")
	org := func(id, body string, kind store.OrgKind) {
		t.Helper()
		if _, err := s.CreateOrganization(ctx(t), store.Organization{ID: id, BodyID: body, Kind: kind, Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	org("gr", "ma", store.OrgCouncil)
	org("afa", "ma", store.OrgCommittee)
	org("hd-gr", "hd", store.OrgCouncil)
	since := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	meeting := func(id, body, orgID string, start time.Time, cancelled bool) {
		t.Helper()
		if _, err := s.CreateMeeting(ctx(t), store.Meeting{ID: id, BodyID: body, OrganizationID: orgID, Name: id, Start: start, Cancelled: cancelled}); err != nil {
			t.Fatal(err)
		}
	}
	meeting("gr-feb", "ma", "gr", since.Add(-24*time.Hour), false)
	meeting("gr-mar", "ma", "gr", since, false) // at since: counts
	meeting("gr-apr", "ma", "gr", since.AddDate(0, 1, 0), true)
	meeting("gr-may", "ma", "gr", since.AddDate(0, 2, 0), false)
	meeting("afa-mar", "ma", "afa", since.AddDate(0, 0, 7), false)
	meeting("hd-mar", "hd", "hd-gr", since.AddDate(0, 0, 1), false)
	meeting("no-org", "ma", "", since.AddDate(0, 0, 2), false)
	meeting("afa-feb", "ma", "afa", since.AddDate(0, 0, -7), false)
	meeting("afa-apr", "ma", "afa", since.AddDate(0, 1, 7), false)
	// The invitations of the March council and committee meetings are out:
	// their agendas are published.
	if _, err := s.Pool.Exec(ctx(t), `UPDATE meetings SET invitation_published_at = $1 WHERE id IN ('gr-mar', 'afa-mar')`,
		since.AddDate(0, 0, -7)); err != nil {
		t.Fatal(err)
	}

	got, err := s.CouncilMeetings(ctx(t), "ma", since)
	if err != nil {
		t.Fatal(err)
	}
	want := []motion.MeetingDate{
		{ID: "gr-mar", OrganizationID: "gr", Start: since, Published: true},
		{ID: "gr-apr", OrganizationID: "gr", Start: since.AddDate(0, 1, 0), Cancelled: true},
		{ID: "gr-may", OrganizationID: "gr", Start: since.AddDate(0, 2, 0)},
	}
	if mustJSON(t, got) != mustJSON(t, want) {
		t.Errorf("CouncilMeetings = %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
	}
	if got, _ := s.CouncilMeetings(ctx(t), "ma", since.AddDate(1, 0, 0)); len(got) != 0 {
		t.Errorf("CouncilMeetings a year later = %v, want none", got)
	}

	// The meetings of the committee that decides a motion, from since.
	committee, err := s.OrganizationMeetings(ctx(t), "ma", "afa", since)
	if err != nil {
		t.Fatal(err)
	}
	want = []motion.MeetingDate{
		{ID: "afa-mar", OrganizationID: "afa", Start: since.AddDate(0, 0, 7), Published: true},
		{ID: "afa-apr", OrganizationID: "afa", Start: since.AddDate(0, 1, 7)},
	}
	if mustJSON(t, committee) != mustJSON(t, want) {
		t.Errorf("OrganizationMeetings = %s\nwant %s", mustJSON(t, committee), mustJSON(t, want))
	}
	if other, err := s.OrganizationMeetings(ctx(t), "hd", "afa", since); err != nil || len(other) != 0 {
		t.Errorf("OrganizationMeetings of another body's committee = %v, %v; want none", other, err)
	}

	dates, err := s.MeetingDates(ctx(t), []string{"no-org", "afa-mar", "unknown", "gr-apr"})
	if err != nil {
		t.Fatal(err)
	}
	want = []motion.MeetingDate{
		{ID: "no-org", Start: since.AddDate(0, 0, 2)},
		{ID: "afa-mar", OrganizationID: "afa", Start: since.AddDate(0, 0, 7), Published: true},
		{ID: "gr-apr", OrganizationID: "gr", Start: since.AddDate(0, 1, 0), Cancelled: true},
	}
	if mustJSON(t, dates) != mustJSON(t, want) {
		t.Errorf("MeetingDates = %s\nwant %s", mustJSON(t, dates), mustJSON(t, want))
	}
	if dates, err := s.MeetingDates(ctx(t), nil); err != nil || len(dates) != 0 {
		t.Errorf("MeetingDates(nil) = %v, %v", dates, err)
	}
}

func TestProjectDeadlinesAndFilters(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma", "hd")
	sub := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	pub := submit(draft("pub", "ma", "spd", "Mehr Bäume", sub), sub)
	project(t, s, draft("pub", "ma", "spd", "Mehr Bäume", sub))
	project(t, s, pub)
	project(t, s, draft("secret", "ma", "spd", "Geheimer Entwurf", sub))
	co := draft("co", "ma", "gruene", "Gemeinsam", sub)
	co.Cosponsors = []string{"spd"}
	project(t, s, co)
	project(t, s, submit(co, sub))
	project(t, s, draft("heidelberg", "hd", "hd-spd", "Neckar", sub))
	project(t, s, submit(draft("heidelberg", "hd", "hd-spd", "Neckar", sub), sub))

	day := 24 * time.Hour
	dl := func(key string, kind motion.DeadlineKind, due time.Time, aud []string, informed ...string) motion.Deadline {
		return motion.Deadline{Key: key, Kind: kind, Due: due, Rule: string(kind), RuleVersion: 1, Audiences: aud, Informed: informed}
	}
	office := []string{motion.AudienceCouncilOffice}
	// First computation, then a recomputation that replaces it.
	if err := s.ProjectDeadlines(ctx(t), "pub", "ma", "spd", []motion.Deadline{
		dl("agenda_placement", motion.DeadlineAgendaPlacement, sub.Add(60*day), office, motion.FactionAudience("spd")),
		dl("stale_motion", motion.DeadlineStale, sub.Add(90*day), office),
	}); err != nil {
		t.Fatal(err)
	}
	manual := dl("agenda_placement", motion.DeadlineAgendaPlacement, sub.Add(30*day), office, motion.FactionAudience("spd"))
	manual.Rule, manual.Reason, manual.MeetingID = "manual", "Sondersitzung", "gr-apr"
	if err := s.ProjectDeadlines(ctx(t), "pub", "ma", "spd", []motion.Deadline{
		manual,
		dl("papers_due:gr-apr", motion.DeadlinePapersDue, sub.Add(23*day), []string{motion.AudienceCouncilOffice, motion.AudienceAdministration}),
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.ProjectDeadlines(ctx(t), "secret", "ma", "spd", []motion.Deadline{
		dl("submission_cutoff:gr-apr", motion.DeadlineSubmissionCutoff, sub.Add(16*day), []string{motion.FactionAudience("spd")}),
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.ProjectDeadlines(ctx(t), "co", "ma", "gruene", []motion.Deadline{
		dl("agenda_placement", motion.DeadlineAgendaPlacement, sub.Add(40*day), office, motion.FactionAudience("gruene")),
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.ProjectDeadlines(ctx(t), "heidelberg", "hd", "hd-spd", []motion.Deadline{
		dl("inquiry_answer", motion.DeadlineInquiryAnswer, sub.Add(21*day), []string{motion.DepartmentAudience("d1")}),
	}); err != nil {
		t.Fatal(err)
	}

	keys := func(f store.DeadlineFilter) []string {
		t.Helper()
		items, _, err := s.Deadlines(ctx(t), f)
		if err != nil {
			t.Fatalf("Deadlines(%+v): %v", f, err)
		}
		var out []string
		for _, d := range items {
			out = append(out, d.MotionID+"/"+d.Key)
		}
		return out
	}
	spdStaff := motion.Actor{Subject: "u1", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	officeActor := motion.Actor{Subject: "u2", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma", "hd"}}

	// The recomputation replaced the first set: no stale deadline, the manual date.
	equal(t, "office, ma", keys(store.DeadlineFilter{Viewer: officeActor, BodyIDs: []string{"ma"}}),
		[]string{"pub/papers_due:gr-apr", "pub/agenda_placement", "co/agenda_placement"})
	items, _, err := s.Deadlines(ctx(t), store.DeadlineFilter{MotionID: "pub", Kinds: []motion.DeadlineKind{motion.DeadlineAgendaPlacement}})
	if err != nil || len(items) != 1 {
		t.Fatalf("pub's agenda deadline = %+v, %v", items, err)
	}
	got := items[0]
	if got.Rule != "manual" || got.Reason != "Sondersitzung" || got.MeetingID != "gr-apr" || !got.Due.Equal(sub.Add(30*day)) ||
		got.RuleVersion != 1 || !slices.Equal(got.Informed, []string{"faction:spd"}) || got.MotionTitle != "Mehr Bäume" ||
		got.Faction != "spd" || got.BodyID != "ma" || got.MotionStatus != motion.StatusSubmitted || got.MotionKind != motion.KindMotion {
		t.Errorf("manual deadline read back = %+v", got)
	}

	// Visibility: the draft's deadline only for its own faction.
	equal(t, "public", keys(store.DeadlineFilter{}),
		[]string{"heidelberg/inquiry_answer", "pub/papers_due:gr-apr", "pub/agenda_placement", "co/agenda_placement"})
	equal(t, "spd staff", keys(store.DeadlineFilter{Viewer: spdStaff}),
		[]string{"secret/submission_cutoff:gr-apr", "pub/papers_due:gr-apr", "pub/agenda_placement", "co/agenda_placement"})
	// Faction: originated or co-sponsored.
	equal(t, "faction spd", keys(store.DeadlineFilter{Viewer: spdStaff, Faction: "spd"}),
		[]string{"secret/submission_cutoff:gr-apr", "pub/papers_due:gr-apr", "pub/agenda_placement", "co/agenda_placement"})
	equal(t, "faction gruene", keys(store.DeadlineFilter{Faction: "gruene"}), []string{"co/agenda_placement"})
	// Audiences: reminded, or with IncludeInformed also informed.
	equal(t, "administration", keys(store.DeadlineFilter{Audiences: []string{"administration"}}), []string{"pub/papers_due:gr-apr"})
	equal(t, "faction:spd reminded", keys(store.DeadlineFilter{Viewer: spdStaff, Audiences: []string{"faction:spd"}}),
		[]string{"secret/submission_cutoff:gr-apr"})
	equal(t, "faction:spd informed", keys(store.DeadlineFilter{Viewer: spdStaff, Audiences: []string{"faction:spd"}, IncludeInformed: true}),
		[]string{"secret/submission_cutoff:gr-apr", "pub/agenda_placement"})
	equal(t, "no audiences", keys(store.DeadlineFilter{Audiences: []string{}}), nil)
	// Due range [From, To).
	equal(t, "range", keys(store.DeadlineFilter{From: ptr(sub.Add(23 * day)), To: ptr(sub.Add(40 * day))}),
		[]string{"pub/papers_due:gr-apr", "pub/agenda_placement"})
	equal(t, "no bodies", keys(store.DeadlineFilter{BodyIDs: []string{}}), nil)

	// Paging by (due, motion, key).
	var paged []string
	f := store.DeadlineFilter{Viewer: officeActor, Limit: 2}
	for {
		items, next, err := s.Deadlines(ctx(t), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range items {
			paged = append(paged, d.MotionID+"/"+d.Key)
		}
		if next == "" {
			break
		}
		f.After = next
	}
	equal(t, "paged", paged, []string{"heidelberg/inquiry_answer", "pub/papers_due:gr-apr", "pub/agenda_placement", "co/agenda_placement"})

	// A motion without deadlines any more (decided, withdrawn).
	if err := s.ProjectDeadlines(ctx(t), "pub", "ma", "spd", nil); err != nil {
		t.Fatal(err)
	}
	equal(t, "after clearing pub", keys(store.DeadlineFilter{MotionID: "pub"}), nil)

	twice := []motion.Deadline{dl("a", motion.DeadlineStale, sub, office), dl("a", motion.DeadlineStale, sub, office)}
	if err := s.ProjectDeadlines(ctx(t), "co", "ma", "gruene", twice); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("duplicate keys: err = %v, want ErrInvalid", err)
	}
	equal(t, "co after a refused write", keys(store.DeadlineFilter{MotionID: "co"}), []string{"co/agenda_placement"})
	if _, _, err := s.Deadlines(ctx(t), store.DeadlineFilter{After: "garbage!"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad cursor: err = %v, want ErrInvalid", err)
	}
}
