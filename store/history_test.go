package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// archivePapers are two imported papers of body ma: paper 1 with a main
// file (with text) and a consultation in meeting ma-meeting-1, paper 2
// with two files and no consultation.
func archivePapers(text string) []store.ImportedPaper {
	day := time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)
	yes := true
	return []store.ImportedPaper{
		{ID: "ma-paper-1", BodyID: "ma", SourceID: "https://ris.example/paper/1", Reference: "DS 1/2016", Name: "Bürgerhaus sanieren",
			PaperType: "Antrag", Date: &day, MainFileID: "ma-file-1", Data: []byte(`{"keyword":["Bau"]}`),
			Files: []store.ImportedFile{{ID: "ma-file-1", SourceID: "https://ris.example/file/1", Name: "Vorlage",
				AccessURL: "https://ris.example/file/1/access", Text: text}},
			Consultations: []store.ImportedConsultation{{ID: "ma-cons-1", SourceID: "https://ris.example/consultation/1",
				MeetingSource: "https://ris.example/meeting/1", AgendaItemSource: "https://ris.example/agendaitem/1",
				Authoritative: &yes, Role: "Entscheidung"}}},
		{ID: "ma-paper-2", BodyID: "ma", SourceID: "https://ris.example/paper/2", Reference: "DS 2/2016", Name: "Radwege",
			Files: []store.ImportedFile{
				{ID: "ma-file-2", SourceID: "https://ris.example/file/2", AccessURL: "https://ris.example/file/2/access"},
				{ID: "ma-file-3", SourceID: "https://ris.example/file/3", AccessURL: "https://ris.example/file/3/access"}}},
	}
}

func TestImportPapers(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	res, err := s.ImportPapers(ctx(t), archivePapers("Die Schuldnerberatung braucht Räume."))
	if err != nil {
		t.Fatal(err)
	}
	if res.Papers.Created != 2 || res.Files.Created != 3 || res.Consultations.Created != 1 {
		t.Errorf("first import: %+v", res)
	}
	// The same again writes nothing.
	res, err = s.ImportPapers(ctx(t), archivePapers("Die Schuldnerberatung braucht Räume."))
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.PaperImport{Papers: store.ImportCounts{Unchanged: 2}, Files: store.ImportCounts{Unchanged: 3},
		Consultations: store.ImportCounts{Unchanged: 1}}); res != want {
		t.Errorf("second import: %+v", res)
	}
	search := func(q string) []string {
		t.Helper()
		hits, _, err := s.Papers(ctx(t), store.PaperFilter{BodyID: "ma", Query: q})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.ID)
		}
		return out
	}
	equal(t, "search Schuldnerberatung", search("Schuldnerberatung"), []string{"ma-paper-1"})
	equal(t, "search Bürgerhaus", search("Bürgerhaus"), []string{"ma-paper-1"})
	equal(t, "search by reference", search("DS 2/2016"), []string{"ma-paper-2"})

	// A changed file text moves the paper and its search; a consultation and
	// a file the source no longer lists become tombstones.
	before, err := s.OParlPaper(ctx(t), "ma-paper-1")
	if err != nil {
		t.Fatal(err)
	}
	ps := archivePapers("Jetzt geht es um die Kita.")
	ps[0].Consultations = nil
	ps[1].Files = ps[1].Files[:1]
	res, err = s.ImportPapers(ctx(t), ps)
	if err != nil {
		t.Fatal(err)
	}
	if res.Papers.Updated != 0 || res.Files.Updated != 1 || res.Files.Deleted != 1 || res.Consultations.Deleted != 1 {
		t.Errorf("changed import: %+v", res)
	}
	equal(t, "search Schuldnerberatung after the change", search("Schuldnerberatung"), nil)
	equal(t, "search Kita", search("Kita"), []string{"ma-paper-1"})
	after, err := s.OParlPaper(ctx(t), "ma-paper-1")
	if err != nil {
		t.Fatal(err)
	}
	if !after.Modified.After(before.Modified) || len(after.History.Consultations) != 0 || len(after.History.Files) != 1 {
		t.Errorf("paper after the change: %+v", after.History)
	}
	if c, err := s.OParlConsultation(ctx(t), "ma-cons-1"); err != nil || !c.Deleted {
		t.Errorf("dropped consultation: %+v, %v", c, err)
	}
	if changed, err := s.MarkPaperDeleted(ctx(t), "ma-paper-2"); err != nil || !changed {
		t.Errorf("MarkPaperDeleted: %v %v", changed, err)
	}
	equal(t, "search of a deleted paper", search("Radwege"), nil)
}

