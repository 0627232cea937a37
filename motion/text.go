package motion

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every string that enters a command passes through checkTexts before the
// command is applied: the one validation of text in motionflow. Its invariant
// is "accepted ⇒ projectable": what it lets through can be written into
// PostgreSQL (no NUL, valid UTF-8, bounded lengths that fit its indexes and
// its full-text search) and into one-line formats such as iCalendar
// properties and e-mail headers (no line breaks in names and titles).
// store/projectable_fuzz_test.go holds the invariant against the database.

// textKind is what shape of text a field takes.
type textKind uint8

const (
	// textLine is one line: a title, a name, a tag, an id, a reference. No
	// control character at all: a line break in a title would end the line of
	// an iCalendar SUMMARY or an e-mail Subject it is written into.
	textLine textKind = iota
	// textProse is running text over several lines: a justification, a
	// resolution point, a reason, a statement. Line feeds and tabs are
	// allowed; a CRLF (as browsers send a textarea) or a lone CR is read as a
	// line feed, so that no CR is ever stored.
	textProse
)

// need says whether a text may be empty.
type need uint8

const (
	optional need = iota
	// required: the field must say something ("Der Titel fehlt.").
	required
	// filled: an item of a list, which is there and must not be blank
	// ("Der 2. Beschlusspunkt ist leer.").
	filled
)

// MaxResolutionPointsTotal bounds all resolution points together, so that a
// motion's searchable text (title, points, justification, tags) stays well
// inside what PostgreSQL's full-text search can index (1 MiB of lexemes).
const MaxResolutionPointsTotal = 100000

// Limits of the fields that are not the draft's content.
const (
	// maxID bounds ids of bodies, organizations, meetings and consultations.
	maxID = MaxShort
	// maxDepartments bounds the departments involved in a motion.
	maxDepartments = 20
	// maxAttachmentName bounds a file name.
	maxAttachmentName = 255
	// maxURL bounds an http(s) address.
	maxURL = 2000
	// maxFactionVotes bounds the per-faction lines of a tally.
	maxFactionVotes = 100
	// maxActorText bounds what the identity provider says of the caller
	// (issuer, subject, name) and the request id; the audit trail indexes
	// subject and request id, and an index entry holds at most 2704 bytes.
	maxActorText = 500
	// maxActorBodies bounds the bodies a caller belongs to.
	maxActorBodies = 100
)

// texts collects the field errors of one command's strings.
type texts struct{ f fields }

// line checks a one-line text.
func (t *texts) line(field, label string, v *string, max int, n need) bool {
	return t.check(field, label, textLine, v, max, n)
}

// prose checks a text of several lines and normalises its line breaks.
func (t *texts) prose(field, label string, v *string, max int, n need) bool {
	return t.check(field, label, textProse, v, max, n)
}

// check reports at most one error per field (the first that applies), with
// a short German sentence naming the field by label; it never repeats the
// rejected value. It reports whether the text is acceptable.
func (t *texts) check(field, label string, kind textKind, v *string, max int, n need) bool {
	s := *v
	if !utf8.ValidString(s) {
		t.f.add(field, "%s ist kein gültiger UTF-8-Text.", label)
		return false
	}
	if kind == textProse && strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		*v = s
	}
	for _, r := range s {
		switch {
		case kind == textLine && lineBreak(r):
			t.f.add(field, "%s darf keine Zeilenumbrüche enthalten.", label)
			return false
		case kind == textProse && (r == '\n' || r == '\t'):
		case unicode.IsControl(r):
			t.f.add(field, "%s darf keine Steuerzeichen enthalten.", label)
			return false
		}
	}
	switch {
	case n == required && strings.TrimSpace(s) == "":
		t.f.add(field, "%s fehlt.", label)
		return false
	case n == filled && strings.TrimSpace(s) == "":
		t.f.add(field, "%s ist leer.", label)
		return false
	case utf8.RuneCountInString(s) > max:
		t.f.add(field, "%s darf höchstens %d Zeichen lang sein.", label, max)
		return false
	}
	return true
}

// lineBreak reports whether r ends a line somewhere: LF, CR, NEL, and the
// Unicode line and paragraph separators.
func lineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// count checks the length of a list; items beyond the limit are not looked
// at, so that a refusal stays short however long the list.
func (t *texts) count(field, plural string, n, max int) bool {
	if n > max {
		t.f.add(field, "Es sind höchstens %d %s möglich.", max, plural)
		return false
	}
	return true
}

