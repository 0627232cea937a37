package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// amendmentStore is the part of the read model that amendments need;
// *store.Store is one.
type amendmentStore interface {
	AmendmentsOf(ctx context.Context, id string, viewer motion.Actor) ([]motion.Motion, error)
	AmendedMotion(ctx context.Context, bodyID, amends string) (motion.Motion, error)
	WithAmendments(ctx context.Context, motionID string, cmd motion.Command, viewer motion.Actor) (motion.Command, error)
}

// withAmendments completes every command the pages send with what the
// read model knows of amendments (store.WithAmendments, through
// workflows.Completing), as the API's commands are.
func withAmendments(ms workflows.Motions, st amendmentStore) workflows.Motions {
	if st == nil {
		return ms
	}
	return workflows.Completing(ms, st.WithAmendments)
}

// numberedPoint is one resolution point with its numbered lines.
type numberedPoint struct {
	No    int
	Lines []motion.Line
}

// numbered groups the numbered lines of a text (motion.NumberLines) by
// resolution point; the Begründung's lines (point 0) come back apart.
func numbered(lines []motion.Line) (points []numberedPoint, justification []motion.Line) {
	for _, l := range lines {
		if l.Point == 0 {
			justification = append(justification, l)
			continue
		}
		if n := len(points); n == 0 || points[n-1].No != l.Point {
			points = append(points, numberedPoint{No: l.Point})
		}
		points[len(points)-1].Lines = append(points[len(points)-1].Lines, l)
	}
	return points, justification
}

// amendmentView is an amendment as the amended motion's page lists it:
// the amendment and its changes shown against the motion's text.
type amendmentView struct {
	M       motion.Motion
	Changes []motion.ChangeView
}

// budgetView is a financial effect as the pages show it: amounts written
// the German way.
type budgetView struct {
	Rows      []budgetRow
	Positions string
	Product   string
}

// budgetRow is one amount of a financial effect.
type budgetRow struct {
	Year                  int
	Amount, Kind, Purpose string
	Plan                  string
}

// budgetOf is the view of a financial effect (nil for none).
func budgetOf(b *motion.BudgetEffect) *budgetView {
	if b == nil || (len(b.Items) == 0 && b.Positions == 0 && b.Product == "") {
		return nil
	}
	v := &budgetView{Product: b.Product}
	for _, it := range b.Items {
		v.Rows = append(v.Rows, budgetRow{Year: it.Year, Amount: motion.FormatEuro(it.Amount) + " Euro", Kind: it.RhythmLabel(),
			Plan: it.Plan.Label(), Purpose: it.Purpose})
	}
	if b.Positions != 0 {
		v.Positions = motion.FormatPositions(b.Positions)
	}
	return v
}

// amendmentsData is what the motion's page and its print view show about
// amendments: the motion's numbered text, its amendments with their diffs,
// the merged resolution text once one is adopted, and for an amendment the
// motion it amends with its changes.
type amendmentsData struct {
	Points        []numberedPoint
	Justification []motion.Line
	Amendments    []amendmentView
	// Merged is the motion's text with the adopted amendments merged, nil
	// while none is adopted or once the motion is rejected or withdrawn
	// (documents.StageOf); Resolved says it is the resolution text of the
	// adopted motion, not yet the text as amended.
	Merged   *motion.Merged
	Resolved bool
	// Amended is the motion an amendment amends, if the viewer sees it;
	// Changes are the amendment's changes against its text.
	Amended *motion.Motion
	Changes []motion.ChangeView
	// Budget is a budget motion's financial effect.
	Budget *budgetView
}

// ConflictNote is the sentence about an amendment left out of the merged
// text, as the PDF writes it.
func (d amendmentsData) ConflictNote(c motion.Conflict) string { return documents.ConflictNote(c) }

// BudgetOf is the view of a financial effect, for the administration's
// estimates in statements.
func (d amendmentsData) BudgetOf(b *motion.BudgetEffect) *budgetView { return budgetOf(b) }

