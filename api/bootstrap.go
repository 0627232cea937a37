package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// This file holds the first set-up of a council from a file (`motionflow
// bootstrap FILE`): the body with its organizations, persons, memberships
// and meetings, as JSON. Its entries are the API's inputs (OrganizationInput,
// PersonInput, MeetingInput, BodyInput), checked by the same schemas and the
// same store checks as the API's requests, and written with the store's
// directory methods in one transaction.

// Bootstrap is a bootstrap file: one body and its directory. Entries the
// file does not list are left alone; listed ones are created or brought to
// what the file says.
type Bootstrap struct {
	Comment       string                  `json:"comment,omitempty" doc:"Freitext für Menschen; wird nicht gespeichert"`
	Body          BootstrapBody           `json:"body"`
	Organizations []BootstrapOrganization `json:"organizations" minItems:"1"`
	Persons       []BootstrapPerson       `json:"persons,omitempty"`
	Meetings      []BootstrapMeeting      `json:"meetings,omitempty"`
}

// BootstrapBody is the body: its id (as in PUT /v1/bodies/{body}) and what
// that request takes.
type BootstrapBody struct {
	ID string `json:"id" minLength:"1" maxLength:"64" pattern:"^[a-z0-9][a-z0-9_-]*$"`
	BodyInput
}

// BootstrapOrganization is what POST /v1/bodies/{body}/organizations takes;
// the id is required here, so that a second run finds the entry again.
type BootstrapOrganization struct {
	OrganizationInput
}

// BootstrapPerson is what POST /v1/bodies/{body}/persons takes, with the
// person's e-mail address (invitations to its organizations' meetings go
// there) and memberships.
type BootstrapPerson struct {
	PersonInput
	Email       string                `json:"email,omitempty" maxLength:"254" format:"email"`
	Memberships []BootstrapMembership `json:"memberships,omitempty"`
}

// BootstrapMembership makes the person a member of an organization. Its id
// defaults to the person's id and the organization's id without the body's
// prefix ("mannheim-p-keller" in "mannheim-gr": "mannheim-p-keller-gr").
type BootstrapMembership struct {
	ID             string     `json:"id,omitempty" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"`
	OrganizationID string     `json:"organization_id" minLength:"1" maxLength:"64"`
	Role           string     `json:"role,omitempty" maxLength:"100" example:"Mitglied"`
	Start          *time.Time `json:"start,omitempty"`
	End            *time.Time `json:"end,omitempty"`
}

// BootstrapMeeting is what POST /v1/bodies/{body}/meetings takes; the id is
// required here.
type BootstrapMeeting struct {
	MeetingInput
}

// BootstrapProblem is one thing wrong with a bootstrap file: where (line,
// field as a JSON path) and what, in German.
type BootstrapProblem struct {
	Line    int
	Field   string
	Message string
}

// BootstrapError lists everything wrong with a bootstrap file. Nothing was
// written when it is returned.
type BootstrapError struct {
	File     string
	Problems []BootstrapProblem
}

func (e *BootstrapError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s ist fehlerhaft; nichts wurde geändert:", e.File)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Line > 0 {
			fmt.Fprintf(&b, "Zeile %d, ", p.Line)
		}
		if p.Field != "" {
			fmt.Fprintf(&b, "%s: ", p.Field)
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// bootstrapSchema is the bootstrap file's JSON schema, made by huma from
// the types as for the API's operations. It is made on first use, after
// init has set huma's messages in German (errors.go): huma fixes a schema's
// messages when it makes it.
var bootstrapSchema = sync.OnceValues(func() (huma.Registry, *huma.Schema) {
	r := huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)
	return r, r.Schema(reflect.TypeFor[Bootstrap](), true, "")
})

