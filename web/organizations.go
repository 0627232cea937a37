package web

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// orgKindLabels are the German names of the organization kinds.
var orgKindLabels = map[store.OrgKind]string{
	store.OrgCouncil: "Gemeinderat", store.OrgCommittee: "Ausschuss", store.OrgDistrictCouncil: "Bezirksbeirat",
	store.OrgFaction: "Fraktion", store.OrgDepartment: "Dezernat / Fachbereich",
}

// orgsPage lists the bodies and their organizations, with the forms to add
// an organization (council office, admin) and a body (admin).
type orgsPage struct {
	Bodies    []bodyOrgs
	OrgForm   *Form
	BodyForm  *Form
	Kinds     []store.OrgKind
	CanOrgs   bool
	CanBodies bool
}

type bodyOrgs struct {
	Body store.Body
	Orgs []store.Organization
}

// KindLabel names an organization kind in German.
func (orgsPage) KindLabel(k store.OrgKind) string { return orgKindLabels[k] }

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (s *server) listOrganizations(w http.ResponseWriter, r *http.Request) {
	s.renderOrganizations(w, r, http.StatusOK, nil, nil)
}

func (s *server) renderOrganizations(w http.ResponseWriter, r *http.Request, status int, orgForm, bodyForm *Form) {
	ctx, a := r.Context(), actorOf(r)
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := orgsPage{Kinds: store.OrgKinds, OrgForm: orgForm, BodyForm: bodyForm, CanBodies: a.Has(motion.RoleAdmin)}
	for _, b := range bodies {
		os, err := s.store.Organizations(ctx, b.ID, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Bodies = append(p.Bodies, bodyOrgs{Body: b, Orgs: os})
		p.CanOrgs = p.CanOrgs || a.ManagesDirectory(b.ID)
	}
	if p.OrgForm == nil {
		p.OrgForm = newForm("organization", "")
		p.OrgForm.ID = "neues-gremium"
		p.OrgForm.Fields = []string{"body_id", "kind", "name", "short_name", "id"}
		if len(a.Bodies) > 0 {
			p.OrgForm.Values.Set("body_id", a.Bodies[0])
		}
		p.OrgForm.Values.Set("kind", string(store.OrgCommittee))
	}
	if p.BodyForm == nil {
		p.BodyForm = newForm("body", "")
		p.BodyForm.ID = "koerperschaft"
		p.BodyForm.Fields = []string{"id", "name", "short_name", "reference_prefix"}
		p.BodyForm.Values.Set("reference_prefix", "A")
	}
	s.render(w, r, status, "organizations", page{Title: "Körperschaften und Gremien", Nav: "gremien", Data: p})
}

func (s *server) createOrganization(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if !s.readForm(w, r) {
		return
	}
	f := newForm("organization", "")
	f.ID = "neues-gremium"
	f.Fields = []string{"body_id", "kind", "name", "short_name", "id"}
	f.Values = r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Val(k)) }
	o := store.Organization{ID: get("id"), BodyID: get("body_id"), Kind: store.OrgKind(get("kind")), Name: get("name"), ShortName: get("short_name")}
	if !a.ManagesDirectory(o.BodyID) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Gremien verwalten das Ratsbüro und die Administration.")
		return
	}
	if !slices.Contains(store.OrgKinds, o.Kind) {
		f.invalid("kind", "Bitte wählen Sie die Art des Gremiums aus der Liste.")
	}
	nameOK(f, o.Name, "des Gremiums")
	if len([]rune(o.ShortName)) > 50 {
		f.invalid("short_name", "Der Kurzname darf höchstens 50 Zeichen lang sein.")
	}
	if o.ID != "" && (!idPattern.MatchString(o.ID) || len(o.ID) > 64) {
		f.invalid("id", badID)
	}
	if !f.Failed() {
		_, err := s.store.CreateOrganization(ctx, o)
		switch {
		case errors.Is(err, store.ErrConflict):
			f.invalid("id", "Diese Kennung ist schon vergeben; bitte wählen Sie eine andere.")
		case errors.Is(err, store.ErrInvalid):
			f.invalid("body_id", "Diese Körperschaft gibt es nicht; bitte wählen Sie eine aus der Liste.")
		case err != nil:
			s.fail(w, r, err)
			return
		}
	}
	if f.Failed() {
		s.renderOrganizations(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	http.Redirect(w, r, withOK("/gremien", "organization_created"), http.StatusSeeOther)
}

func (s *server) saveBody(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if !s.readForm(w, r) {
		return
	}
	if !a.Has(motion.RoleAdmin) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Körperschaften richtet die Administration ein.")
		return
	}
	f := newForm("body", "")
	f.ID = "koerperschaft"
	f.Fields = []string{"id", "name", "short_name", "reference_prefix"}
	f.Values = r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Val(k)) }
	b := store.Body{ID: get("id"), Name: get("name"), ShortName: get("short_name"), ReferencePrefix: get("reference_prefix")}
	switch {
	case b.ID == "":
		f.invalid("id", "Bitte geben Sie eine Kennung der Körperschaft ein.")
	case !idPattern.MatchString(b.ID) || len(b.ID) > 64:
		f.invalid("id", badID)
	}
	nameOK(f, b.Name, "der Körperschaft")
	if len([]rune(b.ReferencePrefix)) > 10 {
		f.invalid("reference_prefix", "Das Präfix der Aktenzeichen darf höchstens 10 Zeichen lang sein.")
	}
	if !f.Failed() {
		if _, err := s.store.UpsertBody(ctx, b); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, withOK("/gremien", "body_saved"), http.StatusSeeOther)
		return
	}
	s.renderOrganizations(w, r, http.StatusUnprocessableEntity, nil, f)
}

// badID is the message for an id that is not made of the characters ids
// consist of (idPattern) or is too long.
const badID = "Die Kennung darf nur aus Kleinbuchstaben, Ziffern, - und _ bestehen, muss mit einem Buchstaben oder einer Ziffer beginnen und darf höchstens 64 Zeichen lang sein."

// nameOK checks the name of an organization or a body ("des Gremiums",
// "der Körperschaft"): given, and at most 200 characters.
func nameOK(f *Form, name, of string) {
	switch {
	case name == "":
		f.invalid("name", "Bitte geben Sie den Namen "+of+" ein.")
	case len([]rune(name)) > 200:
		f.invalid("name", "Der Name "+of+" darf höchstens 200 Zeichen lang sein.")
	}
}
