package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// listPage is the motion list with its search form.
type listPage struct {
	Q, Status, Kind, Faction, Tag, From, To string
	// Outcome is the ergebnis filter: a final result (motion.Outcome).
	Outcome string
	// Items are the motions of the page; in a search with the words found.
	Items    []store.Hit
	Next     string
	NextURL  string
	First    bool
	Statuses []motion.Status
	Kinds    []motion.Kind
	Outcomes []motion.Result
	Factions []store.Organization
	Form     *Form
	// Heading says what the list shows: "Alle Anträge" or what is filtered.
	Heading string
	// Downloads are the council office's links to the list as CSV and XLSX.
	Downloads *downloads
	// Enter links the council office to the paper submission form; Create
	// links a councillor (who has no faction's menu entry) to the editor.
	Enter, Create bool
}

// outcomeResults are the final results a motion can end with, in the order
// the outcome filter offers them.
var outcomeResults = []motion.Result{motion.ResultAdopted, motion.ResultAdoptedAmended, motion.ResultRejected,
	motion.ResultNoted, motion.ResultSettledByOtherResolutions, motion.ResultSettledByAdministration}

// outcomeLists name a list of motions with the outcome ("Abgelehnte Anträge").
var outcomeLists = map[motion.Result]string{
	motion.ResultAdopted:                   "Beschlossene Anträge",
	motion.ResultAdoptedAmended:            "Geändert beschlossene Anträge",
	motion.ResultRejected:                  "Abgelehnte Anträge",
	motion.ResultNoted:                     "Zur Kenntnis genommene Anträge",
	motion.ResultSettledByOtherResolutions: "Durch andere Beschlüsse erledigte Anträge",
	motion.ResultSettledByAdministration:   "Durch Verwaltungshandeln erledigte Anträge",
}

// heading says in German what the list is filtered by.
func (p *listPage) heading(orgs map[string]store.Organization, from, to string) string {
	subject := "Anträge"
	if l, ok := outcomeLists[motion.Result(p.Outcome)]; ok {
		subject = l
	}
	var quals []string
	if st := motion.Status(p.Status); p.Status != "" && st.Valid() {
		quals = append(quals, "im Status „"+st.Label()+"“")
	}
	if k := motion.Kind(p.Kind); p.Kind != "" && k.Valid() {
		quals = append(quals, "der Art „"+k.Label()+"“")
	}
	if p.Faction != "" {
		n := p.Faction
		if o, ok := orgs[p.Faction]; ok && o.Name != "" {
			n = o.Name
		}
		quals = append(quals, "von „"+n+"“")
	}
	if p.Tag != "" {
		quals = append(quals, "mit Schlagwort „"+p.Tag+"“")
	}
	switch {
	case from != "" && to != "":
		quals = append(quals, "eingereicht vom "+from+" bis "+to)
	case from != "":
		quals = append(quals, "eingereicht ab "+from)
	case to != "":
		quals = append(quals, "eingereicht bis "+to)
	}
	h := subject
	if len(quals) > 0 {
		h += " " + strings.Join(quals, ", ")
	}
	if p.Q != "" {
		if h == "Anträge" {
			return "Suche nach „" + p.Q + "“"
		}
		return "Suche nach „" + p.Q + "“: " + h
	}
	if h == "Anträge" {
		return "Alle Anträge"
	}
	return h
}

