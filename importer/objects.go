package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// ---- fields ----

// str reads a string field under any of its spellings; a field of another
// JSON type is an ObjectError, a missing one "".
func (o obj) str(names ...string) (string, error) {
	for _, n := range names {
		v, ok := o.m[n]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return "", &ObjectError{URL: o.where(), Field: n, Problem: fmt.Sprintf("is %s, not a string", jsonType(v))}
		}
		return strings.TrimSpace(s), nil
	}
	return "", nil
}

// required is str for a field that must be there.
func (o obj) required(names ...string) (string, error) {
	s, err := o.str(names...)
	if err == nil && s == "" {
		err = &ObjectError{URL: o.where(), Field: names[0], Problem: "is missing"}
	}
	return s, err
}

// strs reads a field that is a string or an array of strings (references).
func (o obj) strs(name string) ([]string, error) {
	switch v := o.m[name].(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, &ObjectError{URL: o.where(), Field: fmt.Sprintf("%s[%d]", name, i), Problem: fmt.Sprintf("is %s, not a URL", jsonType(x))}
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, &ObjectError{URL: o.where(), Field: name, Problem: fmt.Sprintf("is %s, not a URL or a list of URLs", jsonType(o.m[name]))}
}

// boolean reads a boolean field (false when missing).
func (o obj) boolean(name string) (bool, error) {
	switch v := o.m[name].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	}
	return false, &ObjectError{URL: o.where(), Field: name, Problem: fmt.Sprintf("is %s, not true or false", jsonType(o.m[name]))}
}

// dateTime reads a date-time field (RFC 3339; a bare date is midnight in
// Berlin), nil when missing.
func (o obj) dateTime(names ...string) (*time.Time, error) {
	for _, n := range names {
		s, err := o.str(n)
		if err != nil {
			return nil, err
		}
		if s == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return &t, nil
		}
		for _, layout := range []string{"2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, s, motion.Berlin); err == nil {
				return &t, nil
			}
		}
		return nil, &ObjectError{URL: o.where(), Field: n, Problem: fmt.Sprintf("%q is not a date or date-time", s)}
	}
	return nil, nil
}

// created reads the object's creation time, zero if missing or unreadable
// (it is informative only).
func (o obj) created() time.Time {
	if t, err := o.dateTime("created"); err == nil && t != nil {
		return *t
	}
	return time.Time{}
}