// ParseBootstrap reads and checks a bootstrap file (JSON) named file; the
// error is a *BootstrapError naming the line and field of every problem.
func ParseBootstrap(file string, data []byte) (*Bootstrap, error) {
	fail := func(ps ...BootstrapProblem) error { return &BootstrapError{File: file, Problems: ps} }
	lines := jsonLines(data)
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		var syn *json.SyntaxError
		off := dec.InputOffset()
		if errors.As(err, &syn) {
			off = syn.Offset
		}
		return nil, fail(BootstrapProblem{Line: lineAt(data, off), Message: "kein gültiges JSON (" + err.Error() + ")"})
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(BootstrapProblem{Line: lineAt(data, dec.InputOffset()), Message: "nach dem JSON-Objekt folgt noch etwas"})
	}
	res := &huma.ValidateResult{}
	registry, schema := bootstrapSchema()
	huma.Validate(registry, schema, huma.NewPathBuffer([]byte{}, 0), huma.ModeWriteToServer, raw, res)
	if len(res.Errors) > 0 {
		var ps []BootstrapProblem
		for _, err := range res.Errors {
			p := BootstrapProblem{Message: err.Error()}
			var d huma.ErrorDetailer
			if errors.As(err, &d) {
				e := d.ErrorDetail()
				p.Field, p.Message = e.Location, germanDetail(422, e.Location, e.Message)
			}
			p.Line = lines.of(p.Field)
			ps = append(ps, p)
		}
		return nil, fail(ps...)
	}
	var b Bootstrap
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fail(BootstrapProblem{Message: "nicht lesbar (" + err.Error() + ")"})
	}
	if ps := b.check(); len(ps) > 0 {
		for i := range ps {
			ps[i].Line = lines.of(ps[i].Field)
		}
		return nil, fail(ps...)
	}
	return &b, nil
}

// check finds what the schema cannot: missing and repeated ids, persons
// without a name, periods that end before they start, memberships and
// meetings naming organizations the file lists with the wrong kind.
func (b *Bootstrap) check() []BootstrapProblem {
	var ps []BootstrapProblem
	add := func(field, msg string) { ps = append(ps, BootstrapProblem{Field: field, Message: msg}) }
	seen := map[string]string{}
	unique := func(field, kind, id string) {
		if id == "" {
			add(field, "die Id fehlt (sie macht die Einrichtung wiederholbar)")
			return
		}
		if prev, dup := seen[kind+"\x00"+id]; dup {
			add(field, fmt.Sprintf("die Id %q steht schon in %s", id, prev))
			return
		}
		seen[kind+"\x00"+id] = field
	}
	orgKinds := map[string]store.OrgKind{}
	for i, o := range b.Organizations {
		f := fmt.Sprintf("organizations[%d]", i)
		unique(f+".id", "organization", o.ID)
		orgKinds[o.ID] = store.OrgKind(o.Kind)
	}
	for i, p := range b.Persons {
		f := fmt.Sprintf("persons[%d]", i)
		unique(f+".id", "person", p.ID)
		if p.Name == "" && p.GivenName == "" && p.FamilyName == "" {
			add(f+".name", "Name oder Vor- und Nachname angeben")
		}
		for j, m := range p.Memberships {
			mf := fmt.Sprintf("%s.memberships[%d]", f, j)
			unique(mf+".id", "membership", b.membershipID(p, m))
			if m.Start != nil && m.End != nil && m.End.Before(*m.Start) {
				add(mf+".end", "liegt vor dem Beginn")
			}
		}
	}
	for i, m := range b.Meetings {
		f := fmt.Sprintf("meetings[%d]", i)
		unique(f+".id", "meeting", m.ID)
		if k, ok := orgKinds[m.OrganizationID]; ok && !k.Gremium() {
			add(f+".organization_id", "Das ist kein Gremium; bitte wählen Sie den Gemeinderat, einen Ausschuss oder einen Bezirksbeirat.")
		}
		if m.End != nil && m.End.Before(m.Start) {
			add(f+".end", "liegt vor dem Beginn")
		}
	}
	return ps
}

// membershipID is the membership's id: its own, else the person's id and
// the organization's without the body's prefix.
func (b *Bootstrap) membershipID(p BootstrapPerson, m BootstrapMembership) string {
	if m.ID != "" || p.ID == "" {
		return m.ID
	}
	return p.ID + "-" + strings.TrimPrefix(m.OrganizationID, b.Body.ID+"-")
}

