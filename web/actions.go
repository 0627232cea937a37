package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
)

// routeRows is how many steps the route form offers.
const routeRows = 4

var resultFields = []string{"consultation_id", "result", "vote", "vote.yes", "vote.no", "vote.abstain", "vote.absent",
	"vote.unanimous", "vote.by_faction", "vote.named", "links", "originator_agreed", "referred_to", "note"}

// commandFields are the inputs of each action's form, where the domain's
// field messages are shown.
var commandFields = map[motion.CommandName][]string{
	motion.CmdInviteCosponsor:      {"faction"},
	motion.CmdDeclareInadmissible:  {"reason"},
	motion.CmdLapse:                {"reason"},
	motion.CmdWithdraw:             {"reason"},
	motion.CmdSetRoute:             {"steps", "steps[0]", "steps[1]", "steps[2]", "steps[3]"},
	motion.CmdSchedule:             {"consultation_id", "meeting_id", "override"},
	motion.CmdRecordResult:         append(slices.Clone(resultFields), "override"),
	motion.CmdCorrectResult:        append(slices.Clone(resultFields), "reason"),
	motion.CmdRecordStatement:      append([]string{"text"}, budgetItemFields("estimate")...),
	motion.CmdRecordAnswer:         {"text"},
	motion.CmdReportImplementation: reportFields,
	motion.CmdRecordOutcome:        {"result", "links", "originator_agreed", "note"},
	motion.CmdClose:                {"note"},
	motion.CmdSetDeadline:          {"key", "due", "reason"},
	motion.CmdDeclineCosponsorship: {"reason"},
	motion.CmdSetDepartments:       {"lead", "involved"},
	motion.CmdRegister:             {"lead_department", "involved_departments"},
	motion.CmdSign:                 {"signers"},
}

// reportFields are the inputs of the implementation report: its text and,
// per resolution point (its row, counted from 0), state, target date, note
// and reason (points[i].reason).
var reportFields = func() []string {
	out := []string{"text", "points"}
	for i := 0; i < motion.MaxResolutionPoints; i++ {
		for _, sub := range []string{"", ".state", ".target_date", ".note", ".reason"} {
			out = append(out, fmt.Sprintf("points[%d]%s", i, sub))
		}
	}
	return out
}()

// defaults fills a fresh form with the motion's current values.
func defaults(f *Form, m *motion.Motion, target string) {
	switch f.Command {
	case motion.CmdSetRoute:
		i := 0
		for _, k := range m.Consultations {
			if k.Status.Closed() || i >= routeRows {
				continue
			}
			f.Values.Add("steps", k.OrganizationID)
			if k.Decisive {
				f.Values.Set("decisive", strconv.Itoa(i))
			}
			i++
		}
	case motion.CmdSchedule:
		if k := m.Consultation(target); k != nil {
			f.Values.Set("meeting_id", k.MeetingID)
		}
	case motion.CmdCorrectResult:
		if k := m.Consultation(target); k != nil && k.Record != nil {
			fillResult(f, k.Record)
		}
	case motion.CmdSetDepartments:
		f.Values.Set("lead", m.LeadDepartment)
		f.Values["involved"] = slices.Clone(m.InvolvedDepartments)
	case motion.CmdReportImplementation:
		for i, p := range reportRowsOf(m) {
			n := fmt.Sprintf("points[%d]", i)
			f.Values.Set(n+".state", string(p.State))
			f.Values.Set(n+".reason", p.Reason)
			if p.TargetDate != nil {
				f.Values.Set(n+".target_date", p.TargetDate.In(motion.Berlin).Format("2006-01-02"))
			}
		}
	}
}

