// Package feeds serves public Atom feeds (RFC 4287) of submitted motions and
// their results, for a faction's website and for topic pages:
//
//	GET /feeds/atom/factions/{organization id}.xml   the faction's motions (as originator or co-sponsor)
//	GET /feeds/atom/tags/{tag}.xml                   the motions with the tag (?body= narrows to one body)
//
// Guarantees:
//
//   - Only public motions appear: submitted ones, never a draft. An unknown
//     faction (or an organization that is not a faction) is 404.
//   - Entries are newest change first; an entry's updated is the motion's last
//     change, so a recorded result moves it up. Its id is a urn:uuid that
//     never changes (the motion's id, or a name-based UUID of it), its
//     alternate link leads to the motion, its authors are the originating
//     and co-sponsoring factions, its summary says where the motion stands
//     ("Ergebnis: Erledigt durch andere Beschlüsse") and its content adds the
//     resolution points and, once decided, the vote of the decision: the
//     tally, the factions' shares and the named votes, as recorded.
//   - Every feed has id, title, updated, author and a self link; times carry
//     their offset (Europe/Berlin). Answers send Access-Control-Allow-Origin:
//     *, Last-Modified and honour If-Modified-Since.
package feeds

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
)

// Prefix is the path every Atom feed starts with; mount the handler there:
// mux.Handle(feeds.Prefix, feeds.Handler(cfg, st)).
const Prefix = "/feeds/atom/"

// Store is what the feeds read; *store.Store is one.
type Store interface {
	Motions(ctx context.Context, f store.MotionFilter) ([]motion.Motion, string, error)
	Organization(ctx context.Context, id string) (store.Organization, error)
}

// Config tunes the feeds. The zero value is usable.
type Config struct {
	// BaseURL is the public base URL ("https://rat.example") for the feeds'
	// own URLs. Empty: taken from each request's Host.
	BaseURL string
	// MotionLink is where an entry links to: a template with "{id}"
	// ("https://rat.example/antraege/{id}"). Empty: <BaseURL>/v1/motions/<id>.
	MotionLink string
	// Entries is the number of entries per feed: DefaultEntries when 0.
	Entries int
	// Publisher is the author of feeds that have no faction (tag feeds).
	// Default "motionflow".
	Publisher string
}

// DefaultEntries is the number of entries when Config.Entries is 0.
const DefaultEntries = 50

// AtomNS is the Atom namespace.
const AtomNS = "http://www.w3.org/2005/Atom"

// entryNamespace makes entry ids of motions whose id is not a UUID.
var entryNamespace = uuid.MustParse("0b8c3d56-5f0e-4e44-9a53-8f3c2f7d9a10")

// berlin is the zone every date-time is written in.
var berlin = motion.Berlin

type handler struct {
	cfg Config
	st  Store
	mux *http.ServeMux
}

// Handler returns the handler of the Atom feeds under /feeds/atom/.
func Handler(cfg Config, st Store) http.Handler {
	if cfg.Entries <= 0 {
		cfg.Entries = DefaultEntries
	}
	if cfg.Entries > store.MaxLimit {
		cfg.Entries = store.MaxLimit
	}
	if cfg.Publisher == "" {
		cfg.Publisher = "motionflow"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	h := &handler{cfg: cfg, st: st, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+Prefix+"factions/{file}", h.faction)
	h.mux.HandleFunc("GET "+Prefix+"tags/{file}", h.tag)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, problem.New(http.StatusNotFound, "Kein Feed unter dieser Adresse."))
	})
	return h
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

// name takes the feed's name out of "<name>.xml".
func name(r *http.Request) (string, bool) {
	n, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	return n, ok && n != ""
}

func (h *handler) faction(w http.ResponseWriter, r *http.Request) {
	id, ok := name(r)
	if !ok {
		problem.Write(w, problem.New(http.StatusNotFound, "Feeds enden auf .xml."))
		return
	}
	org, err := h.st.Organization(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) || (err == nil && org.Kind != store.OrgFaction) {
		problem.Write(w, problem.New(http.StatusNotFound, "Unter dieser Adresse gibt es keine Fraktion."))
		return
	}
	if err != nil {
		problem.Write(w, problem.From(err))
		return
	}
	ms, _, err := h.st.Motions(r.Context(), store.MotionFilter{BodyIDs: []string{org.BodyID}, Faction: org.ID, Limit: h.cfg.Entries})
	if err != nil {
		problem.Write(w, problem.From(err))
		return
	}
	base := h.base(r)
	f := h.feed(r.Context(), base, ms, feedMeta{
		self:     base + Prefix + "factions/" + url.PathEscape(id) + ".xml",
		title:    "Anträge der " + org.Name,
		subtitle: "Eingereichte Anträge und ihre Ergebnisse",
		author:   org.Name,
		since:    org.Modified,
	})
	h.write(w, r, f)
}

