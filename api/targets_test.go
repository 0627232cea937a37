package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
)

// TestWebhookTargetsMustBePublic: an admin cannot point a webhook at the
// loopback interface, a private or link-local network (the cloud's metadata
// service) or any other non-public address; the setting for tests and
// in-cluster receivers lets them through.
func TestWebhookTargetsMustBePublic(t *testing.T) {
	e := newEnv(t, api.Config{})
	path := "/v1/bodies/mannheim/notification-targets"
	hook := func(addr string) map[string]any {
		return map[string]any{"audience": "council_office", "channel": "webhook", "address": addr}
	}
	for _, addr := range []string{
		"http://127.0.0.1:8080/hook", "http://localhost:9000/", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data",
		"http://10.0.0.7/hook", "https://192.168.178.1/", "http://[fd00::1]/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/",
		"http://100.64.0.1/",
	} {
		r := e.do("POST", path, "admin", hook(addr))
		expect(t, r, http.StatusUnprocessableEntity)
		if body := string(r.body); !strings.Contains(body, `"location":"body.address"`) ||
			!strings.Contains(body, "Webhook-Ziel nicht erlaubt") || !strings.Contains(body, "nur öffentliche Adressen") {
			t.Errorf("%s: %s", addr, body)
		}
	}
	if r := e.do("GET", path, "admin", nil); strings.Contains(string(r.body), "webhook") {
		t.Errorf("a refused target was stored: %s", r.body)
	}
	expect(t, e.do("POST", path, "admin", hook("https://93.184.216.34/hook")), http.StatusCreated)

	open := newEnv(t, api.Config{AllowPrivateWebhooks: true})
	expect(t, open.do("POST", path, "admin", hook("http://127.0.0.1:8080/hook")), http.StatusCreated)
}