// fillResult puts a recorded result into a result form (for corrections).
func fillResult(f *Form, rec *motion.ResultRecord) {
	f.Values.Set("result", string(rec.Result))
	f.Values.Set("note", rec.Note)
	f.Values.Set("referred_to", rec.ReferredTo)
	if rec.OriginatorAgreed != nil {
		f.Values.Set("originator_agreed", map[bool]string{true: "ja", false: "nein"}[*rec.OriginatorAgreed])
	}
	for _, l := range rec.Links {
		f.Values.Add("link.reference", l.Reference)
		f.Values.Add("link.title", l.Title)
		f.Values.Add("link.url", l.URL)
	}
	if v := rec.Vote; v != nil {
		f.Values.Set("vote.yes", strconv.Itoa(v.Yes))
		f.Values.Set("vote.no", strconv.Itoa(v.No))
		f.Values.Set("vote.abstain", strconv.Itoa(v.Abstain))
		if v.Absent != nil {
			f.Values.Set("vote.absent", strconv.Itoa(*v.Absent))
		}
		if v.Unanimous {
			f.Values.Set("vote.unanimous", "1")
		}
		for _, fv := range v.ByFaction {
			f.Values.Set("fv.yes."+fv.OrganizationID, strconv.Itoa(fv.Yes))
			f.Values.Set("fv.no."+fv.OrganizationID, strconv.Itoa(fv.No))
			f.Values.Set("fv.abstain."+fv.OrganizationID, strconv.Itoa(fv.Abstain))
		}
		var lines []string
		for _, n := range v.Named {
			lines = append(lines, n.Name+": "+motion.VoteLabel(n.Vote))
		}
		f.Values.Set("vote.named", strings.Join(lines, "\n"))
	}
}

// action runs one command from a motion's (or a meeting's) form.
func (s *server) action(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	name := motion.CommandName(r.PathValue("cmd"))
	if _, ok := commandLabels[name]; !ok || motion.Creating(name) || name == motion.CmdEdit {
		s.notFound(w, r)
		return
	}
	if s.requireLogin(w, r) {
		return
	}
	if !s.readForm(w, r) {
		return
	}
	m, err := s.visibleMotion(ctx, r.PathValue("id"), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	target := strings.TrimSpace(r.PostForm.Get("consultation_id"))
	f := newForm(name, target)
	f.ID = formID(m.ID, name, target)
	f.MotionID = m.ID
	f.Fields = commandFields[name]
	if name == motion.CmdSubmit {
		f.Editor = motionPath(m.ID) + "/bearbeiten"
	}
	f.Values = r.PostForm
	back := localPath(r.PostForm.Get("zurueck"))
	if back == "" {
		back = motionPath(m.ID)
	}
	version, verr := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	cmd := s.parseCommand(r, f, &m)
	refuse := func(status int) {
		// A fresh key: the refused request did not apply, a new try is a new request.
		f.Key = newKey()
		f.Version = m.Version
		if fresh, err := s.store.Motion(ctx, m.ID); err == nil && fresh.VisibleTo(a) {
			m = fresh
			f.Version = m.Version
		}
		if strings.HasPrefix(back, "/sitzungen/") {
			s.renderMeetingWithForm(w, r, status, strings.TrimPrefix(back, "/sitzungen/"), f)
			return
		}
		s.renderMotion(w, r, status, m, f)
	}
	if verr != nil || version <= 0 {
		f.Message = "Die Version des Antrags fehlt im Formular. Bitte laden Sie die Seite neu."
		refuse(http.StatusPreconditionFailed)
		return
	}
	if f.Failed() || cmd == nil {
		refuse(http.StatusUnprocessableEntity)
		return
	}
	// What the command names must be there (store.CheckReferences); its
	// refusal is shown like the workflow's. A command bound to a meeting
	// carries its start, as from the API (store.WithMeetingStart).
	err = s.store.CheckReferences(ctx, &m, cmd, a, version)
	if err == nil {
		cmd, err = s.store.WithMeetingStart(ctx, &m, cmd)
	}
	var after motion.Motion
	if err == nil {
		after, err = s.motions.Send(ctx, m.ID, cmd, workflows.Meta{Actor: a, ExpectedVersion: version, RequestID: requestKey(a, r.PostForm.Get("key"))})
	}
	if err != nil {
		var me *motion.Error
		if !errors.As(err, &me) {
			s.fail(w, r, err)
			return
		}
		if me.Code == motion.CodeNotFound {
			s.notFound(w, r)
			return
		}
		switch cmd.Name() {
		case motion.CmdSetRoute:
			err = routeFieldsToRows(me, r.PostForm["steps"])
		case motion.CmdReportImplementation:
			err = pointFieldsToRows(me, reportRows(cmd))
		}
		f.fail(err)
		refuse(problem.Status(me.Code))
		return
	}
	// A step after which the caller no longer sees the motion (a faction
	// that declined to co-sponsor a draft) leads to the list of motions.
	if after.ID != "" && !after.VisibleTo(a) {
		http.Redirect(w, r, withOK("/antraege", string(name)), http.StatusSeeOther)
		return
	}
	// Back on the motion's page, the browser returns to the step just
	// taken (its section, or the top of the actions if it is gone).
	if back == motionPath(m.ID) {
		back += "#" + stepAnchor(name, target)
	}
	http.Redirect(w, r, withOK(back, string(name)), http.StatusSeeOther)
}

var stepIndex = regexp.MustCompile(`^steps\[(\d+)\]`)

// routeFieldsToRows renumbers the domain's steps[i] (counted over the filled
// rows) to the form's rows, which may have blank ones in between.
func routeFieldsToRows(me *motion.Error, rows []string) error {
	var filled []int
	for i, v := range rows {
		if strings.TrimSpace(v) != "" {
			filled = append(filled, i)
		}
	}
	out := *me
	out.Fields = slices.Clone(me.Fields)
	for i, fe := range out.Fields {
		if m := stepIndex.FindStringSubmatch(fe.Field); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n < len(filled) {
				out.Fields[i].Field = fmt.Sprintf("steps[%d]", filled[n]) + fe.Field[len(m[0]):]
			}
		}
	}
	return &out
}

