package oparl

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// The functions here turn the store's rows into OParl objects. A deleted
// row becomes a tombstone: id, type, created, modified and deleted, plus
// what the schema requires of its type.

// organizationTypes names each kind of organization in OParl's vocabulary
// (organizationType) and in the council's own (classification).
var organizationTypes = map[store.OrgKind][2]string{
	store.OrgCouncil:         {"Gremium", "Gemeinderat"},
	store.OrgCommittee:       {"Gremium", "Ausschuss"},
	store.OrgDistrictCouncil: {"Gremium", "Bezirksbeirat"},
	store.OrgFaction:         {"Fraktion", "Fraktion"},
	store.OrgDepartment:      {"Verwaltungsbereich", "Dezernat"},
}

func (h *handler) organization(u urls, o store.OParlOrganization, _ bool) any {
	out := Organization{ID: u.path("organization", o.ID), Type: Schema + "Organization",
		Created: dateTime(o.Created), Modified: dateTime(o.Modified)}
	if o.Deleted {
		out.Deleted = true
		return out
	}
	t := organizationTypes[o.Kind]
	out.Body, out.Name, out.ShortName = u.path("body", o.BodyID), o.Name, o.ShortName
	out.OrganizationType, out.Classification = t[0], t[1]
	for _, id := range o.MembershipIDs {
		out.Membership = append(out.Membership, u.path("membership", id))
	}
	return out
}

func (h *handler) person(u urls, p store.OParlPerson, omitInternal bool) any {
	out := Person{ID: u.path("person", p.ID), Type: Schema + "Person",
		Created: dateTime(p.Created), Modified: dateTime(p.Modified)}
	if p.Deleted {
		out.Deleted = true
		return out
	}
	out.Body, out.Name, out.FamilyName, out.GivenName = u.path("body", p.BodyID), p.Name, p.FamilyName, p.GivenName
	if !omitInternal {
		for _, m := range p.Memberships {
			out.Membership = append(out.Membership, h.membership(u, m, false).(Membership))
		}
	}
	return out
}

func (h *handler) membership(u urls, m store.OParlMembership, _ bool) any {
	out := Membership{ID: u.path("membership", m.ID), Type: Schema + "Membership",
		Created: dateTime(m.Created), Modified: dateTime(m.Modified)}
	if m.Deleted {
		out.Deleted = true
		return out
	}
	out.Person, out.Organization, out.Role = u.path("person", m.PersonID), u.path("organization", m.OrganizationID), m.Role
	out.StartDate, out.EndDate = date(m.Start), date(m.End)
	return out
}

func (h *handler) meeting(u urls, m store.OParlMeeting, omitInternal bool) any {
	out := Meeting{ID: u.path("meeting", m.ID), Type: Schema + "Meeting",
		Created: dateTime(m.Created), Modified: dateTime(m.Modified)}
	if m.Deleted {
		out.Deleted = true
		return out
	}
	out.Name, out.Cancelled, out.Start, out.End = m.Name, m.Cancelled, dateTime(m.Start), dateTimePtr(m.End)
	if m.OrganizationID != "" {
		out.Organization = []string{u.path("organization", m.OrganizationID)}
	}
	if !omitInternal {
		if m.Place != nil {
			l := h.location(u, *m.Place, false).(Location)
			out.Location = &l
		}
		for _, a := range m.AgendaItems {
			out.AgendaItem = append(out.AgendaItem, h.agendaItem(u, a, false).(AgendaItem))
		}
		if m.Invitation != nil {
			f := h.meetingFile(u, *m.Invitation, false).(File)
			out.Invitation = &f
		}
		if m.Minutes != nil {
			f := h.meetingFile(u, *m.Minutes, false).(File)
			out.ResultsProtocol = &f
		}
	}
	return out
}

func (h *handler) agendaItem(u urls, a store.OParlAgendaItem, _ bool) any {
	if a.History != nil {
		return h.historyAgendaItem(u, a)
	}
	out := AgendaItem{ID: u.composite("agendaitem", a.ID), Type: Schema + "AgendaItem", Order: a.Order,
		Created: dateTime(a.Created), Modified: dateTime(a.Modified)}
	if a.Deleted {
		out.Deleted = true
		return out
	}
	out.Meeting = u.path("meeting", a.MeetingID)
	out.Number = strconv.Itoa(a.Order)
	out.Name = a.Name
	public := !a.NonPublic
	out.Public = &public
	out.Consultation = u.path("consultation", a.MotionID, a.ConsultationID)
	if a.Result != "" {
		out.Result = a.Result.Label()
	}
	// The meeting's resolution text, else the note the motion's result
	// carries.
	out.ResolutionText = a.ResolutionText
	if out.ResolutionText == "" {
		out.ResolutionText = a.Note
	}
	out.Vote = vote(u, a.Vote)
	return out
}