// BootstrapChange is one entry that a run created or changed.
type BootstrapChange struct {
	Kind   string // "Körperschaft", "Organisation", "Person", "Mitgliedschaft", "Sitzung"
	ID     string
	Action string // "angelegt" or "geändert"
}

// BootstrapReport says what a run did.
type BootstrapReport struct {
	Changes   []BootstrapChange
	Unchanged int
	// MovedMeetings are the meetings that existed and were changed: unlike
	// a change through the API, their motions and meeting workflows learn
	// of it only with their next step.
	MovedMeetings []string
}

// String is the report for the operator, in German.
func (r BootstrapReport) String() string {
	var b strings.Builder
	created := 0
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "%s %s %s\n", c.Kind, c.ID, c.Action)
		if c.Action == "angelegt" {
			created++
		}
	}
	if len(r.Changes) == 0 {
		fmt.Fprintf(&b, "Nichts geändert: alle %d Einträge entsprechen schon der Datei.\n", r.Unchanged)
	} else {
		fmt.Fprintf(&b, "%d angelegt, %d geändert, %d unverändert.\n", created, len(r.Changes)-created, r.Unchanged)
	}
	if len(r.MovedMeetings) > 0 {
		fmt.Fprintf(&b, "Hinweis: geänderte Sitzungen (%s) erreichen laufende Anträge und Sitzungsabläufe erst mit ihrem nächsten Schritt; "+
			"im Betrieb Sitzungen besser über PATCH /v1/meetings/{id} verschieben.\n", strings.Join(r.MovedMeetings, ", "))
	}
	return b.String()
}

// Apply writes the file's entries in one transaction (file and data are
// the file's name and content, for the lines of a refusal): every entry is
// created, changed to what the file says, or left as it is; on any error
// nothing is written. Running it again with the same file changes nothing.
// Meetings are written as the development seed and the importer write them:
// directory entries whose meeting process starts with its first command.
func (b *Bootstrap) Apply(ctx context.Context, st *store.Store, file string, data []byte) (BootstrapReport, error) {
	var rep BootstrapReport
	lines := jsonLines(data)
	err := st.InTx(ctx, func(tx *store.Store) error {
		rep = BootstrapReport{}
		a := applier{tx: tx, rep: &rep}
		err := b.apply(ctx, &a)
		if err == nil {
			return nil
		}
		var be *bootstrapEntryError
		if errors.As(err, &be) {
			return &BootstrapError{File: file, Problems: be.problems(lines)}
		}
		return err
	})
	if err != nil {
		return BootstrapReport{}, err
	}
	return rep, nil
}

// bootstrapEntryError is a refusal of the store for one entry of the file.
type bootstrapEntryError struct {
	field string
	err   error
}

func (e *bootstrapEntryError) Error() string { return e.field + ": " + e.err.Error() }

// problems are the German messages of the refusal, at the entry's line.
func (e *bootstrapEntryError) problems(lines jsonIndex) []BootstrapProblem {
	var me *motion.Error
	if errors.As(e.err, &me) && len(me.Fields) > 0 {
		var ps []BootstrapProblem
		for _, f := range me.Fields {
			field := e.field + "." + f.Field
			ps = append(ps, BootstrapProblem{Line: lines.of(field), Field: field, Message: f.Message})
		}
		return ps
	}
	msg := e.err.Error()
	switch {
	case errors.As(e.err, &me):
		msg = me.Message
	case errors.Is(e.err, store.ErrConflict):
		msg = "steht im Widerspruch zu einem vorhandenen Eintrag (" + msg + ")"
	case errors.Is(e.err, store.ErrInvalid):
		msg = "von der Datenbank abgelehnt (" + msg + ")"
	}
	return []BootstrapProblem{{Line: lines.of(e.field), Field: e.field, Message: msg}}
}

type applier struct {
	tx  *store.Store
	rep *BootstrapReport
}

func (a *applier) note(kind, id string, created, changed bool) {
	switch {
	case created:
		a.rep.Changes = append(a.rep.Changes, BootstrapChange{Kind: kind, ID: id, Action: "angelegt"})
	case changed:
		a.rep.Changes = append(a.rep.Changes, BootstrapChange{Kind: kind, ID: id, Action: "geändert"})
	default:
		a.rep.Unchanged++
	}
}

