package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth/authtest"
	"github.com/motionflow/motionflow/auth/session"
	"github.com/motionflow/motionflow/web"
	"github.com/motionflow/motionflow/workflows"
)

// chromiumPath is the distribution's Chromium (apt-get install chromium).
const chromiumPath = "/usr/bin/chromium"

// webHarness is the harness (Temporal, worker, database, API) with the web
// application served next to it as in production: the session's login
// routes, the pages under "/", the API under "/v1", behind the session
// middleware and the cross-origin protection, and a headless Chromium.
type webHarness struct {
	*harness
	// WebURL is the web application's base URL (http://127.0.0.1:port).
	WebURL   string
	Provider *authtest.Provider
	b        *browser
}

// webUser is a person who logs in through the browser.
type webUser struct {
	Subject, Name string
	Groups        []string
}

// The people of the browser test: the SPD's staff and the council office.
var (
	webSPD    = webUser{Subject: "spd-web", Name: "Sabine Beispiel", Groups: []string{"role:faction_staff", "faction:" + factionSPD, "body:" + bodyID}}
	webOffice = webUser{Subject: "ratsbuero-web", Name: "Rita Ratsbüro", Groups: []string{"role:council_office", "body:" + bodyID}}
)

// newWebHarness starts the harness, the web application with the real
// browser login (authorization code flow against an in-process OpenID
// provider), and Chromium.
func newWebHarness(t *testing.T) *webHarness {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Chromium at %s (apt-get install -y chromium): %v", chromiumPath, err)
	}
	h := newHarness(t, api.Config{})
	w := &webHarness{harness: h, Provider: authtest.NewProvider(t, authtest.ProviderOptions{})}

	srv := httptest.NewUnstartedServer(nil)
	w.WebURL = "http://" + srv.Listener.Addr().String()
	redirect := w.WebURL + "/auth/callback"
	w.Provider.AllowRedirect(redirect)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mgr, err := session.New(ctx, session.Config{
		IssuerURL: w.Provider.URL(), ClientID: w.Provider.ClientID, ClientSecret: w.Provider.ClientSecret,
		RedirectURL: redirect,
	}, h.Store)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	pages := web.New(web.Config{}, web.Deps{
		Motions:  &workflows.Client{Temporal: h.Temporal},
		Store:    h.Store,
		LoginURL: mgr.LoginURL,
		Logger:   logger,
	})
	mux := http.NewServeMux()
	mgr.Routes(mux)
	mux.Handle("/", pages)
	srv.Config.Handler = session.Protect(mgr.Middleware(mux))
	srv.Start()
	t.Cleanup(srv.Close)

	w.b = newBrowser(t, w.WebURL)
	return w
}

// login signs u in through the browser: the real OpenID Connect login of
// package auth/session (GET /login → the provider's authorization endpoint →
// /auth/callback), which answers at once with u's claims. It is the one
// place that knows how a person logs in.
func (w *webHarness) login(u webUser) {
	w.t.Helper()
	w.Provider.QueueLogin(authtest.Login{Claims: authtest.Claims{Subject: u.Subject, Name: u.Name, Groups: u.Groups}})
	w.b.open("/login?next=/")
	if w.b.path() != "/" {
		w.t.Fatalf("login of %s ended at %s", u.Subject, w.b.path())
	}
	w.b.must(u.Name, "Abmelden")
}

// logout signs out with the page's "Abmelden" button.
func (w *webHarness) logout() {
	w.t.Helper()
	w.b.click(`form[action="/logout"] button`)
	w.b.open("/")
	w.b.must("Anmelden")
}

// browser drives one tab of a headless Chromium.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	axe  string
	// shots says whether to write screenshots to docs/screenshots.
	shots bool
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	axe, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "de-DE"),
		chromedp.Flag("accept-lang", "de-DE,de"),
		chromedp.Env("LANG=de_DE.UTF-8", "LANGUAGE=de"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, base: base, axe: string(axe), shots: os.Getenv("MOTIONFLOW_SCREENSHOTS") == "1"}
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return b
}

// do runs actions with a timeout and fails the test on an error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v\npage:\n%s", what, err, b.textQuiet())
	}
}

