package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/store"
)

// recordInbox stores an inbox entry of a step of subject ("motion/m1")
// hours after a fixed instant (no test depends on today).
func (e *env) recordInbox(event, recipient, text string, hours int) {
	e.t.Helper()
	kind, rest, _ := strings.Cut(event, "/")
	id, _, _ := strings.Cut(rest, "/")
	n := store.Notice{EventID: event, Recipient: recipient, Channel: store.ChannelInApp, BodyID: "ma", SubjectKind: kind,
		SubjectID: id, Type: "de.motionflow." + kind + ".step", Text: text,
		At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(hours) * time.Hour)}
	if ok, err := e.st.RecordNotice(e.t.Context(), n); err != nil || !ok {
		e.t.Fatalf("record %s: %v %v", event, ok, err)
	}
}

// TestNoticesPage: a faction's staff member sees the faction's and its own
// entries, newest first, unread marked, linked to the motion or meeting,
// never another faction's; "Alle als gelesen markieren" marks them read,
// a cross-origin POST does not.
func TestNoticesPage(t *testing.T) {
	e := newEnv(t)
	e.recordInbox("motion/m1/v2", store.AudienceRecipient("faction:spd"), "Registriert: A1/2026 „Mehr Radwege“", 0)
	e.recordInbox("meeting/s1/v3", store.UserRecipient("spd"), "Einladung veröffentlicht: Hauptausschuss am 10.03.2026", 2)
	e.recordInbox("motion/m2/v2", store.AudienceRecipient("faction:cdu"), "Registriert: A2/2026 „Weniger Parkplätze“", 1)

	if p := e.get("", "/benachrichtigungen"); p.URL != "/login" {
		t.Errorf("anonymous visitor ended at %s", p.URL)
	}
	p := e.get("spd", "/benachrichtigungen")
	if p.Status != http.StatusOK {
		t.Fatalf("page: %d %s", p.Status, p.Body)
	}
	meeting := strings.Index(p.Body, `<strong>Neu:</strong> <a href="/sitzungen/s1">Einladung veröffentlicht: Hauptausschuss am 10.03.2026</a>`)
	motion := strings.Index(p.Body, `<strong>Neu:</strong> <a href="/antraege/m1">Registriert: A1/2026 „Mehr Radwege“</a>`)
	if meeting < 0 || motion < meeting {
		t.Errorf("entries missing, unmarked or out of order (meeting at %d, motion at %d):\n%s", meeting, motion, p.Body)
	}
	for _, want := range []string{"(2 ungelesen)", "Alle als gelesen markieren", `href="/benachrichtigungen" aria-current="page"`, "02.03.2026, 12:00 Uhr"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Weniger Parkplätze") {
		t.Error("Sabine reads the CDU's inbox")
	}
	if c := e.get("cdu", "/benachrichtigungen"); !strings.Contains(c.Body, "Weniger Parkplätze") || strings.Contains(c.Body, "Mehr Radwege") {
		t.Errorf("Carl's page:\n%s", c.Body)
	}

	// A cross-origin form changes nothing.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/benachrichtigungen/gelesen", strings.NewReader(""))
	req.Header.Set("X-Test-User", "spd")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d", res.StatusCode)
	}

	// One entry, then all.
	p = e.post("spd", "/benachrichtigungen/gelesen", url.Values{"event_id": {"meeting/s1/v3"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Die Benachrichtigung ist als gelesen markiert.") || !strings.Contains(p.Body, "(1 ungelesen)") ||
		strings.Contains(p.Body, `<strong>Neu:</strong> <a href="/sitzungen/s1">`) {
		t.Errorf("after reading one:\n%s", p.Body)
	}
	p = e.post("spd", "/benachrichtigungen/gelesen", nil)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Die Benachrichtigungen sind als gelesen markiert.") ||
		strings.Contains(p.Body, "Neu:") || strings.Contains(p.Body, "ungelesen)") || strings.Contains(p.Body, "Alle als gelesen markieren") ||
		strings.Count(p.Body, " · gelesen</span>") != 2 {
		t.Errorf("after reading all:\n%s", p.Body)
	}
	if c := e.get("cdu", "/benachrichtigungen"); !strings.Contains(c.Body, "(1 ungelesen)") {
		t.Error("Sabine's marking reached Carl's inbox")
	}
}

// TestFollowOnNoticesPage: the page follows a keyword and an organization,
// refuses an empty keyword and a department in German next to the input,
// and stops following.
func TestFollowOnNoticesPage(t *testing.T) {
	e := newEnv(t)
	p := e.post("spd", "/benachrichtigungen/folgen", url.Values{"kind": {"keyword"}, "body_id": {"ma"}, "tags": {" Radverkehr "}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Sie erfahren ab jetzt hier") || !strings.Contains(p.Body, "<td data-label=\"Wem\">„radverkehr“</td>") {
		t.Fatalf("follow keyword: %d\n%s", p.Status, p.Body)
	}
	p = e.post("spd", "/benachrichtigungen/folgen", url.Values{"kind": {"organization"}, "organization_id": {"ha"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "<td data-label=\"Wem\">Hauptausschuss</td>") {
		t.Fatalf("follow committee: %d\n%s", p.Status, p.Body)
	}
	subs, err := e.st.Subscribers(t.Context(), "ma", []string{"radverkehr"}, []string{"ha"})
	if err != nil || len(subs) != 2 || subs[0].Subject != "spd" {
		t.Fatalf("subscribers = %+v, %v", subs, err)
	}

	p = e.post("spd", "/benachrichtigungen/folgen", url.Values{"kind": {"keyword"}, "body_id": {"ma"}, "tags": {"  "}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Das Schlagwort ist leer.") || !strings.Contains(p.Body, `aria-invalid="true"`) {
		t.Errorf("empty keyword: %d\n%s", p.Status, p.Body)
	}
	p = e.post("spd", "/benachrichtigungen/folgen", url.Values{"kind": {"organization"}, "organization_id": {"dez1"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Bitte wählen Sie ein Gremium oder eine Fraktion.") {
		t.Errorf("department: %d\n%s", p.Status, p.Body)
	}
	if p := e.post("", "/benachrichtigungen/folgen", url.Values{"kind": {"keyword"}, "body_id": {"ma"}, "tags": {"Schule"}}); p.Status != http.StatusForbidden {
		t.Errorf("anonymous follow: %d", p.Status)
	}

	p = e.post("spd", "/benachrichtigungen/folgen", url.Values{"kind": {"keyword"}, "body_id": {"ma"}, "value": {"radverkehr"}, "beenden": {"1"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Sie folgen dem nicht mehr.") || strings.Contains(p.Body, "„radverkehr“") ||
		!strings.Contains(p.Body, "Hauptausschuss</td>") {
		t.Errorf("unfollow: %d\n%s", p.Status, p.Body)
	}
}
