// Package oparl serves motionflow's public record as a read-only OParl 1.1
// endpoint under /oparl/v1/, the German standard that council information
// clients ("Politik bei uns", "Meine Stadt Transparent") import.
//
// Guarantees:
//
//   - Only what is public is served: papers are submitted motions, never a
//     draft, whoever asks; a draft's id answers 404 like an unknown one. Of a
//     motion only its public record appears (title, kind, reference,
//     submission, originators, tags, route, results with their votes,
//     documents with an address), nothing of deadlines, statements or audit.
//   - Every list is paged by keyset on the object id: a page costs the same
//     at any depth, and pages neither repeat nor skip objects while others
//     are added. links.next is present on every page but the last and keeps
//     the filters.
//   - Lists accept created_since, created_until, modified_since and
//     modified_until (RFC 3339 date-times with or without fractions of a
//     second, with an offset or Z; bounds inclusive) and omit_internal
//     (leaves out embedded objects). A bad value is a 400 problem.
//   - modified changes whenever the object or anything embedded in it
//     changes: a paper's is its motion's last change (every recorded result
//     changes it); a meeting's includes its agenda, location and documents;
//     a person's its memberships; a body's its legislative terms. A
//     consultation changes only when it does; an agenda item also when its
//     consultation's result in its meeting does (a corrected vote) and when
//     the state of a meeting run as a process (results, votes, resolution
//     texts) does.
//   - A meeting's invitation and minutes (invitation, resultsProtocol) are
//     Files once they are public (meeting.Meeting.DocumentPublic), leading to
//     the API's PDFs (/v1/meetings/<id>/<kind>.pdf on the same site); their
//     ids (/file/meeting/<id>/<kind>) resolve, and answer 404 before.
//   - Deleted objects stay reachable as tombstones (id, type, created, a new
//     modified, deleted: true) and appear in lists, so that syncing clients
//     learn of them; embedded lists leave them out.
//   - Every date-time carries its offset (Europe/Berlin), empty fields are
//     left out (never null), and every answer, errors included, sends
//     Access-Control-Allow-Origin: *. Errors are RFC 9457 problem details.
//   - Votes are published as the vendor extension "motionflow:vote" (below),
//     never a vote of the non-public part of a meeting.
//   - The archive a city imported (package importer) is published beside
//     the motions: its papers in the body's paper list, their
//     consultations and files, and the agenda items of imported meetings,
//     each in its list in one key order with the motions' objects (a page
//     merges both; motions keep their ids and cursors). Their ids have one
//     segment (/consultation/<id>, /file/<id>, /agendaitem/<id>); a file's
//     accessUrl leads to the source system.
//
// # Vendor extension motionflow:vote
//
// OParl 1.1 has no place for the vote behind a result. Its rules on vendor
// extensions (Herstellerspezifische Erweiterungen: an extra property whose
// name carries the vendor's prefix, "vendor:name") allow one, so a
// Consultation and an AgendaItem (and the consultations a Paper embeds, the
// agenda items a Meeting embeds) carry the vote of their recorded result in
// the property "motionflow:vote" (VoteProperty). Clients that do not know it
// ignore it; the objects stay valid against the OParl schemas. Its value:
//
//	"motionflow:vote": {
//	  "yes": 30, "no": 10, "abstain": 2,   // the tally, always written (0 too)
//	  "absent": 3,                         // absent members, when counted
//	  "unanimous": true,                   // only when the vote was unanimous
//	  "byFaction": [                       // the factions' shares, when recorded
//	    {"organization": "<Organization URL of the faction>", "yes": 20, "no": 0, "abstain": 1}
//	  ],
//	  "named": [                           // the named votes (namentliche Abstimmung), when recorded
//	    {"person": "<Person URL, when the vote names a person of the directory>", "name": "Ralf Eisenhauer", "vote": "yes"}
//	  ]
//	}
//
// "vote" of a named vote is one of yes, no, abstain, absent (Ja, Nein,
// Enthaltung, abwesend). The factions' shares add up to the tally, as do the
// named votes. The property is left out while no vote was recorded. An
// AgendaItem carries the vote its meeting recorded (a meeting run as a
// process), else the vote of the motion's result in that meeting; a
// Consultation the vote of its result. An item the meeting dealt with in its
// non-public part carries none, and neither does its consultation: votes
// there stay confidential (the result itself is published as before).
// Correcting a vote changes the modified of the consultation, of its agenda
// item and of the item's meeting. The schema of the value is
// oparl/testdata/schema/extension-motionflow-vote.json; package oparltest
// validates every walk against it.
package oparl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
)