// parseCommand reads the command from the form; problems the web layer
// finds itself (a number that is none) are recorded on f.
func (s *server) parseCommand(r *http.Request, f *Form, m *motion.Motion) motion.Command {
	v := f.Values
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	switch f.Command {
	case motion.CmdInviteCosponsor:
		return motion.InviteCosponsor{Faction: get("faction")}
	case motion.CmdSubmit:
		return motion.Submit{}
	case motion.CmdRegister:
		return motion.Register{LeadDepartment: get("lead_department"), InvolvedDepartments: nonEmpty(v["involved_departments"])}
	case motion.CmdSign:
		return motion.Sign{}
	case motion.CmdAcceptCosponsorship:
		return motion.AcceptCosponsorship{}
	case motion.CmdDeclineCosponsorship:
		return motion.DeclineCosponsorship{Reason: get("reason")}
	case motion.CmdSetDepartments:
		return motion.SetDepartments{Lead: get("lead"), Involved: nonEmpty(v["involved"])}
	case motion.CmdDeclareInadmissible:
		return motion.DeclareInadmissible{Reason: get("reason")}
	case motion.CmdLapse:
		return motion.Lapse{Reason: get("reason")}
	case motion.CmdWithdraw:
		return motion.Withdraw{Reason: get("reason")}
	case motion.CmdSetRoute:
		var c motion.SetRoute
		decisive := get("decisive")
		for i, org := range v["steps"] {
			if org = strings.TrimSpace(org); org == "" {
				if decisive == strconv.Itoa(i) {
					f.invalid(fmt.Sprintf("steps[%d]", i), "Bitte wählen Sie das beschließende Gremium.")
				}
				continue
			}
			c.Steps = append(c.Steps, motion.RouteStep{OrganizationID: org, Decisive: decisive == strconv.Itoa(i)})
		}
		return c
	case motion.CmdSchedule:
		return motion.Schedule{ConsultationID: f.Target, MeetingID: get("meeting_id"), Override: get("override")}
	case motion.CmdRecordResult:
		return motion.RecordResult{ConsultationID: f.Target, ResultInput: s.parseResult(r, f, m), Override: get("override")}
	case motion.CmdCorrectResult:
		return motion.CorrectResult{ConsultationID: f.Target, Reason: get("reason"), ResultInput: s.parseResult(r, f, m)}
	case motion.CmdRecordStatement:
		// The administration's estimate of a budget motion's effect, in
		// the inputs estimate_year, estimate_amount, … (see Form.BudgetRows).
		checkBudgetInput(f, "estimate")
		return motion.RecordStatement{Text: get("text"), Estimate: formBudget(f, "estimate")}
	case motion.CmdRecordAnswer:
		return motion.RecordAnswer{Text: get("text")}
	case motion.CmdReportImplementation:
		return s.parseReport(f, m)
	case motion.CmdRecordOutcome:
		in := s.parseResult(r, f, m)
		return motion.RecordOutcome{Result: in.Result, Links: in.Links, OriginatorAgreed: in.OriginatorAgreed, Note: in.Note}
	case motion.CmdStartImplementation:
		return motion.StartImplementation{}
	case motion.CmdClose:
		return motion.Close{Note: get("note")}
	case motion.CmdSetDeadline:
		c := motion.SetDeadline{Key: get("key"), Reason: get("reason")}
		date, clock := get("due"), get("due_time")
		if clock == "" {
			clock = "23:59"
		}
		if date != "" {
			day, err := s.parseDay(date)
			hm, err2 := time.Parse("15:04", clock)
			if err != nil || err2 != nil {
				f.invalid("due", "Bitte geben Sie ein gültiges Datum und eine gültige Uhrzeit an.")
			} else {
				c.Due = time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, s.loc)
			}
		}
		return c
	}
	return nil
}

