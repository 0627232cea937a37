package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/api"
)

// clock is a settable time for the limiter.
type rlClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rlClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *rlClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// limited sends one request through h and returns the recorder.
func rlRequest(h http.Handler, path, remote, token string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// expectTooMany checks a 429 problem with Retry-After.
func rlExpect429(t *testing.T, rec *httptest.ResponseRecorder, retryAfter string) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("429 with content type %q", ct)
	}
	if got := rec.Header().Get("Retry-After"); got != retryAfter {
		t.Fatalf("Retry-After %q, want %q", got, retryAfter)
	}
	var p huma.ErrorModel
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != 429 || !strings.Contains(p.Detail, retryAfter+" s") {
		t.Fatalf("problem %s (%v)", rec.Body, err)
	}
}

func TestRateLimitPerUser(t *testing.T) {
	c := &rlClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := api.RateLimit(api.RateLimitConfig{PerUser: 2, PerUserBurst: 3, PerAddress: 1000, PerAddressBurst: 1000, Now: c.now})(ok)

	for i := range 3 {
		if rec := rlRequest(h, "/v1/motions", "10.0.0.1:1234", "anna"); rec.Code != http.StatusNoContent {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	// The fourth at once waits for half a second: Retry-After rounds up.
	rlExpect429(t, rlRequest(h, "/v1/motions", "10.0.0.1:1234", "anna"), "1")
	// Another user from the same address is not affected, nor the anonymous public.
	if rec := rlRequest(h, "/v1/motions", "10.0.0.1:1234", "bernd"); rec.Code != http.StatusNoContent {
		t.Fatalf("another user: %d", rec.Code)
	}
	if rec := rlRequest(h, "/v1/motions", "10.0.0.1:1234", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("anonymous: %d", rec.Code)
	}
	// The same user from another address is limited all the same.
	rlExpect429(t, rlRequest(h, "/v1/motions", "10.9.9.9:1", "anna"), "1")
	// Refused requests cost nothing: after half a second exactly one more passes.
	c.add(500 * time.Millisecond)
	if rec := rlRequest(h, "/v1/motions", "10.0.0.1:1234", "anna"); rec.Code != http.StatusNoContent {
		t.Fatalf("after the wait: %d %s", rec.Code, rec.Body)
	}
	rlExpect429(t, rlRequest(h, "/v1/motions", "10.0.0.1:1234", "anna"), "1")
	// Health checks are never limited.
	for range 10 {
		if rec := rlRequest(h, "/healthz", "10.0.0.1:1234", "anna"); rec.Code != http.StatusNoContent {
			t.Fatalf("healthz: %d", rec.Code)
		}
	}
	// A long pause refills the bucket up to the burst, not beyond.
	c.add(time.Hour)
	for i := range 3 {
		if rec := rlRequest(h, "/v1/motions", "10.0.0.1:1234", "anna"); rec.Code != http.StatusNoContent {
			t.Fatalf("request %d after the pause: %d", i+1, rec.Code)
		}
	}
	rlExpect429(t, rlRequest(h, "/v1/motions", "10.0.0.1:1234", "anna"), "1")
}

// TestRateLimitSessionCookie: with UserCookie set, a browser session counts
// as a user like a bearer token does.
func TestRateLimitSessionCookie(t *testing.T) {
	c := &rlClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	h := api.RateLimit(api.RateLimitConfig{PerUser: 1, PerUserBurst: 2, PerAddress: 1000, PerAddressBurst: 1000,
		UserCookie: "__Host-motionflow", Now: c.now})(ok)
	for range 2 {
		rlRequest(h, "/antraege", "10.0.0.1:1", "", "Cookie", "__Host-motionflow=sitzung-a")
	}
	rlExpect429(t, rlRequest(h, "/antraege", "10.0.0.1:1", "", "Cookie", "__Host-motionflow=sitzung-a"), "1")
	if rec := rlRequest(h, "/antraege", "10.0.0.1:1", "", "Cookie", "__Host-motionflow=sitzung-b"); rec.Code != http.StatusOK {
		t.Fatalf("another session: %d", rec.Code)
	}
	if rec := rlRequest(h, "/antraege", "10.0.0.1:1", ""); rec.Code != http.StatusOK {
		t.Fatalf("without a session: %d", rec.Code)
	}
}

func TestRateLimitPerAddress(t *testing.T) {
	c := &rlClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	h := api.RateLimit(api.RateLimitConfig{PerUser: 1000, PerUserBurst: 1000, PerAddress: 0.2, PerAddressBurst: 2, Now: c.now})(ok)

	// Signed in or not, with any number of tokens: one address, one bucket.
	rlRequest(h, "/v1/motions", "192.0.2.7:1000", "")
	rlRequest(h, "/v1/motions", "192.0.2.7:1001", "forged-1")
	rlExpect429(t, rlRequest(h, "/v1/motions", "192.0.2.7:1002", "forged-2"), "5")
	// IPv4-mapped IPv6 is the same address.
	rlExpect429(t, rlRequest(h, "/v1/motions", "[::ffff:192.0.2.7]:1003", ""), "5")
	// X-Forwarded-For is ignored unless a proxy is trusted.
	rlExpect429(t, rlRequest(h, "/v1/motions", "192.0.2.7:1004", "", "X-Forwarded-For", "198.51.100.1"), "5")
	if rec := rlRequest(h, "/v1/motions", "192.0.2.8:1000", ""); rec.Code != http.StatusOK {
		t.Fatalf("another address: %d", rec.Code)
	}
	// An IPv6 client counts by its /64 network.
	rlRequest(h, "/v1/motions", "[2001:db8:1:2::1]:1", "")
	rlRequest(h, "/v1/motions", "[2001:db8:1:2::2]:1", "")
	rlExpect429(t, rlRequest(h, "/v1/motions", "[2001:db8:1:2:ffff::3]:1", ""), "5")
	if rec := rlRequest(h, "/v1/motions", "[2001:db8:1:3::1]:1", ""); rec.Code != http.StatusOK {
		t.Fatalf("another /64: %d", rec.Code)
	}

}

// TestRateLimitBehindTrustedProxy: behind the ingress every request comes
// from the proxy's address. Only from a trusted proxy is the client taken
// from X-Forwarded-For (or Forwarded): the rightmost address that is not a
// trusted proxy, so two clients get two buckets; the same headers from an
// untrusted peer are ignored, so nobody escapes the limit by naming a new
// address in every request.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	c := &rlClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	proxies, err := api.ParseTrustedProxies("10.0.0.0/8, fd00::/8 192.168.7.7")
	if err != nil {
		t.Fatal(err)
	}
	h := api.RateLimit(api.RateLimitConfig{PerAddress: 0.2, PerAddressBurst: 1, TrustedProxies: proxies, Now: c.now})(ok)
	pass := func(remote string, headers ...string) {
		t.Helper()
		if rec := rlRequest(h, "/", remote, "", headers...); rec.Code != http.StatusOK {
			t.Fatalf("%s %v: %d, want a fresh bucket", remote, headers, rec.Code)
		}
	}

	// Two clients behind the ingress: a bucket each.
	pass("10.1.2.3:4000", "X-Forwarded-For", "203.0.113.9")
	pass("10.1.2.3:4001", "X-Forwarded-For", "198.51.100.2")
	rlExpect429(t, rlRequest(h, "/", "10.1.2.3:4002", "", "X-Forwarded-For", "203.0.113.9"), "5")
	// What the client wrote itself (left of the proxy's entry) changes nothing;
	// a chain of trusted proxies is walked through to the client.
	rlExpect429(t, rlRequest(h, "/", "10.1.2.3:4003", "", "X-Forwarded-For", "1.2.3.4, 203.0.113.9"), "5")
	rlExpect429(t, rlRequest(h, "/", "[fd00::5]:80", "", "X-Forwarded-For", "7.7.7.7, 203.0.113.9, 10.9.9.9",
		"X-Forwarded-For", "192.168.7.7"), "5")
	// Forwarded (RFC 7239) when there is no X-Forwarded-For.
	rlExpect429(t, rlRequest(h, "/", "10.1.2.3:4004", "", "Forwarded", `for=1.2.3.4, for="203.0.113.9:4711";proto=https`), "5")
	pass("10.1.2.3:4005", "Forwarded", `for="[2001:db8:cafe::17]:4711"`)
	// Without the headers the proxy itself is the client.
	pass("10.1.2.3:4006")
	rlExpect429(t, rlRequest(h, "/", "10.1.2.3:4007", ""), "5")

	// A peer that is not a trusted proxy cannot name its address: one bucket,
	// whatever it sends.
	pass("198.51.100.77:1", "X-Forwarded-For", "203.0.113.50")
	for i, xff := range []string{"203.0.113.51", "203.0.113.52, 203.0.113.53", "10.1.2.3"} {
		rlExpect429(t, rlRequest(h, "/", "198.51.100.77:1", "", "X-Forwarded-For", xff), "5")
		rlExpect429(t, rlRequest(h, "/", "198.51.100.77:1", "", "Forwarded", "for=203.0.113.6"+strconv.Itoa(i)), "5")
	}

	if _, err := api.ParseTrustedProxies("10.0.0.0/8, ingress"); err == nil {
		t.Error("a name among the trusted proxies was accepted")
	}
}

// TestRateLimitAroundAPI: the limiter in front of api.New answers the
// 429 itself, and requests below the limit reach the API unchanged.
func TestRateLimitAroundAPI(t *testing.T) {
	e := newEnv(t, api.Config{})
	h, _ := api.New(api.Config{}, api.Deps{Motions: e.motions, Auth: actors, Store: e.store})
	c := &rlClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(api.RateLimit(api.RateLimitConfig{PerUser: 1, PerUserBurst: 2, Now: c.now})(h))
	t.Cleanup(srv.Close)
	get := func(token string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/bodies", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for range 2 {
		if res := get("office"); res.StatusCode != http.StatusOK {
			t.Fatalf("within the limit: %d", res.StatusCode)
		}
	}
	res := get("office")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" ||
		res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("over the limit: %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), res.Header.Get("Content-Type"))
	}
	// The defaults let a busy client through.
	d := api.DefaultRateLimit()
	if d.PerUser < 10 || d.PerUserBurst < 20 || d.PerAddress < d.PerUser {
		t.Fatalf("defaults not generous: %+v", d)
	}
}

// TestRateLimitConcurrent: under concurrent load exactly the burst passes
// at one instant (run with -race).
func TestRateLimitConcurrent(t *testing.T) {
	c := &rlClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	h := api.RateLimit(api.RateLimitConfig{PerUser: 1, PerUserBurst: 25, PerAddress: 1, PerAddressBurst: 1000, Now: c.now})(ok)
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if rlRequest(h, "/v1/motions", "10.0.0.1:1", "anna").Code == http.StatusOK {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != 25 {
		t.Fatalf("%d of 100 concurrent requests passed, want the burst of 25", passed)
	}
}
