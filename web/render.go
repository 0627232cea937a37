package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
)

// pageTemplate is one page: the layout with the page's blocks.
type pageTemplate struct{ t *template.Template }

// page is what every template gets: the frame (title, caller, navigation)
// and the page's own data.
type page struct {
	Title    string
	Nav      string
	Site     string
	Actor    motion.Actor
	LoginURL string
	Logout   string
	Flash    string
	// Orgs names organizations by id, for what the page shows.
	Orgs map[string]string
	Data any
}

// RoleLabels are the German names of the roles.
var roleLabels = map[motion.Role]string{
	motion.RoleFactionStaff:   "Fraktion",
	motion.RoleCouncilOffice:  "Ratsbüro",
	motion.RoleAdministration: "Verwaltung",
	motion.RoleAdmin:          "Administration",
	motion.RoleCouncillor:     "Mitglied des Gemeinderats",
}

func (s *server) parseTemplates() map[string]*pageTemplate {
	base := template.Must(template.New("").Funcs(s.funcs()).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html"))
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*pageTemplate{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFiles, n))
		out[name] = &pageTemplate{t: t}
	}
	return out
}

// render writes the page with the status. Templates are executed into a
// buffer first, so that a template error never sends half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	pt, ok := s.pages[name]
	if !ok {
		panic("web: no template " + name)
	}
	p.Site = s.cfg.SiteName
	p.Actor = auth.ActorFrom(r.Context())
	p.LoginURL = s.login(r.URL.RequestURI())
	p.Logout = s.cfg.LogoutPath
	if p.Flash == "" {
		p.Flash = flashOf(r)
	}
	entry := "layout"
	if pt.t.Lookup("standalone") != nil {
		entry = "standalone"
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, entry, p); err != nil {
		s.log.ErrorContext(r.Context(), "web: render", "template", name, "error", err)
		http.Error(w, "Interner Fehler beim Darstellen der Seite.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows a German error page.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "error", page{Title: title, Data: struct {
		Status  int
		Message string
	}{status, msg}})
}

// problemPage shows a problem as an error page: the same status, title and
// message as the API's problem+json, with its headers (Retry-After).
func (s *server) problemPage(w http.ResponseWriter, r *http.Request, p *problem.Problem) {
	for k, vs := range p.GetHeaders() {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	msg := p.Detail
	if problem.Internal(p) {
		msg = "Die Anfrage konnte nicht bearbeitet werden. Bitte versuchen Sie es gleich noch einmal."
	}
	s.errorPage(w, r, p.Status, p.Title, msg)
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, problem.Title(http.StatusNotFound), "Die Seite gibt es nicht, oder Sie dürfen sie nicht sehen.")
}

// fail answers an error of the layers below with the page of the problem
// it is (problem.From): what the store refuses (a value PostgreSQL cannot
// hold, say) is a 4xx, an unavailable service 503, and only the unexpected
// is a 500, logged at ERROR level.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNotVisible) { // what the caller may not see is not there
		s.notFound(w, r)
		return
	}
	p := problem.From(err)
	switch {
	case problem.Internal(p):
		s.log.ErrorContext(r.Context(), "web: internal error", "path", r.URL.Path, "error", err)
	case p.Status >= 500:
		s.log.WarnContext(r.Context(), "web: request not served", "status", p.Status, "path", r.URL.Path, "error", err)
	}
	if p.Status == http.StatusNotFound {
		s.notFound(w, r)
		return
	}
	s.problemPage(w, r, p)
}