// check verifies the object's id and type; it reports whether the object is
// deleted (a tombstone needs nothing else).
func (o obj) check(typeName string) (id string, deleted bool, err error) {
	id, err = o.required("id")
	if err != nil {
		return "", false, err
	}
	typ, err := o.required("type")
	if err != nil {
		return "", false, err
	}
	if !isType(typ, typeName) {
		return "", false, &ObjectError{URL: id, Field: "type", Problem: fmt.Sprintf("is %q, want an OParl %s", typ, typeName)}
	}
	deleted, err = o.boolean("deleted")
	return id, deleted, err
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// ---- objects ----

// body imports a body and then its lists, in the order their references
// need: legislative terms, organizations, persons (with their memberships),
// memberships, meetings.
func (im *importer) body(ctx context.Context, o obj) error {
	id, deleted, err := o.check("Body")
	if err != nil {
		return err
	}
	if deleted {
		return im.markDeleted(ctx, store.OParlKindBody, id, &im.stats.Bodies)
	}
	name, err := o.required("name")
	if err != nil {
		return err
	}
	short, err := o.str("shortName", "short_name")
	if err != nil {
		return err
	}
	var candidates []string
	for _, s := range []string{short, name} {
		if s := slug(s); s != "" {
			candidates = append(candidates, s)
		}
	}
	candidates = append(candidates, "oparl-"+hash(id, 10), "oparl-"+hash(id, 32))
	local, err := im.st.ResolveOParlID(ctx, store.OParlKindBody, id, "", candidates...)
	if err != nil {
		return err
	}
	res, err := im.st.ImportBody(ctx, store.Body{ID: local, Name: name, ShortName: short, Created: o.created()})
	if err != nil {
		return im.storeErr(o, err)
	}
	im.stats.Bodies.add(res)
	im.prog.printf("Körperschaft %s → %s\n", name, local)

	b := &bodyImport{im: im, id: local, oparlID: id}
	if terms, ok := o.m["legislativeTerm"].([]any); ok {
		for i, x := range terms {
			t, err := im.resolve(ctx, x, fmt.Sprintf("%s legislativeTerm[%d]", id, i))
			if err != nil {
				return err
			}
			if err := b.legislativeTerm(ctx, t); err != nil {
				return err
			}
		}
	}
	for _, l := range []struct {
		fields []string
		label  string
		fn     func(context.Context, obj) error
	}{
		{[]string{"legislativeTermList"}, "Wahlperioden", b.legislativeTerm},
		{[]string{"organization", "organisation"}, "Organisationen", b.organization},
		{[]string{"person"}, "Personen", b.person},
		{[]string{"membership"}, "Mitgliedschaften", b.membership},
		{[]string{"meeting"}, "Sitzungen", b.meeting},
	} {
		list, err := o.str(l.fields...)
		if err != nil {
			return err
		}
		if list == "" {
			continue
		}
		if err := im.eachInList(ctx, list, true, l.label+" ("+name+")", func(x obj) error { return l.fn(ctx, x) }); err != nil {
			return err
		}
	}
	// The papers last: their consultations name meetings and agenda items.
	list, err := o.str("paper")
	if err != nil {
		return err
	}
	if list != "" {
		if err := im.eachPageInList(ctx, list, true, "Drucksachen ("+name+")", func(page []obj) error { return b.papers(ctx, page) }); err != nil {
			return err
		}
	}
	return nil
}

// bodyImport imports the objects of one body.
type bodyImport struct {
	im      *importer
	id      string // the local body id
	oparlID string
}

func (im *importer) markDeleted(ctx context.Context, kind store.OParlKind, oparlID string, c *Counts) error {
	_, local, err := im.st.OParlImported(ctx, oparlID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted before we ever saw it
	}
	if err != nil {
		return err
	}
	changed, err := im.st.MarkOParlDeleted(ctx, kind, local)
	if err != nil {
		return err
	}
	if changed {
		c.Deleted++
	} else {
		c.Unchanged++
	}
	return nil
}

// storeErr turns the store's refusal of an object into an ObjectError.
func (im *importer) storeErr(o obj, err error) error {
	if errors.Is(err, store.ErrInvalid) {
		return &ObjectError{URL: o.where(), Field: "", Problem: "cannot be stored: " + err.Error()}
	}
	return err
}

func (b *bodyImport) legislativeTerm(ctx context.Context, o obj) error {
	im := b.im
	id, deleted, err := o.check("LegislativeTerm")
	if err != nil {
		return err
	}
	if deleted {
		return im.markDeleted(ctx, store.OParlKindLegislativeTerm, id, &im.stats.LegislativeTerms)
	}
	name, err := o.str("name")
	if err != nil {
		return err
	}
	start, err := o.dateTime("startDate", "start_date")
	if err != nil {
		return err
	}
	end, err := o.dateTime("endDate", "end_date")
	if err != nil {
		return err
	}
	if start != nil && end != nil && end.Before(*start) {
		return &ObjectError{URL: id, Field: "endDate", Problem: "is before startDate"}
	}
	local, err := im.localID(ctx, store.OParlKindLegislativeTerm, "wp", id, b.id)
	if err != nil {
		return err
	}
	res, err := im.st.ImportLegislativeTerm(ctx, store.OParlLegislativeTerm{ID: local, BodyID: b.id, Name: name,
		Start: inBerlin(start), End: inBerlin(end), Created: o.created()})
	if err != nil {
		return im.storeErr(o, err)
	}
	im.stats.LegislativeTerms.add(res)
	return nil
}

func inBerlin(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	x := t.In(motion.Berlin)
	return &x
}

func (b *bodyImport) organization(ctx context.Context, o obj) error {
	im := b.im
	id, deleted, err := o.check("Organization")
	if err != nil {
		return err
	}
	if deleted {
		return im.markDeleted(ctx, store.OParlKindOrganization, id, &im.stats.Organizations)
	}
	name, err := o.required("name")
	if err != nil {
		return err
	}
	short, err := o.str("shortName", "short_name")
	if err != nil {
		return err
	}
	orgType, err := o.str("organizationType", "organisationType")
	if err != nil {
		return err
	}
	class, err := o.str("classification")
	if err != nil {
		return err
	}
	kind, ok := orgKind(orgType, class, name)
	if !ok {
		im.warn("Organisation %s (%s): Art %q wird nicht übernommen", id, name, orgType)
		return nil
	}
	local, err := im.localID(ctx, store.OParlKindOrganization, "org", id, b.id)
	if err != nil {
		return err
	}
	res, err := im.st.ImportOrganization(ctx, store.Organization{ID: local, BodyID: b.id, Kind: kind, Name: name,
		ShortName: short, Created: o.created()})
	if err != nil {
		return im.storeErr(o, err)
	}
	im.stats.Organizations.add(res)
	return nil
}

// orgKind maps OParl's organizationType (Gremium, Fraktion,
// Verwaltungsbereich, …), the classification and the name to a kind.
// Parties and other outside organizations have no place in motionflow.
func orgKind(orgType, class, name string) (store.OrgKind, bool) {
	t := strings.ToLower(orgType)
	words := strings.ToLower(class + " " + name)
	has := func(s string, subs ...string) bool {
		for _, x := range subs {
			if strings.Contains(s, x) {
				return true
			}
		}
		return false
	}
	switch {
	case has(t, "fraktion") || (t == "" && has(words, "fraktion")):
		return store.OrgFaction, true
	case has(t, "verwaltung") || (t == "" && has(strings.ToLower(class), "dezernat", "verwaltung", "fachbereich", "referat")):
		return store.OrgDepartment, true
	case has(t, "partei", "institution", "sonstig", "extern"):
		return "", false
	case has(words, "bezirksbeirat", "bezirksvertretung", "ortsbeirat", "ortschaftsrat", "bezirksausschuss", "stadtbezirksrat", "bezirksrat"):
		return store.OrgDistrictCouncil, true
	case has(words, "gemeinderat", "stadtrat", "rat der stadt", "kreistag", "stadtverordnetenversammlung", "hauptorgan",
		"ratsversammlung", "bürgerschaft", "gemeindevertretung", "vollversammlung"):
		return store.OrgCouncil, true
	}
	return store.OrgCommittee, true
}

func (b *bodyImport) person(ctx context.Context, o obj) error {
	im := b.im
	id, deleted, err := o.check("Person")
	if err != nil {
		return err
	}
	if deleted {
		return im.markDeleted(ctx, store.OParlKindPerson, id, &im.stats.Persons)
	}
	name, err := o.str("name")
	if err != nil {
		return err
	}
	given, err := o.str("givenName", "given_name", "firstName")
	if err != nil {
		return err
	}
	family, err := o.str("familyName", "family_name", "lastName")
	if err != nil {
		return err
	}
	if name == "" {
		name = strings.TrimSpace(given + " " + family)
	}
	if name == "" {
		return &ObjectError{URL: id, Field: "name", Problem: "is missing (and so are givenName and familyName)"}
	}
	local, err := im.localID(ctx, store.OParlKindPerson, "person", id, b.id)
	if err != nil {
		return err
	}
	res, err := im.st.ImportPerson(ctx, store.Person{ID: local, BodyID: b.id, Name: name, GivenName: given,
		FamilyName: family, Created: o.created()})
	if err != nil {
		return im.storeErr(o, err)
	}
	im.stats.Persons.add(res)
	// Memberships are embedded in the person (1.0, 1.1) and may omit it.
	switch ms := o.m["membership"].(type) {
	case nil:
	case []any:
		for i, x := range ms {
			m, err := im.resolve(ctx, x, fmt.Sprintf("%s membership[%d]", id, i))
			if err != nil {
				return err
			}
			if err := b.membershipOf(ctx, m, id); err != nil {
				return err
			}
		}
	default:
		return &ObjectError{URL: id, Field: "membership", Problem: fmt.Sprintf("is %s, not a list of memberships", jsonType(ms))}
	}
	return nil
}

func (b *bodyImport) membership(ctx context.Context, o obj) error { return b.membershipOf(ctx, o, "") }

// membershipOf imports a membership; person is the OParl id of the person
// it is embedded in ("" for one from the membership list).
func (b *bodyImport) membershipOf(ctx context.Context, o obj, person string) error {
	im := b.im
	id, deleted, err := o.check("Membership")
	if err != nil {
		return err
	}
	if deleted {
		return im.markDeleted(ctx, store.OParlKindMembership, id, &im.stats.Memberships)
	}
	p, err := o.str("person")
	if err != nil {
		return err
	}
	if p == "" {
		p = person
	}
	if p == "" {
		return &ObjectError{URL: id, Field: "person", Problem: "is missing"}
	}
	org, err := o.required("organization", "organisation")
	if err != nil {
		return err
	}
	role, err := o.str("role")
	if err != nil {
		return err
	}
	start, err := o.dateTime("startDate", "start_date")
	if err != nil {
		return err
	}
	end, err := o.dateTime("endDate", "end_date")
	if err != nil {
		return err
	}
	if start != nil && end != nil && end.Before(*start) {
		return &ObjectError{URL: id, Field: "endDate", Problem: "is before startDate"}
	}
	kind, personID, err := im.st.OParlImported(ctx, p)
	if errors.Is(err, store.ErrNotFound) || (err == nil && kind != store.OParlKindPerson) {
		im.warn("Mitgliedschaft %s: Person %s wurde nicht importiert", id, p)
		return nil
	}
	if err != nil {
		return err
	}
	kind, orgID, err := im.st.OParlImported(ctx, org)
	if errors.Is(err, store.ErrNotFound) || (err == nil && kind != store.OParlKindOrganization) {
		im.warn("Mitgliedschaft %s: Organisation %s wurde nicht importiert", id, org)
		return nil
	}
	if err != nil {
		return err
	}
	local, err := im.localID(ctx, store.OParlKindMembership, "ms", id, b.id)
	if err != nil {
		return err
	}
	res, err := im.st.ImportMembership(ctx, store.Membership{ID: local, PersonID: personID, OrganizationID: orgID,
		Role: role, Start: start, End: end, Created: o.created()})
	if errors.Is(err, store.ErrInvalid) {
		im.warn("Mitgliedschaft %s: %v", id, err)
		return nil
	}
	if err != nil {
		return err
	}
	im.stats.Memberships.add(res)
	return nil
}

func (b *bodyImport) meeting(ctx context.Context, o obj) error {
	im := b.im
	id, deleted, err := o.check("Meeting")
	if err != nil {
		return err
	}
	if deleted {
		return im.markDeleted(ctx, store.OParlKindMeeting, id, &im.stats.Meetings)
	}
	name, err := o.str("name")
	if err != nil {
		return err
	}
	start, err := o.dateTime("start", "startDate", "start_date")
	if err != nil {
		return err
	}
	end, err := o.dateTime("end", "endDate", "end_date")
	if err != nil {
		return err
	}
	cancelled, err := o.boolean("cancelled")
	if err != nil {
		return err
	}
	if start == nil {
		im.warn("Sitzung %s (%s): ohne Beginn", id, name)
		return nil
	}
	if end != nil && end.Before(*start) {
		end = nil
	}
	orgs, err := o.strs("organization")
	if err != nil {
		return err
	}
	var orgID string
	for _, u := range orgs {
		if kind, local, err := im.st.OParlImported(ctx, u); err == nil && kind == store.OParlKindOrganization {
			orgID = local
			break
		}
	}
	place, err := b.place(ctx, o)
	if err != nil {
		return err
	}
	local, err := im.localID(ctx, store.OParlKindMeeting, "meeting", id, b.id)
	if err != nil {
		return err
	}
	old, err := im.st.Meeting(ctx, local)
	moved := err == nil && (!old.Start.Equal(*start) || !sameTime(old.End, end) || old.Cancelled != cancelled)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	res, err := im.st.ImportMeeting(ctx, store.Meeting{ID: local, BodyID: b.id, OrganizationID: orgID, Name: name,
		Location: place, Start: *start, End: end, Cancelled: cancelled, Created: o.created()})
	if err != nil {
		return im.storeErr(o, err)
	}
	im.stats.Meetings.add(res)
	if moved && res == store.ImportUpdated {
		im.stats.MovedMeetings = append(im.stats.MovedMeetings, local)
	}
	return b.agendaItems(ctx, o, local)
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// place is the text of a meeting's location: the embedded Location's
// description, else its address; a location given by URL is fetched once.
func (b *bodyImport) place(ctx context.Context, o obj) (string, error) {
	im := b.im
	var loc obj
	switch v := o.m["location"].(type) {
	case nil:
		return "", nil
	case map[string]any:
		loc = obj{m: v, src: o.where() + " location"}
	case string:
		if s, ok := im.locations[v]; ok {
			return s, nil
		}
		doc, err := im.fetch(ctx, v)
		if err != nil {
			im.warn("Ort %s der Sitzung %s: %v", v, o.where(), err)
			im.locations[v] = ""
			return "", nil
		}
		m, _ := doc.(map[string]any)
		loc = obj{m: m, src: v}
	default:
		return "", &ObjectError{URL: o.where(), Field: "location", Problem: fmt.Sprintf("is %s, not a Location", jsonType(v))}
	}
	text := func() (string, error) {
		if d, err := loc.str("description"); err != nil || d != "" {
			return d, err
		}
		var f [4]string
		for i, name := range []string{"room", "streetAddress", "postalCode", "locality"} {
			v, err := loc.str(name)
			if err != nil {
				return "", err
			}
			f[i] = v
		}
		var parts []string
		for _, p := range []string{f[0], f[1], strings.TrimSpace(f[2] + " " + f[3])} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, ", "), nil
	}
	s, err := text()
	if err != nil {
		return "", err
	}
	if u, ok := o.m["location"].(string); ok {
		im.locations[u] = s
	}
	return s, nil
}