func TestResolveOParlIDs(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	reqs := []store.OParlIDRequest{
		{OParlID: "https://a.example/paper/1", Candidates: []string{"ma-paper-1", "ma-paper-x1"}},
		{OParlID: "https://b.example/paper/1", Candidates: []string{"ma-paper-1", "ma-paper-x2"}},
	}
	got, err := s.ResolveOParlIDs(ctx(t), store.OParlKindPaper, "ma", reqs)
	if err != nil {
		t.Fatal(err)
	}
	a, b := got["https://a.example/paper/1"], got["https://b.example/paper/1"]
	if a == b || !slices.Contains([]string{"ma-paper-1", "ma-paper-x1"}, a) || !slices.Contains([]string{"ma-paper-1", "ma-paper-x2"}, b) {
		t.Errorf("resolved %v", got)
	}
	again, err := s.ResolveOParlIDs(ctx(t), store.OParlKindPaper, "ma", reqs[:1])
	if err != nil || again["https://a.example/paper/1"] != a {
		t.Errorf("again: %v %v", again, err)
	}
}

// TestOParlArchiveMerged: the OParl lists hold the motions and the archive
// in one key order, page after page, each object once.
func TestOParlArchiveMerged(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	for i, id := range []string{"ma-m1", "ma-q2"} {
		at := t0.Add(time.Duration(i) * time.Hour)
		d := draft(id, "ma", "spd", "Antrag "+id, at)
		d.Attachments = []motion.Attachment{{Name: "a.pdf", URL: "/anhaenge/" + id, ContentType: "application/pdf"}}
		project(t, s, d)
		project(t, s, submit(d, at.Add(time.Minute)))
	}
	if _, err := s.ImportMeeting(ctx(t), store.Meeting{ID: "ma-meeting-1", BodyID: "ma", Name: "Sitzung", Start: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportPapers(ctx(t), archivePapers("")); err != nil {
		t.Fatal(err)
	}
	pub := true
	res, err := s.ImportAgendaItems(ctx(t), "ma-meeting-1", "ma", []store.ImportedAgendaItem{
		{ID: "ma-ai-1", SourceID: "https://ris.example/agendaitem/1", Number: "1", Order: 1, Name: "DS 1/2016", Public: &pub,
			ConsultationSource: "https://ris.example/consultation/1"},
		{ID: "ma-ai-2", SourceID: "https://ris.example/agendaitem/2", Number: "2", Order: 2, Name: "Verschiedenes"},
	})
	if err != nil || res.Created != 2 {
		t.Fatalf("ImportAgendaItems: %+v %v", res, err)
	}
	if res, err := s.ImportAgendaItems(ctx(t), "ma-meeting-1", "ma", nil); err != nil || res.Deleted != 2 {
		t.Fatalf("empty agenda: %+v %v", res, err)
	}

	var papers []string
	for after := ""; ; {
		ps, next, err := s.OParlPapers(ctx(t), store.OParlFilter{BodyID: "ma", Limit: 1, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.History != nil {
				papers = append(papers, p.History.ID)
			} else {
				papers = append(papers, p.Motion.ID)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	equal(t, "papers", papers, []string{"ma-m1", "ma-paper-1", "ma-paper-2", "ma-q2"})

	var files []string
	for after := ""; ; {
		fs, next, err := s.OParlFiles(ctx(t), store.OParlFilter{BodyID: "ma", Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			files = append(files, f.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	equal(t, "files", files, []string{"ma-file-1", "ma-file-2", "ma-file-3", "ma-m1/1", "ma-q2/1"})

	all, _, err := s.OParlAgendaItems(ctx(t), store.OParlFilter{BodyID: "ma"})
	if err != nil || len(all) != 2 || !all[0].Deleted {
		t.Errorf("agenda items: %+v %v", all, err)
	}
	m, err := s.OParlMeeting(ctx(t), "ma-meeting-1")
	if err != nil || len(m.AgendaItems) != 0 {
		t.Errorf("meeting without its deleted items: %+v %v", m.AgendaItems, err)
	}
}