// Prefix is the path every OParl URL starts with; mount the handler there:
// mux.Handle(oparl.Prefix, oparl.New(cfg, st)).
const Prefix = "/oparl/"

// root is the path of the endpoint's URLs.
const root = "/oparl/v1"

// Store is the read model the endpoint serves; *store.Store is one.
type Store interface {
	OParlBodies(ctx context.Context, f store.OParlFilter) ([]store.OParlBody, string, error)
	OParlBody(ctx context.Context, id string) (store.OParlBody, error)
	OParlOrganizations(ctx context.Context, f store.OParlFilter) ([]store.OParlOrganization, string, error)
	OParlOrganization(ctx context.Context, id string) (store.OParlOrganization, error)
	OParlPersons(ctx context.Context, f store.OParlFilter) ([]store.OParlPerson, string, error)
	OParlPerson(ctx context.Context, id string) (store.OParlPerson, error)
	OParlMemberships(ctx context.Context, f store.OParlFilter) ([]store.OParlMembership, string, error)
	OParlMembership(ctx context.Context, id string) (store.OParlMembership, error)
	OParlMeetings(ctx context.Context, f store.OParlFilter) ([]store.OParlMeeting, string, error)
	OParlMeeting(ctx context.Context, id string) (store.OParlMeeting, error)
	OParlAgendaItems(ctx context.Context, f store.OParlFilter) ([]store.OParlAgendaItem, string, error)
	OParlAgendaItem(ctx context.Context, id string) (store.OParlAgendaItem, error)
	OParlPapers(ctx context.Context, f store.OParlFilter) ([]store.OParlPaper, string, error)
	OParlPaper(ctx context.Context, id string) (store.OParlPaper, error)
	OParlConsultations(ctx context.Context, f store.OParlFilter) ([]store.OParlConsultation, string, error)
	OParlConsultation(ctx context.Context, id string) (store.OParlConsultation, error)
	OParlFiles(ctx context.Context, f store.OParlFilter) ([]store.OParlFile, string, error)
	OParlFile(ctx context.Context, motionID string, position int) (store.OParlFile, error)
	OParlMeetingFile(ctx context.Context, meetingID, kind string) (store.OParlMeetingFile, error)
	OParlHistoryFile(ctx context.Context, id string) (store.OParlFile, error)
	OParlLegislativeTerms(ctx context.Context, f store.OParlFilter) ([]store.OParlLegislativeTerm, string, error)
	OParlLegislativeTerm(ctx context.Context, id string) (store.OParlLegislativeTerm, error)
	OParlLocations(ctx context.Context, f store.OParlFilter) ([]store.OParlLocation, string, error)
	OParlLocation(ctx context.Context, id string) (store.OParlLocation, error)
}

// Config tunes the endpoint. The zero value is usable.
type Config struct {
	// BaseURL is the public base URL ("https://rat.example"); every id starts
	// with BaseURL + "/oparl/v1". Empty: taken from each request's Host (http
	// unless the connection is TLS), which is wrong behind a TLS-terminating
	// proxy, so set it in production.
	BaseURL string
	// PageSize is the number of objects per list page: DefaultPageSize when
	// 0, at most store.MaxLimit. A client may ask for fewer with
	// elementsPerPage.
	PageSize int
	// Name is the System's name. Default "motionflow".
	Name string
	// ContactEmail and Website describe the operator in the System object.
	ContactEmail string
	Website      string
	// MotionLink is where a paper's web page is: a template with "{id}"
	// ("https://rat.example/antraege/{id}"). Empty: no web link.
	MotionLink string
	// DocumentLink is where a paper's document, the motion as a PDF, is: a
	// template with "{id}" ("https://rat.example/antraege/{id}/pdf"). Empty:
	// MotionLink + "/pdf" (the web page and the API both serve the PDF
	// there); neither: papers have no generated mainFile.
	DocumentLink string
}

