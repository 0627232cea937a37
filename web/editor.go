package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// editorFields are the draft editor's inputs.
var editorFields = []string{"kind", "body_id", "title", "resolution_points", "justification", "tags", "budget_cycle",
	"amends", "addressed_department", "fundamental", "target_meeting", "signatories", "attachments", "upload", "signers"}

func init() {
	for i := 0; i < motion.MaxResolutionPoints; i++ {
		editorFields = append(editorFields, fmt.Sprintf("resolution_points[%d]", i))
	}
	editorFields = append(editorFields, budgetItemFields("budget")...)
}

// editorPage is the draft editor.
type editorPage struct {
	Form        *Form
	M           *motion.Motion
	Kinds       []motion.Kind
	Bodies      []store.Body
	Departments []store.Organization
	Meetings    []store.Meeting
	Attachments []motion.Attachment
	Views       []attachmentView
	Action      string
	MaxUpload   int64
	// Conflict is set when someone else saved the draft after the user
	// opened it: the page then shows both versions and lets the user choose.
	Conflict *editorConflict
	// Councillor is set when a councillor creates a motion in person: the
	// editor then offers the council's other Members as signers and says
	// how many signatures the motion needs (Quorum, for the form's kind;
	// InquiryQuorum for an inquiry). A quorum of 0 is unknown.
	Councillor    bool
	Members       []store.Person
	Quorum        int
	InquiryQuorum int
	// Cycles are the body's budget deliberations for the budget_cycle
	// select; without any the field is text.
	Cycles cycleChoice
}

// BudgetRows are the amount rows of the budget motion's inputs.
func (p *editorPage) BudgetRows() []budgetInputRow { return budgetInputRows(p.Form, "budget") }

// editorConflict is what the editor shows after a refused save because the
// draft changed in between (412): the saved version next to the user's
// unsaved one, field by field where they differ. The form keeps the user's
// text and the version the user started from, so saving again without a
// choice is refused again; only "Meine Fassung trotzdem speichern" (op
// "overwrite", which sends Version as the expected version) or "Aktuelle
// Fassung übernehmen" (op "take") moves on. Nothing is overwritten silently.
type editorConflict struct {
	// Saved is the draft as it is saved now.
	Saved motion.Motion
	// By and At say who saved the newer version and when, if known.
	By string
	At time.Time
	// Diffs are the fields in which the user's text and the saved one differ.
	Diffs []fieldDiff
	// Refusal says why the user's version can no longer be saved at all
	// (the draft was submitted meanwhile); "" if it can.
	Refusal string
}

// fieldDiff is one field of the editor in both versions, as text.
type fieldDiff struct {
	Label, Mine, Saved string
}

// Points are the resolution point rows: at least one.
func (p *editorPage) Points() []string {
	pts := p.Form.Vals("resolution_points")
	if len(pts) == 0 {
		return []string{""}
	}
	return pts
}

// AttJSON is the hidden value that carries an attachment through the form.
func (p *editorPage) AttJSON(a motion.Attachment) string {
	b, _ := json.Marshal(a)
	return string(b)
}

func contentForm(f *Form, c motion.Content) {
	f.Values.Set("title", c.Title)
	f.Values["resolution_points"] = slices.Clone(c.ResolutionPoints)
	f.Values.Set("justification", c.Justification)
	f.Values.Set("tags", strings.Join(c.Tags, "\n"))
	f.Values.Set("budget_cycle", c.BudgetCycle)
	f.Values.Set("amends", c.Amends)
	f.Values.Set("addressed_department", c.AddressedDepartment)
	if c.Fundamental {
		f.Values.Set("fundamental", "1")
	}
	f.Values.Set("target_meeting", c.TargetMeeting)
	f.Values.Set("signatories", strings.Join(c.Signatories, "\n"))
	setBudgetForm(f, "budget", c.Budget)
}

