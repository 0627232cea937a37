package oparl_test

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/oparl"
	"github.com/motionflow/motionflow/oparl/oparltest"
	"github.com/motionflow/motionflow/store"
)

const secretResolution = "NICHTÖFFENTLICHER BESCHLUSS"

// projectMeeting writes a meeting's state as its workflow would.
func (f *fixture) projectMeeting(m meeting.Meeting, cmd meeting.CommandName) {
	f.t.Helper()
	ev := meeting.Event{MeetingID: m.ID, Version: m.Version, Command: cmd, At: m.UpdatedAt,
		Actor: motion.ActorRef{Subject: f.office.Subject, Name: f.office.Name}, Status: m.Status, Summary: string(cmd)}
	if err := f.st.ProjectMeeting(f.t.Context(), m, ev); err != nil {
		f.t.Fatalf("project meeting %s v%d: %v", m.ID, m.Version, err)
	}
}

// meetingPDF stores a document of a meeting and returns its bytes.
func (f *fixture) meetingPDF(meetingID, kind, name string, at time.Time) []byte {
	f.t.Helper()
	content := []byte("%PDF-1.4 " + kind + " of " + meetingID)
	ok(f.t)(nil, f.st.SaveMeetingFile(f.t.Context(), store.MeetingFile{MeetingID: meetingID, Kind: kind, Name: name, Content: content}, at))
	return content
}