// DefaultPageSize is the page size when Config.PageSize is 0.
const DefaultPageSize = 100

// berlin is the zone every date-time is written in.
var berlin = motion.Berlin

type handler struct {
	cfg Config
	st  Store
	mux *http.ServeMux
}

// New returns the handler of every URL under /oparl/v1/.
func New(cfg Config, st Store) http.Handler {
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.PageSize > store.MaxLimit {
		cfg.PageSize = store.MaxLimit
	}
	if cfg.Name == "" {
		cfg.Name = "motionflow"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	h := &handler{cfg: cfg, st: st, mux: http.NewServeMux()}
	m := h.mux
	m.HandleFunc("GET "+root+"/system", h.system)
	m.HandleFunc("GET "+root+"/{$}", redirectTo(root+"/system"))
	m.HandleFunc("GET "+root, redirectTo(root+"/system"))
	m.HandleFunc("GET "+root+"/bodies", h.bodies)
	m.HandleFunc("GET "+root+"/body/{body}", h.body)
	m.HandleFunc("GET "+root+"/body/{body}/organizations", bodyList(h, h.st.OParlOrganizations, h.organization))
	m.HandleFunc("GET "+root+"/body/{body}/persons", bodyList(h, h.st.OParlPersons, h.person))
	m.HandleFunc("GET "+root+"/body/{body}/memberships", bodyList(h, h.st.OParlMemberships, h.membership))
	m.HandleFunc("GET "+root+"/body/{body}/meetings", bodyList(h, h.st.OParlMeetings, h.meeting))
	m.HandleFunc("GET "+root+"/body/{body}/agendaitems", bodyList(h, h.st.OParlAgendaItems, h.agendaItem))
	m.HandleFunc("GET "+root+"/body/{body}/papers", bodyList(h, h.st.OParlPapers, h.paper))
	m.HandleFunc("GET "+root+"/body/{body}/consultations", bodyList(h, h.st.OParlConsultations, h.consultation))
	m.HandleFunc("GET "+root+"/body/{body}/files", bodyList(h, h.st.OParlFiles, h.file))
	m.HandleFunc("GET "+root+"/body/{body}/legislativeterms", bodyList(h, h.st.OParlLegislativeTerms, h.legislativeTerm))
	m.HandleFunc("GET "+root+"/body/{body}/locations", bodyList(h, h.st.OParlLocations, h.location))
	m.HandleFunc("GET "+root+"/organization/{id}", object(h, func(r *http.Request) (store.OParlOrganization, error) {
		return h.st.OParlOrganization(r.Context(), r.PathValue("id"))
	}, h.organization))
	m.HandleFunc("GET "+root+"/person/{id}", object(h, func(r *http.Request) (store.OParlPerson, error) {
		return h.st.OParlPerson(r.Context(), r.PathValue("id"))
	}, h.person))
	m.HandleFunc("GET "+root+"/membership/{id}", object(h, func(r *http.Request) (store.OParlMembership, error) {
		return h.st.OParlMembership(r.Context(), r.PathValue("id"))
	}, h.membership))
	m.HandleFunc("GET "+root+"/meeting/{id}", object(h, func(r *http.Request) (store.OParlMeeting, error) {
		return h.st.OParlMeeting(r.Context(), r.PathValue("id"))
	}, h.meeting))
	m.HandleFunc("GET "+root+"/agendaitem/{meeting}/{motion}/{consultation}", object(h, func(r *http.Request) (store.OParlAgendaItem, error) {
		return h.st.OParlAgendaItem(r.Context(), r.PathValue("meeting")+"/"+r.PathValue("motion")+"/"+r.PathValue("consultation"))
	}, h.agendaItem))
	// The archive's objects (history.go) have one-segment ids.
	m.HandleFunc("GET "+root+"/agendaitem/{id}", object(h, func(r *http.Request) (store.OParlAgendaItem, error) {
		return h.st.OParlAgendaItem(r.Context(), r.PathValue("id"))
	}, h.agendaItem))
	m.HandleFunc("GET "+root+"/consultation/{id}", object(h, func(r *http.Request) (store.OParlConsultation, error) {
		return h.st.OParlConsultation(r.Context(), r.PathValue("id"))
	}, h.consultation))
	m.HandleFunc("GET "+root+"/file/{id}", object(h, func(r *http.Request) (store.OParlFile, error) {
		return h.st.OParlHistoryFile(r.Context(), r.PathValue("id"))
	}, h.file))
	m.HandleFunc("GET "+root+"/paper/{id}", object(h, func(r *http.Request) (store.OParlPaper, error) {
		return h.st.OParlPaper(r.Context(), r.PathValue("id"))
	}, h.paper))
	m.HandleFunc("GET "+root+"/consultation/{motion}/{consultation}", object(h, func(r *http.Request) (store.OParlConsultation, error) {
		return h.st.OParlConsultation(r.Context(), r.PathValue("motion")+"/"+r.PathValue("consultation"))
	}, h.consultation))
	m.HandleFunc("GET "+root+"/file/{motion}/"+mainFilePosition, h.mainFileObject)
	m.HandleFunc("GET "+root+"/file/"+meetingFileSegment+"/{meeting}/{kind}", object(h, func(r *http.Request) (store.OParlMeetingFile, error) {
		kind := r.PathValue("kind")
		if kind != store.MeetingFileInvitation && kind != store.MeetingFileMinutes {
			return store.OParlMeetingFile{}, store.ErrNotFound
		}
		return h.st.OParlMeetingFile(r.Context(), r.PathValue("meeting"), kind)
	}, h.meetingFile))
	m.HandleFunc("GET "+root+"/file/{motion}/{position}", object(h, func(r *http.Request) (store.OParlFile, error) {
		n, err := strconv.Atoi(r.PathValue("position"))
		if err != nil || n < 1 {
			return store.OParlFile{}, store.ErrNotFound
		}
		return h.st.OParlFile(r.Context(), r.PathValue("motion"), n)
	}, h.file))
	m.HandleFunc("GET "+root+"/legislativeterm/{id}", object(h, func(r *http.Request) (store.OParlLegislativeTerm, error) {
		return h.st.OParlLegislativeTerm(r.Context(), r.PathValue("id"))
	}, h.legislativeTerm))
	m.HandleFunc("GET "+root+"/location/{id}", object(h, func(r *http.Request) (store.OParlLocation, error) {
		return h.st.OParlLocation(r.Context(), r.PathValue("id"))
	}, h.location))
	m.HandleFunc("OPTIONS /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Accept, Accept-Encoding, If-None-Match, If-Modified-Since")
		w.Header().Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			problem.Write(w, problem.New(http.StatusMethodNotAllowed, "Die OParl-Schnittstelle ist nur lesbar."))
			return
		}
		problem.Write(w, problem.New(http.StatusNotFound, "Kein OParl-Objekt unter dieser Adresse."))
	})
	return h
}

