// Package importer brings the directory and the history of an existing
// council information system into motionflow from its OParl 1.0 or 1.1
// endpoint (`motionflow import oparl <url>`): bodies, organizations,
// persons, memberships, legislative terms and meetings, and then the
// archive — every body's papers with the consultations and files they
// embed, and the agenda items the meetings embed. Files are imported as
// metadata (name, MIME type, size, date, accessUrl, downloadUrl, and the
// text when the source gives it); their content stays at the source.
// Imported papers are an archive, not motions: no workflow runs for them
// (store/history.go); the OParl endpoint publishes them again and
// GET /v1/papers searches them.
//
// Guarantees:
//
//   - Idempotent: every object is upserted under a local id that is chosen
//     once per OParl id (URL) and recorded (table oparl_sources), so that a
//     re-run updates rows instead of duplicating them, and a row whose content
//     did not change is not written at all.
//   - Resumable: with Options.StateFile, the list being walked and the next
//     page to fetch are saved after every page, and finished lists are
//     remembered; a run after an interruption (a failed request, Ctrl-C)
//     continues where the last one stopped. A run that completes removes the
//     file, so the next one is a full (and cheap) re-import.
//   - Sources kept: every archive row stores its object's OParl id (URL)
//     and the source's reference number stays a paper's reference;
//     references between imported objects are resolved through
//     oparl_sources when read, whatever order the lists come in.
//   - Fast: a page of papers is written in one batch (ids resolved with a
//     few queries, rows upserted in one transaction).
//   - Deletions arrive: an object marked deleted: true soft-deletes the row
//     it was imported into (OParl tombstone semantics, see package oparl);
//     a file or consultation a paper no longer embeds, and an agenda item a
//     meeting no longer embeds, becomes a tombstone too.
//   - Clear errors: an endpoint that is not OParl (not JSON, an HTTP error, a
//     wrong type) is an *EndpointError naming the URL; a malformed object is
//     an *ObjectError naming the object's URL and the field. References to
//     objects that were not imported (another body's organization) and
//     objects motionflow cannot hold (a meeting without a start) are skipped
//     with a warning, counted in Stats.
//
// It follows links.next (OParl 1.0 and 1.1) and the spellings of earlier
// drafts (next_page, nextPage, items instead of data), reads objects given
// only by URL (the compact list form), and accepts 1.0 field spellings.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/motionflow/motionflow/store"
)

// Options tune an import. The zero value imports without progress output
// and without resuming.
type Options struct {
	// Progress receives the progress: a progress bar on a terminal, a line
	// per page otherwise. Nil: silent.
	Progress io.Writer
	// StateFile is where the import records how far it got, so that a re-run
	// after an interruption continues there. Empty: always from the start.
	StateFile string
	// Client fetches the endpoint. Nil: a client with a one-minute timeout.
	Client *http.Client
	// Retries is how often a request that failed for a network error, 429 or
	// a 5xx answer is repeated before the import stops (default 2; -1: none).
	Retries int
	// RetryDelay is the wait before the first retry; it doubles after each
	// (default 1s).
	RetryDelay time.Duration
}

// Counts says what happened to the objects of one kind.
type Counts struct {
	Created, Updated, Unchanged, Deleted int
}

func (c *Counts) add(r store.ImportResult) {
	switch r {
	case store.ImportCreated:
		c.Created++
	case store.ImportUpdated:
		c.Updated++
	default:
		c.Unchanged++
	}
}

// addBatch adds what a batch write did.
func (c *Counts) addBatch(r store.ImportCounts) {
	c.Created += r.Created
	c.Updated += r.Updated
	c.Unchanged += r.Unchanged
	c.Deleted += r.Deleted
}

// Total is the number of objects seen.
func (c Counts) Total() int { return c.Created + c.Updated + c.Unchanged + c.Deleted }

// Stats is what an import did.
type Stats struct {
	Bodies, LegislativeTerms, Organizations, Persons, Memberships, Meetings Counts
	// The archive: papers with their consultations and files, and the
	// agenda items of the meetings.
	Papers, Consultations, Files, AgendaItems Counts
	// Pages counts the list pages fetched.
	Pages int
	// Skipped counts objects left out (see Warnings).
	Skipped int
	// Warnings say what was skipped and why.
	Warnings []string
	// Resumed reports that the run continued an interrupted one.
	Resumed bool
	// MovedMeetings are the local ids of existing meetings whose time or
	// cancellation the import changed. Deadlines of the motions scheduled in
	// them depend on it: tell those motions (api.Motions.CalendarChanged).
	MovedMeetings []string
}

