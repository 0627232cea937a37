package web

import (
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
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// editorFields are the draft editor's inputs.
var editorFields = []string{"kind", "body_id", "title", "resolution_points", "justification", "tags", "budget_cycle",
	"amends", "addressed_department", "fundamental", "target_meeting", "signatories", "attachments", "upload"}

func init() {
	for i := 0; i < motion.MaxResolutionPoints; i++ {
		editorFields = append(editorFields, fmt.Sprintf("resolution_points[%d]", i))
	}
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
	}
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
		s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Anträge legen die Fraktionen an.")
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
	if errors.Is(err, errNotVisible) {
		s.notFound(w, r)
		return
	}
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
	ctx, a := r.Context(), actorOf(r)
	f.ID = "editor"
	p := &editorPage{Form: f, M: m, Kinds: motion.Kinds, Attachments: atts, MaxUpload: s.cfg.MaxUploadBytes, Action: "/antraege/neu"}
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
	from := time.Now()
	if bodyID != "" {
		ms, _, err := s.store.Meetings(ctx, store.MeetingFilter{BodyIDs: []string{bodyID}, From: &from, Limit: 50})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Meetings = slices.DeleteFunc(ms, func(x store.Meeting) bool { return x.Cancelled })
	}
	title, nav := "Neuer Antrag", "neu"
	if m != nil {
		title, nav = "Entwurf bearbeiten: "+m.Title, "antraege"
	}
	s.render(w, r, status, "editor", page{Title: title, Nav: nav, Orgs: names(orgs), Data: p})
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
		m = motion.Motion{ID: keyID(a, "motion:"+draft), BodyID: f.Val("body_id")}
		if _, err := motion.Permit(&motion.Motion{}, motion.CmdCreate, a, 0); err != nil {
			s.errorPage(w, r, http.StatusForbidden, "Keine Berechtigung", "Anträge legen die Fraktionen an.")
			return
		}
		if !a.InBody(m.BodyID) {
			f.invalid("body_id", "Sie gehören nicht zu dieser Körperschaft")
		} else if _, err := s.store.Body(ctx, m.BodyID); errors.Is(err, store.ErrNotFound) {
			f.invalid("body_id", "unbekannte Körperschaft")
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		m, err = s.visibleMotion(ctx, r.PathValue("id"), a)
		if errors.Is(err, errNotVisible) {
			s.notFound(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.MotionID = m.ID
		f.Version, _ = strconv.ParseInt(f.Val("version"), 10, 64)
		if _, err := motion.Permit(&m, motion.CmdEdit, a, m.Version); err != nil {
			f.fail(err)
			f.Key = newKey()
			s.renderEditor(w, r, statusOf(motion.CodeOf(err)), f, &m, formAttachments(f))
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
				f.invalid("upload", fmt.Sprintf("%s: höchstens %d Anlagen", name, motion.MaxAttachments))
				continue
			}
			if fh.Size > s.cfg.MaxUploadBytes {
				f.invalid("upload", fmt.Sprintf("%s: größer als %s", name, germanBytes(s.cfg.MaxUploadBytes)))
				continue
			}
			file, err := fh.Open()
			if err != nil {
				f.invalid("upload", name+": nicht lesbar")
				continue
			}
			data, err := io.ReadAll(io.LimitReader(file, s.cfg.MaxUploadBytes+1))
			file.Close()
			if err != nil || int64(len(data)) > s.cfg.MaxUploadBytes {
				f.invalid("upload", fmt.Sprintf("%s: größer als %s", name, germanBytes(s.cfg.MaxUploadBytes)))
				continue
			}
			if !a.InBody(m.BodyID) {
				continue
			}
			at, err := s.storeUpload(r, &m, name, data)
			if errors.Is(err, errUnsupported) {
				f.invalid("upload", name+": "+err.Error())
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
	case op == "upload":
		status := http.StatusOK
		if f.Failed() {
			status = http.StatusUnprocessableEntity
		}
		s.renderEditor(w, r, status, f, mp, atts)
		return
	}
	if f.Failed() {
		s.renderEditor(w, r, http.StatusUnprocessableEntity, f, mp, atts)
		return
	}

	content := formContent(f, atts)
	meta := workflows.Meta{Actor: a, RequestID: requestKey(a, f.Key)}
	if create {
		_, err = s.motions.Create(ctx, m.ID, motion.Create{BodyID: m.BodyID, Kind: motion.Kind(f.Val("kind")), Content: content}, meta)
	} else {
		meta.ExpectedVersion = f.Version
		_, err = s.motions.Send(ctx, m.ID, motion.Edit{Content: content}, meta)
	}
	if err != nil {
		if motion.CodeOf(err) == "" {
			s.fail(w, r, err)
			return
		}
		f.fail(err)
		f.Key = newKey()
		if !create {
			if fresh, err := s.store.Motion(ctx, m.ID); err == nil {
				m = fresh
				f.Version = m.Version
			}
		}
		s.renderEditor(w, r, statusOf(motion.CodeOf(err)), f, mp, atts)
		return
	}
	http.Redirect(w, r, withOK(motionPath(m.ID), string(f.Command)), http.StatusSeeOther)
}