// mainFileObject serves a paper's own document (/file/<paper>/0) as a File.
func (h *handler) mainFileObject(w http.ResponseWriter, r *http.Request) {
	p, err := h.st.OParlPaper(r.Context(), r.PathValue("motion"))
	if err != nil {
		h.fail(w, err, "Datei")
		return
	}
	f, ok := h.mainFile(h.urls(r), p)
	if !ok {
		h.fail(w, store.ErrNotFound, "Datei")
		return
	}
	writeJSON(w, f)
}

// ServeHTTP refuses a URL with control characters, invalid UTF-8 or
// overlong values (problem.Check) before any route sees it.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if p := problem.Check(r); p != nil {
		problem.Write(w, p)
		return
	}
	h.mux.ServeHTTP(w, r)
}

func redirectTo(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, path, http.StatusFound)
	}
}

// ---- request handling ----

// urls builds the absolute URLs of one request: site is the public base
// URL, base the endpoint's (site + "/oparl/v1").
type urls struct{ site, base string }

func (h *handler) urls(r *http.Request) urls {
	base := h.cfg.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return urls{site: base, base: base + root}
}

// absolute resolves a document address: a path on this site ("/anhaenge/…")
// becomes an absolute URL; an absolute URL stays.
func (u urls) absolute(ref string) string {
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
		return u.site + ref
	}
	return ref
}