// flashes are the confirmations shown after a successful action (?ok=...).
var flashes = map[string]string{
	"sign":                   "Sie haben den Antrag unterschrieben.",
	"accept_cosponsorship":   "Ihre Fraktion ist jetzt Mitantragstellerin.",
	"decline_cosponsorship":  "Ihre Fraktion hat die Mitantragstellung abgelehnt.",
	"set_departments":        "Die Federführung wurde festgelegt.",
	"enter_submission":       "Der Eingang wurde erfasst; der Antrag ist eingereicht.",
	"create":                 "Der Entwurf wurde angelegt.",
	"edit":                   "Der Entwurf wurde gespeichert.",
	"invite_cosponsor":       "Die Fraktion wurde als Mitantragstellerin eingeladen.",
	"submit":                 "Der Antrag wurde eingereicht.",
	"register":               "Der Antrag wurde registriert.",
	"declare_inadmissible":   "Der Antrag wurde für unzulässig erklärt.",
	"set_route":              "Die Beratungsfolge wurde festgelegt.",
	"schedule":               "Die Beratung wurde eingeplant.",
	"record_result":          "Das Beratungsergebnis wurde erfasst.",
	"record_statement":       "Die Stellungnahme wurde erfasst.",
	"record_answer":          "Die Antwort wurde erfasst.",
	"record_outcome":         "Das Endergebnis wurde erfasst.",
	"start_implementation":   "Die Umsetzung wurde begonnen.",
	"report_implementation":  "Der Bericht zur Umsetzung wurde erfasst.",
	"close":                  "Der Vorgang wurde abgeschlossen.",
	"withdraw":               "Der Antrag wurde zurückgezogen.",
	"correct_result":         "Das Ergebnis wurde korrigiert.",
	"lapse":                  "Der Antrag wurde als nicht behandelt beendet.",
	"set_deadline":           "Die Frist wurde gesetzt.",
	"meeting_created":        "Die Sitzung wurde angelegt.",
	"meeting_saved":          "Die Sitzung wurde gespeichert.",
	"meeting_cancelled":      "Die Sitzung wurde abgesagt.",
	"organization_created":   "Das Gremium wurde angelegt.",
	"body_saved":             "Die Körperschaft wurde gespeichert.",
	"attachment_uploaded":    "Die Anlage wurde hochgeladen.",
	"meeting_reinstated":     "Die Sitzung findet wieder statt.",
	"motion_scheduled_again": "Die Beratung wurde eingeplant.",
}

func flashOf(r *http.Request) string { return flashes[r.URL.Query().Get("ok")] }

// funcs are the template functions: German formats and small helpers.
func (s *server) funcs() template.FuncMap {
	return template.FuncMap{
		"date":     func(t any) string { return s.format(t, "02.01.2006") },
		"datetime": func(t any) string { return s.format(t, "02.01.2006, 15:04 Uhr") },
		"clock":    func(t any) string { return s.format(t, "15:04 Uhr") },
		"isodate":  func(t any) string { return s.format(t, "2006-01-02") },
		"isotime":  func(t any) string { return s.format(t, "15:04") },
		"longdate": func(t any) string { return s.longDate(t) },
		"machine":  func(t any) string { return s.format(t, time.RFC3339) },
		"num":      germanInt,
		"bytes":    germanBytes,
		"paras":    paragraphs,
		"lines":    func(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") },
		"add":      func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"name": orgName,
		"role": func(r motion.Role) string { return roleLabels[r] },
		"roles": func(a motion.Actor) string {
			var out []string
			for _, r := range a.Roles {
				out = append(out, roleLabels[r])
			}
			return strings.Join(out, ", ")
		},
		"cmdlabel":     commandLabel,
		"resultsymbol": resultSymbol,
		"rolesbeyond":  rolesBeyond,
		"deadlabel":    func(k motion.DeadlineKind) string { return k.Label() },
		"voteword":     motion.VoteLabel,
		"errattrs":     errAttrs,
		"errmsg":       errMsg,
		"has":          func(a motion.Actor, r string) bool { return a.Has(motion.Role(r)) },
		"path":         url.PathEscape,
		"query":        url.QueryEscape,
		"join":         strings.Join,
		"deref":        func(b *bool) bool { return b != nil && *b },
		"isnil":        func(b *bool) bool { return b == nil },
		"past":         func(t time.Time) bool { return t.Before(time.Now()) },
		"list":         func(vs ...string) []string { return vs },
		"dict":         dict,
	}
}

// format writes a time (time.Time or *time.Time; nil and zero as "–") in the
// configured zone.
func (s *server) format(v any, layout string) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "–"
		}
		t = *x
	default:
		return "–"
	}
	if t.IsZero() {
		return "–"
	}
	return t.In(s.loc).Format(layout)
}

var months = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}

// longDate writes "12. Dezember 2019".
func (s *server) longDate(v any) string {
	if s.format(v, "x") == "–" {
		return "–"
	}
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		t = *x
	}
	t = t.In(s.loc)
	return fmt.Sprintf("%d. %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// germanInt writes 1234567 as "1.234.567".
func germanInt(n any) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	case *int:
		if x == nil {
			return "–"
		}
		v = int64(*x)
	default:
		return fmt.Sprint(n)
	}
	neg := v < 0
	if neg {
		v = -v
	}
	digits := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// germanBytes writes a size as "820 Bytes", "12,5 KB" or "1,2 MB".