// parseResult reads a result with its vote, links and agreement.
func (s *server) parseResult(r *http.Request, f *Form, m *motion.Motion) motion.ResultInput {
	v := f.Values
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	in := motion.ResultInput{Result: motion.Result(get("result")), ReferredTo: get("referred_to"), Note: get("note")}
	switch get("originator_agreed") {
	case "ja":
		t := true
		in.OriginatorAgreed = &t
	case "nein":
		no := false
		in.OriginatorAgreed = &no
	}
	refs, titles, urls := v["link.reference"], v["link.title"], v["link.url"]
	for i := 0; i < max(len(refs), len(titles), len(urls)); i++ {
		at := func(vs []string) string {
			if i < len(vs) {
				return strings.TrimSpace(vs[i])
			}
			return ""
		}
		l := motion.Link{Reference: at(refs), Title: at(titles), URL: at(urls)}
		if l == (motion.Link{}) {
			continue
		}
		if l.Reference != "" {
			if other, err := s.store.MotionByReference(r.Context(), m.BodyID, l.Reference); err == nil && other.VisibleTo(actorOf(r)) {
				l.MotionID, l.Reference = other.ID, other.Reference
				if l.Title == "" {
					l.Title = other.Title
				}
			}
		}
		in.Links = append(in.Links, l)
	}

	var vote motion.Vote
	any := false
	num := func(field string) int {
		n, ok := formInt(f, field, v.Get(field))
		any = any || ok
		return n
	}
	vote.Yes, vote.No, vote.Abstain = num("vote.yes"), num("vote.no"), num("vote.abstain")
	if n, ok := formInt(f, "vote.absent", v.Get("vote.absent")); ok {
		vote.Absent, any = &n, true
	}
	if get("vote.unanimous") != "" {
		vote.Unanimous, any = true, true
	}
	orgs, _ := s.orgs(r.Context(), m.BodyID)
	for _, o := range ofKind(orgs, store.OrgFaction) {
		y, oy := formInt(f, "vote.by_faction", v.Get("fv.yes."+o.ID))
		n, on := formInt(f, "vote.by_faction", v.Get("fv.no."+o.ID))
		ab, oa := formInt(f, "vote.by_faction", v.Get("fv.abstain."+o.ID))
		if oy || on || oa {
			vote.ByFaction = append(vote.ByFaction, motion.FactionVote{OrganizationID: o.ID, Yes: y, No: n, Abstain: ab})
			any = true
		}
	}
	for i, line := range strings.Split(strings.ReplaceAll(v.Get("vote.named"), "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, word, ok := cutLast(line)
		code := namedVote(word)
		if !ok || name == "" || code == "" {
			f.invalid("vote.named", fmt.Sprintf("Zeile %d ist nicht lesbar: Bitte schreiben Sie den Namen, einen Doppelpunkt und „ja“, „nein“, „Enthaltung“ oder „abwesend“, zum Beispiel „Eva Muster: ja“.", i+1))
			continue
		}
		vote.Named = append(vote.Named, motion.NamedVote{Name: name, Vote: code})
		any = true
	}
	if any {
		in.Vote = &vote
	}
	return in
}

// cutLast splits "Dr. Eva Muster: ja" at its last colon.
func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", "", false
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
}