func (u urls) path(parts ...string) string {
	var b strings.Builder
	b.WriteString(u.base)
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p))
	}
	return b.String()
}

// splitID splits a composite store id ("<a>/<b>") into its parts for a URL.
func (u urls) composite(kind, id string) string {
	return u.path(append([]string{kind}, strings.Split(id, "/")...)...)
}

func (u urls) list(body, name string) string { return u.path("body", body, name) }

// render turns a store row into its OParl object.
type render[T any] func(u urls, x T, omitInternal bool) any

// bodyList serves one of a body's lists.
func bodyList[T any](h *handler, fetch func(context.Context, store.OParlFilter) ([]T, string, error), rn render[T]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := r.PathValue("body")
		if _, err := h.st.OParlBody(r.Context(), body); err != nil {
			h.fail(w, err, "Körperschaft")
			return
		}
		serveList(h, w, r, body, fetch, rn)
	}
}

// serveList answers one page of a list, with the request's filters.
func serveList[T any](h *handler, w http.ResponseWriter, r *http.Request, body string, fetch func(context.Context, store.OParlFilter) ([]T, string, error), rn render[T]) {
	q := r.URL.Query()
	f, omit, err := h.filter(q)
	if err != nil {
		problem.Write(w, problem.From(err))
		return
	}
	f.BodyID = body
	items, next, err := fetch(r.Context(), f)
	if err != nil {
		h.fail(w, err, "Liste")
		return
	}
	u := h.urls(r)
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	self := u.base + strings.TrimPrefix(r.URL.EscapedPath(), root)
	out := List{Data: make([]any, 0, len(items)), Pagination: Pagination{ElementsPerPage: f.Limit, CurrentPage: page}}
	for _, x := range items {
		out.Data = append(out.Data, rn(u, x, omit))
	}
	first := cloneQuery(q)
	first.Del("after")
	first.Del("page")
	out.Links.First = withQuery(self, first)
	out.Links.Self = withQuery(self, q)
	if next != "" {
		nq := cloneQuery(q)
		nq.Set("after", next)
		nq.Set("page", strconv.Itoa(page+1))
		out.Links.Next = withQuery(self, nq)
	}
	writeJSON(w, out)
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// badParameter is the 400 problem of a list parameter.
func badParameter(name, msg string) error {
	return problem.New(http.StatusBadRequest, "Ein Parameter der Adresse ist ungültig: "+name+": "+msg+".",
		problem.Field{Location: "query." + name, Message: msg})
}

// filter reads a list's parameters.
func (h *handler) filter(q url.Values) (store.OParlFilter, bool, error) {
	f := store.OParlFilter{Limit: h.cfg.PageSize, After: q.Get("after")}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{
		{"created_since", &f.CreatedSince}, {"created_until", &f.CreatedUntil},
		{"modified_since", &f.ModifiedSince}, {"modified_until", &f.ModifiedUntil},
	} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := ParseTime(v)
		if err != nil {
			return f, false, badParameter(p.name, "keine Zeitangabe nach RFC 3339 (z. B. 2019-12-12T10:00:00+01:00)")
		}
		*p.dst = &t
	}
	if v := q.Get("elementsPerPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, false, badParameter("elementsPerPage", "keine positive Zahl")
		}
		f.Limit = min(n, h.cfg.PageSize)
	}
	omit := false
	if v, ok := q["omit_internal"]; ok {
		switch strings.ToLower(strings.Join(v, "")) {
		case "", "1", "true", "yes", "on":
			omit = true
		case "0", "false", "no", "off":
		default:
			return f, false, badParameter("omit_internal", "kein Wahrheitswert")
		}
	}
	return f, omit, nil
}