// EndpointError reports an answer that is not OParl: an HTTP error, a body
// that is not JSON, or an object of the wrong type where the endpoint's
// structure requires another.
type EndpointError struct {
	URL string
	// Status is the HTTP status (0 for a network error or a bad body).
	Status  int
	Problem string
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("oparl import: %s: %s", e.URL, e.Problem)
}

// ObjectError reports a malformed object: URL is the object's id (or the
// page it is on, if it has none) and Field the offending property.
type ObjectError struct {
	URL, Field, Problem string
}

func (e *ObjectError) Error() string {
	return fmt.Sprintf("oparl import: object %s: field %q %s", e.URL, e.Field, e.Problem)
}

// Run imports the OParl endpoint at endpoint (a System's URL, or a single
// Body's) into st. See the package documentation for the guarantees.
func Run(ctx context.Context, st *store.Store, endpoint string, opts Options) (Stats, error) {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: time.Minute}
	}
	if opts.Retries == 0 {
		opts.Retries = 2
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = time.Second
	}
	im := &importer{st: st, opts: opts, prog: newProgress(opts.Progress), locations: map[string]string{}}
	state, err := loadState(opts.StateFile, endpoint)
	if err != nil {
		return im.stats, err
	}
	im.state = state
	if state.List != "" || len(state.Done) > 0 {
		im.stats.Resumed = true
		im.prog.printf("Setze den unterbrochenen Import fort (%d Listen erledigt).\n", len(state.Done))
	}
	err = im.run(ctx, endpoint)
	im.prog.finish()
	if err != nil {
		return im.stats, err
	}
	if opts.StateFile != "" {
		if err := os.Remove(opts.StateFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return im.stats, fmt.Errorf("oparl import: remove state file: %w", err)
		}
	}
	im.prog.printf("Fertig: %s\n", im.stats.summary())
	return im.stats, nil
}

func (s Stats) summary() string {
	part := func(name string, c Counts) string {
		return fmt.Sprintf("%s %d (neu %d, geändert %d, gelöscht %d)", name, c.Total(), c.Created, c.Updated, c.Deleted)
	}
	return strings.Join([]string{
		part("Körperschaften", s.Bodies), part("Wahlperioden", s.LegislativeTerms),
		part("Organisationen", s.Organizations), part("Personen", s.Persons),
		part("Mitgliedschaften", s.Memberships), part("Sitzungen", s.Meetings),
		part("Tagesordnungspunkte", s.AgendaItems), part("Drucksachen", s.Papers),
		part("Beratungen", s.Consultations), part("Dateien", s.Files),
		fmt.Sprintf("%d Seiten, %d übersprungen", s.Pages, s.Skipped),
	}, "; ")
}

type importer struct {
	st    *store.Store
	opts  Options
	prog  *progress
	state *state
	stats Stats
	// locations caches the text of Location objects fetched by URL.
	locations map[string]string
	// analyzedAt is the number of archive rows created when the archive's
	// statistics were last updated (analyzeArchive).
	analyzedAt int
}

func (im *importer) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	im.stats.Skipped++
	im.stats.Warnings = append(im.stats.Warnings, msg)
	im.prog.printf("Übersprungen: %s\n", msg)
}