// vote is the vendor extension of a published vote (store.OParlAgendaItem.Vote,
// store.OParlConsultation.Vote), nil without one.
func vote(u urls, v *motion.Vote) *Vote {
	if v == nil {
		return nil
	}
	out := &Vote{Yes: v.Yes, No: v.No, Abstain: v.Abstain, Absent: v.Absent, Unanimous: v.Unanimous}
	for _, f := range v.ByFaction {
		fv := FactionVote{Yes: f.Yes, No: f.No, Abstain: f.Abstain}
		if id := strings.TrimSpace(f.OrganizationID); id != "" {
			fv.Organization = u.path("organization", id)
		}
		out.ByFaction = append(out.ByFaction, fv)
	}
	for _, n := range v.Named {
		nv := NamedVote{Name: strings.TrimSpace(n.Name), Vote: n.Vote}
		if id := strings.TrimSpace(n.PersonID); id != "" {
			nv.Person = u.path("person", id)
		}
		out.Named = append(out.Named, nv)
	}
	return out
}

func (h *handler) consultation(u urls, c store.OParlConsultation, _ bool) any {
	if c.History != nil {
		return h.historyConsultation(u, c)
	}
	out := Consultation{ID: u.composite("consultation", c.ID), Type: Schema + "Consultation",
		Created: dateTime(c.Created), Modified: dateTime(c.Modified)}
	if c.Deleted {
		out.Deleted = true
		return out
	}
	k := c.Consultation
	decisive := k.Decisive
	out.Paper, out.Authoritative = u.path("paper", c.MotionID), &decisive
	out.Role = "Vorberatung"
	if decisive {
		out.Role = "Entscheidung"
	}
	if k.OrganizationID != "" {
		out.Organization = []string{u.path("organization", k.OrganizationID)}
	}
	if c.MeetingID != "" {
		out.Meeting = u.path("meeting", c.MeetingID)
		out.AgendaItem = u.composite("agendaitem", c.AgendaItemID)
	}
	out.Vote = vote(u, c.Vote)
	return out
}

func (h *handler) paper(u urls, p store.OParlPaper, omitInternal bool) any {
	if p.History != nil {
		return h.historyPaper(u, p, omitInternal)
	}
	m := p.Motion
	out := Paper{
		ID: u.path("paper", m.ID), Type: Schema + "Paper", Body: u.path("body", m.BodyID),
		Name: m.Title, Reference: m.Reference, Date: date(m.SubmittedAt), PaperType: paperType(m.Kind),
		Keyword: m.Tags, Created: dateTime(p.Created), Modified: dateTime(p.Modified),
	}
	if strings.Contains(h.cfg.MotionLink, "{id}") {
		out.Web = strings.ReplaceAll(h.cfg.MotionLink, "{id}", m.ID)
	}
	for _, f := range append([]string{m.Faction}, m.Cosponsors...) {
		if f != "" {
			out.OriginatorOrganization = append(out.OriginatorOrganization, u.path("organization", f))
		}
	}
	if m.LeadDepartment != "" {
		out.UnderDirectionOf = []string{u.path("organization", m.LeadDepartment)}
	}
	for _, id := range p.OriginatorPersonIDs {
		out.OriginatorPerson = append(out.OriginatorPerson, u.path("person", id))
	}
	for _, id := range p.RelatedIDs {
		out.RelatedPaper = append(out.RelatedPaper, u.path("paper", id))
	}
	for _, id := range p.SuperordinatedIDs {
		out.SuperordinatedPaper = append(out.SuperordinatedPaper, u.path("paper", id))
	}
	for _, id := range p.SubordinatedIDs {
		out.SubordinatedPaper = append(out.SubordinatedPaper, u.path("paper", id))
	}
	if omitInternal {
		return out
	}
	for _, c := range p.Consultations {
		out.Consultation = append(out.Consultation, h.consultation(u, c, false).(Consultation))
	}
	main, generated := h.mainFile(u, p)
	if generated {
		out.MainFile = &main
	}
	for _, f := range store.PaperFiles(p) {
		file := h.file(u, f, false).(File)
		if out.MainFile == nil {
			out.MainFile = &file
		} else {
			out.AuxiliaryFile = append(out.AuxiliaryFile, file)
		}
	}
	return out
}

// mainFilePosition is the position in a File's id (/file/<paper>/0) of the
// paper's own document, the PDF of the motion (package documents); its
// attachments count from 1.
const mainFilePosition = "0"