// entryErr wraps a store refusal with the entry's field; a failure of the
// database itself passes unwrapped.
func entryErr(field string, err error) error {
	var me *motion.Error
	if errors.As(err, &me) || errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) {
		return &bootstrapEntryError{field: field, err: err}
	}
	return fmt.Errorf("%s: %w", field, err)
}

// otherBody is the refusal of an entry whose id another body uses.
func otherBody(field, id, body string) error {
	return &bootstrapEntryError{field: field + ".id", err: fmt.Errorf("%w: die Id %q gehört schon zur Körperschaft %q", store.ErrConflict, id, body)}
}

func (b *Bootstrap) apply(ctx context.Context, a *applier) error {
	tx, body := a.tx, b.Body.ID
	// The body, as PUT /v1/bodies/{body} writes it.
	want := store.Body{ID: body, Name: b.Body.Name, ShortName: b.Body.ShortName, ReferencePrefix: b.Body.ReferencePrefix}
	if want.ReferencePrefix == "" {
		want.ReferencePrefix = "A"
	}
	have, err := tx.Body(ctx, body)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return entryErr("body", err)
	}
	differs := have.Name != want.Name || have.ShortName != want.ShortName || have.ReferencePrefix != want.ReferencePrefix
	if !found || differs {
		if _, err := tx.UpsertBody(ctx, want); err != nil {
			return entryErr("body", err)
		}
	}
	a.note("Körperschaft", body, !found, found && differs)

	for i, in := range b.Organizations {
		f := fmt.Sprintf("organizations[%d]", i)
		o := store.Organization{ID: in.ID, BodyID: body, Kind: store.OrgKind(in.Kind), Name: in.Name, ShortName: in.ShortName}
		have, err := tx.Organization(ctx, o.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if _, err := tx.CreateOrganization(ctx, o); err != nil {
				return entryErr(f, err)
			}
			a.note("Organisation", o.ID, true, false)
		case err != nil:
			return entryErr(f, err)
		case have.BodyID != body:
			return otherBody(f, o.ID, have.BodyID)
		case have.Kind != o.Kind || have.Name != o.Name || have.ShortName != o.ShortName:
			if _, err := tx.UpdateOrganization(ctx, o); err != nil {
				return entryErr(f, err)
			}
			a.note("Organisation", o.ID, false, true)
		default:
			a.note("Organisation", o.ID, false, false)
		}
	}

	for i, in := range b.Persons {
		f := fmt.Sprintf("persons[%d]", i)
		p := store.Person{ID: in.ID, BodyID: body, Name: in.Name, GivenName: in.GivenName, FamilyName: in.FamilyName}
		if p.Name == "" {
			p.Name = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
		}
		have, err := tx.Person(ctx, p.ID)
		existed, changed := err == nil, false
		switch {
		case errors.Is(err, store.ErrNotFound):
			if _, err := tx.CreatePerson(ctx, p); err != nil {
				return entryErr(f, err)
			}
		case err != nil:
			return entryErr(f, err)
		case have.BodyID != body:
			return otherBody(f, p.ID, have.BodyID)
		case have.Name != p.Name || have.GivenName != p.GivenName || have.FamilyName != p.FamilyName:
			if _, err := tx.UpdatePerson(ctx, p); err != nil {
				return entryErr(f, err)
			}
			changed = true
		}
		// An address the file leaves out stays as it is.
		if in.Email != "" {
			email, err := tx.PersonEmail(ctx, p.ID)
			if err != nil {
				return entryErr(f, err)
			}
			if email != in.Email {
				if err := tx.SetPersonEmail(ctx, p.ID, in.Email); err != nil {
					return entryErr(f+".email", err)
				}
				changed = true
			}
		}
		a.note("Person", p.ID, !existed, existed && changed)
		for j, im := range in.Memberships {
			mf := fmt.Sprintf("%s.memberships[%d]", f, j)
			m := store.Membership{ID: b.membershipID(in, im), PersonID: p.ID, OrganizationID: im.OrganizationID,
				Role: im.Role, Start: im.Start, End: im.End}
			have, err := tx.Membership(ctx, m.ID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				if _, err := tx.AddMembership(ctx, m); err != nil {
					return entryErr(mf, orgMissing(err, "organization_id"))
				}
				a.note("Mitgliedschaft", m.ID, true, false)
			case err != nil:
				return entryErr(mf, err)
			case have.PersonID != m.PersonID:
				return &bootstrapEntryError{field: mf + ".id", err: fmt.Errorf("%w: die Mitgliedschaft %q gehört schon zur Person %q", store.ErrConflict, m.ID, have.PersonID)}
			case have.OrganizationID != m.OrganizationID || have.Role != m.Role || !sameTime(have.Start, m.Start) || !sameTime(have.End, m.End):
				if _, err := tx.UpdateMembership(ctx, m); err != nil {
					return entryErr(mf, orgMissing(err, "organization_id"))
				}
				a.note("Mitgliedschaft", m.ID, false, true)
			default:
				a.note("Mitgliedschaft", m.ID, false, false)
			}
		}
	}

	for i, in := range b.Meetings {
		f := fmt.Sprintf("meetings[%d]", i)
		// The same check as POST /v1/bodies/{body}/meetings.
		if err := tx.CheckGremium(ctx, body, in.OrganizationID, "organization_id"); err != nil {
			return entryErr(f, err)
		}
		m := store.Meeting{ID: in.ID, BodyID: body, OrganizationID: in.OrganizationID, Name: in.Name,
			Location: in.Location, Start: in.Start, End: in.End}
		have, err := tx.Meeting(ctx, m.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if _, err := tx.CreateMeeting(ctx, m); err != nil {
				return entryErr(f, err)
			}
			a.note("Sitzung", m.ID, true, false)
		case err != nil:
			return entryErr(f, err)
		case have.BodyID != body:
			return otherBody(f, m.ID, have.BodyID)
		case have.OrganizationID != m.OrganizationID || have.Name != m.Name || have.Location != m.Location ||
			!have.Start.Equal(m.Start) || !sameTime(have.End, m.End):
			m.Cancelled = have.Cancelled
			if _, err := tx.UpdateMeeting(ctx, m); err != nil {
				return entryErr(f, err)
			}
			a.note("Sitzung", m.ID, false, true)
			a.rep.MovedMeetings = append(a.rep.MovedMeetings, m.ID)
		default:
			a.note("Sitzung", m.ID, false, false)
		}
	}
	return nil
}