func (s *server) listMotions(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	q := r.URL.Query()
	p := listPage{
		Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Kind: q.Get("kind"), Faction: q.Get("fraktion"),
		Tag: strings.TrimSpace(q.Get("schlagwort")), From: q.Get("von"), To: q.Get("bis"), Outcome: q.Get("ergebnis"),
		Statuses: motion.Statuses, Kinds: motion.Kinds, Outcomes: outcomeResults, First: q.Get("weiter") == "",
	}
	form := newForm("search", "")
	form.Fields = []string{"q", "status", "kind", "ergebnis", "fraktion", "schlagwort", "von", "bis", "weiter"}
	p.Form = form
	f := store.MotionFilter{Viewer: a, Query: p.Q, Faction: p.Faction, Tag: p.Tag, Limit: 20, After: q.Get("weiter")}
	if p.Status != "" {
		if st := motion.Status(p.Status); st.Valid() {
			f.Statuses = []motion.Status{st}
		} else {
			form.invalid("status", "Das ist ein unbekannter Status; bitte wählen Sie einen aus der Liste.")
		}
	}
	if p.Kind != "" {
		if k := motion.Kind(p.Kind); k.Valid() {
			f.Kinds = []motion.Kind{k}
		} else {
			form.invalid("kind", "Diese Art gibt es nicht; bitte wählen Sie eine aus der Liste.")
		}
	}
	if p.Outcome != "" {
		if r := motion.Result(p.Outcome); slices.Contains(outcomeResults, r) {
			f.Outcomes = []motion.Result{r}
		} else {
			form.invalid("ergebnis", "Dieses Ergebnis gibt es nicht. Bitte wählen Sie eines aus der Liste.")
		}
	}
	if len(p.Q) > 500 {
		form.invalid("q", "Der Suchtext ist zu lang: höchstens 500 Zeichen.")
	}
	if p.From != "" {
		if t, err := s.parseDay(p.From); err == nil {
			f.SubmittedFrom = &t
		} else {
			form.invalid("von", "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")
		}
	}
	if p.To != "" {
		if t, err := s.parseDay(p.To); err == nil {
			t = t.AddDate(0, 0, 1) // "bis" includes the day
			f.SubmittedTo = &t
		} else {
			form.invalid("bis", "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")
		}
	}
	var fromDay, toDay string
	if f.SubmittedFrom != nil {
		fromDay = s.format(*f.SubmittedFrom, "02.01.2006")
	}
	if f.SubmittedTo != nil {
		toDay = s.format(f.SubmittedTo.AddDate(0, 0, -1), "02.01.2006")
	}
	if f.SubmittedFrom != nil && f.SubmittedTo != nil && !f.SubmittedFrom.Before(*f.SubmittedTo) {
		form.invalid("bis", "Das Ende des Zeitraums ("+toDay+") liegt vor seinem Anfang ("+fromDay+"). Bitte wählen Sie ein Datum ab dem "+fromDay+".")
	}
	if format := q.Get("format"); format != "" && !form.Failed() {
		s.download(w, r, format, "antraege", "Anträge", func() ([][]string, error) {
			ms, err := export.AllMotions(ctx, s.store, f, export.MaxRows)
			return export.MotionRows(ms), err
		})
		return
	}
	p.Downloads = downloadLinks(a, "/antraege", q)
	p.Enter = !a.Anonymous() && mayEnterSubmission(a)
	p.Create = a.InPerson()
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var bodyIDs []string
	for _, b := range bodies {
		bodyIDs = append(bodyIDs, b.ID)
	}
	orgs, err := s.orgs(ctx, bodyIDs...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Factions = ofKind(orgs, store.OrgFaction)
	p.Heading = p.heading(orgs, fromDay, toDay)
	status := http.StatusOK
	if !form.Failed() {
		items, next, err := s.store.Search(ctx, f)
		switch {
		case errors.Is(err, store.ErrInvalid):
			form.invalid("weiter", "Die Seite passt nicht zu dieser Suche. Bitte beginnen Sie die Suche neu.")
		case err != nil:
			s.fail(w, r, err)
			return
		}
		for _, h := range items {
			if h.Motion.VisibleTo(a) {
				p.Items = append(p.Items, h)
			}
		}
		if next != "" {
			nq := url.Values{}
			for k, vs := range q {
				if k != "weiter" && k != "ok" {
					nq[k] = vs
				}
			}
			nq.Set("weiter", next)
			p.NextURL = "/antraege?" + nq.Encode()
		}
	}
	if form.Failed() {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "motions", page{Title: "Anträge", Nav: "antraege", Orgs: names(orgs), Data: p})
}

// motionPage is one motion with everything its page shows and the forms of
// the actions the caller may take.
type motionPage struct {
	M           motion.Motion
	Allowed     []motion.CommandName
	History     []motion.Event
	Deadlines   []store.MotionDeadline
	Attachments []attachmentView
	// Meetings are the meetings the consultations name, by id.
	Meetings map[string]store.Meeting
	// Upcoming are the meetings each gremium can schedule into, by
	// organization: those of today or later (the council's days, Berlin).
	Upcoming map[string][]store.Meeting
	// Past are each gremium's meetings of the past year, by organization:
	// the council office may still schedule into one to enter its session
	// after the fact (Nacherfassung), with a reason (motion.Schedule.Override).
	Past        map[string][]store.Meeting
	Gremia      []store.Organization
	Factions    []store.Organization
	Departments []store.Organization
	Sponsor     bool
	// forms are the action forms, prepared or refused, by formKey.
	forms map[string]*Form
	// Return is where a form's success leads back to.
	Return string
	// Refused is a refused form whose action the page no longer offers (the
	// motion moved on meanwhile); its message is shown at the top.
	Refused *Form
	// readable replaces organization and meeting ids in event summaries.
	readable *strings.Replacer
	// orgNames are the organizations' names by id.
	orgNames map[string]string
	// Done is the command just taken (?ok=…), Flash its confirmation: the
	// page shows it again where the redirect's anchor lands.
	Done  motion.CommandName
	Flash string
	// Notes are the notes the viewer reads and the form to write one;
	// NoteSaved says one was just stored.
	Notes     notesView
	NoteSaved bool
	// Text is the motion's numbered text, its amendments, its resolution
	// text with the adopted ones and its financial effect.
	Text amendmentsData
	// Amend offers the caller the amendment form.
	Amend bool
	// viewer is the caller; now the time the page is shown (traffic light).
	viewer motion.Actor
	now    time.Time
	loc    *time.Location
}

// step is one action the page offers, as one section: the next sensible
// step open and first, the others folded under their name, the
// destructive ones last and confirmed by a checkbox.
type step struct {
	Cmd    string
	Target motion.Consultation
	Label  string
	// Anchor is the section's id, where the page returns after the step.
	Anchor string
	Next   bool
	// Open says whether a folded step starts unfolded: its form was
	// refused, or it was just taken.
	Open bool
	Done bool
	// Confirm is the sentence a destructive step's checkbox confirms.
	Confirm string
}

// stepAnchor is the id of an action's section (and the redirect's
// fragment after it).
func stepAnchor(cmd motion.CommandName, target string) string {
	return fieldID("aktion", string(cmd)+"-"+target)
}

// confirmations are the sentences that destructive steps must confirm.
var confirmations = map[motion.CommandName]string{
	motion.CmdDeclareInadmissible: "Ich bestätige, dass der Antrag für unzulässig erklärt wird. Das lässt sich nicht rückgängig machen.",
	motion.CmdLapse:               "Ich bestätige, dass der Antrag als nicht behandelt beendet wird. Das lässt sich nicht rückgängig machen.",
	motion.CmdWithdraw:            "Ich bestätige, dass der Antrag zurückgezogen wird. Das lässt sich nicht rückgängig machen.",
}

// nextSteps are the commands that move a motion on from its status, the
// most sensible first (motion.Status).
var nextSteps = map[motion.Status][]motion.CommandName{
	motion.StatusDraft:          {motion.CmdSign, motion.CmdAcceptCosponsorship, motion.CmdSubmit},
	motion.StatusSubmitted:      {motion.CmdRegister, motion.CmdSetDepartments},
	motion.StatusRegistered:     {motion.CmdSetRoute, motion.CmdRecordAnswer, motion.CmdRecordStatement},
	motion.StatusInConsultation: {motion.CmdSchedule, motion.CmdRecordResult, motion.CmdRecordStatement},
	motion.StatusDecided:        {motion.CmdStartImplementation, motion.CmdClose},
	motion.StatusImplementation: {motion.CmdReportImplementation, motion.CmdClose},
	motion.StatusAnswered:       {motion.CmdClose},
}

// Steps are the actions the caller may take, in the order the page shows
// them: the next sensible step first, then the others, the destructive
// ones last.
func (p *motionPage) Steps() []step {
	var all []step
	add := func(cmd motion.CommandName, k motion.Consultation, label string) {
		if !p.Can(string(cmd)) {
			return
		}
		s := step{Cmd: string(cmd), Target: k, Label: label, Anchor: stepAnchor(cmd, k.ID), Confirm: confirmations[cmd]}
		s.Done = p.Done == cmd
		s.Open = s.Done || p.Form(string(cmd), k.ID).Failed()
		all = append(all, s)
	}
	none := motion.Consultation{}
	if s := p.M.Signer(p.viewer.Person); s == nil || s.SignedAt == nil {
		// A signer who signed is not offered to sign again.
		add(motion.CmdSign, none, "Unterschreiben")
	}
	add(motion.CmdAcceptCosponsorship, none, "Mitantragstellung annehmen")
	add(motion.CmdDeclineCosponsorship, none, "Mitantragstellung ablehnen")
	add(motion.CmdEdit, none, "Entwurf bearbeiten")
	add(motion.CmdSubmit, none, "Einreichen")
	add(motion.CmdInviteCosponsor, none, "Mitantragstellerin einladen")
	add(motion.CmdRegister, none, "Registrieren")
	add(motion.CmdSetDepartments, none, "Federführung festlegen")
	add(motion.CmdSetRoute, none, "Beratungsfolge festlegen")
	for _, k := range p.Open() {
		add(motion.CmdSchedule, k, "Beratung im Gremium „"+orgName(p.orgNames, k.OrganizationID)+"“ einplanen")
	}
	for _, k := range p.M.Consultations {
		if k.Status == motion.ConsultationScheduled {
			add(motion.CmdRecordResult, k, "Ergebnis im Gremium „"+orgName(p.orgNames, k.OrganizationID)+"“ erfassen")
		}
	}
	add(motion.CmdRecordOutcome, none, "Endergebnis direkt erfassen")
	for _, c := range []motion.CommandName{motion.CmdRecordStatement, motion.CmdRecordAnswer, motion.CmdReportImplementation} {
		add(c, none, commandLabel(c))
	}
	add(motion.CmdStartImplementation, none, "Umsetzung beginnen")
	add(motion.CmdClose, none, "Vorgang abschließen")
	for _, k := range p.M.Consultations {
		if k.Record != nil {
			add(motion.CmdCorrectResult, k, "Ergebnis im Gremium „"+orgName(p.orgNames, k.OrganizationID)+"“ korrigieren")
		}
	}
	add(motion.CmdSetDeadline, none, "Frist von Hand setzen")
	for _, c := range []motion.CommandName{motion.CmdDeclareInadmissible, motion.CmdLapse, motion.CmdWithdraw} {
		add(c, none, commandLabel(c))
	}
	// The next step: the first of the status's commands on offer; a
	// consultation is scheduled in route order (the first planned one),
	// a result recorded for the scheduled one.
	next := -1
	for _, c := range nextSteps[p.M.Status] {
		for i, s := range all {
			if s.Cmd != string(c) {
				continue
			}
			if c == motion.CmdSchedule && s.Target.Status != motion.ConsultationPlanned {
				continue
			}
			next = i
			break
		}
		if next >= 0 {
			break
		}
	}
	if next < 0 {
		return all
	}
	all[next].Next, all[next].Open = true, true
	return append(append([]step{all[next]}, all[:next]...), all[next+1:]...)
}

// Gone are the anchors of the step just taken that the page no longer
// offers (a motion is registered once, a consultation's result recorded
// once): the redirect lands there, at the top of the actions.
func (p *motionPage) Gone(steps []step) []string {
	if p.Done == "" {
		return nil
	}
	shown := map[string]bool{}
	for _, s := range steps {
		shown[s.Anchor] = true
	}
	var out []string
	for _, a := range append([]string{stepAnchor(p.Done, "")}, p.consultationAnchors(p.Done)...) {
		if !shown[a] {
			out = append(out, a)
		}
	}
	return out
}

// consultationAnchors are the anchors a command has for each consultation.
func (p *motionPage) consultationAnchors(cmd motion.CommandName) []string {
	var out []string
	for _, k := range p.M.Consultations {
		out = append(out, stepAnchor(cmd, k.ID))
	}
	return out
}

// Summary is an event's summary with names instead of ids: organizations
// and meetings by name (and date), consultations by their gremium.
func (p *motionPage) Summary(e motion.Event) string {
	readable := func(s string) string {
		if p.readable == nil {
			return s
		}
		return p.readable.Replace(s)
	}
	if m := scheduledSummary.FindStringSubmatch(e.Summary); m != nil {
		org := ""
		for _, k := range p.M.Consultations {
			if k.ID == m[1] {
				org = orgName(p.orgNames, k.OrganizationID)
			}
		}
		if org != "" {
			return "Beratung im Gremium „" + org + "“ eingeplant: Sitzung " + readable(m[2])
		}
		return "Beratung eingeplant: Sitzung " + readable(m[2])
	}
	return readable(e.Summary)
}

// scheduledSummary is the summary of a schedule event (motion.Schedule),
// which names the consultation by its internal id.
var scheduledSummary = regexp.MustCompile(`^Beratung (c\d+) in Sitzung (.+) eingeplant$`)

// attachmentView is an attachment as a page lists it.
type attachmentView struct {
	Name, Href, Type string
	Size             int64
	SHA256           string
}

// formID is the element id prefix of a motion's action form.
func formID(motionID string, cmd motion.CommandName, target string) string {
	return fieldID("f-"+motionID[:min(8, len(motionID))]+"-"+string(cmd)+"-"+target, "")
}

func formKey(cmd motion.CommandName, target string) string { return string(cmd) + "/" + target }

// Can reports whether the caller may run the command now.
func (p *motionPage) Can(cmd string) bool { return slices.Contains(p.Allowed, motion.CommandName(cmd)) }

// Form returns the form of an action: the refused one with what the user
// typed, or a fresh one with the motion's version and a new key.
func (p *motionPage) Form(cmd string, target string) *Form {
	k := formKey(motion.CommandName(cmd), target)
	if f, ok := p.forms[k]; ok {
		return f
	}
	f := newForm(motion.CommandName(cmd), target)
	f.MotionID, f.Version = p.M.ID, p.M.Version
	f.ID = formID(p.M.ID, motion.CommandName(cmd), target)
	f.Fields = commandFields[motion.CommandName(cmd)]
	defaults(f, &p.M, target)
	p.forms[k] = f
	return f
}

// ResultsFor lists the results a consultation can record.
func (p *motionPage) ResultsFor(k motion.Consultation) []motion.Result {
	var out []motion.Result
	for _, r := range motion.Results {
		switch {
		case r.Recommendation() && k.Decisive:
		case (r == motion.ResultAdopted || r == motion.ResultAdoptedAmended || r == motion.ResultRejected) && !k.Decisive:
		default:
			out = append(out, r)
		}
	}
	return out
}

// OutcomeResults are the results an outcome can have.
func (p *motionPage) OutcomeResults() []motion.Result {
	return []motion.Result{motion.ResultAdopted, motion.ResultAdoptedAmended, motion.ResultRejected, motion.ResultNoted,
		motion.ResultSettledByOtherResolutions, motion.ResultSettledByAdministration}
}

// DeadlineKinds are the deadlines the council office may set by hand.
func (p *motionPage) DeadlineKinds() []motion.DeadlineKind { return motion.DeadlineKinds }

// Open lists the consultations not yet done nor skipped.
func (p *motionPage) Open() []motion.Consultation {
	var out []motion.Consultation
	for _, k := range p.M.Consultations {
		if !k.Status.Closed() {
			out = append(out, k)
		}
	}
	return out
}

// LinkHref is where a link to a settling motion or resolution points.
func (p *motionPage) LinkHref(l motion.Link) string {
	if l.MotionID != "" {
		return motionPath(l.MotionID)
	}
	return l.URL
}

// loadMotionPage reads everything the motion's page shows.
func (s *server) loadMotionPage(r *http.Request, m motion.Motion) (*motionPage, map[string]store.Organization, error) {
	ctx, a := r.Context(), actorOf(r)
	p := &motionPage{M: m, Allowed: motion.Allowed(&m, a), forms: map[string]*Form{}, Meetings: map[string]store.Meeting{},
		Upcoming: map[string][]store.Meeting{}, Past: map[string][]store.Meeting{}, Return: motionPath(m.ID)}
	p.Sponsor = m.SponsoredBy(a)
	p.viewer, p.now, p.loc = a, time.Now(), s.loc
	hist, err := s.store.History(ctx, m.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	for _, e := range hist {
		p.History = append(p.History, e.RedactedFor(&m, a))
	}
	slices.Reverse(p.History) // newest first
	p.Deadlines, _, err = s.store.Deadlines(ctx, store.DeadlineFilter{Viewer: a, MotionID: m.ID, Limit: store.MaxLimit})
	if err != nil {
		return nil, nil, err
	}
	if p.Notes, err = s.loadNotes(ctx, &m, a); err != nil {
		return nil, nil, err
	}
	for _, at := range m.Attachments {
		p.Attachments = append(p.Attachments, s.attachmentView(at))
	}
	if p.Text, err = s.loadAmendments(ctx, &m, a); err != nil {
		return nil, nil, err
	}
	p.Amend = mayAmend(&m, a)
	for _, id := range m.MeetingIDs() {
		if mt, err := s.store.Meeting(ctx, id); err == nil {
			p.Meetings[id] = mt
		}
	}
	orgs, err := s.orgs(ctx, m.BodyID)
	if err != nil {
		return nil, nil, err
	}
	p.Gremia = ofKind(orgs, store.Gremia...)
	p.Factions = ofKind(orgs, store.OrgFaction)
	p.Departments = ofKind(orgs, store.OrgDepartment)
	var pairs []string
	for id, o := range orgs {
		pairs = append(pairs, id, o.Name)
	}
	for id, mt := range p.Meetings {
		pairs = append(pairs, id, "„"+mt.Name+"“ ("+s.format(mt.Start, "02.01.2006")+")")
	}
	p.readable = readableIDs(pairs)
	p.orgNames = names(orgs)
	if p.Can(string(motion.CmdSchedule)) {
		now := time.Now()
		for _, k := range p.Open() {
			if _, ok := p.Upcoming[k.OrganizationID]; ok {
				continue
			}
			p.Past[k.OrganizationID], p.Upcoming[k.OrganizationID], err = s.schedulable(ctx, m.BodyID, k.OrganizationID, now)
			if err != nil {
				return nil, nil, err
			}
		}
	}
	return p, orgs, nil
}

// schedulableUpcoming is how many upcoming meetings a schedule form offers.
const schedulableUpcoming = 50

// schedulable reads an organization's meetings of the past year and ahead,
// not cancelled, in one query, and splits them as the domain does
// (motion.SameDayOrLater): past are those of an earlier Berlin day, which
// take an item only with a reason (Nacherfassung), newest first;
// upcoming those of today or later, soonest first.
func (s *server) schedulable(ctx context.Context, bodyID, org string, now time.Time) (past, upcoming []store.Meeting, err error) {
	from := now.AddDate(-1, 0, 0)
	ms, _, err := s.store.Meetings(ctx, store.MeetingFilter{BodyIDs: []string{bodyID}, OrganizationID: org, From: &from, Limit: store.MaxLimit})
	if err != nil {
		return nil, nil, err
	}
	for _, x := range ms {
		switch {
		case x.Cancelled:
		case motion.SameDayOrLater(x.Start, now):
			if len(upcoming) < schedulableUpcoming {
				upcoming = append(upcoming, x)
			}
		default:
			past = append(past, x)
		}
	}
	slices.Reverse(past)
	return past, upcoming, nil
}

func (s *server) showMotion(w http.ResponseWriter, r *http.Request) {
	m, err := s.visibleMotion(r.Context(), r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderMotion(w, r, http.StatusOK, m, nil)
}

// renderMotion shows the motion's page, with a refused form if any.
func (s *server) renderMotion(w http.ResponseWriter, r *http.Request, status int, m motion.Motion, refused *Form) {
	s.renderMotionWith(w, r, status, m, refused, nil)
}

// renderMotionWith shows the motion's page, with a refused action form or
// notes form if any.
func (s *server) renderMotionWith(w http.ResponseWriter, r *http.Request, status int, m motion.Motion, refused *Form, note *noteForm) {
	p, orgs, err := s.loadMotionPage(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if note != nil {
		p.Notes.Form = *note
	}
	p.NoteSaved = r.Method == http.MethodGet && r.URL.Query().Get("notiz") == "1"
	if r.Method == http.MethodGet {
		if ok := r.URL.Query().Get("ok"); commandLabels[motion.CommandName(ok)] != "" {
			p.Done, p.Flash = motion.CommandName(ok), flashOf(r)
		}
	}
	if refused != nil {
		p.forms[formKey(refused.Command, refused.Target)] = refused
		if !p.Can(string(refused.Command)) {
			p.Refused = refused
		}
	}
	title := m.Title
	if m.Reference != "" {
		title = m.Reference + " – " + m.Title
	}
	s.render(w, r, status, "motion", page{Title: title, Nav: "antraege", Orgs: names(orgs), Data: p})
}

// printPage is the printable motion.
type printPage struct {
	M           motion.Motion
	Faction     store.Organization
	Body        store.Body
	Attachments []attachmentView
	// Text is the numbered text, the amendments and the resolution text.
	Text amendmentsData
}

func (s *server) printMotion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m, err := s.visibleMotion(ctx, r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orgs, err := s.orgs(ctx, m.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := printPage{M: m, Faction: orgs[m.Faction]}
	if p.Faction.ID == "" {
		p.Faction = store.Organization{ID: m.Faction, Name: m.Faction}
	}
	if m.ByCouncillors() {
		// The sender of a motion of councillors: its signers by name.
		var ns []string
		for _, sg := range m.Signers {
			ns = append(ns, sg.Name)
		}
		p.Faction = store.Organization{Name: motion.OriginatorCouncillors.Label() + ": " + strings.Join(ns, ", ")}
	}
	p.Body, _ = s.store.Body(ctx, m.BodyID)
	for _, at := range m.Attachments {
		p.Attachments = append(p.Attachments, s.attachmentView(at))
	}
	if p.Text, err = s.loadAmendments(ctx, &m, actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	title := "Antrag: " + m.Title
	if m.Status == motion.StatusDraft {
		title = "Entwurf: " + m.Title
	}
	s.render(w, r, http.StatusOK, "print", page{Title: title, Orgs: names(orgs), Data: p})
}

// readableIDs replaces ids (pairs of id, name) by names, longer ids first so
// that an id that is part of another is not replaced inside it.
func readableIDs(pairs []string) *strings.Replacer {
	type kv struct{ k, v string }
	var kvs []kv
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != "" {
			kvs = append(kvs, kv{pairs[i], pairs[i+1]})
		}
	}
	slices.SortFunc(kvs, func(a, b kv) int { return len(b.k) - len(a.k) })
	var args []string
	for _, x := range kvs {
		args = append(args, x.k, x.v)
	}
	return strings.NewReplacer(args...)
}

// routeRow is one row of the route form: the select's value and the index
// of the steps field it stands for (where its messages are shown).
type routeRow struct {
	Index int
	Value string
}

// RouteRows lays out the route form: the advising gremia first, in the
// order of consultation, and the deciding one last, as the domain wants it
// (motion.SetRoute: exactly one decides, the last). The browser posts the
// rows in this order, so the hidden decisive index is the last row's; the
// rows keep the index of the value they show, so that a refusal's message
// stands at the select the user filled in.
func (p *motionPage) RouteRows(f *Form) routeLayout {
	var advising []routeRow
	var deciding routeRow
	vals := f.Vals("steps")
	if len(vals) > routeRows {
		vals = vals[:routeRows]
	}
	d, err := strconv.Atoi(f.Val("decisive"))
	if err != nil || d < 0 || d >= len(vals) {
		d = -1
		for i, v := range vals {
			if strings.TrimSpace(v) != "" {
				d = i
			}
		}
	}
	used := map[int]bool{}
	for i, v := range vals {
		if i == d {
			deciding = routeRow{Index: i, Value: v}
		} else {
			advising = append(advising, routeRow{Index: i, Value: v})
		}
		used[i] = true
	}
	if d < 0 {
		deciding.Index = -1
	}
	free := func() int {
		for i := range routeRows {
			if !used[i] {
				used[i] = true
				return i
			}
		}
		return -1
	}
	if deciding.Index < 0 {
		deciding.Index = free()
	}
	for len(advising) < routeRows-1 {
		advising = append(advising, routeRow{Index: free()})
	}
	return routeLayout{Advising: advising, Deciding: deciding}
}

// routeLayout is the route form's rows: the advising gremia, then the deciding one.
type routeLayout struct {
	Advising []routeRow
	Deciding routeRow
}

// RouteDecisive is the value of the route form's decisive field: the index
// of its last row, the deciding gremium's.
func (p *motionPage) RouteDecisive() int { return routeRows - 1 }

// Name is a row's field name ("steps[2]"), for its id and message.
func (r routeRow) Name() string { return "steps[" + strconv.Itoa(r.Index) + "]" }

// downloads are the links to a page's table as CSV and as XLSX.
type downloads struct{ CSV, XLSX string }

// downloadLinks are the council office's links to the list at path with
// the query q (its filters; without the page cursor), nil for everybody
// else. The page answers them itself (download), with the caller's session.
func downloadLinks(a motion.Actor, path string, q url.Values) *downloads {
	if a.Anonymous() || !a.Has(motion.RoleCouncilOffice) {
		return nil
	}
	link := func(format string) string {
		nq := url.Values{}
		for k, vs := range q {
			if k != "weiter" && k != "ok" && k != "format" {
				nq[k] = vs
			}
		}
		nq.Set("format", format)
		return path + "?" + nq.Encode()
	}
	return &downloads{CSV: link("csv"), XLSX: link("xlsx")}
}

// downloadTypes are the formats of ?format= and their media types.
var downloadTypes = map[string]string{"csv": export.CSVType, "xlsx": export.XLSXType}

// download answers a page's table as a file in format ("csv" or "xlsx"),
// encoded as the API's exports (export.Encode): rows reads the table; more
// rows than export.MaxRows are refused (422) with the advice to narrow the
// filters.
func (s *server) download(w http.ResponseWriter, r *http.Request, format, base, sheet string, rows func() ([][]string, error)) {
	s.downloadTable(w, r, format, base, func() (export.Table, error) {
		table, err := rows()
		return export.Table{Sheet: sheet, Rows: table}, err
	})
}

// downloadTable is download for a table with figures and bold rows
// (export.Table); table answers export.ErrTooMany beyond export.MaxRows.
func (s *server) downloadTable(w http.ResponseWriter, r *http.Request, format, base string, table func() (export.Table, error)) {
	mediaType, ok := downloadTypes[format]
	if !ok {
		s.errorPage(w, r, http.StatusBadRequest, "Unbekanntes Format", "Herunterladen lässt sich die Liste als CSV (format=csv) oder als Excel-Datei (format=xlsx).")
		return
	}
	t, err := table()
	if errors.Is(err, export.ErrTooMany) {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "Zu viele Zeilen",
			"Die Liste hat mehr als "+strconv.Itoa(export.MaxRows)+" Zeilen. Bitte schränken Sie die Filter ein und laden Sie sie dann herunter.")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ct, ext, body, err := export.EncodeTable(mediaType, t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+base+"."+ext+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// sendPDF answers a list's PDF (not cached: the list changes with every
// step), named base.pdf.
func (s *server) sendPDF(w http.ResponseWriter, r *http.Request, base string, pdf []byte, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+base+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodHead {
		_, _ = w.Write(pdf)
	}
}

// Originator says who moved the motion, as the page names it: the faction
// or committee by name ("Fraktion X" unless its name says so already), or
// "Mitglieder des Gemeinderats"; a single councillor's inquiry names that
// councillor.
func (p *motionPage) Originator() string {
	m := &p.M
	kind := motion.OriginatorFaction
	if m.Originator != nil {
		kind = m.Originator.Kind
	}
	if kind == motion.OriginatorCouncillors {
		if len(m.Signers) == 1 && m.Signers[0].Name != "" {
			return m.Signers[0].Name + " (Mitglied des Gemeinderats)"
		}
		return kind.Label()
	}
	if m.Faction == "" {
		return kind.Label()
	}
	name := orgName(p.orgNames, m.Faction)
	if strings.Contains(strings.ToLower(name), strings.ToLower(kind.Label())) {
		return name
	}
	return kind.Label() + " " + name
}

// Received says how a paper submission reached the council office:
// "eingegangen am 01.12.2026 per Brief" (or "…, persönlich abgegeben").
func (p *motionPage) Received() string {
	if p.M.Originator == nil || p.M.Originator.Paper == nil {
		return ""
	}
	pp := p.M.Originator.Paper
	out := "eingegangen am " + p.format(pp.ReceivedAt, "02.01.2006")
	if pp.Channel == "in_person" {
		return out + ", " + motion.ChannelLabel(pp.Channel)
	}
	return out + " per " + motion.ChannelLabel(pp.Channel)
}

// format writes a time in the configured zone (Berlin).
func (p *motionPage) format(t time.Time, layout string) string {
	if p.loc == nil {
		return t.In(motion.Berlin).Format(layout)
	}
	return t.In(p.loc).Format(layout)
}

// Signed counts the signatures given.
func (p *motionPage) Signed() int { return p.M.Signed() }

// Quorum is how many signatures the motion needs (at least one).
func (p *motionPage) Quorum() int { return max(p.M.Quorum, 1) }

// Invitations are the co-sponsor invitations the caller reads
// (motion.Motion.InvitationsFor).
func (p *motionPage) Invitations() []motion.Invitation { return p.M.InvitationsFor(p.viewer) }

// Light is the traffic light of the motion's implementation now ("" when
// it is not being implemented).
func (p *motionPage) Light() motion.Light { return p.M.Light(p.now) }

// LightWord is the light's colour as a word: the page never says it by
// colour alone.
func (p *motionPage) LightWord() string { return p.Light().Word() }

// PointText is the text of resolution point n (from 1).
func (p *motionPage) PointText(n int) string {
	if n >= 1 && n <= len(p.M.ResolutionPoints) {
		return p.M.ResolutionPoints[n-1]
	}
	return ""
}

// Overdue reports whether a point not yet done is past its target date.
func (p *motionPage) Overdue(pt motion.PointProgress) bool {
	return pt.Overdue(p.now)
}

// ReportRows are the rows of the implementation report form, one per
// resolution point, with the input names of each.
func (p *motionPage) ReportRows() []reportRow {
	var out []reportRow
	for i, pt := range reportRowsOf(&p.M) {
		out = append(out, reportRow{Index: i, Point: pt, Text: p.PointText(pt.Point)})
	}
	return out
}

// PointStates are the states a report can give a point.
func (p *motionPage) PointStates() []motion.PointState { return motion.PointStates }

// reportRow is one resolution point in the implementation report form.
type reportRow struct {
	Index int
	Point motion.PointProgress
	Text  string
}

// Name is the name of one of the row's inputs ("points[2].state").
func (r reportRow) Name(sub string) string { return "points[" + strconv.Itoa(r.Index) + "]" + sub }