// url checks an optional http(s) address.
func (t *texts) url(field, label string, v *string) {
	if t.line(field, label, v, maxURL, optional) && *v != "" && !validURL(*v) {
		t.f.add(field, "%s ist keine gültige http(s)-Adresse.", label)
	}
}

// ordinal writes "2." for index 1: lists count from one for people.
func ordinal(i int) string { return fmt.Sprintf("%d.", i+1) }

// content checks what a faction writes.
func (t *texts) content(c *Content) {
	title := strings.TrimSpace(c.Title)
	if t.line("title", "Der Titel", &c.Title, MaxTitle, required) && utf8.RuneCountInString(title) < 3 {
		t.f.add("title", "Der Titel muss mindestens 3 Zeichen lang sein.")
	}
	if t.count("resolution_points", "Beschlusspunkte", len(c.ResolutionPoints), MaxResolutionPoints) {
		total := 0
		for i := range c.ResolutionPoints {
			t.prose(fmt.Sprintf("resolution_points[%d]", i), "Der "+ordinal(i)+" Beschlusspunkt",
				&c.ResolutionPoints[i], MaxPoint, filled)
			total += utf8.RuneCountInString(c.ResolutionPoints[i])
		}
		if total > MaxResolutionPointsTotal {
			t.f.add("resolution_points", "Die Beschlusspunkte dürfen zusammen höchstens %d Zeichen lang sein.", MaxResolutionPointsTotal)
		}
	}
	t.prose("justification", "Die Begründung", &c.Justification, MaxJustification, optional)
	if t.count("tags", "Schlagworte", len(c.Tags), MaxTags) {
		for i := range c.Tags {
			t.line(fmt.Sprintf("tags[%d]", i), "Das "+ordinal(i)+" Schlagwort", &c.Tags[i], MaxTag, filled)
		}
	}
	t.line("budget_cycle", "Die Haushaltsberatung", &c.BudgetCycle, MaxShort, optional)
	t.line("amends", "Die Angabe, was der Antrag ändert,", &c.Amends, MaxShort, optional)
	if t.count("changes", "Änderungen", len(c.Changes), MaxChanges) {
		c.Changes = slices.Clone(c.Changes)
		for i := range c.Changes {
			t.line(fieldIndex("changes", i)+".op", "Die Art der "+ordinal(i)+" Änderung", (*string)(&c.Changes[i].Op), MaxShort, required)
			t.prose(fieldIndex("changes", i)+".text", "Der neue Text der "+ordinal(i)+" Änderung", &c.Changes[i].Text, MaxPoint, optional)
		}
	}
	if t.count("amended_points", "Beschlusspunkte des geänderten Antrags", len(c.AmendedPoints), MaxResolutionPoints) {
		c.AmendedPoints = slices.Clone(c.AmendedPoints)
		for i := range c.AmendedPoints {
			t.prose(fieldIndex("amended_points", i), "Der "+ordinal(i)+" Beschlusspunkt des geänderten Antrags", &c.AmendedPoints[i], MaxPoint, filled)
		}
	}
	c.Budget = t.budget("budget", c.Budget)
	t.line("addressed_department", "Das Dezernat", &c.AddressedDepartment, maxID, optional)
	t.line("target_meeting", "Die Zielsitzung", &c.TargetMeeting, maxID, optional)
	if t.count("signatories", "Unterzeichnende", len(c.Signatories), MaxSignatories) {
		for i := range c.Signatories {
			t.line(fmt.Sprintf("signatories[%d]", i), "Der Name der oder des "+ordinal(i)+" Unterzeichnenden",
				&c.Signatories[i], MaxShort, filled)
		}
	}
	if t.count("attachments", "Anlagen", len(c.Attachments), MaxAttachments) {
		for i := range c.Attachments {
			a, name, of := &c.Attachments[i], fmt.Sprintf("attachments[%d]", i), " der "+ordinal(i)+" Anlage"
			t.line(name+".name", "Der Name"+of, &a.Name, maxAttachmentName, required)
			t.url(name+".url", "Die Adresse"+of, &a.URL)
			t.line(name+".content_type", "Der Inhaltstyp"+of, &a.ContentType, MaxShort, optional)
			if t.line(name+".sha256", "Die Prüfsumme"+of, &a.SHA256, 64, optional) && a.SHA256 != "" && !sha256Hex(a.SHA256) {
				t.f.add(name+".sha256", "Die Prüfsumme%s ist keine SHA-256-Prüfsumme (64 Hexadezimalziffern, klein geschrieben).", of)
			}
		}
	}
}