// orgMissing names the field of a membership whose organization the
// database does not know (in this body).
func orgMissing(err error, field string) error {
	if errors.Is(err, store.ErrInvalid) {
		var me *motion.Error
		if !errors.As(err, &me) {
			return &motion.Error{Code: motion.CodeInvalid, Message: "Die Angaben sind ungültig.",
				Fields: []motion.FieldError{{Field: field, Message: "Diese Organisation gibt es in dieser Körperschaft nicht."}}}
		}
	}
	return err
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// jsonIndex maps the JSON path of every value of a file ("persons[2].email")
// to the line it starts on.
type jsonIndex map[string]int

// of is the line of path, or of the nearest enclosing value that has one.
func (x jsonIndex) of(path string) int {
	for path != "" {
		if l, ok := x[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// jsonLines indexes data (which may be invalid: the index then stops at
// the error).
func jsonLines(data []byte) jsonIndex {
	x := jsonIndex{}
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path string) bool
	// start is the line of the next value: after the offset, past
	// whitespace, commas and colons.
	start := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return lineAt(data, int64(off))
	}
	walk = func(path string) bool {
		line := start()
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if path != "" {
			x[path] = line
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return false
				}
				key, _ := k.(string)
				p := key
				if path != "" {
					p = path + "." + key
				}
				if !walk(p) {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if !walk(path + "[" + strconv.Itoa(i) + "]") {
					return false
				}
			}
			_, err = dec.Token()
			return err == nil
		}
		return true
	}
	walk("")
	return x
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}
