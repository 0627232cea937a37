package e2e

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// example is the SPD faction's motion as it published it
// (testdata/antrag-digitalisierung-im-quadrat.txt, a copy of the page).
type example struct {
	Title            string
	ResolutionPoints []string
	Justification    string
	Tags             []string
	Attachment       string
	Result           string // "Erledigt durch andere Beschlüsse."
}

// readExample takes the motion's parts out of the published page.
func readExample(t *testing.T) example {
	t.Helper()
	f, err := os.Open("testdata/antrag-digitalisierung-im-quadrat.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ex example
	var section string
	var paragraphs []string
	point := regexp.MustCompile(`^\d+\.\)\s*(.+)$`)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case ex.Title == "" && strings.HasPrefix(line, "Antrag: "):
			ex.Title = strings.TrimPrefix(line, "Antrag: ")
		case line == "Begründung:" || line == "Dokument" || line == "Ergebnis":
			section = line
		case line == "":
		case point.MatchString(line) && section == "":
			ex.ResolutionPoints = append(ex.ResolutionPoints, point.FindStringSubmatch(line)[1])
		case section == "Begründung:":
			paragraphs = append(paragraphs, line)
		case section == "Dokument" && ex.Attachment == "":
			ex.Attachment = strings.TrimSuffix(line, "Herunterladen") + ".pdf"
		case section == "Ergebnis" && ex.Result == "":
			ex.Result = line
			section = "done"
		case strings.HasPrefix(line, "#Antrag"):
			for tag := range strings.SplitSeq(line, "#") {
				if tag = strings.TrimSpace(tag); tag != "" {
					ex.Tags = append(ex.Tags, tag)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	ex.Justification = strings.Join(paragraphs, "\n\n")
	if ex.Title != "Digitalisierung im Quadrat" || len(ex.ResolutionPoints) != 3 || len(paragraphs) != 6 ||
		len(ex.Tags) != 6 || !strings.HasPrefix(ex.Attachment, "A762_2019_") || ex.Result == "" {
		t.Fatalf("example not read as expected: %+v (%d paragraphs)", ex, len(paragraphs))
	}
	return ex
}

// TestDigitalisierungImQuadrat carries the real example from the faction's
// first draft to "Erledigt durch andere Beschlüsse", over HTTP only. After
// every step the single read, the strongly consistent read, the list and the
// audit trail must tell the same story.
func TestDigitalisierungImQuadrat(t *testing.T) {
	ex := readExample(t)
	h := newHarness(t, api.Config{})

	// Another faction's public motion, which will settle ours.
	other := h.create(h.CDU, motion.KindMotion, map[string]any{
		"title":             "Digitalstrategie für die Stadtverwaltung",
		"resolution_points": []string{"Die Verwaltung legt bis Mitte 2020 eine Digitalstrategie vor."},
	})
	h.run(h.CDU, other.ID, motion.CmdSubmit, nil)
	other = h.run(h.Office, other.ID, motion.CmdRegister, nil)

	ha := h.meeting("ha-2020-01-28", committee, "Hauptausschuss (Haushaltsberatungen)", time.Date(2020, 1, 28, 16, 0, 0, 0, berlin))
	gr := h.meeting("gr-2020-02-11", council, "Gemeinderat (Haushaltssitzung)", time.Date(2020, 2, 11, 15, 0, 0, 0, berlin))

	// 1. The faction starts a draft with the first point only …
	m := h.create(h.SPD, motion.KindBudgetMotion, map[string]any{
		"title":             ex.Title,
		"resolution_points": ex.ResolutionPoints[:1],
		"budget_cycle":      "Haushalt 2020/2021",
	})
	if m.Status != motion.StatusDraft || m.Version != 1 || m.Faction != factionSPD || m.KindLabel != "Haushaltsantrag" {
		t.Fatalf("draft: %+v", m)
	}
	h.agree(m.ID, 1, motion.StatusDraft, motion.CmdCreate, h.SPD)

	// 2. … and completes it: three points, the Begründung, tags, the PDF.
	m = h.run(h.SPD, m.ID, motion.CmdEdit, map[string]any{
		"title":             ex.Title,
		"resolution_points": ex.ResolutionPoints,
		"justification":     ex.Justification,
		"tags":              ex.Tags,
		"budget_cycle":      "Haushalt 2020/2021",
		"signatories":       []string{"Ralf Eisenhauer", "Dr. Boris Weirauch"},
		"attachments":       []map[string]any{{"name": ex.Attachment, "content_type": "application/pdf"}},
	})
	h.agree(m.ID, 2, motion.StatusDraft, motion.CmdEdit, h.SPD)
	if len(m.ResolutionPoints) != 3 || m.Justification != ex.Justification || !slices.Equal(m.Tags, ex.Tags) ||
		len(m.Attachments) != 1 || m.Attachments[0].Name != ex.Attachment {
		t.Fatalf("edited content: %+v", m.Content)
	}

	// 3. Submitted: from now on it is public.
	m = h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	h.agree(m.ID, 3, motion.StatusSubmitted, motion.CmdSubmit, h.SPD)
	if anon := h.get(h.Anon, m.ID); anon.Version != 3 {
		t.Fatalf("the public does not see the submitted motion: %+v", anon)
	}

	// 4. The council office registers it; the workflow assigns the reference.
	m = h.run(h.Office, m.ID, motion.CmdRegister, nil)
	h.agree(m.ID, 4, motion.StatusRegistered, motion.CmdRegister, h.Office)
	year := m.RegisteredAt.In(berlin).Year()
	if !regexp.MustCompile(`^A\d+/\d{4}$`).MatchString(m.Reference) || m.Reference != fmt.Sprintf("A%d/%d", m.ReferenceSeq, year) ||
		m.ReferenceYear != year || m.Reference == other.Reference {
		t.Fatalf("reference %q (seq %d, year %d), other motion %q", m.Reference, m.ReferenceSeq, m.ReferenceYear, other.Reference)
	}

	// 5. The route: the Hauptausschuss recommends, the Gemeinderat decides.
	m = h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": committee}, {"organization_id": council, "decisive": true},
	}})
	h.agree(m.ID, 5, motion.StatusInConsultation, motion.CmdSetRoute, h.Office)
	if len(m.Consultations) != 2 || m.Consultations[0].OrganizationID != committee || !m.Consultations[1].Decisive {
		t.Fatalf("route: %+v", m.Consultations)
	}
	haStep, grStep := m.Consultations[0].ID, m.Consultations[1].ID

	// 6. Scheduled into the committee's meeting; the 2020 sessions are past,
	// so the council office enters them after the fact and says so.
	m = h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": haStep, "meeting_id": ha, "override": backfill})
	h.agree(m.ID, 6, motion.StatusInConsultation, motion.CmdSchedule, h.Office)
	h.reasonIs(m.ID, 6, backfill)
	h.onAgenda(ha, m.ID, haStep)

	// 7. … which recommends approval by vote.
	m = h.run(h.Office, m.ID, motion.CmdRecordResult, map[string]any{
		"consultation_id": haStep, "result": "recommend_approval",
		"vote": map[string]any{"yes": 9, "no": 5, "abstain": 1},
	})
	h.agree(m.ID, 7, motion.StatusInConsultation, motion.CmdRecordResult, h.Office)
	if rec := m.Consultations[0].Record; rec == nil || rec.Result != motion.ResultRecommendApproval || rec.Vote.Yes != 9 || rec.MeetingID != ha {
		t.Fatalf("committee record: %+v", m.Consultations[0])
	}

	// 8. Scheduled into the council's budget session …
	m = h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": grStep, "meeting_id": gr, "override": backfill})
	h.agree(m.ID, 8, motion.StatusInConsultation, motion.CmdSchedule, h.Office)
	h.reasonIs(m.ID, 8, backfill)

	// 9. … which settles it by other resolutions, with the faction's consent.
	m = h.run(h.Office, m.ID, motion.CmdRecordResult, map[string]any{
		"consultation_id": grStep, "result": "settled_by_other_resolutions",
		"vote": map[string]any{"yes": 30, "no": 14, "abstain": 4, "absent": 0, "by_faction": []map[string]any{
			{"organization_id": factionSPD, "yes": 12, "no": 0, "abstain": 0},
			{"organization_id": factionCDU, "yes": 18, "no": 14, "abstain": 4},
		}},
		"links":             []map[string]any{{"motion_id": other.ID, "reference": other.Reference, "title": other.Title}},
		"originator_agreed": true,
		"note":              "Erledigt durch die Beschlüsse zum Haushalt 2020/2021.",
	})
	h.agree(m.ID, 9, motion.StatusDecided, motion.CmdRecordResult, h.Office)

	// The outcome is exactly the published one.
	if m.Status != motion.StatusDecided || m.StatusLabel != "Entschieden" || m.Outcome == nil ||
		m.Outcome.Result != motion.ResultSettledByOtherResolutions || m.Outcome.ConsultationID != grStep ||
		m.Outcome.OriginatorAgreed == nil || !*m.Outcome.OriginatorAgreed ||
		len(m.Outcome.Links) != 1 || m.Outcome.Links[0].MotionID != other.ID || m.DecidedAt == nil {
		t.Fatalf("outcome: status %s, %+v", m.Status, m.Outcome)
	}
	if m.OutcomeLabel+"." != ex.Result {
		t.Errorf("outcome label %q, the faction published %q", m.OutcomeLabel, ex.Result)
	}
	if v := m.Consultations[1].Record.Vote; v == nil || v.Yes != 30 || v.No != 14 || v.Abstain != 4 || len(v.ByFaction) != 2 {
		t.Errorf("council vote: %+v", v)
	}
	if slices.Contains(m.AllowedActions, motion.CmdWithdraw) {
		t.Errorf("a decided motion can still be withdrawn: %v", m.AllowedActions)
	}
	h.onAgenda(gr, m.ID, grStep)

	// The public finds it as the faction's website would: by search and by tag.
	for _, q := range []string{"q=Digitalisierung+Metropole", "tag=Haushalt2020", "status=decided&kind=budget_motion", "meeting=" + gr} {
		items, _ := h.list(h.Anon, q)
		if !slices.ContainsFunc(items, func(x motionView) bool { return x.ID == m.ID && x.Version == 9 }) {
			t.Errorf("anonymous list %q misses the motion", q)
		}
	}

	// Its recorded history replays against today's workflow code.
	h.replayHistories(map[string]string{"digitalisierung-im-quadrat": m.ID, "settling-motion": other.ID})
}