func (h *handler) tag(w http.ResponseWriter, r *http.Request) {
	tag, ok := name(r)
	if !ok {
		problem.Write(w, problem.New(http.StatusNotFound, "Feeds enden auf .xml."))
		return
	}
	filter := store.MotionFilter{Tag: tag, Limit: h.cfg.Entries}
	self := h.base(r) + Prefix + "tags/" + url.PathEscape(tag) + ".xml"
	if b := r.URL.Query().Get("body"); b != "" {
		filter.BodyIDs = []string{b}
		self += "?body=" + url.QueryEscape(b)
	}
	ms, _, err := h.st.Motions(r.Context(), filter)
	if err != nil {
		problem.Write(w, problem.From(err))
		return
	}
	f := h.feed(r.Context(), h.base(r), ms, feedMeta{
		self: self, title: "Anträge zum Thema „" + tag + "“",
		subtitle: "Eingereichte Anträge und ihre Ergebnisse", author: h.cfg.Publisher,
	})
	h.write(w, r, f)
}

func (h *handler) base(r *http.Request) string {
	if h.cfg.BaseURL != "" {
		return h.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ---- the Atom document ----

// Feed is an Atom feed document.
type Feed struct {
	XMLName   xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID        string   `xml:"id"`
	Title     Text     `xml:"title"`
	Subtitle  *Text    `xml:"subtitle,omitempty"`
	Updated   string   `xml:"updated"`
	Author    []Person `xml:"author"`
	Link      []Link   `xml:"link"`
	Generator string   `xml:"generator,omitempty"`
	Entry     []Entry  `xml:"entry"`
}

// Entry is one motion.
type Entry struct {
	ID        string     `xml:"id"`
	Title     Text       `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published,omitempty"`
	Author    []Person   `xml:"author"`
	Link      []Link     `xml:"link"`
	Category  []Category `xml:"category"`
	Summary   *Text      `xml:"summary,omitempty"`
	Content   *Text      `xml:"content,omitempty"`
}

// Text is an Atom text construct.
type Text struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

// Person is an Atom person construct.
type Person struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

// Link is an Atom link.
type Link struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

// Category is an Atom category: a motion's tag.
type Category struct {
	Term string `xml:"term,attr"`
}

type feedMeta struct {
	self, title, subtitle, author string
	// since is the feed's updated when it has no entries.
	since time.Time
}

func (h *handler) feed(ctx context.Context, base string, ms []motion.Motion, meta feedMeta) Feed {
	f := Feed{
		Lang:      "de",
		ID:        meta.self,
		Title:     Text{Type: "text", Body: meta.title},
		Subtitle:  &Text{Type: "text", Body: meta.subtitle},
		Author:    []Person{{Name: meta.author}},
		Link:      []Link{{Rel: "self", Type: "application/atom+xml", Href: meta.self}},
		Generator: "motionflow",
	}
	var updated time.Time
	names := map[string]string{}
	orgName := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := id
		if o, err := h.st.Organization(ctx, id); err == nil {
			n = o.Name
		}
		names[id] = n
		return n
	}
	for _, m := range ms {
		if !m.Public() {
			continue // the store never lists one; the feed is public all the same
		}
		if m.UpdatedAt.After(updated) {
			updated = m.UpdatedAt
		}
		e := Entry{
			ID:      entryID(m.ID),
			Title:   Text{Type: "text", Body: m.Kind.Label() + ": " + m.Title},
			Updated: atomTime(m.UpdatedAt),
			Link:    []Link{{Rel: "alternate", Type: "text/html", Href: h.motionLink(base, m.ID)}},
			Summary: &Text{Type: "text", Body: summary(m)},
			Content: &Text{Type: "html", Body: content(m, orgName)},
		}
		if m.SubmittedAt != nil {
			e.Published = atomTime(*m.SubmittedAt)
		}
		for _, org := range append([]string{m.Faction}, m.Cosponsors...) {
			if org != "" {
				e.Author = append(e.Author, Person{Name: orgName(org)})
			}
		}
		for _, t := range m.Tags {
			e.Category = append(e.Category, Category{Term: t})
		}
		f.Entry = append(f.Entry, e)
	}
	if updated.IsZero() {
		updated = meta.since // no entries: when the feed's subject last changed
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	f.Updated = atomTime(updated)
	return f
}

// entryID is the motion's permanent entry id: urn:uuid of its id, which is
// a UUID for motions made through the API, else a name-based UUID of it.
func entryID(id string) string {
	if u, err := uuid.Parse(id); err == nil && len(id) == 36 {
		return "urn:uuid:" + u.String()
	}
	return "urn:uuid:" + uuid.NewSHA1(entryNamespace, []byte(id)).String()
}

func (h *handler) motionLink(base, id string) string {
	if strings.Contains(h.cfg.MotionLink, "{id}") {
		return strings.ReplaceAll(h.cfg.MotionLink, "{id}", url.PathEscape(id))
	}
	return base + "/v1/motions/" + url.PathEscape(id)
}

// Outcome is where the motion stands in words: "Ergebnis: <outcome>" once
// decided, else its status.
func Outcome(m motion.Motion) string {
	if m.Outcome != nil {
		return "Ergebnis: " + m.Outcome.Result.Label()
	}
	return "Stand: " + m.Status.Label()
}

// summary is the entry's one-line summary: reference, submission and outcome.
func summary(m motion.Motion) string {
	var parts []string
	if m.Reference != "" {
		parts = append(parts, m.Kind.Label()+" "+m.Reference)
	}
	if m.SubmittedAt != nil {
		parts = append(parts, "eingereicht am "+m.SubmittedAt.In(berlin).Format("02.01.2006"))
	}
	parts = append(parts, Outcome(m))
	return strings.Join(parts, " · ")
}

// content is the entry's HTML: the resolution points (for an inquiry the
// questions), the outcome and the vote that decided it, as the faction
// publishes a motion. orgName names a faction by its organization id.
func content(m motion.Motion, orgName func(string) string) string {
	var b bytes.Buffer
	lead := "Der Gemeinderat möge beschließen:"
	if m.Kind == motion.KindInquiry {
		lead = "Wir fragen die Verwaltung:"
	}
	fmt.Fprintf(&b, "<p>%s</p>\n<ol>\n", html.EscapeString(lead))
	for _, p := range m.ResolutionPoints {
		fmt.Fprintf(&b, "<li>%s</li>\n", html.EscapeString(p))
	}
	b.WriteString("</ol>\n")
	if m.BudgetCycle != "" {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(m.BudgetCycle))
	}
	fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(Outcome(m)))
	if v := decidingVote(m); v != nil {
		b.WriteString("\n" + voteHTML(*v, orgName))
	}
	return b.String()
}