// mainFile is the paper's own document: the motion as a PDF, served where
// Config.DocumentLink (or MotionLink + "/pdf") says. Without such an address
// there is none (false), and the first attachment is the mainFile.
func (h *handler) mainFile(u urls, p store.OParlPaper) (File, bool) {
	m := p.Motion
	link := h.documentLink(m.ID)
	if link == "" {
		return File{}, false
	}
	name := m.Kind.Label()
	if m.Reference != "" {
		name += " " + m.Reference
	}
	f := generatedPDF(u.path("file", m.ID, mainFilePosition), name+": "+m.Title, documents.FileName(m), link,
		m.SubmittedAt, p.Created, p.Modified)
	f.Paper = []string{u.path("paper", m.ID)}
	return f, true
}

// generatedPDF is a document motionflow generates itself (a motion, a
// meeting's invitation or minutes) as a File with the id: a PDF served at
// link, which is both where to access and where to download it. The caller
// adds what it belongs to (paper, meeting) and what else it knows.
func generatedPDF(id, name, fileName, link string, day *time.Time, created, modified time.Time) File {
	return File{
		ID: id, Type: Schema + "File", Name: name, FileName: fileName, MimeType: "application/pdf",
		Date: date(day), AccessURL: link, DownloadURL: link,
		Created: dateTime(created), Modified: dateTime(modified),
	}
}

// meetingFileSegment is the path segment of a meeting's document in a File's
// id (/file/meeting/<meeting>/<kind>), apart from the papers' files
// (/file/<paper>/<position>).
const meetingFileSegment = "meeting"

// meetingFileNames are the names of a meeting's documents by kind.
var meetingFileNames = map[string]string{
	store.MeetingFileInvitation: "Einladung mit Tagesordnung",
	store.MeetingFileMinutes:    "Niederschrift",
}

// meetingFile is a public document of a meeting: the PDF the API serves at
// /v1/meetings/<id>/<kind>.pdf on this site.
func (h *handler) meetingFile(u urls, f store.OParlMeetingFile, _ bool) any {
	link := u.site + "/v1/meetings/" + url.PathEscape(f.MeetingID) + "/" + url.PathEscape(f.Kind) + ".pdf"
	out := generatedPDF(u.path("file", meetingFileSegment, f.MeetingID, f.Kind), meetingFileNames[f.Kind], f.Name, link,
		&f.Created, f.Created, f.Modified)
	out.MimeType, out.Size, out.Sha512Checksum = f.ContentType, f.Size, f.SHA512
	out.Meeting = []string{u.path("meeting", f.MeetingID)}
	return out
}

// documentLink is the address of a motion's PDF, or "".
func (h *handler) documentLink(id string) string {
	tmpl := h.cfg.DocumentLink
	if tmpl == "" && strings.Contains(h.cfg.MotionLink, "{id}") {
		tmpl = strings.TrimRight(h.cfg.MotionLink, "/") + "/pdf"
	}
	if !strings.Contains(tmpl, "{id}") {
		return ""
	}
	return strings.ReplaceAll(tmpl, "{id}", url.PathEscape(id))
}

// paperType is the kind's German name: Antrag, Haushaltsantrag, Anfrage,
// Änderungsantrag.
func paperType(k motion.Kind) string { return k.Label() }

func (h *handler) file(u urls, f store.OParlFile, _ bool) any {
	if f.History != nil {
		return h.historyFile(u, f)
	}
	a := f.Attachment
	access := u.absolute(a.URL)
	return File{
		ID: u.path("file", f.MotionID, strconv.Itoa(f.Position)), Type: Schema + "File",
		Name: a.Name, FileName: a.Name, MimeType: a.ContentType, Date: date(&f.Created), Size: a.Size,
		AccessURL: access, DownloadURL: access, Paper: []string{u.path("paper", f.MotionID)},
		Created: dateTime(f.Created), Modified: dateTime(f.Modified),
	}
}

func (h *handler) legislativeTerm(u urls, t store.OParlLegislativeTerm, _ bool) any {
	out := LegislativeTerm{ID: u.path("legislativeterm", t.ID), Type: Schema + "LegislativeTerm",
		Created: dateTime(t.Created), Modified: dateTime(t.Modified)}
	if t.Deleted {
		out.Deleted = true
		return out
	}
	out.Body, out.Name = u.path("body", t.BodyID), t.Name
	out.StartDate, out.EndDate = calendarDate(t.Start), calendarDate(t.End)
	return out
}

func (h *handler) location(u urls, l store.OParlLocation, _ bool) any {
	out := Location{ID: u.path("location", l.ID), Type: Schema + "Location",
		Created: dateTime(l.Created), Modified: dateTime(l.Modified)}
	if l.Deleted {
		out.Deleted = true
		return out
	}
	out.Description, out.StreetAddress, out.Room = l.Description, l.StreetAddress, l.Room
	out.PostalCode, out.SubLocality, out.Locality = l.PostalCode, l.SubLocality, l.Locality
	return out
}