// TestOParlMeetingDocumentsAndResults: a meeting run as a process shows its
// invitation and, once published, its minutes as Files that lead to the
// API's PDFs; its agenda items carry the result and resolution text of the
// public part, never of the non-public part, and change when they do.
func TestOParlMeetingDocumentsAndResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t, oparl.Config{})
	f.meeting("ha", committee, "Hauptausschuss", time.Date(2020, 1, 28, 16, 0, 0, 0, berlin))
	f.meeting("gr", council, "Gemeinderat", time.Date(2020, 2, 11, 15, 0, 0, 0, berlin))
	m := f.submitted("m", f.spd, "Digitalisierung im Quadrat")
	f.register(m, 1)
	f.step(m, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: committee}, {OrganizationID: council, Decisive: true}}})
	f.step(m, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "ha"})
	f.step(m, f.office, motion.Schedule{ConsultationID: "c2", MeetingID: "gr"})
	secret := f.submitted("s", f.cdu, "Grundstücksangelegenheit")
	f.register(secret, 2)
	f.step(secret, f.office, motion.SetRoute{Steps: []motion.RouteStep{{OrganizationID: council, Decisive: true}}})
	f.step(secret, f.office, motion.Schedule{ConsultationID: "c1", MeetingID: "gr"})

	invited := time.Date(2020, 2, 1, 9, 0, 0, 0, berlin)
	held := time.Date(2020, 2, 11, 19, 0, 0, 0, berlin)
	published := time.Date(2020, 3, 2, 9, 0, 0, 0, berlin)
	gr := meeting.Meeting{ID: "gr", BodyID: bodyID, OrganizationID: council, Name: "Gemeinderat",
		Start: time.Date(2020, 2, 11, 15, 0, 0, 0, berlin), Version: 9, Status: meeting.StatusPublished,
		Agenda: []meeting.Item{
			{ID: "t1", Number: "1", Kind: meeting.ItemMotion, Title: m.Title, Public: true, MotionID: "m", ConsultationID: "c2",
				Status: meeting.ItemDecided, Result: motion.ResultAdopted, Vote: &motion.Vote{Yes: 30, No: 10},
				ResolutionText: "Der Gemeinderat beschließt den Antrag.", RecordedAt: &held},
			{ID: "t2", Number: "N1", Kind: meeting.ItemMotion, Title: secret.Title, Public: false, MotionID: "s", ConsultationID: "c1",
				Status: meeting.ItemDecided, Result: motion.ResultRejected, ResolutionText: secretResolution, RecordedAt: &held},
		},
		InvitationPublishedAt: &invited, MinutesPublishedAt: &published, UpdatedAt: published}
	f.projectMeeting(gr, meeting.CmdRecordResults)
	invitation := f.meetingPDF("gr", "invitation", "Einladung 2020-02-11.pdf", invited)
	minutes := f.meetingPDF("gr", "minutes", "Niederschrift 2020-02-11.pdf", published)

	// The committee met, but its minutes are not published yet.
	ha := meeting.Meeting{ID: "ha", BodyID: bodyID, OrganizationID: committee, Name: "Hauptausschuss",
		Start: time.Date(2020, 1, 28, 16, 0, 0, 0, berlin), Version: 5, Status: meeting.StatusHeld,
		Agenda: []meeting.Item{{ID: "t1", Number: "1", Kind: meeting.ItemMotion, Title: m.Title, Public: true,
			MotionID: "m", ConsultationID: "c1", Status: meeting.ItemOpen}},
		InvitationPublishedAt: &invited, UpdatedAt: held}
	f.projectMeeting(ha, meeting.CmdCloseSession)
	f.meetingPDF("ha", "invitation", "Einladung 2020-01-28.pdf", invited)
	f.meetingPDF("ha", "minutes", "Niederschrift 2020-01-28.pdf", held)

	schemas := oparltest.LoadSchemas(t, "testdata/schema")
	crawl := oparltest.Walk(t, http.DefaultClient, f.base+"/system", schemas)
	crawl.CheckReferences(t)
	for _, b := range crawl.Bodies {
		if bytes.Contains(b, []byte(secretResolution)) {
			t.Fatalf("the non-public resolution leaks: %s", b)
		}
	}

	// The council's meeting: invitation and minutes, each at the API's PDF.
	mt := crawl.Objects[f.base+"/meeting/gr"]
	for field, w := range map[string]struct {
		kind, fileName string
		content        []byte
		date           string
	}{
		"invitation":      {"invitation", "Einladung 2020-02-11.pdf", invitation, "2020-02-01"},
		"resultsProtocol": {"minutes", "Niederschrift 2020-02-11.pdf", minutes, "2020-03-02"},
	} {
		file, _ := mt[field].(map[string]any)
		sum := sha512.Sum512(w.content)
		want := map[string]any{
			"id": f.base + "/file/meeting/gr/" + w.kind, "type": oparl.Schema + "File",
			"accessUrl": f.srv.URL + "/v1/meetings/gr/" + w.kind + ".pdf", "downloadUrl": f.srv.URL + "/v1/meetings/gr/" + w.kind + ".pdf",
			"mimeType": "application/pdf", "fileName": w.fileName, "size": float64(len(w.content)),
			"sha512Checksum": hex.EncodeToString(sum[:]), "date": w.date, "meeting": []any{f.base + "/meeting/gr"},
		}
		for k, v := range want {
			if js(file[k]) != js(v) {
				t.Errorf("meeting gr %s.%s = %s, want %s", field, k, js(file[k]), js(v))
			}
		}
		if file["name"] == nil || file["created"] == nil || file["modified"] == nil {
			t.Errorf("meeting gr %s without name, created or modified: %s", field, js(file))
		}
		if errs := schemas.Validate(field, file); len(errs) > 0 {
			t.Errorf("meeting gr %s: %v", field, errs)
		}
		// Its id resolves to the same File.
		if obj := crawl.Objects[file["id"].(string)]; js(obj) != js(file) {
			t.Errorf("%s serves %s, the meeting embeds %s", file["id"], js(obj), js(file))
		}
	}

	// The committee's meeting: the invitation only; the minutes' File does not exist yet.
	if c := crawl.Objects[f.base+"/meeting/ha"]; c["invitation"] == nil || c["resultsProtocol"] != nil {
		t.Errorf("meeting ha: invitation %v, resultsProtocol %v; want only the invitation", c["invitation"], c["resultsProtocol"])
	}
	for _, p := range []string{"/file/meeting/ha/minutes", "/file/meeting/gr/agenda", "/file/meeting/unbekannt/invitation"} {
		if res := f.get(p, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}

	// The public item carries the meeting's result and resolution text and
	// changed when the meeting recorded them; the non-public one shows neither.
	item := crawl.Objects[f.base+"/agendaitem/gr/m/c2"]
	if item["result"] != "Beschlossen" || item["public"] != true || item["resolutionText"] != "Der Gemeinderat beschließt den Antrag." ||
		item["modified"] != oparlTime(published) {
		t.Errorf("public agenda item %s", js(item))
	}
	if items, _ := mt["agendaItem"].([]any); !slices.ContainsFunc(items, func(x any) bool { return js(x) == js(item) }) {
		t.Errorf("meeting gr embeds %s, want it to hold %s", js(mt["agendaItem"]), js(item))
	}
	if s := crawl.Objects[f.base+"/agendaitem/gr/s/c1"]; s == nil || s["result"] != nil || s["resolutionText"] != nil || s["public"] != false {
		t.Errorf("agenda item of the non-public part %s", js(s))
	}

	// A correction of the resolution text moves the item's modified, so
	// that syncing clients fetch it again.
	corrected := published.Add(24 * time.Hour)
	gr.Version, gr.UpdatedAt = 10, corrected
	gr.Agenda[0].ResolutionText = "Der Gemeinderat beschließt den Antrag in geänderter Fassung."
	f.projectMeeting(gr, meeting.CmdPublishMinutes)
	item = nil
	f.get("/agendaitem/gr/m/c2", &item)
	if item["resolutionText"] != "Der Gemeinderat beschließt den Antrag in geänderter Fassung." || item["modified"] != oparlTime(corrected) {
		t.Errorf("corrected agenda item %s", js(item))
	}
	since := url.Values{"modified_since": {corrected.Format(time.RFC3339)}}
	// (Every item of the meeting counts as changed: the meeting's state is one.)
	if got := f.listAll("/body/"+bodyID+"/agendaitems", since); !slices.Equal(got, []string{f.base + "/agendaitem/gr/m/c2", f.base + "/agendaitem/gr/s/c1"}) {
		t.Errorf("agenda items modified since the correction: %v", got)
	}
}