// budget checks the texts of a financial effect and returns a copy with
// them normalised.
func (t *texts) budget(field string, b *BudgetEffect) *BudgetEffect {
	b = b.clone()
	if b == nil {
		return nil
	}
	t.line(field+".product", "Das Produkt oder der Teilhaushalt", &b.Product, MaxShort, optional)
	if t.count(field+".items", "Beträge", len(b.Items), MaxBudgetItems) {
		for i := range b.Items {
			name := fieldIndex(field+".items", i)
			t.line(name+".plan", "Der Haushalt des "+ordinal(i)+" Betrags", (*string)(&b.Items[i].Plan), MaxShort, optional)
			t.line(name+".purpose", "Der Zweck des "+ordinal(i)+" Betrags", &b.Items[i].Purpose, MaxShort, optional)
		}
	}
	return b
}

func sha256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// links checks the motions or resolutions a result names.
func (t *texts) links(ls []Link) {
	if !t.count("links", "Verweise", len(ls), maxLinks) {
		return
	}
	for i := range ls {
		l, name, of := &ls[i], fmt.Sprintf("links[%d]", i), " des "+ordinal(i)+" Verweises"
		t.line(name+".motion_id", "Die Antrags-Id"+of, &l.MotionID, maxID, optional)
		t.line(name+".reference", "Das Aktenzeichen"+of, &l.Reference, MaxShort, optional)
		t.line(name+".title", "Der Titel"+of, &l.Title, MaxShort, optional)
		t.url(name+".url", "Die Adresse"+of, &l.URL)
	}
}

// result checks a recorded or corrected result. The vote is copied before
// its names are normalised, so that the caller's command stays as it was.
func (t *texts) result(in *ResultInput) {
	t.links(in.Links)
	t.line("referred_to", "Das Gremium, an das verwiesen wird,", &in.ReferredTo, maxID, optional)
	t.prose("note", "Der Vermerk", &in.Note, maxReason, optional)
	if in.Vote == nil {
		return
	}
	if t.count("vote.by_faction", "Zeilen der Fraktionsstimmen", len(in.Vote.ByFaction), maxFactionVotes) {
		for i := range in.Vote.ByFaction {
			t.line(fmt.Sprintf("vote.by_faction[%d].organization_id", i), "Die Fraktion in Zeile "+fmt.Sprint(i+1)+" der Fraktionsstimmen",
				&in.Vote.ByFaction[i].OrganizationID, maxID, required)
		}
	}
	if t.count("vote.named", "namentliche Stimmen", len(in.Vote.Named), maxVoters) {
		for i := range in.Vote.Named {
			nv, name, of := &in.Vote.Named[i], fmt.Sprintf("vote.named[%d]", i), " der "+ordinal(i)+" namentlichen Stimme"
			t.line(name+".name", "Der Name"+of, &nv.Name, MaxShort, required)
			t.line(name+".person_id", "Die Personen-Id"+of, &nv.PersonID, maxID, optional)
			t.line(name+".vote", "Die Stimme"+of, &nv.Vote, MaxShort, optional)
		}
	}
}

// clone copies what result may change in place, so that the caller's
// command keeps its own slices.
func (in ResultInput) clone() ResultInput {
	in.Links = append([]Link(nil), in.Links...)
	if in.Vote != nil {
		v := *in.Vote
		v.ByFaction = append([]FactionVote(nil), v.ByFaction...)
		v.Named = append([]NamedVote(nil), v.Named...)
		in.Vote = &v
	}
	return in
}

// clone copies the content's slices.
func (c Content) clone() Content {
	c.ResolutionPoints = append([]string(nil), c.ResolutionPoints...)
	c.Tags = append([]string(nil), c.Tags...)
	c.Signatories = append([]string(nil), c.Signatories...)
	c.Attachments = append([]Attachment(nil), c.Attachments...)
	c.Changes = append([]Change(nil), c.Changes...)
	c.AmendedPoints = append([]string(nil), c.AmendedPoints...)
	c.Budget = c.Budget.clone()
	return c
}