// content reads the draft's content from the editor's form.
func formContent(f *Form, atts []motion.Attachment) motion.Content {
	get := func(k string) string { return strings.TrimSpace(f.Val(k)) }
	var points []string
	for _, p := range f.Vals("resolution_points") {
		points = append(points, strings.TrimSpace(p))
	}
	// Blank rows at the end are rows the user added but did not fill.
	for len(points) > 0 && points[len(points)-1] == "" {
		points = points[:len(points)-1]
	}
	return motion.Content{
		Title: get("title"), ResolutionPoints: points, Justification: strings.ReplaceAll(f.Val("justification"), "\r\n", "\n"),
		Tags: splitLines(f.Val("tags")), BudgetCycle: get("budget_cycle"), Amends: get("amends"),
		AddressedDepartment: get("addressed_department"), Fundamental: get("fundamental") != "",
		TargetMeeting: get("target_meeting"), Signatories: splitLines(f.Val("signatories")), Attachments: atts,
		Budget: formBudget(f, "budget"),
	}
}

// tooLarge says that an uploaded file is larger than an attachment may be.
func tooLarge(name string, limit int64) string {
	return fmt.Sprintf("%s: größer als %s; eine Anlage darf höchstens %s groß sein.", name, germanBytes(limit), germanBytes(limit))
}