// ParseTime reads a filter's date-time: RFC 3339 with or without fractions
// of a second, with an offset or Z. A "+" of an offset that was not
// URL-encoded arrives as a blank and is taken as "+". A time without an
// offset, or a bare date, is read in Europe/Berlin.
func ParseTime(s string) (time.Time, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Contains(s[:i], "T") {
		s = s[:i] + "+" + s[i+1:]
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, berlin); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time: %q", s)
}

// object serves one object.
func object[T any](h *handler, get func(*http.Request) (T, error), rn render[T]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		x, err := get(r)
		if err != nil {
			h.fail(w, err, "Objekt")
			return
		}
		writeJSON(w, rn(h.urls(r), x, false))
	}
}

// fail answers an error of the store: what is missing 404 (naming what),
// a page marker or a value the store refuses 400 (all input of OParl is in
// the URL), anything else as problem.From says.
func (h *handler) fail(w http.ResponseWriter, err error, what string) {
	p := problem.From(err)
	switch {
	case errors.Is(err, store.ErrNotFound):
		p = problem.New(http.StatusNotFound, what+" nicht gefunden.")
	case errors.Is(err, store.ErrInvalid):
		p = problem.New(http.StatusBadRequest, "Ungültige Anfrage: eine Angabe der Adresse (etwa die Blätter-Marke) ist ungültig.")
	}
	problem.Write(w, p)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=60")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ---- system and bodies ----

func (h *handler) system(w http.ResponseWriter, r *http.Request) {
	u := h.urls(r)
	writeJSON(w, System{
		ID: u.path("system"), Type: Schema + "System", OparlVersion: Version, Body: u.path("bodies"),
		Name: h.cfg.Name, ContactEmail: h.cfg.ContactEmail, Website: h.cfg.Website,
	})
}

func (h *handler) bodies(w http.ResponseWriter, r *http.Request) {
	serveList(h, w, r, "", h.st.OParlBodies, h.renderBody)
}

func (h *handler) body(w http.ResponseWriter, r *http.Request) {
	b, err := h.st.OParlBody(r.Context(), r.PathValue("body"))
	if err != nil {
		h.fail(w, err, "Körperschaft")
		return
	}
	writeJSON(w, h.renderBody(h.urls(r), b, false))
}

func (h *handler) renderBody(u urls, b store.OParlBody, _ bool) any {
	out := Body{
		ID: u.path("body", b.ID), Type: Schema + "Body", System: u.path("system"),
		ShortName: b.ShortName, Name: b.Name,
		Organization: u.list(b.ID, "organizations"), Person: u.list(b.ID, "persons"),
		Meeting: u.list(b.ID, "meetings"), Paper: u.list(b.ID, "papers"),
		AgendaItem: u.list(b.ID, "agendaitems"), Consultation: u.list(b.ID, "consultations"),
		File: u.list(b.ID, "files"), LocationList: u.list(b.ID, "locations"),
		LegislativeTermList: u.list(b.ID, "legislativeterms"), Membership: u.list(b.ID, "memberships"),
		LegislativeTerm: []LegislativeTerm{},
		Created:         dateTime(b.Created), Modified: dateTime(b.Modified), Deleted: b.Deleted,
	}
	for _, t := range b.LegislativeTerms {
		out.LegislativeTerm = append(out.LegislativeTerm, h.legislativeTerm(u, t, false).(LegislativeTerm))
	}
	if b.Deleted {
		// The tombstone keeps what the schema requires of a body.
		out.System, out.ShortName = "", ""
		out.AgendaItem, out.Consultation, out.File, out.LocationList, out.LegislativeTermList, out.Membership = "", "", "", "", "", ""
		out.LegislativeTerm = []LegislativeTerm{}
	}
	return out
}

// ---- formatting ----

// dateTime writes t with its Berlin offset, microseconds when it has any.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(berlin).Format("2006-01-02T15:04:05.999999Z07:00")
}

// dateTimePtr is dateTime of an optional time.
func dateTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return dateTime(*t)
}

// date writes the Berlin calendar date of t.
func date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(berlin).Format(time.DateOnly)
}

// calendarDate writes a date PostgreSQL returned for a date column (UTC midnight).
func calendarDate(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}
