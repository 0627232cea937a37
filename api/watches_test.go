package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
)

// fakeMailer records the e-mails the API sends.
type fakeMailer struct {
	mu   sync.Mutex
	sent []sentMail
}

type sentMail struct {
	to  string
	msg notify.Message
}

func (m *fakeMailer) Send(_ context.Context, to string, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMail{to, msg})
	return nil
}

func (m *fakeMailer) mails() []sentMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

func init() {
	// A CDU member whose address the identity provider verified.
	actors["cdu-verified"] = motion.Actor{Issuer: "test", Subject: "cdu-2", Name: "Clara CDU", Email: "clara@cdu.example",
		Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "cdu", Bodies: []string{"mannheim"}}
}

var confirmLink = regexp.MustCompile(`https://rat\.example/beobachtung/bestaetigen\?token=([A-Za-z0-9_%-]+)`)

// TestWatchOfSomeoneElsesAddressNeedsItsConfirmation: a watch may name any
// address, but reminders reach it by e-mail only after its owner opened the
// link of the confirmation mail; the caller's verified address needs none.
func TestWatchOfSomeoneElsesAddressNeedsItsConfirmation(t *testing.T) {
	mailer := &fakeMailer{}
	e := newEnv(t, api.Config{BaseURL: "https://rat.example"}, func(d *api.Deps) { d.Mailer = mailer })
	id := e.motionAs("spd", "motion", "Mehr Radwege", nil)
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)
	path := "/v1/motions/" + id + "/watch"
	watch := map[string]any{"email": "opfer@example.org", "channels": []string{"email", "inapp"}}

	emailChannel := func(subject string) bool {
		t.Helper()
		ws, err := e.store.Watchers(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.Subject == subject {
				return slices.Contains(w.Channels, store.ChannelEmail)
			}
		}
		t.Fatalf("%s does not watch the motion", subject)
		return false
	}

	// Carl names someone else's address: the watch stands, unconfirmed, and
	// its owner is asked, in German, without learning which motion it is.
	r := e.do("PUT", path, "cdu", watch)
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["email_confirmed"] != false || got["confirmation"] != "sent" {
		t.Fatalf("watch of another's address = %s", r.body)
	}
	mails := mailer.mails()
	if len(mails) != 1 || mails[0].to != "opfer@example.org" || !strings.Contains(mails[0].msg.Text, "Carl CDU möchte Erinnerungen") ||
		strings.Contains(mails[0].msg.Text, "Mehr Radwege") {
		t.Fatalf("confirmation mails = %+v", mails)
	}
	m := confirmLink.FindStringSubmatch(mails[0].msg.Text)
	if m == nil {
		t.Fatalf("no confirmation link in %q", mails[0].msg.Text)
	}
	token, _ := url.QueryUnescape(m[1])
	if emailChannel("cdu-1") {
		t.Fatal("reminders would mail the unconfirmed address")
	}

	// Setting the watch again at once sends no second mail.
	r = e.do("PUT", path, "cdu", watch)
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["confirmation"] != "pending" || len(mailer.mails()) != 1 {
		t.Fatalf("second watch = %s, %d mails", r.body, len(mailer.mails()))
	}

	// The owner opens the link: from now on the reminders are mailed.
	if subject, email, err := e.store.ConfirmWatchAddress(t.Context(), token); err != nil || subject != "cdu-1" || email != "opfer@example.org" {
		t.Fatalf("confirm = %q %q %v", subject, email, err)
	}
	if !emailChannel("cdu-1") {
		t.Fatal("the confirmed address is not mailed")
	}
	r = e.do("GET", "/v1/me/watches", "cdu", nil)
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `"email_confirmed":true`) {
		t.Errorf("watches after confirming: %s", r.body)
	}

	// The caller's own verified address needs no confirmation.
	r = e.do("PUT", path, "cdu-verified", map[string]any{"email": "Clara@CDU.example", "channels": []string{"email"}})
	expect(t, r, http.StatusOK)
	if got := r.json(t); got["email_confirmed"] != true || got["confirmation"] != nil || len(mailer.mails()) != 1 {
		t.Fatalf("watch of the verified address = %s, %d mails", r.body, len(mailer.mails()))
	}
	if !emailChannel("cdu-2") {
		t.Fatal("the verified address is not mailed")
	}
	// Another address of hers is asked like anyone's.
	r = e.do("PUT", path, "cdu-verified", map[string]any{"email": "privat@example.org", "channels": []string{"email"}})
	if got := r.json(t); got["email_confirmed"] != false || got["confirmation"] != "sent" || emailChannel("cdu-2") {
		t.Fatalf("watch of another address of a verified user = %s", r.body)
	}
}

// TestWatchConfirmationNeedsMailerAndPublicURL: without SMTP, or without a
// configured public URL (a link from the Host header could point anywhere),
// no confirmation mail goes out and the address stays unconfirmed.
func TestWatchConfirmationNeedsMailerAndPublicURL(t *testing.T) {
	for name, e := range map[string]*env{
		"no mailer":   newEnv(t, api.Config{BaseURL: "https://rat.example"}),
		"no base URL": newEnv(t, api.Config{}, func(d *api.Deps) { d.Mailer = &fakeMailer{} }),
	} {
		id := e.motionAs("spd", "motion", "Mehr Radwege", nil)
		r := e.do("PUT", "/v1/motions/"+id+"/watch", "spd", map[string]any{"email": "opfer@example.org", "channels": []string{"email"}})
		expect(t, r, http.StatusOK)
		if got := r.json(t); got["email_confirmed"] != false || got["confirmation"] != "unavailable" {
			t.Errorf("%s: %s", name, r.body)
		}
	}
}