// open loads a path of the web application.
func (b *browser) open(path string) {
	b.t.Helper()
	// A navigation that races with the end of the previous one (a redirect
	// chain still settling) is tried again.
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
		err := chromedp.Do(ctx, chromedp.Navigate(b.base+path))
		cancel()
		if err == nil {
			break
		}
		if try == 2 {
			b.t.Fatalf("browser: open %s: %v\npage:\n%s", path, err, b.textQuiet())
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.waitLoaded("at " + path)
}

// click clicks the element and waits for the page it leads to.
func (b *browser) click(css string) {
	b.t.Helper()
	b.do("click "+css,
		chromedp.Evaluate[chromedp.Void](`window.__mfOld = true`),
		chromedp.Click(chromedp.CSS(css)),
	)
	b.waitLoaded("after clicking " + css)
}

// waitLoaded waits until the page that replaced the marked one has loaded.
// While the browser navigates, evaluating fails now and then (the old
// document's context is gone); that is part of waiting.
func (b *browser) waitLoaded(what string) {
	b.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__mfOld !== true && document.readyState === "complete"`))
		cancel()
		if err == nil && done {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("browser: no new page %s\npage:\n%s", what, b.textQuiet())
}

// clickHere clicks an element that changes the page without loading another.
func (b *browser) clickHere(css string) {
	b.t.Helper()
	b.do("click "+css, chromedp.Click(chromedp.CSS(css)))
}

// fill sets the value of an input, select or textarea.
func (b *browser) fill(css, value string) {
	b.t.Helper()
	b.do("fill "+css, chromedp.SetValue(chromedp.CSS(css), value))
}

// upload sets the files of a file input.
func (b *browser) upload(css string, files ...string) {
	b.t.Helper()
	b.do("upload "+css, chromedp.SetUploadFiles(chromedp.CSS(css), files))
}

// text is what the page's main part says.
func (b *browser) text() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		b.t.Fatalf("browser: read the page: %v", err)
	}
	return s
}

func (b *browser) textQuiet() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.location.href + "\n" + document.body.innerText`))
	if len(s) > 6000 {
		s = s[:6000]
	}
	return s
}

// html is the value of a JavaScript expression that gives a string.
func (b *browser) eval(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("browser: %s: %v", js, err)
	}
	return s
}

// path is the current page's path.
func (b *browser) path() string { return b.eval(`location.pathname`) }

// must fails the test unless the page says every one of texts.
func (b *browser) must(texts ...string) {
	b.t.Helper()
	page := b.text()
	for _, s := range texts {
		if !strings.Contains(page, s) {
			b.t.Fatalf("the page %s does not say %q:\n%s", b.path(), s, page)
		}
	}
}

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkA11y runs axe-core on the page with the WCAG 2.0 and 2.1 A and AA
// rules and fails the test on any violation.
func (b *browser) checkA11y(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
		b.t.Fatalf("inject axe-core on %s: %v", name, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
		resultTypes: ["violations"]
	}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe-core on %s: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		b.t.Fatalf("axe-core result on %s: %v", name, err)
	}
	for _, v := range vs {
		b.t.Errorf("axe-core on %s (%s): %s [%s, %s]\n  %s", name, b.path(), v.Help, v.ID, v.Impact, strings.Join(v.Nodes, "\n  "))
	}
	b.t.Logf("axe-core: %s (%s): no violations", name, b.path())
}

// screenshot saves the whole page as docs/screenshots/<name>.png (1280
// pixels wide) when MOTIONFLOW_SCREENSHOTS=1.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	if !b.shots {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s: %d bytes", name, len(png))
}

// visit opens a page, checks what it says, runs axe-core on it and takes
// its screenshot.
func (w *webHarness) visit(path, name string, texts ...string) {
	w.t.Helper()
	w.b.open(path)
	w.b.must(texts...)
	w.b.checkA11y(name)
}

// fmtDate writes a day as an <input type="date"> value.
func fmtDate(t time.Time) string { return fmt.Sprintf("%04d-%02d-%02d", t.Year(), t.Month(), t.Day()) }
