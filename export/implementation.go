package export

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/store"
)

// ImplementationReportHeader names the columns of the implementation report
// (Beschlusskontrolle) as a table: one row per resolution point.
var ImplementationReportHeader = []string{
	"Aktenzeichen", "Titel", "Antragsteller", "Mitantragsteller", "Beschlossen von", "Beschlossen", "Status",
	"Federführung", "Beteiligt", "Ampel", "Punkt", "Beschlusspunkt", "Stand", "Zieldatum", "Begründung",
	"Letzte Notiz", "Notiz vom", "Nächster Bericht", "Berichte", "Antrag-Id",
}

// ImplementationReportRows is the implementation report as a table: the
// header, then one row per resolution point of each motion in the report's
// order (a motion without recorded points gets one row with the point
// columns empty). name turns organization ids (factions, gremia,
// departments) into display names; days are ISO dates in Berlin, the next
// report deadline a day and time in loc.
func ImplementationReportRows(rows []store.ImplementationRow, name func(string) string, loc *time.Location) [][]string {
	out := [][]string{ImplementationReportHeader}
	for _, r := range rows {
		cos := make([]string, len(r.Cosponsors))
		for i, c := range r.Cosponsors {
			cos[i] = name(c)
		}
		involved := make([]string, len(r.InvolvedDepartments))
		for i, d := range r.InvolvedDepartments {
			involved[i] = name(d)
		}
		due := ""
		if r.NextReportDue != nil {
			due = DateTime(*r.NextReportDue, loc)
		}
		head := []string{r.Reference, r.Title, name(r.Faction), strings.Join(cos, "; "), name(r.Organization), Date(r.DecidedAt),
			r.Status.Label(), name(r.LeadDepartment), strings.Join(involved, "; "), r.Light.Label()}
		tail := []string{due, strconv.Itoa(r.Reports), r.MotionID}
		if len(r.Points) == 0 {
			out = append(out, concat(head, make([]string, 7), tail))
			continue
		}
		for _, p := range r.Points {
			out = append(out, concat(head, []string{strconv.Itoa(p.Point), p.Text, p.State.Label(), Date(p.TargetDate),
				p.Reason, p.LastNote, Date(p.LastNoteAt)}, tail))
		}
	}
	return out
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ImplementationReportItems are the report's rows for its PDF
// (documents.ImplementationPDF), with organization ids turned into display
// names by name.
func ImplementationReportItems(rows []store.ImplementationRow, name func(string) string) []documents.ImplementationItem {
	items := make([]documents.ImplementationItem, 0, len(rows))
	for _, r := range rows {
		it := documents.ImplementationItem{Reference: r.Reference, Title: r.Title, Organization: name(r.Organization),
			DecidedAt: r.DecidedAt, Status: r.Status, LeadDepartment: name(r.LeadDepartment), Light: r.Light,
			NextReportDue: r.NextReportDue, Reports: r.Reports}
		for _, f := range append([]string{r.Faction}, r.Cosponsors...) {
			if f != "" {
				it.Sponsors = append(it.Sponsors, name(f))
			}
		}
		for _, d := range r.InvolvedDepartments {
			it.InvolvedDepartments = append(it.InvolvedDepartments, name(d))
		}
		for _, p := range r.Points {
			it.Points = append(it.Points, documents.ImplementationPoint{Point: p.Point, Text: p.Text, State: p.State,
				TargetDate: p.TargetDate, Reason: p.Reason, LastNote: p.LastNote, LastNoteAt: p.LastNoteAt})
		}
		items = append(items, it)
	}
	return items
}

// ImplementationOrganizationIDs lists the organizations the report's rows
// name (factions, deciding gremia, departments), for looking up their names.
func ImplementationOrganizationIDs(rows []store.ImplementationRow) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, r := range rows {
		add(r.Faction)
		add(r.Organization)
		add(r.LeadDepartment)
		for _, id := range slices.Concat(r.Cosponsors, r.InvolvedDepartments) {
			add(id)
		}
	}
	return ids
}