func germanBytes(n int64) string {
	switch {
	case n < 1024:
		return germanInt(n) + " Bytes"
	case n < 1024*1024:
		return strings.Replace(strconv.FormatFloat(float64(n)/1024, 'f', 1, 64), ".", ",", 1) + " KB"
	}
	return strings.Replace(strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64), ".", ",", 1) + " MB"
}

// paragraphs splits a text at blank lines.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func orgName(names map[string]string, id string) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	return id
}

// commandLabels are the German names of the actions (button texts).
var commandLabels = map[motion.CommandName]string{
	motion.CmdCreate:               "Entwurf anlegen",
	motion.CmdEdit:                 "Entwurf bearbeiten",
	motion.CmdInviteCosponsor:      "Mitantragstellerin einladen",
	motion.CmdSubmit:               "Einreichen",
	motion.CmdRegister:             "Registrieren",
	motion.CmdDeclareInadmissible:  "Für unzulässig erklären",
	motion.CmdSetRoute:             "Beratungsfolge festlegen",
	motion.CmdSchedule:             "Beratung einplanen",
	motion.CmdRecordResult:         "Ergebnis erfassen",
	motion.CmdRecordStatement:      "Stellungnahme erfassen",
	motion.CmdRecordAnswer:         "Antwort erfassen",
	motion.CmdRecordOutcome:        "Endergebnis erfassen",
	motion.CmdStartImplementation:  "Umsetzung beginnen",
	motion.CmdReportImplementation: "Bericht zur Umsetzung erfassen",
	motion.CmdClose:                "Vorgang abschließen",
	motion.CmdWithdraw:             "Zurückziehen",
	motion.CmdCorrectResult:        "Ergebnis korrigieren",
	motion.CmdLapse:                "Als nicht behandelt beenden",
	motion.CmdSetDeadline:          "Frist setzen",
	motion.CmdSign:                 "Unterschreiben",
	motion.CmdAcceptCosponsorship:  "Mitantragstellung annehmen",
	motion.CmdDeclineCosponsorship: "Mitantragstellung ablehnen",
	motion.CmdSetDepartments:       "Federführung festlegen",
	motion.CmdEnterSubmission:      "Eingang erfassen",
}

func commandLabel(c motion.CommandName) string {
	if l, ok := commandLabels[c]; ok {
		return l
	}
	return string(c)
}

// rolesBeyond are the roles (a comma-separated list of German role names)
// that the person's name does not already say: "Sabine Petersen
// (SPD-Fraktion)" is not followed by "(Fraktion)" once more.
func rolesBeyond(name, roles string) string {
	lower := strings.ToLower(name)
	var out []string
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r != "" && !strings.Contains(lower, strings.ToLower(r)) {
			out = append(out, r)
		}
	}
	return strings.Join(out, ", ")
}

// resultSymbols tell results apart by shape as well as by colour and text
// (the badge's text always names the result).
var resultSymbols = map[motion.Result]string{
	motion.ResultAdopted: "✔", motion.ResultAdoptedAmended: "✎", motion.ResultRejected: "✖",
	motion.ResultNoted: "ℹ", motion.ResultSettledByOtherResolutions: "↪", motion.ResultSettledByAdministration: "↪",
	motion.ResultRecommendApproval: "✔", motion.ResultRecommendAmended: "✎", motion.ResultRecommendRejection: "✖",
	motion.ResultPostponed: "⏸", motion.ResultReferred: "→", motion.ResultWithdrawn: "–",
}

func resultSymbol(r motion.Result) string {
	if s, ok := resultSymbols[r]; ok {
		return s
	}
	return "•"
}

// urlQueryEscape escapes a value for a query string.
func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// fieldID turns a field name into the part of an element id: letters,
// digits and hyphens only.
func fieldID(prefix, field string) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('-')
	for _, r := range field {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// dict builds the argument of a partial template from name, value pairs.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// parseDay reads a day as an <input type="date"> sends it ("2026-03-10") or
// as people write it ("10.03.2026"), in the configured zone.
func (s *server) parseDay(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.ParseInLocation("2006-01-02", v, s.loc); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2.1.2006", v, s.loc)
}

// readForm reads a posted form of at most 1 MiB; a body it cannot read is
// answered 400 here, and false tells the handler to stop.
func (s *server) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Ungültige Anfrage", "Das Formular konnte nicht gelesen werden.")
		return false
	}
	return true
}