func namedVote(w string) string {
	switch strings.ToLower(strings.TrimSpace(w)) {
	case "ja", "yes":
		return "yes"
	case "nein", "no":
		return "no"
	case "enthaltung", "enthalten", "abstain":
		return "abstain"
	case "abwesend", "absent":
		return "absent"
	}
	return ""
}

// reportRowsOf are the rows of the implementation report form: the motion's
// resolution points as the Beschlusskontrolle follows them, or (before the
// follow-up opened them) its resolution points, all open.
func reportRowsOf(m *motion.Motion) []motion.PointProgress {
	if len(m.Points) > 0 {
		return m.Points
	}
	var out []motion.PointProgress
	for i := range m.ResolutionPoints {
		out = append(out, motion.PointProgress{Point: i + 1, State: motion.PointOpen})
	}
	return out
}

// parseReport reads the implementation report: its text and, for every
// row the department changed (another state, a new target date, a note or,
// for a point that cannot be carried out, its reason), what it says of that
// point. Rows left as they were are not reported again, so the notes of a
// point record only what a report said of it.
func (s *server) parseReport(f *Form, m *motion.Motion) motion.Command {
	c := motion.ReportImplementation{Text: strings.TrimSpace(strings.ReplaceAll(f.Val("text"), "\r\n", "\n"))}
	for i, row := range reportRowsOf(m) {
		n := fmt.Sprintf("points[%d]", i)
		state := motion.PointState(strings.TrimSpace(f.Val(n + ".state")))
		if state == "" {
			state = row.State
		}
		note := strings.TrimSpace(strings.ReplaceAll(f.Val(n+".note"), "\r\n", "\n"))
		reason := strings.TrimSpace(strings.ReplaceAll(f.Val(n+".reason"), "\r\n", "\n"))
		var target *time.Time
		if d := strings.TrimSpace(f.Val(n + ".target_date")); d != "" {
			day, err := s.parseDay(d)
			if err != nil {
				f.invalid(n+".target_date", fmt.Sprintf("Bitte geben Sie für den %d. Beschlusspunkt ein gültiges Zieldatum an, zum Beispiel 31.03.2027.", row.Point))
				continue
			}
			target = &day
		}
		newTarget := target != nil && (row.TargetDate == nil || s.format(*row.TargetDate, "2006-01-02") != s.format(*target, "2006-01-02"))
		if state == row.State && note == "" && !newTarget && (state != motion.PointNotFeasible || reason == row.Reason) {
			continue
		}
		if !newTarget {
			target = nil
		}
		c.Points = append(c.Points, motion.PointReport{Point: row.Point, State: state, TargetDate: target, Note: note, Reason: reason})
	}
	return c
}

// reportRows are the form rows (from 0) of the points a report names, in
// the order it names them.
func reportRows(cmd motion.Command) []int {
	c, _ := cmd.(motion.ReportImplementation)
	var out []int
	for _, p := range c.Points {
		out = append(out, p.Point-1)
	}
	return out
}

var pointIndex = regexp.MustCompile(`^points\[(\d+)\]`)

// pointFieldsToRows renumbers the domain's points[k] (counted over the
// points the report names) to the form's rows, one per resolution point.
func pointFieldsToRows(me *motion.Error, rows []int) error {
	out := *me
	out.Fields = slices.Clone(me.Fields)
	for i, fe := range out.Fields {
		if m := pointIndex.FindStringSubmatch(fe.Field); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n < len(rows) {
				out.Fields[i].Field = fmt.Sprintf("points[%d]", rows[n]) + fe.Field[len(m[0]):]
			}
		}
	}
	return &out
}