func (im *importer) run(ctx context.Context, endpoint string) error {
	doc, err := im.fetch(ctx, endpoint)
	if err != nil {
		return err
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return &EndpointError{URL: endpoint, Problem: "the answer is not a JSON object"}
	}
	typ, _ := root["type"].(string)
	switch {
	case isType(typ, "Body"):
		return im.body(ctx, obj{m: root, src: endpoint})
	case !isType(typ, "System"):
		return &EndpointError{URL: endpoint, Problem: fmt.Sprintf("type %q is not an OParl System (nor a Body)", typ)}
	}
	if v, _ := root["oparlVersion"].(string); v != "" && !strings.Contains(v, "/1.0") && !strings.Contains(v, "/1.1") {
		im.prog.printf("Warnung: unbekannte OParl-Version %s\n", v)
	}
	// The bodies: a list URL (1.0, 1.1) or an array of URLs or objects.
	var bodies []obj
	switch b := root["body"].(type) {
	case string:
		err = im.eachInList(ctx, b, false, "Körperschaften", func(o obj) error {
			bodies = append(bodies, o)
			return nil
		})
		if err != nil {
			return err
		}
	case []any:
		for i, x := range b {
			o, err := im.resolve(ctx, x, fmt.Sprintf("%s body[%d]", endpoint, i))
			if err != nil {
				return err
			}
			bodies = append(bodies, o)
		}
	default:
		return &ObjectError{URL: endpoint, Field: "body", Problem: "is missing (the System names no bodies)"}
	}
	for _, b := range bodies {
		if err := im.body(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// isType reports whether an OParl type URL names the type (any version:
// https://schema.oparl.org/1.1/Body, https://oparl.org/schema/1.0/Body).
func isType(typ, name string) bool {
	return strings.Contains(typ, "oparl.org") && strings.HasSuffix(typ, "/"+name)
}

// ---- fetching ----

// fetch GETs u and decodes its JSON, retrying transient failures.
func (im *importer) fetch(ctx context.Context, u string) (any, error) {
	delay := im.opts.RetryDelay
	for attempt := 0; ; attempt++ {
		doc, retry, err := im.fetchOnce(ctx, u)
		if err == nil || !retry || attempt >= im.opts.Retries || im.opts.Retries < 0 {
			return doc, err
		}
		im.prog.printf("Fehler bei %s (%v), neuer Versuch in %s\n", u, err, delay)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func (im *importer) fetchOnce(ctx context.Context, u string) (doc any, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, &EndpointError{URL: u, Problem: "not a URL: " + err.Error()}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "motionflow-oparl-import")
	res, err := im.opts.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, true, &EndpointError{URL: u, Problem: err.Error()}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, true, &EndpointError{URL: u, Problem: "reading the answer: " + err.Error()}
	}
	if res.StatusCode != http.StatusOK {
		retry := res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500
		return nil, retry, &EndpointError{URL: u, Status: res.StatusCode, Problem: "HTTP " + res.Status}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, false, &EndpointError{URL: u, Problem: fmt.Sprintf("the answer is not JSON (Content-Type %q, starts with %q): %v",
			res.Header.Get("Content-Type"), snippet(body), err)}
	}
	return doc, false, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}

// obj is an OParl object with where it came from, for error messages.
type obj struct {
	m   map[string]any
	src string
}

// where names the object: its id, else where it was found.
func (o obj) where() string {
	if id, ok := o.m["id"].(string); ok && id != "" {
		return id
	}
	return o.src
}

// resolve turns a list entry or an embedded value into an object: objects
// as they are, URLs (the compact form) fetched.
func (im *importer) resolve(ctx context.Context, x any, src string) (obj, error) {
	switch v := x.(type) {
	case map[string]any:
		return obj{m: v, src: src}, nil
	case string:
		doc, err := im.fetch(ctx, v)
		if err != nil {
			return obj{}, err
		}
		m, ok := doc.(map[string]any)
		if !ok {
			return obj{}, &EndpointError{URL: v, Problem: "the answer is not a JSON object"}
		}
		return obj{m: m, src: v}, nil
	}
	return obj{}, &ObjectError{URL: src, Field: "", Problem: fmt.Sprintf("is %T, not an object or a URL", x)}
}

// ---- lists ----

// eachInList walks a list through all its pages and hands each object to
// fn. With resumable, the list's progress is saved after every page and a
// finished list is skipped on a later run.
func (im *importer) eachInList(ctx context.Context, listURL string, resumable bool, label string, fn func(obj) error) error {
	return im.eachPageInList(ctx, listURL, resumable, label, func(items []obj) error {
		for _, o := range items {
			if err := fn(o); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachPageInList is eachInList handing over a whole page at a time, for
// imports that write a page in one batch; the progress is saved after fn
// returned.
func (im *importer) eachPageInList(ctx context.Context, listURL string, resumable bool, label string, fn func([]obj) error) error {
	if resumable && im.state.done(listURL) {
		im.prog.printf("%s: bereits importiert\n", label)
		return nil
	}
	next := listURL
	if resumable && im.state.List == listURL && im.state.Next != "" {
		next = im.state.Next
		im.prog.printf("%s: weiter ab %s\n", label, next)
	}
	seen := map[string]bool{}
	im.prog.startList(label)
	for page := 1; next != ""; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if seen[next] {
			return &EndpointError{URL: next, Problem: "the list's next page leads back to a page already read"}
		}
		seen[next] = true
		doc, err := im.fetch(ctx, next)
		if err != nil {
			return err
		}
		m, ok := doc.(map[string]any)
		if !ok {
			return &EndpointError{URL: next, Problem: "not an OParl list (the answer is not a JSON object)"}
		}
		items, ok := m["data"].([]any)
		if !ok {
			items, ok = m["items"].([]any) // drafts before 1.0
		}
		if !ok {
			return &EndpointError{URL: next, Problem: "not an OParl list (no data array)"}
		}
		if p, ok := m["pagination"].(map[string]any); ok {
			if n, ok := p["totalElements"].(float64); ok {
				im.prog.total(int(n))
			}
		}
		objs := make([]obj, 0, len(items))
		for i, x := range items {
			o, err := im.resolve(ctx, x, fmt.Sprintf("%s data[%d]", next, i))
			if err != nil {
				return err
			}
			objs = append(objs, o)
		}
		if err := fn(objs); err != nil {
			return err
		}
		im.prog.add(len(objs))
		im.stats.Pages++
		following, err := nextPage(next, m)
		if err != nil {
			return err
		}
		im.prog.page(label, page, len(items))
		if resumable {
			if err := im.state.save(listURL, following); err != nil {
				return err
			}
		}
		next = following
	}
	if resumable {
		if err := im.state.finish(listURL); err != nil {
			return err
		}
	}
	im.prog.endList()
	return nil
}

// nextPage finds the URL of the following page, in any spelling OParl has
// had: links.next (1.0, 1.1), next_page or nextPage (in links or at the top).
func nextPage(pageURL string, m map[string]any) (string, error) {
	var next string
	if links, ok := m["links"].(map[string]any); ok {
		for _, k := range []string{"next", "next_page", "nextPage"} {
			if s, ok := links[k].(string); ok && s != "" {
				next = s
				break
			}
		}
	}
	if next == "" {
		for _, k := range []string{"next_page", "nextPage"} {
			if s, ok := m[k].(string); ok && s != "" {
				next = s
				break
			}
		}
	}
	if next == "" {
		return "", nil
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return "", &EndpointError{URL: pageURL, Problem: err.Error()}
	}
	ref, err := url.Parse(next)
	if err != nil {
		return "", &EndpointError{URL: pageURL, Problem: fmt.Sprintf("links.next %q is not a URL", next)}
	}
	return base.ResolveReference(ref).String(), nil
}

// ---- state ----

// state is how far an import got; it is saved as JSON in Options.StateFile.
type state struct {
	path     string
	Endpoint string   `json:"endpoint"`
	Done     []string `json:"done"`
	// List is the list being walked and Next the page to fetch next.
	List    string    `json:"list,omitempty"`
	Next    string    `json:"next,omitempty"`
	Updated time.Time `json:"updated"`
}

func loadState(path, endpoint string) (*state, error) {
	s := &state{path: path, Endpoint: endpoint}
	if path == "" {
		return s, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oparl import: read state file: %w", err)
	}
	var saved state
	if err := json.Unmarshal(b, &saved); err != nil {
		return nil, fmt.Errorf("oparl import: state file %s is damaged (delete it to start over): %w", path, err)
	}
	if saved.Endpoint != endpoint {
		// Another endpoint's import: start this one from the beginning.
		return s, nil
	}
	saved.path = path
	return &saved, nil
}

func (s *state) done(list string) bool {
	for _, d := range s.Done {
		if d == list {
			return true
		}
	}
	return false
}

func (s *state) save(list, next string) error {
	s.List, s.Next = list, next
	return s.write()
}

func (s *state) finish(list string) error {
	if !s.done(list) {
		s.Done = append(s.Done, list)
	}
	s.List, s.Next = "", ""
	return s.write()
}

// write replaces the state file atomically.
func (s *state) write() error {
	if s.path == "" {
		return nil
	}
	s.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".oparl-import-*")
	if err != nil {
		return fmt.Errorf("oparl import: write state file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("oparl import: write state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("oparl import: write state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("oparl import: write state file: %w", err)
	}
	return nil
}

// ---- local ids ----

// slug makes a readable id part: lower case, umlauts spelled out, other
// characters as dashes, at most 40 characters.
func slug(s string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue")
	s = strings.ToLower(r.Replace(s))
	var b strings.Builder
	dash := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > 40 {
		out = strings.TrimRight(out[:40], "-")
	}
	return out
}

// hash is a short stable hash of an OParl id.
func hash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// lastSegment is the last path segment of an OParl id if it is a plain,
// short token (OParl servers mostly end ids in a number), else "".
func lastSegment(id string) string {
	u, err := url.Parse(id)
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return ""
	}
	seg := u.Path[strings.LastIndexByte(strings.TrimRight(u.Path, "/"), '/')+1:]
	seg = strings.TrimRight(seg, "/")
	if seg == "" || len(seg) > 40 {
		return ""
	}
	for _, c := range seg {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return ""
		}
	}
	return seg
}

// localID returns the local id of the object of the kind in the body,
// choosing one the first time: <body>-<kind>-<last segment of the URL>, or a
// hash of the URL if that is taken or unusable.
func (im *importer) localID(ctx context.Context, kind store.OParlKind, prefix, oparlID, bodyID string) (string, error) {
	var candidates []string
	if seg := lastSegment(oparlID); seg != "" {
		candidates = append(candidates, bodyID+"-"+prefix+"-"+seg)
	}
	candidates = append(candidates, bodyID+"-"+prefix+"-"+hash(oparlID, 12), bodyID+"-"+prefix+"-"+hash(oparlID, 32))
	return im.st.ResolveOParlID(ctx, kind, oparlID, bodyID, candidates...)
}