// loadAmendments reads what the pages show about m's amendments.
func (s *server) loadAmendments(ctx context.Context, m *motion.Motion, a motion.Actor) (amendmentsData, error) {
	var d amendmentsData
	d.Points, d.Justification = numbered(m.Lines())
	d.Budget = budgetOf(m.Budget)
	ams, err := s.store.AmendmentsOf(ctx, m.ID, a)
	if err != nil {
		return d, err
	}
	for _, x := range ams {
		d.Amendments = append(d.Amendments, amendmentView{M: x, Changes: motion.ViewChanges(m.ResolutionPoints, x.Changes)})
	}
	stage := documents.StageOf(m)
	if merged := m.ResolutionText(ams); stage != documents.TextNone && (len(merged.Applied) > 0 || len(merged.Conflicts) > 0) {
		d.Merged, d.Resolved = &merged, stage == documents.TextResolved
	}
	if m.Kind == motion.KindAmendment && strings.TrimSpace(m.Amends) != "" {
		t, err := s.store.AmendedMotion(ctx, m.BodyID, m.Amends)
		switch {
		case err == nil && t.ID != m.ID && t.VisibleTo(a):
			d.Amended = &t
			d.Changes = motion.ViewChanges(t.ResolutionPoints, m.Changes)
		case err == nil, errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid):
			d.Changes = motion.ViewChanges(m.AmendedPoints, m.Changes)
		default:
			return d, err
		}
	}
	return d, nil
}

// mayAmend reports whether the caller may write an amendment to m on the
// amendment form: faction staff of the motion's body, while the motion
// takes amendments (motion.Motion.Amendable, the rule the read model
// completes commands by). (The council office enters amendments that reach
// it on paper through the paper submission form.)
func mayAmend(m *motion.Motion, a motion.Actor) bool {
	if a.Anonymous() || !a.Has(motion.RoleFactionStaff) || a.Faction == "" || !a.InBody(m.BodyID) || !m.Amendable() {
		return false
	}
	_, err := motion.Permit(&motion.Motion{}, motion.CmdCreate, a, 0)
	return err == nil
}

// amendFields are the amendment form's inputs.
var amendFields = []string{"from", "to", "op", "text", "title", "justification"}

// amendLabels name the amendment form's inputs in its error summary.
var amendLabels = map[string]string{"from": "Von Zeile", "to": "Bis Zeile", "op": "Änderung", "text": "Neuer Text",
	"title": "Titel", "justification": "Begründung", "": "Änderungsantrag"}

// amendOps are the changes the form offers, in its order.
var amendOps = []motion.ChangeOp{motion.ChangeReplace, motion.ChangeInsert, motion.ChangeDelete}

// amendPage is the amendment form.
type amendPage struct {
	M      motion.Motion
	Points []numberedPoint
	// Last is the motion's last line a change can name.
	Last int
	Form *Form
	Ops  []motion.ChangeOp
}

// showAmendForm shows the amendment form of a motion.
func (s *server) showAmendForm(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	m, ok := s.amendable(w, r)
	if !ok {
		return
	}
	f := newForm(motion.CmdCreate, "")
	f.ID, f.Fields = "aendern", amendFields
	f.Set("op", string(motion.ChangeReplace)).Set("draft", newKey())
	title := "Änderungsantrag zu " + m.Label()
	if r := []rune(title); len(r) > 300 {
		title = string(r[:299]) + "…"
	}
	f.Set("title", title)
	s.renderAmendForm(w, r, http.StatusOK, m, f)
}

// amendable reads the motion of the form and answers, if the caller may
// not amend it, the page that says so.
func (s *server) amendable(w http.ResponseWriter, r *http.Request) (motion.Motion, bool) {
	a := actorOf(r)
	m, err := s.visibleMotion(r.Context(), r.PathValue("id"), a)
	if err != nil {
		s.fail(w, r, err)
		return m, false
	}
	if !mayAmend(&m, a) {
		s.errorPage(w, r, http.StatusForbidden, "Kein Änderungsantrag möglich",
			"Änderungsanträge stellen die Fraktionen zu eingereichten Anträgen, solange über sie nicht entschieden ist.")
		return m, false
	}
	return m, true
}