// formAttachments reads the attachments the form carries, without the ones
// the user marked for removal.
func formAttachments(f *Form) []motion.Attachment {
	var out []motion.Attachment
	for i, raw := range f.Vals("att") {
		var a motion.Attachment
		if json.Unmarshal([]byte(raw), &a) != nil || a.Name == "" {
			continue
		}
		if f.Is("att_remove", strconv.Itoa(i)) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (s *server) newMotion(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	a := actorOf(r)
	if _, err := motion.Permit(&motion.Motion{}, motion.CmdCreate, a, 0); err != nil {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", noCreate(a))
		return
	}
	f := newForm(motion.CmdCreate, "")
	f.Fields = editorFields
	f.Values.Set("kind", string(motion.KindMotion))
	f.Values.Set("draft", newKey())
	if len(a.Bodies) > 0 {
		f.Values.Set("body_id", a.Bodies[0])
	}
	s.renderEditor(w, r, http.StatusOK, f, nil, nil)
}

func (s *server) editMotion(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	a := actorOf(r)
	m, err := s.visibleMotion(r.Context(), r.PathValue("id"), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := motion.Permit(&m, motion.CmdEdit, a, m.Version); err != nil {
		s.errorPage(w, r, http.StatusForbidden, "Nicht bearbeitbar", "Bearbeiten lassen sich nur Entwürfe der eigenen Fraktion. "+err.Error())
		return
	}
	f := newForm(motion.CmdEdit, "")
	f.Fields = editorFields
	f.MotionID, f.Version = m.ID, m.Version
	contentForm(f, m.Content)
	s.renderEditor(w, r, http.StatusOK, f, &m, m.Attachments)
}

func (s *server) renderEditor(w http.ResponseWriter, r *http.Request, status int, f *Form, m *motion.Motion, atts []motion.Attachment) {
	s.showEditor(w, r, status, &editorPage{Form: f, M: m, Attachments: atts}, "")
}

// showEditor renders the editor page p (its form, motion, attachments and
// conflict set by the caller) with the choices it offers, and flash as the
// page's notice if not empty.
func (s *server) showEditor(w http.ResponseWriter, r *http.Request, status int, p *editorPage, flash string) {
	ctx, a := r.Context(), actorOf(r)
	f, m, atts := p.Form, p.M, p.Attachments
	f.ID = "editor"
	p.Kinds, p.MaxUpload, p.Action = motion.Kinds, s.cfg.MaxUploadBytes, "/antraege/neu"
	for _, at := range atts {
		p.Views = append(p.Views, s.attachmentView(at))
	}
	bodyID := f.Val("body_id")
	if m != nil {
		bodyID = m.BodyID
		p.Action = motionPath(m.ID) + "/bearbeiten"
	}
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Bodies = bodies
	orgs, err := s.orgs(ctx, bodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Departments = ofKind(orgs, store.OrgDepartment)
	p.Cycles = cycleChoice{Cycles: s.budgetCycleOptions(ctx, bodyID), Value: f.Val("budget_cycle")}
	if m == nil && a.InPerson() && bodyID != "" {
		p.Councillor = true
		members, err := s.councillors(ctx, orgs, time.Now())
		if err == nil {
			p.Quorum, err = s.quorum(ctx, bodyID, motion.Kind(f.Val("kind")))
		}
		if err == nil {
			p.InquiryQuorum, err = s.quorum(ctx, bodyID, motion.KindInquiry)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Members = slices.DeleteFunc(members, func(x store.Person) bool { return x.ID == a.Person })
	}
	from := time.Now()
	if bodyID != "" {
		ms, _, err := s.store.Meetings(ctx, store.MeetingFilter{BodyIDs: []string{bodyID}, From: &from, Limit: 50})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Meetings = slices.DeleteFunc(ms, func(x store.Meeting) bool { return x.Cancelled })
	}
	if c := p.Conflict; c != nil {
		c.Diffs = s.contentDiffs(ctx, formContent(f, atts), c.Saved.Content, names(orgs), p.Meetings)
	}
	title, nav := "Neuer Antrag", "neu"
	if m != nil {
		title, nav = "Entwurf bearbeiten: "+m.Title, "antraege"
	}
	s.render(w, r, status, "editor", page{Title: title, Nav: nav, Orgs: names(orgs), Flash: flash, Data: p})
}

// savedMotion reads the draft as it is saved now: from its workflow, which
// decides the version check, or from the read model if the workflow cannot
// answer. What the caller may not see is errNotVisible.
func (s *server) savedMotion(ctx context.Context, id string, a motion.Actor) (motion.Motion, error) {
	m, err := s.motions.State(ctx, id)
	if err != nil {
		m, err = s.store.Motion(ctx, id)
	}
	if errors.Is(err, store.ErrNotFound) || motion.CodeOf(err) == motion.CodeNotFound || (err == nil && !m.VisibleTo(a)) {
		return motion.Motion{}, errNotVisible
	}
	return m, err
}

// conflictWith describes the saved draft for the conflict view: who saved
// it last, and whether the caller may still overwrite it.
func (s *server) conflictWith(ctx context.Context, saved motion.Motion, a motion.Actor) *editorConflict {
	c := &editorConflict{Saved: saved}
	if hist, err := s.store.History(ctx, saved.ID); err == nil {
		for _, ev := range hist {
			if ev.Version == saved.Version {
				c.By, c.At = ev.Actor.Name, ev.At
			}
		}
	}
	if _, err := motion.Permit(&saved, motion.CmdEdit, a, saved.Version); err != nil {
		c.Refusal = err.Error()
	}
	return c
}

// contentDiffs lists the editor's fields in which mine and saved differ, as
// the editor shows them (one entry per line, organizations and meetings by
// name).
func (s *server) contentDiffs(ctx context.Context, mine, saved motion.Content, orgs map[string]string, meetings []store.Meeting) []fieldDiff {
	meeting := func(id string) string {
		if id == "" {
			return ""
		}
		for _, m := range meetings {
			if m.ID == id {
				return m.Name + ", " + s.format(m.Start, "02.01.2006")
			}
		}
		if m, err := s.store.Meeting(ctx, id); err == nil {
			return m.Name + ", " + s.format(m.Start, "02.01.2006")
		}
		return id
	}
	points := func(pts []string) string {
		var b strings.Builder
		for i, p := range pts {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%d.) %s", i+1, p)
		}
		return b.String()
	}
	yesNo := func(v bool) string {
		if v {
			return "ja"
		}
		return "nein"
	}
	attNames := func(as []motion.Attachment) string {
		var ns []string
		for _, a := range as {
			ns = append(ns, a.Name)
		}
		return strings.Join(ns, "\n")
	}
	var out []fieldDiff
	add := func(field, mine, saved string) {
		if mine != saved {
			out = append(out, fieldDiff{Label: fieldLabel(field), Mine: mine, Saved: saved})
		}
	}
	add("title", mine.Title, saved.Title)
	add("resolution_points", points(mine.ResolutionPoints), points(saved.ResolutionPoints))
	add("justification", strings.TrimSpace(mine.Justification), strings.TrimSpace(saved.Justification))
	add("tags", strings.Join(mine.Tags, "\n"), strings.Join(saved.Tags, "\n"))
	add("signatories", strings.Join(mine.Signatories, "\n"), strings.Join(saved.Signatories, "\n"))
	add("budget_cycle", mine.BudgetCycle, saved.BudgetCycle)
	add("budget", budgetText(mine.Budget), budgetText(saved.Budget))
	add("amends", mine.Amends, saved.Amends)
	add("addressed_department", orgName(orgs, mine.AddressedDepartment), orgName(orgs, saved.AddressedDepartment))
	if mine.Fundamental != saved.Fundamental {
		out = append(out, fieldDiff{Label: "Grundsätzliche Bedeutung", Mine: yesNo(mine.Fundamental), Saved: yesNo(saved.Fundamental)})
	}
	add("target_meeting", meeting(mine.TargetMeeting), meeting(saved.TargetMeeting))
	urls := func(as []motion.Attachment) []string {
		var us []string
		for _, a := range as {
			us = append(us, a.URL)
		}
		return us
	}
	if !slices.Equal(urls(mine.Attachments), urls(saved.Attachments)) {
		out = append(out, fieldDiff{Label: fieldLabel("attachments"), Mine: attNames(mine.Attachments), Saved: attNames(saved.Attachments)})
	}
	return out
}

func (s *server) createMotion(w http.ResponseWriter, r *http.Request) { s.saveDraft(w, r, true) }

func (s *server) saveMotion(w http.ResponseWriter, r *http.Request) { s.saveDraft(w, r, false) }

// saveDraft handles the editor's POST: it stores uploaded attachments,
// handles "add/remove a point" without saving, and otherwise creates or
// edits the draft through its workflow.
func (s *server) saveDraft(w http.ResponseWriter, r *http.Request, create bool) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	// Room for a full set of uploads in one go, plus the text.
	r.Body = http.MaxBytesReader(w, r.Body, 5*s.cfg.MaxUploadBytes+(2<<20))
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, "Zu groß",
				fmt.Sprintf("Die Anlagen sind zusammen zu groß. Jede Anlage darf höchstens %s groß sein; laden Sie mehrere nacheinander hoch.", germanBytes(s.cfg.MaxUploadBytes)))
			return
		}
		s.errorPage(w, r, http.StatusBadRequest, "Ungültige Anfrage", "Das Formular konnte nicht gelesen werden.")
		return
	}
	f := newForm(motion.CmdEdit, "")
	if create {
		f.Command = motion.CmdCreate
	}
	f.ID = "editor"
	f.Fields = editorFields
	f.Values = r.PostForm
	f.Key = r.PostForm.Get("key")
	if f.Key == "" {
		f.Key = newKey()
	}

	// The motion the form is about: the existing draft, or the one it creates.
	var m motion.Motion
	if create {
		draft := strings.TrimSpace(f.Val("draft"))
		if draft == "" || len(draft) > 200 {
			draft = newKey()
			f.Values.Set("draft", draft)
		}
		m = motion.Motion{ID: workflows.KeyID(a, "motion:"+draft), BodyID: f.Val("body_id")}
		if _, err := motion.Permit(&motion.Motion{}, motion.CmdCreate, a, 0); err != nil {
			s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", noCreate(a))
			return
		}
		if !a.InBody(m.BodyID) {
			f.invalid("body_id", "Sie gehören nicht zu dieser Körperschaft.")
		} else if _, err := s.store.Body(ctx, m.BodyID); errors.Is(err, store.ErrNotFound) {
			f.invalid("body_id", "Diese Körperschaft gibt es nicht.")
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		m, err = s.visibleMotion(ctx, r.PathValue("id"), a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.MotionID = m.ID
		f.Version, _ = strconv.ParseInt(f.Val("version"), 10, 64)
		if _, err := motion.Permit(&m, motion.CmdEdit, a, m.Version); err != nil {
			f.fail(err)
			f.Key = newKey()
			s.renderEditor(w, r, problem.Status(motion.CodeOf(err)), f, &m, formAttachments(f))
			return
		}
	}

	// Uploads are stored at once, whatever happens to the rest of the form,
	// and carried on in the form, so that nothing is uploaded twice.
	atts := formAttachments(f)
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["upload"] {
			if fh.Filename == "" && fh.Size == 0 {
				continue
			}
			name := cleanName(fh.Filename)
			if len(atts) >= motion.MaxAttachments {
				f.invalid("upload", fmt.Sprintf("%s: Ein Antrag hat höchstens %d Anlagen.", name, motion.MaxAttachments))
				continue
			}
			if fh.Size > s.cfg.MaxUploadBytes {
				f.invalid("upload", tooLarge(name, s.cfg.MaxUploadBytes))
				continue
			}
			file, err := fh.Open()
			if err != nil {
				f.invalid("upload", name+": Die Datei ließ sich nicht lesen; bitte laden Sie sie noch einmal hoch.")
				continue
			}
			data, err := io.ReadAll(io.LimitReader(file, s.cfg.MaxUploadBytes+1))
			file.Close()
			if err != nil || int64(len(data)) > s.cfg.MaxUploadBytes {
				f.invalid("upload", tooLarge(name, s.cfg.MaxUploadBytes))
				continue
			}
			if !a.InBody(m.BodyID) {
				continue
			}
			at, err := s.storeUpload(r, &m, name, data)
			if errors.Is(err, errUnsupported) {
				f.invalid("upload", name+": "+err.Error()+" sind als Anlage möglich.")
				continue
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !slices.ContainsFunc(atts, func(x motion.Attachment) bool { return x.URL == at.URL }) {
				atts = append(atts, at)
			}
		}
	}
	// The form from here on carries the attachments as they are now.
	f.Values.Del("att")
	f.Values.Del("att_remove")
	for _, at := range atts {
		b, _ := json.Marshal(at)
		f.Values.Add("att", string(b))
	}
	var mp *motion.Motion
	if !create {
		mp = &m
	}

	// Adding or removing a point only changes the form.
	switch op := f.Val("op"); {
	case op == "add":
		f.Values["resolution_points"] = append(f.Values["resolution_points"], "")
		s.renderEditor(w, r, http.StatusOK, f, mp, atts)
		return
	case strings.HasPrefix(op, "remove-"):
		i, err := strconv.Atoi(strings.TrimPrefix(op, "remove-"))
		if pts := f.Values["resolution_points"]; err == nil && i >= 0 && i < len(pts) {
			f.Values["resolution_points"] = slices.Delete(slices.Clone(pts), i, i+1)
		}
		s.renderEditor(w, r, http.StatusOK, f, mp, atts)
		return
	case op == "take" && !create:
		// The user drops the unsaved text for the version saved now.
		saved, err := s.savedMotion(ctx, m.ID, a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if _, err := motion.Permit(&saved, motion.CmdEdit, a, saved.Version); err != nil {
			http.Redirect(w, r, motionPath(saved.ID), http.StatusSeeOther)
			return
		}
		nf := newForm(motion.CmdEdit, "")
		nf.Fields = editorFields
		nf.MotionID, nf.Version = saved.ID, saved.Version
		contentForm(nf, saved.Content)
		s.showEditor(w, r, http.StatusOK, &editorPage{Form: nf, M: &saved, Attachments: saved.Attachments},
			fmt.Sprintf("Die gespeicherte Fassung (Version %d) wurde übernommen; Ihre ungespeicherten Änderungen wurden verworfen.", saved.Version))
		return
	case op == "upload":
		status := http.StatusOK
		if f.Failed() {
			status = http.StatusUnprocessableEntity
		}
		s.renderEditor(w, r, status, f, mp, atts)
		return
	}
	checkBudgetInput(f, "budget")
	if f.Failed() {
		s.renderEditor(w, r, http.StatusUnprocessableEntity, f, mp, atts)
		return
	}

	content := formContent(f, atts)
	if !create {
		// The editor does not show an amendment's changes by line (its own
		// form at /antraege/{id}/aendern writes them): saving keeps them.
		content.Changes = m.Changes
	}
	meta := workflows.Meta{Actor: a, RequestID: requestKey(a, f.Key)}
	if create {
		c := motion.Create{BodyID: m.BodyID, Kind: motion.Kind(f.Val("kind")), Content: content}
		if a.InPerson() {
			// A councillor's motion: the chosen signers, and the quorum
			// the server computes for the body and kind.
			if c.Quorum, err = s.quorum(ctx, c.BodyID, c.Kind); err != nil {
				s.fail(w, r, err)
				return
			}
			orgs, err := s.orgs(ctx, c.BodyID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			members, err := s.councillors(ctx, orgs, time.Now())
			if err != nil {
				s.fail(w, r, err)
				return
			}
			c.Signers = signersFrom(f, "signers", f.Vals("signers"), members, a.Person)
			if f.Failed() {
				s.renderEditor(w, r, http.StatusUnprocessableEntity, f, mp, atts)
				return
			}
		}
		_, err = s.motions.Create(ctx, m.ID, c, meta)
	} else {
		meta.ExpectedVersion = f.Version
		if f.Val("op") == "overwrite" {
			// The user saw the newer version in the conflict view and chose
			// to save over it: exactly that version, not a later one.
			if v, err := strconv.ParseInt(f.Val("conflict_version"), 10, 64); err == nil && v > 0 {
				meta.ExpectedVersion = v
			}
		}
		_, err = s.motions.Send(ctx, m.ID, motion.Edit{Content: content}, meta)
	}
	if err != nil {
		code := motion.CodeOf(err)
		if code == "" {
			s.fail(w, r, err)
			return
		}
		f.fail(err)
		f.Key = newKey()
		p := &editorPage{Form: f, M: mp, Attachments: atts}
		if !create && code == motion.CodeStaleVersion {
			// Someone saved in between. The form keeps the user's text and
			// the version the user started from (so that "Speichern" is
			// refused again); the page shows both versions to choose from.
			saved, serr := s.savedMotion(ctx, m.ID, a)
			if errors.Is(serr, errNotVisible) {
				s.notFound(w, r)
				return
			}
			if serr != nil {
				s.fail(w, r, serr)
				return
			}
			m = saved
			p.Conflict = s.conflictWith(ctx, saved, a)
			// The conflict's section below names who saved which version.
			f.Message = "Der Antrag wurde inzwischen geändert, nachdem Sie ihn geöffnet hatten. Ihre Änderungen sind noch nicht gespeichert."
			f.errs = append(f.errs, FormError{Label: "Zwei Fassungen",
				Message: "Bitte vergleichen Sie unten beide Fassungen und entscheiden Sie, welche gelten soll.", Anchor: "editor-konflikt"})
		}
		s.showEditor(w, r, problem.Status(code), p, "")
		return
	}
	http.Redirect(w, r, withOK(motionPath(m.ID), string(f.Command)), http.StatusSeeOther)
}

// noCreate says why the caller may not create a motion, and what to do
// instead: the council office enters what reached it on paper.
func noCreate(a motion.Actor) string {
	msg := "Anträge legen die Fraktionen an. Mitglieder des Gemeinderats stellen Anträge mit den nötigen Unterschriften."
	if _, err := motion.Permit(&motion.Motion{}, motion.CmdEnterSubmission, a, 0); err == nil {
		msg += " Einen Antrag, der beim Ratsbüro eingegangen ist, erfassen Sie unter „Eingang erfassen“ (" + submissionPath + ")."
	}
	return msg
}

// submissionPath is the council office's form for a submission that
// reached it outside motionflow (a letter, an e-mail, a fax, handed in).
const submissionPath = "/antraege/erfassen"

// submissionFields are the inputs of the paper submission form.
var submissionFields = []string{"kind", "body_id", "title", "resolution_points", "justification", "budget_cycle", "amends",
	"addressed_department", "originator", "organization", "signers", "paper.submitted_by", "paper.received_at", "paper.channel"}

func init() {
	for i := 0; i < motion.MaxResolutionPoints; i++ {
		submissionFields = append(submissionFields, fmt.Sprintf("resolution_points[%d]", i))
	}
	submissionFields = append(submissionFields, budgetItemFields("budget")...)
}

// submissionPage is the paper submission form.
type submissionPage struct {
	Form        *Form
	Kinds       []motion.Kind
	Bodies      []store.Body
	Factions    []store.Organization
	Committees  []store.Organization
	Departments []store.Organization
	// Members are the council's current members, the possible signers.
	Members  []store.Person
	Channels []string
	// Originators are the kinds of originator to choose from.
	Originators []motion.OriginatorKind
	// Quorum is how many signatures a motion of councillors needs (for the
	// form's kind; 0 unknown), InquiryQuorum for an inquiry.
	Quorum, InquiryQuorum int
	// Cycles are the body's budget deliberations for the budget_cycle
	// select; without any the field is text.
	Cycles cycleChoice
}

// BudgetRows are the amount rows of the budget motion's inputs.
func (p *submissionPage) BudgetRows() []budgetInputRow { return budgetInputRows(p.Form, "budget") }

// Points are the resolution point rows: at least one.
func (p *submissionPage) Points() []string {
	pts := p.Form.Vals("resolution_points")
	if len(pts) == 0 {
		return []string{""}
	}
	return pts
}

// ChannelLabel is a channel in German.
func (p *submissionPage) ChannelLabel(c string) string { return motion.ChannelLabel(c) }

// mayEnterSubmission reports whether a may enter a paper submission (the
// council office).
func mayEnterSubmission(a motion.Actor) bool {
	_, err := motion.Permit(&motion.Motion{}, motion.CmdEnterSubmission, a, 0)
	return err == nil
}

// newSubmission shows the empty paper submission form.
func (s *server) newSubmission(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	a := actorOf(r)
	if !mayEnterSubmission(a) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Eingegangene Anträge erfasst das Ratsbüro.")
		return
	}
	f := newForm(motion.CmdEnterSubmission, "")
	f.Fields = submissionFields
	f.Values.Set("kind", string(motion.KindMotion))
	f.Values.Set("originator", string(motion.OriginatorFaction))
	f.Values.Set("draft", newKey())
	if len(a.Bodies) > 0 {
		f.Values.Set("body_id", a.Bodies[0])
	}
	s.showSubmission(w, r, http.StatusOK, f)
}

// showSubmission renders the paper submission form f with its choices.
func (s *server) showSubmission(w http.ResponseWriter, r *http.Request, status int, f *Form) {
	ctx, a := r.Context(), actorOf(r)
	f.ID = "eingang"
	p := &submissionPage{Form: f, Kinds: motion.Kinds, Channels: motion.Channels,
		Originators: []motion.OriginatorKind{motion.OriginatorFaction, motion.OriginatorCommittee, motion.OriginatorCouncillors}}
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Bodies = bodies
	bodyID := f.Val("body_id")
	orgs, err := s.orgs(ctx, bodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Factions = ofKind(orgs, store.OrgFaction)
	p.Committees = ofKind(orgs, store.OrgCommittee, store.OrgDistrictCouncil)
	p.Departments = ofKind(orgs, store.OrgDepartment)
	p.Cycles = cycleChoice{Cycles: s.budgetCycleOptions(ctx, bodyID), Value: f.Val("budget_cycle")}
	if p.Members, err = s.councillors(ctx, orgs, time.Now()); err == nil {
		if p.Quorum, err = s.quorum(ctx, bodyID, motion.Kind(f.Val("kind"))); err == nil {
			p.InquiryQuorum, err = s.quorum(ctx, bodyID, motion.KindInquiry)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "erfassen", page{Title: "Eingang erfassen", Nav: "antraege", Orgs: names(orgs), Data: p})
}

// enterSubmission handles the paper submission form: adding a point only
// changes the form; otherwise it creates the motion, as submitted on the
// day it was received, through its workflow (motion.EnterSubmission).
func (s *server) enterSubmission(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if !s.readForm(w, r) {
		return
	}
	if !mayEnterSubmission(a) {
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Eingegangene Anträge erfasst das Ratsbüro.")
		return
	}
	f := newForm(motion.CmdEnterSubmission, "")
	f.ID = "eingang"
	f.Fields = submissionFields
	f.Values = r.PostForm
	if k := f.Val("key"); k != "" {
		f.Key = k
	}
	draft := strings.TrimSpace(f.Val("draft"))
	if draft == "" || len(draft) > 200 {
		draft = newKey()
		f.Values.Set("draft", draft)
	}
	switch op := f.Val("op"); {
	case op == "add":
		f.Values["resolution_points"] = append(f.Values["resolution_points"], "")
		s.showSubmission(w, r, http.StatusOK, f)
		return
	case strings.HasPrefix(op, "remove-"):
		i, err := strconv.Atoi(strings.TrimPrefix(op, "remove-"))
		if pts := f.Values["resolution_points"]; err == nil && i >= 0 && i < len(pts) {
			f.Values["resolution_points"] = slices.Delete(slices.Clone(pts), i, i+1)
		}
		s.showSubmission(w, r, http.StatusOK, f)
		return
	}
	get := func(k string) string { return strings.TrimSpace(f.Val(k)) }
	bodyID := get("body_id")
	if !a.InBody(bodyID) {
		f.invalid("body_id", "Sie gehören nicht zu dieser Körperschaft.")
	} else if _, err := s.store.Body(ctx, bodyID); errors.Is(err, store.ErrNotFound) {
		f.invalid("body_id", "Diese Körperschaft gibt es nicht.")
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	var points []string
	for _, p := range f.Vals("resolution_points") {
		points = append(points, strings.TrimSpace(p))
	}
	for len(points) > 0 && points[len(points)-1] == "" {
		points = points[:len(points)-1]
	}
	c := motion.EnterSubmission{
		BodyID: bodyID, Kind: motion.Kind(get("kind")), Originator: motion.OriginatorKind(get("originator")),
		Content: motion.Content{Title: get("title"), ResolutionPoints: points, Justification: strings.ReplaceAll(f.Val("justification"), "\r\n", "\n"),
			BudgetCycle: get("budget_cycle"), Amends: get("amends"), AddressedDepartment: get("addressed_department"),
			Budget: formBudget(f, "budget")},
		Paper: motion.Paper{SubmittedBy: get("paper.submitted_by"), Channel: get("paper.channel")},
	}
	if day := get("paper.received_at"); day != "" {
		clock := get("paper.received_time")
		if clock == "" {
			clock = "00:00"
		}
		d, err := s.parseDay(day)
		hm, err2 := time.Parse("15:04", clock)
		if err != nil || err2 != nil {
			f.invalid("paper.received_at", "Bitte geben Sie ein gültiges Datum und eine gültige Uhrzeit des Eingangs an, zum Beispiel 01.12.2026, 09:30 Uhr.")
		} else {
			c.Paper.ReceivedAt = time.Date(d.Year(), d.Month(), d.Day(), hm.Hour(), hm.Minute(), 0, 0, s.loc)
		}
	}
	checkBudgetInput(f, "budget")
	switch c.Originator {
	case motion.OriginatorCouncillors:
		orgs, err := s.orgs(ctx, bodyID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		members, err := s.councillors(ctx, orgs, time.Now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		c.Signers = signersFrom(f, "signers", f.Vals("signers"), members, "")
		if c.Quorum, err = s.quorum(ctx, bodyID, c.Kind); err != nil {
			s.fail(w, r, err)
			return
		}
	case motion.OriginatorFaction, motion.OriginatorCommittee:
		c.Organization = get("organization")
		if c.Organization != "" {
			want := map[motion.OriginatorKind][]store.OrgKind{motion.OriginatorFaction: {store.OrgFaction},
				motion.OriginatorCommittee: {store.OrgCommittee, store.OrgDistrictCouncil}}[c.Originator]
			if o, err := s.store.Organization(ctx, c.Organization); err != nil || o.BodyID != bodyID || !slices.Contains(want, o.Kind) {
				f.invalid("organization", map[motion.OriginatorKind]string{
					motion.OriginatorFaction:   "Bitte wählen Sie die Fraktion aus der Liste der Fraktionen dieser Körperschaft.",
					motion.OriginatorCommittee: "Bitte wählen Sie den Ausschuss aus der Liste der Ausschüsse dieser Körperschaft.",
				}[c.Originator])
			}
		}
	}
	if f.Failed() {
		s.showSubmission(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	id := workflows.KeyID(a, "motion:"+draft)
	_, err := s.motions.Create(ctx, id, c, workflows.Meta{Actor: a, RequestID: requestKey(a, f.Key)})
	if err != nil {
		if motion.CodeOf(err) == "" {
			s.fail(w, r, err)
			return
		}
		f.fail(err)
		f.Key = newKey()
		s.showSubmission(w, r, problem.Status(motion.CodeOf(err)), f)
		return
	}
	http.Redirect(w, r, withOK(motionPath(id), string(motion.CmdEnterSubmission)), http.StatusSeeOther)
}