// decidingVote is the vote of the result that decided the motion (its
// outcome's consultation), nil while it is undecided, when the council
// office recorded the outcome without a consultation, or when no vote was
// recorded.
func decidingVote(m motion.Motion) *motion.Vote {
	if m.Outcome == nil || m.Outcome.ConsultationID == "" {
		return nil
	}
	if k := m.Consultation(m.Outcome.ConsultationID); k != nil && k.Record != nil {
		return k.Record.Vote
	}
	return nil
}

// voteHTML writes a vote in German: the tally ("Abstimmung: 30 Ja,
// 10 Nein, 2 Enthaltungen, 3 abwesend"), a list of the factions' shares
// and a list of the named votes.
func voteHTML(v motion.Vote, orgName func(string) string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<p>Abstimmung: %s</p>", html.EscapeString(tally(v.Yes, v.No, v.Abstain, v.Absent, v.Unanimous)))
	if len(v.ByFaction) > 0 {
		b.WriteString("\n<p>Stimmen je Fraktion:</p>\n<ul>\n")
		for _, f := range v.ByFaction {
			name := "ohne Fraktion"
			if f.OrganizationID != "" {
				name = orgName(f.OrganizationID)
			}
			fmt.Fprintf(&b, "<li>%s: %s</li>\n", html.EscapeString(name), html.EscapeString(tally(f.Yes, f.No, f.Abstain, nil, false)))
		}
		b.WriteString("</ul>")
	}
	if len(v.Named) > 0 {
		b.WriteString("\n<p>Namentliche Abstimmung:</p>\n<ul>\n")
		for _, n := range v.Named {
			word := motion.VoteLabel(n.Vote)
			fmt.Fprintf(&b, "<li>%s: %s</li>\n", html.EscapeString(strings.TrimSpace(n.Name)), html.EscapeString(word))
		}
		b.WriteString("</ul>")
	}
	return b.String()
}

// tally writes a count of votes: "einstimmig: 30 Ja, 0 Nein, 1 Enthaltung,
// 3 abwesend" (absent only when counted).
func tally(yes, no, abstain int, absent *int, unanimous bool) string {
	s := fmt.Sprintf("%d Ja, %d Nein, %d Enthaltung", yes, no, abstain)
	if abstain != 1 {
		s += "en"
	}
	if absent != nil {
		s += fmt.Sprintf(", %d abwesend", *absent)
	}
	if unanimous {
		s = "einstimmig: " + s
	}
	return s
}

// atomTime writes an RFC 3339 date-time with the Berlin offset.
func atomTime(t time.Time) string { return t.In(berlin).Format(time.RFC3339) }

func (h *handler) write(w http.ResponseWriter, r *http.Request, f Feed) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		problem.Write(w, problem.From(err))
		return
	}
	b.WriteByte('\n')
	updated, _ := time.Parse(time.RFC3339, f.Updated)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeContent(w, r, "", updated, bytes.NewReader(b.Bytes()))
}
