package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/motionflow/motionflow/internal/pdftext"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/notify/smtpsink"
	"github.com/motionflow/motionflow/oparl/oparltest"
	"github.com/motionflow/motionflow/workflows"
)

// processView is the meeting as GET /v1/meetings/{id}/process shows it.
type processView struct {
	meeting.Meeting
	Allowed []string `json:"allowed"`
}

// meetingCmd runs a meeting command as the council office on the version
// last seen and returns the new state.
func (h *harness) meetingCmd(id string, name meeting.CommandName, body any) processView {
	h.t.Helper()
	r := h.mustStatus(h.call("POST", strings.Replace(api.MeetingCommandPath(name), "{id}", id, 1),
		h.Office, body, "If-Match", "*"), 200)
	var v processView
	h.decode(r, &v)
	return v
}

func (h *harness) process(id string, u user) processView {
	h.t.Helper()
	var v processView
	h.decode(h.mustStatus(h.call("GET", "/v1/meetings/"+id+"/process", u, nil), 200), &v)
	return v
}

// TestCouncilMeetingFromPlanningToPublishedMinutes runs a council meeting
// with twelve agenda items through its whole life: agenda, invitation (mail
// with the PDF to every member), § 34 met by the published agenda, a session
// with attendance, five items decided in one vote, one postponed into the
// next meeting (a trace on both agendas), minutes approved and published;
// each decided motion is decided on the meeting's date, and its
// implementation report is due six months after that date.
func TestCouncilMeetingFromPlanningToPublishedMinutes(t *testing.T) {
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	h := newHarnessWith(t, api.Config{}, harnessOptions{mailer: notify.NewMailer(notify.SMTPConfig{
		Host: sink.Host(), Port: sink.Port(), From: "motionflow <motionflow@mannheim.example>", TLS: notify.TLSNone})})
	ctx := context.Background()

	// Five councillors, four of them with an address.
	members := []string{"Anna Albrecht", "Bernd Bauer", "Carla Conrad", "Dieter Dorn", "Eva Ernst"}
	for i, name := range members {
		email := ""
		if i < 4 {
			email = fmt.Sprintf("rat%d@mannheim.example", i+1)
		}
		pid := fmt.Sprintf("p%d", i+1)
		if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO persons (id, body_id, name, email) VALUES ($1, $2, $3, $4)`,
			pid, bodyID, name, email); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Store.Pool.Exec(ctx, `INSERT INTO memberships (id, body_id, person_id, organization_id) VALUES ($1, $2, $3, $4)`,
			"m"+pid, bodyID, pid, council); err != nil {
			t.Fatal(err)
		}
	}

	// Nine motions, each submitted, registered and routed to the council.
	var motions []motionView
	for i := range 9 {
		m := h.create(h.SPD, motion.KindMotion, draftContent(fmt.Sprintf("Antrag Nummer %d für den Gemeinderat", i+1)))
		h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
		h.run(h.Office, m.ID, motion.CmdRegister, nil)
		motions = append(motions, h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
			{"organization_id": council, "decisive": true}}}))
	}

	start := time.Now().Add(20 * time.Second).Truncate(time.Second)
	gr := h.meeting("gr-sitzung", council, "Sitzung des Gemeinderats", start)
	next := h.meeting("gr-naechste", council, "Nächste Sitzung des Gemeinderats", start.AddDate(0, 0, 28))
	// A meeting has its process from its creation on (and with it the
	// reminders of its deadlines), before any command.
	waitFor(t, 20*time.Second, "the new meeting's process", func() bool {
		_, err := h.Temporal.DescribeWorkflowExecution(ctx, workflows.MeetingWorkflowID(next), "")
		return err == nil
	})

	for _, m := range motions {
		h.meetingCmd(gr, meeting.CmdAddItem, map[string]any{"kind": "motion", "public": true, "motion_id": m.ID, "consultation_id": "c1"})
	}
	h.meetingCmd(gr, meeting.CmdAddItem, map[string]any{"kind": "paper", "public": true, "title": "Haushaltssatzung 2027", "reference": "V 12/2027"})
	h.meetingCmd(gr, meeting.CmdAddItem, map[string]any{"kind": "report", "public": true, "title": "Bericht des Oberbürgermeisters"})
	v := h.meetingCmd(gr, meeting.CmdAddItem, map[string]any{"kind": "free", "public": false, "title": "Grundstücksangelegenheit Quadrat Q 7"})
	if len(v.Agenda) != 12 {
		t.Fatalf("agenda has %d items, want 12", len(v.Agenda))
	}
	itemOf := map[string]string{} // motion id → item id
	for _, it := range v.Agenda {
		if it.MotionID != "" {
			itemOf[it.MotionID] = it.ID
		}
	}

	// Before the invitation the § 34 deadline is open although the motions
	// are scheduled: scheduling alone does not place a motion on the agenda.
	for _, m := range motions {
		waitFor(t, 20*time.Second, "motion scheduled in the meeting", func() bool {
			return h.get(h.Office, m.ID).Consultations[0].Status == motion.ConsultationScheduled
		})
	}
	if !h.hasDeadline(motions[0].ID, motion.DeadlineAgendaPlacement) {
		t.Fatal("the § 34 deadline is met before any agenda was published")
	}

	// The public does not see the non-public item's title.
	if pub := h.process(gr, h.Anon); strings.Contains(string(mustJSON(t, pub)), "Quadrat Q 7") {
		t.Fatal("the public sees the title of a non-public item")
	}

	h.meetingCmd(gr, meeting.CmdPublishInvitation, nil)

	// Every member with an address gets the invitation with a PDF listing
	// every public item.
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	mails, err := sink.Wait(wctx, 4)
	if err != nil {
		t.Fatalf("invitations: %v (got %d)", err, len(sink.Messages()))
	}
	got := map[string]bool{}
	for _, msg := range mails {
		got[msg.To[0]] = true
		text := pdfText(t, attachment(t, msg.Data))
		for _, it := range v.Agenda {
			if it.Public && !strings.Contains(text, squash(it.Title)) {
				t.Errorf("invitation to %s does not list %q", msg.To[0], it.Title)
			}
		}
	}
	if len(got) != 4 {
		t.Fatalf("invitations went to %v, want the four members with an address", got)
	}
	r := h.mustStatus(h.call("GET", "/v1/meetings/"+gr+"/invitation.pdf", h.Anon, nil), 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("invitation Content-Type %q", ct)
	}

	// The published agenda meets § 34 for every motion on it.
	for _, m := range motions {
		waitFor(t, 20*time.Second, "§ 34 deadline met by the published agenda", func() bool {
			return !h.hasDeadline(m.ID, motion.DeadlineAgendaPlacement)
		})
	}

	// The session opens on the meeting's day, once it has begun.
	for time.Now().Before(start) {
		time.Sleep(200 * time.Millisecond)
	}
	v = h.meetingCmd(gr, meeting.CmdOpenSession, map[string]any{"present": members[:4]})
	if !slices.Equal(v.Members, members) || len(v.Present) != 4 {
		t.Fatalf("session opened with members %v, present %v", v.Members, v.Present)
	}

	vote := map[string]any{"yes": 3, "no": 1, "abstain": 0}
	var enBloc []string
	for _, m := range motions[:5] {
		enBloc = append(enBloc, itemOf[m.ID])
	}
	h.meetingCmd(gr, meeting.CmdRecordResults, map[string]any{"item_ids": enBloc, "result": "adopted", "vote": vote,
		"resolution_text": "Der Gemeinderat beschließt die Anträge wie beantragt."})
	h.meetingCmd(gr, meeting.CmdRecordResults, map[string]any{"item_ids": []string{itemOf[motions[5].ID]}, "result": "postponed", "postpone_to": next})
	h.meetingCmd(gr, meeting.CmdRecordResults, map[string]any{"item_ids": []string{itemOf[motions[6].ID]}, "result": "rejected",
		"vote": map[string]any{"yes": 1, "no": 3, "abstain": 0}})
	h.meetingCmd(gr, meeting.CmdRecordResults, map[string]any{"item_ids": []string{itemOf[motions[7].ID]}, "result": "referred", "referred_to": committee})
	h.meetingCmd(gr, meeting.CmdRecordResults, map[string]any{"item_ids": []string{itemOf[motions[8].ID]}, "result": "adopted",
		"vote": map[string]any{"yes": 4, "no": 0, "abstain": 0, "unanimous": true}, "resolution_text": "Die Verwaltung wird beauftragt."})
	for _, it := range v.Agenda[9:] {
		h.meetingCmd(gr, meeting.CmdRecordResults, map[string]any{"item_ids": []string{it.ID}, "result": "noted"})
	}
	h.meetingCmd(gr, meeting.CmdCloseSession, nil)
	h.meetingCmd(gr, meeting.CmdAmendMinutes, map[string]any{"notes": "Die Sitzung wurde um 19:30 Uhr unterbrochen."})
	h.meetingCmd(gr, meeting.CmdApproveMinutes, nil)
	v = h.meetingCmd(gr, meeting.CmdPublishMinutes, nil)
	if v.Status != meeting.StatusPublished {
		t.Fatalf("meeting status %s, want published", v.Status)
	}

	// The postponement leaves "vertagt" on the old agenda and the item on the new one.
	old := v.Item(itemOf[motions[5].ID])
	if old.Status != meeting.ItemPostponed || old.PostponedTo != next {
		t.Fatalf("postponed item on the old agenda: %+v", old)
	}
	waitFor(t, 30*time.Second, "the postponed item on the next meeting's agenda", func() bool {
		n := h.process(next, h.Office)
		it := n.ItemFor(motions[5].ID, "c1")
		return it != nil && it.PostponedFrom == gr
	})

	// Every decided motion is decided on the meeting's date, and its
	// implementation report is due six months from there.
	for _, m := range append(motions[:5:5], motions[6], motions[8]) {
		waitFor(t, 30*time.Second, "motion decided by the meeting", func() bool {
			return h.get(h.Office, m.ID).Status == motion.StatusDecided
		})
		got := h.get(h.Office, m.ID)
		if got.DecidedAt == nil || !got.DecidedAt.Equal(start) {
			t.Errorf("motion %s decided at %v, want the meeting's start %v", m.ID, got.DecidedAt, start)
		}
	}
	wantDue := start.In(berlin).AddDate(0, 6, 0)
	for _, m := range append(motions[:5:5], motions[8]) {
		waitFor(t, 30*time.Second, "implementation report due six months after the meeting", func() bool {
			d, ok := h.deadline(m.ID, motion.DeadlineImplementationReport)
			return ok && d.Equal(wantDue)
		})
	}
	if st := h.get(h.Office, motions[7].ID); st.Status != motion.StatusInConsultation {
		t.Errorf("referred motion is %s, want in consultation", st.Status)
	}

	// The minutes are public once published.
	r = h.mustStatus(h.call("GET", "/v1/meetings/"+gr+"/minutes.pdf", h.Anon, nil), 200)
	minutes := pdfText(t, r.Body)
	for _, want := range []string{"Sammelabstimmung", "Die Verwaltung wird beauftragt.", "Vertagt"} {
		if !strings.Contains(minutes, want) {
			t.Errorf("minutes do not say %q", want)
		}
	}
	if strings.Contains(minutes, "Quadrat Q 7") {
		t.Error("the public minutes name the non-public item")
	}

	// An importing client finds the held meeting with its documents, the
	// results on its agenda items and a PDF of every submitted paper.
	pub := h.publicServer(5)
	crawl := oparltest.Walk(t, http.DefaultClient, pub+"/oparl/v1/system", oparltest.LoadSchemas(t, "../oparl/testdata/schema"))
	crawl.CheckReferences(t)
	servesPDF := func(what string, file any) {
		t.Helper()
		f, _ := file.(map[string]any)
		u, _ := f["accessUrl"].(string)
		if u == "" {
			t.Errorf("%s: no File with an accessUrl: %v", what, file)
			return
		}
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("%s: GET %s → %d %s", what, u, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	var held map[string]any
	for _, o := range crawl.OfType("Meeting") {
		if strings.HasSuffix(o["id"].(string), "/meeting/"+gr) {
			held = o
		}
	}
	if held == nil {
		t.Fatal("OParl has no held meeting")
	}
	servesPDF("invitation", held["invitation"])
	servesPDF("resultsProtocol", held["resultsProtocol"])
	withResult := 0
	for _, o := range crawl.OfType("AgendaItem") {
		if o["meeting"] == held["id"] && o["result"] != nil && o["resolutionText"] != nil {
			withResult++
		}
	}
	if withResult < 6 {
		t.Errorf("%d agenda items of the held meeting carry result and resolutionText, want the 6 decided with a text", withResult)
	}
	for _, p := range crawl.OfType("Paper") {
		servesPDF("mainFile of "+p["name"].(string), p["mainFile"])
	}
	// Every consultation in a meeting, the postponed one too, has its agenda item.
	for _, c := range crawl.OfType("Consultation") {
		if c["meeting"] != nil && c["agendaItem"] == nil {
			t.Errorf("consultation %v in meeting %v has no agendaItem", c["id"], c["meeting"])
		}
	}

	// The meeting's and a decided motion's histories replay with today's
	// code (and are recorded for later code by `make histories`).
	h.replayWorkflows(map[string]string{
		"council-meeting":        workflows.MeetingWorkflowID(gr),
		"council-meeting-motion": workflows.WorkflowID(motions[8].ID),
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hasDeadline reports whether the motion has an open deadline of kind.
func (h *harness) hasDeadline(id string, kind motion.DeadlineKind) bool {
	_, ok := h.deadline(id, kind)
	return ok
}

// deadline returns the due time of the motion's open deadline of kind.
func (h *harness) deadline(id string, kind motion.DeadlineKind) (time.Time, bool) {
	h.t.Helper()
	var out struct {
		Items []struct {
			Kind motion.DeadlineKind `json:"kind"`
			Due  time.Time           `json:"due"`
		} `json:"items"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+id+"/deadlines", h.Office, nil), 200), &out)
	for _, d := range out.Items {
		if d.Kind == kind {
			return d.Due, true
		}
	}
	return time.Time{}, false
}

// attachment returns the first PDF attached to a raw e-mail.
func attachment(t *testing.T, raw []byte) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var find func(ct string, body io.Reader) []byte
	find = func(ct string, body io.Reader) []byte {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return nil
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return nil
			}
			pct := p.Header.Get("Content-Type")
			if strings.HasPrefix(pct, "application/pdf") {
				b, _ := io.ReadAll(p)
				if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
					dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
					if err != nil {
						t.Fatal(err)
					}
					return dec
				}
				return b
			}
			if b := find(pct, p); b != nil {
				return b
			}
		}
	}
	b := find(msg.Header.Get("Content-Type"), msg.Body)
	if b == nil {
		t.Fatal("the invitation has no PDF attached")
	}
	return b
}

// pdfText is the text of a PDF (poppler's pdftotext), white space folded.
func pdfText(t *testing.T, pdf []byte) string { return pdftext.Text(t, pdf) }

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }
