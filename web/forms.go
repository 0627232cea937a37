package web

import (
	"errors"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/motionflow/motionflow/motion"
)

// Form is one HTML form as the templates fill it: what the user typed (or
// the current values), the refusal's messages by field, the hidden version
// and idempotency key. A form that was refused keeps every value, so nothing
// the user typed is lost.
type Form struct {
	// ID prefixes the ids of the form's elements ("f-record_result-c2").
	ID string
	// Command is the action the form runs; Target names what it acts on
	// within the motion (a consultation id), if anything.
	Command  motion.CommandName
	Target   string
	MotionID string
	Version  int64
	// Key is the idempotency key of this rendering of the form.
	Key    string
	Values url.Values
	// Message is the refusal's summary; Errors the messages by form field.
	Message string
	Errors  map[string]string
	// errs keeps the messages in order for the summary.
	errs []FormError
	// Fields are the form's inputs, to place a domain field's message at the
	// input that shows it.
	Fields []string
	// Editor is the path of the draft's editor, for an action (submit) whose
	// refusal names the draft's fields: those messages link there.
	Editor string
}

// FormError is one message of a refused form, for the error summary.
type FormError struct {
	Field   string // the form field it is shown at, "" if none
	Label   string
	Message string
	Anchor  string // the element id to link to
	// Href, if set, leads to the input on another page (the draft editor).
	Href string
}

// newForm makes an empty form with a fresh idempotency key.
func newForm(cmd motion.CommandName, target string) *Form {
	id := "f-" + string(cmd)
	if target != "" {
		id += "-" + target
	}
	return &Form{ID: fieldID(id, ""), Command: cmd, Target: target, Key: newKey(), Values: url.Values{}, Errors: map[string]string{}}
}

func newKey() string { return uuid.Must(uuid.NewV7()).String() }

// Val returns the value of a field ("" if none).
func (f *Form) Val(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Vals returns all values of a field.
func (f *Form) Vals(name string) []string {
	if f == nil {
		return nil
	}
	return f.Values[name]
}

// At returns the i-th value of a repeated field.
func (f *Form) At(name string, i int) string {
	vs := f.Vals(name)
	if i < len(vs) {
		return vs[i]
	}
	return ""
}

// Is reports whether the field has the value (for selects, radios, checkboxes).
func (f *Form) Is(name, value string) bool { return f != nil && slices.Contains(f.Values[name], value) }

// Err returns the message for a field, "" if none.
func (f *Form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Failed reports whether the form was refused.
func (f *Form) Failed() bool { return f != nil && (f.Message != "" || len(f.errs) > 0) }

// ErrorList lists the messages in order for the summary at the top of the form.
func (f *Form) ErrorList() []FormError {
	if f == nil {
		return nil
	}
	return f.errs
}

// FID is the element id of a field's input.
func (f *Form) FID(name string) string { return fieldID(f.ID, name) }

// Set sets a value.
func (f *Form) Set(name, value string) *Form { f.Values.Set(name, value); return f }

// fail records a refusal on the form: the domain's message and its fields,
// each placed at the input that shows it.
func (f *Form) fail(err error) {
	var me *motion.Error
	if !errors.As(err, &me) {
		f.Message = err.Error()
		return
	}
	f.Message = me.Message
	if me.Code == motion.CodeStaleVersion {
		// The domain's message names the versions for the API's clients; the
		// page says what happened and what to do.
		f.Message = staleForm
	}
	for _, fe := range me.Fields {
		f.addError(fe.Field, fe.Message)
	}
}

// addError places a message at the form field that shows the domain field:
// the field itself or the nearest enclosing one ("vote.named[2].vote" →
// "vote.named" → "vote").
func (f *Form) addError(domainField, msg string) {
	field := f.place(domainField)
	anchor := f.ID
	href := ""
	if field == "" && f.Editor != "" {
		for cand := domainField; cand != ""; cand = parentField(cand) {
			if slices.Contains(editorFields, cand) {
				href = f.Editor + "#" + fieldID("editor", cand)
				break
			}
		}
	}
	if field != "" {
		anchor = f.FID(field)
		if prev, ok := f.Errors[field]; ok {
			f.Errors[field] = prev + "; " + msg
		} else {
			f.Errors[field] = msg
		}
	}
	f.errs = append(f.errs, FormError{Field: field, Label: fieldLabel(domainField), Message: msg, Anchor: anchor, Href: href})
}

// staleForm is the message of a form sent from a page that is out of date:
// someone changed the motion after the page was loaded. The page shown with
// it has the current state and the form what the user typed.
const staleForm = "Der Antrag wurde inzwischen an anderer Stelle geändert. Die Seite zeigt jetzt den aktuellen Stand; bitte prüfen Sie ihn und senden Sie das Formular erneut."

// invalid records a message about a form field the web layer checked itself.
func (f *Form) invalid(field, msg string) {
	if f.Message == "" {
		f.Message = "Die Angaben sind unvollständig oder ungültig."
	}
	f.addError(field, msg)
}

func (f *Form) place(field string) string {
	for cand := field; cand != ""; cand = parentField(cand) {
		if slices.Contains(f.Fields, cand) {
			return cand
		}
	}
	return ""
}

// parentField drops the last index or member of a field path.
func parentField(field string) string {
	if strings.HasSuffix(field, "]") {
		if i := strings.LastIndexByte(field, '['); i > 0 {
			return field[:i]
		}
	}
	if i := strings.LastIndexByte(field, '.'); i > 0 {
		return field[:i]
	}
	return ""
}

// fieldLabels are the German names of the domain's fields, for the summary.
var fieldLabels = map[string]string{
	"title": "Titel", "resolution_points": "Beschlusspunkte", "justification": "Begründung",
	"tags": "Schlagworte", "budget_cycle": "Haushaltsberatung", "amends": "Geänderter Antrag",
	"addressed_department": "Dezernat", "target_meeting": "Zielsitzung", "signatories": "Unterzeichnende",
	"attachments": "Anlagen", "kind": "Art", "body_id": "Körperschaft", "faction": "Fraktion",
	"reason": "Begründung", "steps": "Beratungsfolge", "consultation_id": "Beratung", "meeting_id": "Sitzung", "override": "Begründung der Ausnahme",
	"result": "Ergebnis", "vote": "Abstimmung", "vote.by_faction": "Stimmen der Fraktionen",
	"vote.named": "Namentliche Abstimmung", "vote.unanimous": "Einstimmig", "links": "Erledigende Beschlüsse",
	"originator_agreed": "Zustimmung der Antragsteller", "referred_to": "Verwiesen an", "note": "Vermerk",
	"text": "Text", "key": "Frist", "due": "Fälligkeit", "name": "Name", "organization_id": "Gremium",
	"start": "Beginn", "end": "Ende", "location": "Ort", "id": "Kennung", "short_name": "Kurzname",
	"reference_prefix": "Präfix der Aktenzeichen", "upload": "Anlage hochladen", "date": "Datum", "due_time": "Uhrzeit",
	"q": "Suche im Text", "status": "Status", "ergebnis": "Ergebnis", "von": "Eingereicht ab", "bis": "Eingereicht bis",
	"signers": "Unterzeichnende aus dem Gemeinderat", "lead": "Federführung", "involved": "Beteiligte Dezernate",
	"lead_department": "Federführung", "involved_departments": "Beteiligte Dezernate", "points": "Beschlusspunkte im Bericht",
	"originator": "Antragsteller", "organization": "Fraktion oder Ausschuss", "paper.submitted_by": "Eingereicht von",
	"paper.received_at": "Eingang am", "paper.channel": "Eingangsweg", "paper": "Eingang",
	"years": "Haushaltsjahre", "first_year": "Erstes Haushaltsjahr", "last_year": "Letztes Haushaltsjahr",
	"motion_deadline": "Antragsschluss", "resolution": "Haushaltsbeschluss", "budget": "Finanzielle Auswirkungen",
	"budget.items": "Beträge", "budget.positions": "Stellen", "budget.product": "Produkt oder Teilhaushalt",
	"estimate": "Schätzung der Verwaltung", "estimate.items": "Beträge der Schätzung", "estimate.positions": "Stellen der Schätzung",
	"estimate.product": "Produkt der Schätzung",
}

// pointLabels name the inputs of a resolution point's row in the
// implementation report.
var pointLabels = map[string]string{"": "", ".state": ": Stand", ".target_date": ": Zieldatum", ".note": ": Vermerk",
	".reason": ": Begründung", ".point": ""}

var pointField = regexp.MustCompile(`^points\[(\d+)\](\.[a-z_]+)?$`)

func fieldLabel(field string) string {
	if m := pointField.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		return "Beschlusspunkt " + strconv.Itoa(n+1) + pointLabels[m[2]]
	}
	base := field
	idx := ""
	if i := strings.IndexByte(field, '['); i > 0 {
		base = field[:i]
		if j := strings.IndexByte(field[i:], ']'); j > 0 {
			if n, err := strconv.Atoi(field[i+1 : i+j]); err == nil {
				idx = " " + strconv.Itoa(n+1)
			}
		}
	}
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	if l, ok := fieldLabels[base]; ok {
		return l + idx
	}
	if p := parentField(field); p != "" {
		return fieldLabel(p)
	}
	return field
}

// errAttrs are the attributes that tie an input to its message.
func errAttrs(f *Form, name string) template.HTMLAttr {
	if f.Err(name) == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + html.EscapeString(f.FID(name)) + `-fehler"`)
}

// errMsg is the message shown next to an input.
func errMsg(f *Form, name string) template.HTML {
	msg := f.Err(name)
	if msg == "" {
		return ""
	}
	return template.HTML(`<p class="feldfehler" id="` + html.EscapeString(f.FID(name)) + `-fehler"><span class="vh">Fehler: </span>` +
		html.EscapeString(msg) + `</p>`)
}

// formInt reads a non-negative whole number; "" is absent.
func formInt(f *Form, field, v string) (int, bool) {
	v = strings.TrimSpace(strings.ReplaceAll(v, ".", ""))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		f.invalid(field, "Bitte geben Sie eine ganze Zahl ab 0 an.")
		return 0, false
	}
	return n, true
}

// nonEmpty drops blank entries and trims the others.
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// splitLines turns a textarea with one entry per line into entries.
func splitLines(s string) []string {
	return nonEmpty(strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n"))
}