// backfill is the council office's reason for scheduling into the 2020
// sessions, whose days have passed (Nacherfassung).
const backfill = "Nacherfassung der Haushaltsberatungen 2020/2021"

// reasonIs checks that the motion's history shows the reason given with the
// step of the version.
func (h *harness) reasonIs(id string, version int64, reason string) {
	h.t.Helper()
	evs := h.history(h.Anon, id)
	i := slices.IndexFunc(evs, func(e motion.Event) bool { return e.Version == version })
	if i < 0 || evs[i].Reason != reason {
		h.t.Fatalf("the history of %s does not show the reason %q with version %d: %+v", id, reason, version, evs)
	}
}

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// agree checks after one step that the read model, the workflow's state, the
// list and the audit trail agree: same version and status, one event per step,
// the last one being this step by this user.
func (h *harness) agree(id string, version int64, status motion.Status, cmd motion.CommandName, by user) {
	h.t.Helper()
	viewer := h.SPD // the originating faction sees its motion in every status
	m := h.get(viewer, id)
	if m.Version != version || m.Status != status || m.StatusLabel != status.Label() {
		h.t.Fatalf("after %s: GET has version %d status %s (%s), want %d %s", cmd, m.Version, m.Status, m.StatusLabel, version, status)
	}
	var c motionView
	h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+id+"?consistent=true", viewer, nil), 200), &c)
	if c.Version != version || c.Status != status {
		h.t.Fatalf("after %s: the workflow has version %d status %s", cmd, c.Version, c.Status)
	}
	items, _ := h.list(viewer, "faction="+factionSPD+"&limit=200")
	i := slices.IndexFunc(items, func(x motionView) bool { return x.ID == id })
	if i < 0 || items[i].Version != version || items[i].Status != status {
		h.t.Fatalf("after %s: the list does not agree (found %v)", cmd, i >= 0)
	}
	evs := h.history(viewer, id)
	if int64(len(evs)) != version {
		h.t.Fatalf("after %s: %d events for version %d", cmd, len(evs), version)
	}
	for i, e := range evs {
		if e.Version != int64(i+1) || e.MotionID != id || e.At.IsZero() || (i > 0 && e.At.Before(evs[i-1].At)) {
			h.t.Fatalf("event %d: %+v", i, e)
		}
	}
	last := evs[len(evs)-1]
	if last.Command != cmd || last.Status != status || last.Actor.Subject != by.Subject || last.Actor.Name != by.Name ||
		last.Actor.Role != by.Role || last.Actor.Issuer != h.Issuer.URL() || last.RequestID == "" || last.Summary == "" {
		h.t.Fatalf("after %s: last event %+v, want by %s (%s)", cmd, last, by.Subject, by.Role)
	}
	// PostgreSQL keeps microseconds; the motion's JSON the workflow's nanoseconds.
	if !last.At.Equal(m.UpdatedAt.Truncate(time.Microsecond)) || time.Since(last.At) > 10*time.Minute {
		h.t.Fatalf("after %s: event time %v, motion updated %v", cmd, last.At, m.UpdatedAt)
	}
}

// onAgenda checks that the meeting's agenda lists the motion's consultation.
func (h *harness) onAgenda(meetingID, motionID, consultationID string) {
	h.t.Helper()
	var mt struct {
		Agenda []struct {
			MotionID       string `json:"motion_id"`
			ConsultationID string `json:"consultation_id"`
		} `json:"agenda"`
	}
	h.decode(h.mustStatus(h.call("GET", "/v1/meetings/"+meetingID, h.Anon, nil), 200), &mt)
	for _, it := range mt.Agenda {
		if it.MotionID == motionID && it.ConsultationID == consultationID {
			return
		}
	}
	h.t.Fatalf("meeting %s agenda %+v lacks %s/%s", meetingID, mt.Agenda, motionID, consultationID)
}