// checkTexts checks every string of the command and returns the command with
// its prose normalised (see textProse), or a refusal naming each bad field.
// A command it does not know is refused: a new command must list its strings
// here before it can be applied.
func checkTexts(cmd Command) (Command, error) {
	var t texts
	switch c := cmd.(type) {
	case Create:
		t.line("body_id", "Die Körperschaft", &c.BodyID, maxID, required)
		t.line("kind", "Die Art", (*string)(&c.Kind), MaxShort, optional)
		c.Content = c.Content.clone()
		t.content(&c.Content)
		c.Signers = slices.Clone(c.Signers)
		checkSigners(&t, c.Signers)
		cmd = c
	case EnterSubmission:
		t.line("body_id", "Die Körperschaft", &c.BodyID, maxID, required)
		t.line("kind", "Die Art", (*string)(&c.Kind), MaxShort, optional)
		c.Content = c.Content.clone()
		t.content(&c.Content)
		t.line("originator", "Die Angabe, wer den Antrag gestellt hat,", (*string)(&c.Originator), MaxShort, optional)
		t.line("organization", "Die Fraktion oder der Ausschuss", &c.Organization, maxID, optional)
		c.Signers = slices.Clone(c.Signers)
		checkSigners(&t, c.Signers)
		t.line("paper.submitted_by", "Die Angabe, wer den Antrag eingereicht hat,", &c.Paper.SubmittedBy, MaxShort, required)
		t.line("paper.channel", "Der Eingangsweg", &c.Paper.Channel, MaxShort, optional)
		t.line("paper.entered_by", "Die erfassende Person", &c.Paper.EnteredBy, MaxShort, optional)
		cmd = c
	case Sign, AcceptCosponsorship:
	case DeclineCosponsorship:
		t.prose("reason", "Die Begründung", &c.Reason, maxReason, optional)
		cmd = c
	case SetDepartments:
		t.line("lead", "Das federführende Dezernat", &c.Lead, maxID, required)
		c.Involved = slices.Clone(c.Involved)
		if t.count("involved", "beteiligte Dezernate", len(c.Involved), maxDepartments) {
			for i := range c.Involved {
				t.line(fieldIndex("involved", i), "Das "+ordinal(i)+" beteiligte Dezernat", &c.Involved[i], maxID, filled)
			}
		}
		cmd = c
	case Edit:
		c.Content = c.Content.clone()
		t.content(&c.Content)
		cmd = c
	case InviteCosponsor:
		t.line("faction", "Die Fraktion", &c.Faction, maxID, required)
		cmd = c
	case Submit, StartImplementation:
	case Register:
		t.line("reference", "Das Aktenzeichen", &c.Reference, MaxShort, required)
		t.line("lead_department", "Das federführende Dezernat", &c.LeadDepartment, maxID, optional)
		c.InvolvedDepartments = slices.Clone(c.InvolvedDepartments)
		if t.count("involved_departments", "beteiligte Dezernate", len(c.InvolvedDepartments), maxDepartments) {
			for i := range c.InvolvedDepartments {
				t.line(fieldIndex("involved_departments", i), "Das "+ordinal(i)+" beteiligte Dezernat", &c.InvolvedDepartments[i], maxID, filled)
			}
		}
		cmd = c
	case DeclareInadmissible:
		t.prose("reason", "Die Begründung", &c.Reason, maxReason, required)
		cmd = c
	case SetRoute:
		if t.count("steps", "Gremien in der Beratungsfolge", len(c.Steps), maxRoute) {
			for i := range c.Steps {
				t.line(fmt.Sprintf("steps[%d].organization_id", i), "Das Gremium im "+ordinal(i)+" Schritt",
					&c.Steps[i].OrganizationID, maxID, required)
			}
		}
	case Schedule:
		t.line("consultation_id", "Die Beratung", &c.ConsultationID, maxID, required)
		t.line("meeting_id", "Die Sitzung", &c.MeetingID, maxID, required)
		t.prose("override", "Der Grund der Nacherfassung", &c.Override, maxReason, optional)
		cmd = c
	case RecordResult:
		t.line("consultation_id", "Die Beratung", &c.ConsultationID, maxID, required)
		c.ResultInput = c.ResultInput.clone()
		t.line("result", "Das Ergebnis", (*string)(&c.Result), MaxShort, optional)
		t.result(&c.ResultInput)
		t.prose("override", "Die Begründung der Abweichung von der Beratungsfolge", &c.Override, maxReason, optional)
		if t.count("open_amendments", "offene Änderungsanträge", len(c.OpenAmendments), maxLinks) {
			c.OpenAmendments = slices.Clone(c.OpenAmendments)
			for i := range c.OpenAmendments {
				t.line(fieldIndex("open_amendments", i), "Der "+ordinal(i)+" offene Änderungsantrag", &c.OpenAmendments[i], MaxShort, filled)
			}
		}
		cmd = c
	case RecordStatement:
		t.prose("text", "Die Stellungnahme", &c.Text, maxText, required)
		c.Estimate = t.budget("estimate", c.Estimate)
		cmd = c
	case RecordAnswer:
		t.prose("text", "Die Antwort", &c.Text, maxText, required)
		cmd = c
	case RecordOutcome:
		in := ResultInput{Result: c.Result, Links: c.Links, Note: c.Note}.clone()
		t.line("result", "Das Ergebnis", (*string)(&in.Result), MaxShort, optional)
		t.result(&in)
		c.Links, c.Note = in.Links, in.Note
		cmd = c
	case ReportImplementation:
		t.prose("text", "Der Bericht", &c.Text, maxText, optional)
		c.Points = slices.Clone(c.Points)
		if t.count("points", "Beschlusspunkte im Bericht", len(c.Points), MaxResolutionPoints) {
			for i := range c.Points {
				p, field := &c.Points[i], fieldIndex("points", i)
				t.line(field+".state", "Der Stand des Beschlusspunkts", (*string)(&p.State), MaxShort, optional)
				t.prose(field+".note", "Der Vermerk zum Beschlusspunkt", &p.Note, maxReason, optional)
				t.prose(field+".reason", "Die Begründung, warum der Beschlusspunkt nicht umsetzbar ist,", &p.Reason, maxReason, optional)
			}
		}
		cmd = c
	case Close:
		t.prose("note", "Der Vermerk", &c.Note, maxReason, optional)
		cmd = c
	case Withdraw:
		t.prose("reason", "Die Begründung", &c.Reason, maxReason, optional)
		cmd = c
	case CorrectResult:
		t.line("consultation_id", "Die Beratung", &c.ConsultationID, maxID, required)
		t.prose("reason", "Die Begründung der Korrektur", &c.Reason, maxReason, required)
		c.ResultInput = c.ResultInput.clone()
		t.line("result", "Das Ergebnis", (*string)(&c.Result), MaxShort, optional)
		t.result(&c.ResultInput)
		cmd = c
	case SetDeadline:
		t.line("key", "Die Frist", &c.Key, MaxShort, required)
		t.prose("reason", "Die Begründung", &c.Reason, maxReason, required)
		cmd = c
	case Lapse:
		t.prose("reason", "Die Begründung", &c.Reason, maxReason, required)
		cmd = c
	default:
		return nil, refuse(CodeInvalid, "Diesen Befehl gibt es nicht.")
	}
	if err := t.f.err(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// checkRequest checks what the request carries besides the command: the
// caller as the identity provider describes it and the request id. They end
// up in the audit trail, so they must be projectable too; a refusal names no
// field, since the caller cannot change them in the request.
func checkRequest(req Request) error {
	var t texts
	a := req.Actor
	for _, v := range []string{a.Subject, a.Issuer, a.Name, req.RequestID} {
		t.line("actor", "Die Anmeldung", &v, maxActorText, optional)
	}
	// Faction and department become the motion's faction and reminder audiences.
	for _, v := range []string{a.Faction, a.Department} {
		t.line("actor", "Die Anmeldung", &v, maxID, optional)
	}
	if t.count("actor", "Körperschaften", len(a.Bodies), maxActorBodies) {
		for _, v := range a.Bodies {
			t.line("actor", "Die Anmeldung", &v, maxID, optional)
		}
	}
	if len(t.f) > 0 {
		return refuse(CodeInvalid, "Die Angaben der Anmeldung (Name, Fraktion, Kennung) oder die Request-ID enthalten ungültige Zeichen oder sind zu lang; bitte beim Betrieb melden.")
	}
	return nil
}

// CheckLine checks a one-line text that is not part of a command, such as
// the name of a meeting or an organization, by the rules of the commands'
// texts; a refusal is an Invalid *Error naming field.
func CheckLine(field, label, v string, max int, required bool) error {
	var t texts
	n := optional
	if required {
		n = filled
	}
	t.line(field, label, &v, max, n)
	return t.f.err()
}

// OneLine turns line breaks and other control characters into spaces: for
// writing text stored before these checks, or imported from elsewhere, into a
// one-line format (an iCalendar SUMMARY, an e-mail Subject).
func OneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) && !strings.ContainsFunc(s, lineBreak) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || lineBreak(r) {
			return ' '
		}
		return r
	}, s)
}
