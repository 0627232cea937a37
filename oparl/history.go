package oparl

import (
	"github.com/motionflow/motionflow/store"
)

// The archive a city brought along (store/history.go, package importer): its
// imported papers with their consultations and files, and the agenda items
// of its imported meetings, published beside the motions. Their ids are the
// local ids the import chose (one segment: /paper/<id>, /consultation/<id>,
// /agendaitem/<id>, /file/<id>); references to objects that were not
// imported are left out. A file's accessUrl and downloadUrl lead to the
// source system, which keeps the content.

func (h *handler) historyPaper(u urls, p store.OParlPaper, omitInternal bool) any {
	x := p.History
	out := Paper{ID: u.path("paper", x.ID), Type: Schema + "Paper",
		Created: dateTime(p.Created), Modified: dateTime(p.Modified)}
	if x.Deleted {
		out.Deleted = true
		return out
	}
	out.Body, out.Name, out.Reference = u.path("body", x.BodyID), x.Name, x.Reference
	out.Date, out.PaperType, out.Keyword = calendarDate(x.Date), x.PaperType, x.Keywords
	for _, r := range []struct {
		dst  *[]string
		kind string
		ids  []string
	}{
		{&out.OriginatorPerson, "person", x.OriginatorPersonIDs},
		{&out.OriginatorOrganization, "organization", x.OriginatorOrganizationIDs},
		{&out.UnderDirectionOf, "organization", x.UnderDirectionOfIDs},
		{&out.RelatedPaper, "paper", x.RelatedIDs},
		{&out.SuperordinatedPaper, "paper", x.SuperordinatedIDs},
		{&out.SubordinatedPaper, "paper", x.SubordinatedIDs},
	} {
		for _, id := range r.ids {
			*r.dst = append(*r.dst, u.path(r.kind, id))
		}
	}
	if omitInternal {
		return out
	}
	for _, c := range x.Consultations {
		out.Consultation = append(out.Consultation, h.historyConsultation(u, c).(Consultation))
	}
	for _, f := range x.Files {
		file := h.historyFile(u, f).(File)
		if f.ID == x.MainFileID && out.MainFile == nil {
			out.MainFile = &file
		} else {
			out.AuxiliaryFile = append(out.AuxiliaryFile, file)
		}
	}
	return out
}

func (h *handler) historyConsultation(u urls, c store.OParlConsultation) any {
	x := c.History
	out := Consultation{ID: u.path("consultation", c.ID), Type: Schema + "Consultation",
		Created: dateTime(c.Created), Modified: dateTime(c.Modified)}
	if c.Deleted {
		out.Deleted = true
		return out
	}
	out.Paper, out.Authoritative, out.Role = u.path("paper", x.PaperID), x.Authoritative, x.Role
	if x.MeetingID != "" {
		out.Meeting = u.path("meeting", x.MeetingID)
	}
	if x.AgendaItemID != "" {
		out.AgendaItem = u.path("agendaitem", x.AgendaItemID)
	}
	for _, id := range x.OrganizationIDs {
		out.Organization = append(out.Organization, u.path("organization", id))
	}
	return out
}

func (h *handler) historyAgendaItem(u urls, a store.OParlAgendaItem) any {
	x := a.History
	out := AgendaItem{ID: u.path("agendaitem", a.ID), Type: Schema + "AgendaItem", Order: a.Order,
		Created: dateTime(a.Created), Modified: dateTime(a.Modified)}
	if a.Deleted {
		out.Deleted = true
		return out
	}
	out.Meeting, out.Number, out.Name, out.Public = u.path("meeting", a.MeetingID), x.Number, a.Name, x.Public
	out.Result, out.ResolutionText = x.Result, a.ResolutionText
	if x.ConsultationID != "" {
		out.Consultation = u.path("consultation", x.ConsultationID)
	}
	return out
}

func (h *handler) historyFile(u urls, f store.OParlFile) any {
	x := f.History
	out := File{ID: u.path("file", f.ID), Type: Schema + "File", AccessURL: x.AccessURL,
		Created: dateTime(f.Created), Modified: dateTime(f.Modified)}
	if x.Deleted {
		out.Deleted = true
		return out
	}
	out.Name, out.FileName, out.MimeType, out.Date = x.Name, x.FileName, x.MimeType, calendarDate(x.Date)
	if x.Size != nil {
		out.Size = *x.Size
	}
	out.DownloadURL, out.Text = x.DownloadURL, x.Text
	out.Paper = []string{u.path("paper", x.PaperID)}
	return out
}