func (s *server) renderAmendForm(w http.ResponseWriter, r *http.Request, status int, m motion.Motion, f *Form) {
	lines := motion.NumberLines(m.ResolutionPoints, "")
	points, _ := numbered(lines)
	orgs, err := s.orgs(r.Context(), m.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "aendern", page{Title: "Änderungsantrag zu " + m.Label(), Nav: "antraege", Orgs: names(orgs),
		Data: &amendPage{M: m, Points: points, Last: len(lines), Form: f, Ops: amendOps}})
}

// createAmendment posts the amendment form: it creates the amendment's
// draft (kind amendment, amending the motion by its id, with the one
// change) for the caller's faction through the motion's workflow, as the
// draft editor creates drafts, and leads to the new draft.
func (s *server) createAmendment(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Ungültige Anfrage", "Das Formular konnte nicht gelesen werden.")
		return
	}
	m, ok := s.amendable(w, r)
	if !ok {
		return
	}
	f := newForm(motion.CmdCreate, "")
	f.ID, f.Fields, f.Values = "aendern", amendFields, r.PostForm
	if k := f.Val("key"); k != "" && len(k) <= 200 {
		f.Key = k
	}
	draft := strings.TrimSpace(f.Val("draft"))
	if draft == "" || len(draft) > 200 {
		draft = newKey()
		f.Set("draft", draft)
	}
	// Only what the form itself must read is checked here (a line number
	// that is no number); the change and its lines are the domain's to
	// check, and its messages stand at the form's inputs (amendErr).
	op := motion.ChangeOp(f.Val("op"))
	from, _ := lineNo(f, "from")
	to, hasTo := lineNo(f, "to")
	if !hasTo {
		to = from
	}
	// The form has one "to" and one text for every kind of change: an
	// insertion ignores "to", a deletion the text left from another choice.
	ch := motion.Change{Op: op, From: from, To: to, Text: strings.TrimSpace(f.Val("text"))}
	switch op {
	case motion.ChangeInsert:
		ch.To = 0
	case motion.ChangeDelete:
		ch.Text = ""
	}
	if f.Failed() {
		s.renderAmendForm(w, r, http.StatusUnprocessableEntity, m, f)
		return
	}
	c := motion.Create{BodyID: m.BodyID, Kind: motion.KindAmendment, Content: motion.Content{
		Title: f.Val("title"), Justification: f.Val("justification"),
		Amends: m.ID, Changes: []motion.Change{ch},
	}}
	id := workflows.KeyID(a, "motion:"+draft)
	if _, err := s.motions.Create(ctx, id, c, workflows.Meta{Actor: a, RequestID: requestKey(a, f.Key)}); err != nil {
		if motion.CodeOf(err) == "" {
			s.fail(w, r, err)
			return
		}
		f.fail(amendErr(err))
		for i := range f.errs {
			if l, ok := amendLabels[f.errs[i].Field]; ok {
				f.errs[i].Label = l
			}
		}
		f.Key = newKey()
		s.renderAmendForm(w, r, http.StatusUnprocessableEntity, m, f)
		return
	}
	http.Redirect(w, r, withOK(motionPath(id), string(motion.CmdCreate)), http.StatusSeeOther)
}

// lineNo reads a line number of the form; "" is absent (0, which the
// domain refuses as a line the motion does not have).
func lineNo(f *Form, field string) (int, bool) {
	v := strings.TrimSpace(f.Val(field))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.invalid(field, "Bitte geben Sie die Zeile als Zahl an, etwa 3.")
		return 0, false
	}
	return n, true
}

// amendErr places the domain's messages about the one change
// ("changes[0].from") at the form's inputs ("from").
func amendErr(err error) error {
	var me *motion.Error
	if !errors.As(err, &me) {
		return err
	}
	out := *me
	out.Fields = nil
	for _, fe := range me.Fields {
		switch {
		case strings.HasPrefix(fe.Field, "changes[0]."):
			fe.Field = strings.TrimPrefix(fe.Field, "changes[0].")
		case fe.Field == "changes", fe.Field == "amends":
			fe.Field = "from"
		}
		out.Fields = append(out.Fields, fe)
	}
	return &out
}
