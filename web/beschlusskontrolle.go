package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/store"
)

// bkReporter is the part of the read model the
// Beschlusskontrolle reads; *store.Store is one.
type bkReporter interface {
	ImplementationReport(ctx context.Context, q store.ImplementationQuery) ([]store.ImplementationRow, error)
}

var _ bkReporter = (*store.Store)(nil)

// bkPath is the public page of the Beschlusskontrolle.
const bkPath = "/beschlusskontrolle"

// bkGroup is the rows decided by one organization.
type bkGroup struct {
	ID   string
	Name string
	Rows []bkRow
}

// bkRow is one motion of the page with what it shows besides the row.
type bkRow struct {
	store.ImplementationRow
	LightWord string
	Sponsors  string
	Lead      string
	Involved  string
}

// bkPage is the Beschlusskontrolle page.
type bkPage struct {
	Bodies       []store.Body
	BodyID       string
	BodyName     string
	Gremia       []store.Organization
	Factions     []store.Organization
	Departments  []store.Organization
	Organization string
	Faction      string
	Department   string
	Closed       bool
	Groups       []bkGroup
	Count        int
	Today        time.Time
	Downloads    struct{ PDF, CSV, XLSX string }
}

// implementationReport serves /beschlusskontrolle: the public report on
// implementing the council's decisions, grouped by the deciding
// organization, with filters (Körperschaft, Gremium, Fraktion, Dezernat,
// abgeschlossene) and the same rows as PDF, CSV and XLSX (?format=).
func (s *server) implementationReport(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	rep, ok := s.store.(bkReporter)
	if !ok {
		s.fail(w, r, errors.New("web: the store has no implementation report"))
		return
	}
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := bkPage{Bodies: bodies, BodyID: q.Get("koerperschaft"), Organization: q.Get("gremium"),
		Faction: q.Get("fraktion"), Department: q.Get("dezernat"), Closed: q.Get("abgeschlossen") != ""}
	if len(bodies) == 0 {
		s.errorPage(w, r, http.StatusNotFound, "Nicht gefunden", "Es ist noch keine Körperschaft eingerichtet.")
		return
	}
	if p.BodyID == "" {
		p.BodyID = bodies[0].ID
	}
	i := slices.IndexFunc(bodies, func(b store.Body) bool { return b.ID == p.BodyID })
	if i < 0 {
		s.errorPage(w, r, http.StatusNotFound, "Nicht gefunden", "Diese Körperschaft gibt es nicht.")
		return
	}
	p.BodyName = bodies[i].Name
	orgs, err := s.orgs(ctx, p.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, o := range orgs {
		switch {
		case o.Kind.Gremium():
			p.Gremia = append(p.Gremia, o)
		case o.Kind == store.OrgFaction:
			p.Factions = append(p.Factions, o)
		case o.Kind == store.OrgDepartment:
			p.Departments = append(p.Departments, o)
		}
	}
	for _, l := range [][]store.Organization{p.Gremia, p.Factions, p.Departments} {
		slices.SortFunc(l, bkCompareOrgs)
	}
	now := time.Now()
	p.Today = now
	rows, err := rep.ImplementationReport(ctx, store.ImplementationQuery{BodyID: p.BodyID, Organization: p.Organization,
		Faction: p.Faction, Department: p.Department, Now: now, IncludeClosed: p.Closed})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := func(id string) string {
		if o, ok := orgs[id]; ok {
			return o.Name
		}
		return id
	}

	switch format := q.Get("format"); format {
	case "":
	case "pdf":
		s.bkPDF(w, r, p, rows, name, now)
		return
	default:
		s.download(w, r, format, "beschlusskontrolle-"+export.SafeName(p.BodyID), "Beschlusskontrolle", func() ([][]string, error) {
			if len(rows) > export.MaxRows {
				return nil, export.ErrTooMany
			}
			return export.ImplementationReportRows(rows, name, s.loc), nil
		})
		return
	}

	p.Count = len(rows)
	groups := map[string]*bkGroup{}
	for _, row := range rows {
		g, ok := groups[row.Organization]
		if !ok {
			g = &bkGroup{ID: row.Organization, Name: name(row.Organization)}
			if row.Organization == "" {
				g.Name = "Ohne beschließendes Gremium"
			}
			groups[row.Organization] = g
		}
		rr := bkRow{ImplementationRow: row, LightWord: row.Light.Word(),
			Lead: name(row.LeadDepartment)}
		var sponsors, involved []string
		for _, f := range append([]string{row.Faction}, row.Cosponsors...) {
			if f != "" {
				sponsors = append(sponsors, name(f))
			}
		}
		for _, d := range row.InvolvedDepartments {
			involved = append(involved, name(d))
		}
		rr.Sponsors, rr.Involved = strings.Join(sponsors, ", "), strings.Join(involved, ", ")
		g.Rows = append(g.Rows, rr)
	}
	for _, g := range groups {
		p.Groups = append(p.Groups, *g)
	}
	// The council first, then committees and district councils, by name.
	slices.SortFunc(p.Groups, func(x, y bkGroup) int {
		return bkCompareOrgs(orgs[x.ID], orgs[y.ID])
	})
	p.Downloads.PDF, p.Downloads.CSV, p.Downloads.XLSX = bkLink(q, "pdf"), bkLink(q, "csv"), bkLink(q, "xlsx")
	s.render(w, r, http.StatusOK, "beschlusskontrolle", page{Title: "Beschlusskontrolle", Nav: "beschlusskontrolle", Orgs: names(orgs), Data: p})
}

// bkCompareOrgs orders organizations by kind (store.OrgKinds: the council
// first), then name and id; unknown ones (zero values) come last.
func bkCompareOrgs(a, b store.Organization) int {
	rank := func(o store.Organization) int {
		if i := slices.Index(store.OrgKinds, o.Kind); i >= 0 {
			return i
		}
		return len(store.OrgKinds)
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
}

// bkLink is the page with the query's filters in format.
func bkLink(q url.Values, format string) string {
	nq := url.Values{}
	for k, vs := range q {
		if k != "format" {
			nq[k] = vs
		}
	}
	nq.Set("format", format)
	return bkPath + "?" + nq.Encode()
}

// bkPDF answers the page's rows as the PDF report (documents.ImplementationPDF).
func (s *server) bkPDF(w http.ResponseWriter, r *http.Request, p bkPage, rows []store.ImplementationRow, name func(string) string, now time.Time) {
	doc := documents.ImplementationReport{Body: p.BodyName, Date: now.In(s.loc), Items: export.ImplementationReportItems(rows, name)}
	if p.Organization != "" {
		doc.Organization = name(p.Organization)
	}
	if p.Faction != "" {
		doc.Filters = append(doc.Filters, "Fraktion: "+name(p.Faction))
	}
	if p.Department != "" {
		doc.Filters = append(doc.Filters, "Dezernat: "+name(p.Department))
	}
	pdf, err := documents.ImplementationPDF(doc)
	s.sendPDF(w, r, "beschlusskontrolle-"+export.SafeName(p.BodyID), pdf, err)
}
