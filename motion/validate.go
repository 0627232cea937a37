package motion

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits on what a motion may hold; the API documents and enforces the same.
// Every string is checked in one place, checkTexts (text.go); the checks
// here are those of structure and meaning.
const (
	MaxTitle            = 300
	MaxResolutionPoints = 50
	MaxPoint            = 10000
	MaxJustification    = 100000
	MaxTags             = 30
	MaxTag              = 80
	MaxShort            = 200
	MaxSignatories      = 100
	MaxAttachments      = 20
	maxCosponsors       = 10
	maxRoute            = 20
	maxReason           = 5000
	maxText             = 100000
	maxLinks            = 50
	maxVoters           = 1000
)

// validate checks the content beyond its texts.
func (c Content) validate(f *fields) {
	for i, a := range c.Attachments {
		if a.Size < 0 {
			f.add(fieldIndex("attachments", i)+".size", "Die Größe der %s Anlage darf nicht negativ sein.", ordinal(i))
		}
	}
	c.validateChanges(f)
	c.Budget.validate("budget", f)
}

// validateComplete checks what a motion needs before it can be submitted:
// its texts again (a draft stored before a rule was tightened must not be
// submitted with text it would no longer accept), then completeness.
func (c Content) validateComplete(k Kind, f *fields) {
	var t texts
	cc := c.clone()
	t.content(&cc)
	*f = append(*f, t.f...)
	c.validate(f)
	if len(c.ResolutionPoints) == 0 && !(k == KindAmendment && len(c.Changes) > 0) {
		if k == KindInquiry {
			f.add("resolution_points", "Eine Anfrage braucht mindestens eine Frage.")
		} else {
			f.add("resolution_points", "Der Antrag braucht mindestens einen Beschlusspunkt.")
		}
	}
	if k == KindBudgetMotion && strings.TrimSpace(c.BudgetCycle) == "" {
		f.add("budget_cycle", "Ein Haushaltsantrag nennt die Haushaltsberatung, zu der er gestellt wird; bitte geben Sie sie an.")
	}
	if k == KindAmendment && strings.TrimSpace(c.Amends) == "" {
		f.add("amends", "Ein Änderungsantrag nennt den Antrag oder die Vorlage, die er ändert.")
	}
	if k != KindAmendment && len(c.Changes) > 0 {
		f.add("changes", "Nur ein Änderungsantrag ändert Zeilen eines anderen Antrags; bitte wählen Sie die Art „Änderungsantrag“.")
	}
	if k != KindBudgetMotion && k != KindAmendment && c.Budget != nil && len(c.Budget.Items) > 0 {
		f.add("budget", "Beträge für den Haushalt nennt ein Haushaltsantrag (oder ein Änderungsantrag zu ihm); bitte wählen Sie die Art „Haushaltsantrag“.")
	}
}

// normalized trims surrounding blanks and drops duplicate tags.
func (c Content) normalized() Content {
	c.Title = strings.TrimSpace(c.Title)
	c.ResolutionPoints = slices.Clone(c.ResolutionPoints)
	for i := range c.ResolutionPoints {
		c.ResolutionPoints[i] = strings.TrimSpace(c.ResolutionPoints[i])
	}
	c.Justification = strings.TrimSpace(c.Justification)
	var tags []string
	for _, t := range c.Tags {
		t = strings.TrimSpace(t)
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	c.Tags = tags
	c.Signatories = slices.Clone(c.Signatories)
	c.Attachments = slices.Clone(c.Attachments)
	c.Changes = slices.Clone(c.Changes)
	for i := range c.Changes {
		c.Changes[i].Text = strings.TrimSpace(c.Changes[i].Text)
	}
	c.AmendedPoints = slices.Clone(c.AmendedPoints)
	c.Budget = c.Budget.clone()
	return c
}

func (in ResultInput) validate(f *fields) {
	if !in.Result.Valid() {
		f.add("result", "Das Ergebnis ist unbekannt.")
	}
	for i, l := range in.Links {
		if l.MotionID == "" && l.Reference == "" && l.URL == "" {
			f.add(fieldIndex("links", i), "Dieser Beschluss braucht ein Aktenzeichen oder eine Adresse; ein Titel allein genügt nicht.")
		}
	}
	if in.Result == ResultSettledByOtherResolutions {
		if len(in.Links) == 0 {
			f.add("links", "Das Ergebnis „erledigt durch andere Beschlüsse“ nennt mindestens einen erledigenden Beschluss; bitte geben Sie sein Aktenzeichen oder seine Adresse an.")
		}
		if in.OriginatorAgreed == nil {
			f.add("originator_agreed", "Bitte geben Sie an, ob die Antragsteller der Erledigung durch andere Beschlüsse zugestimmt haben (Ja oder Nein).")
		}
	}
	if in.Result == ResultReferred && strings.TrimSpace(in.ReferredTo) == "" {
		f.add("referred_to", "Bitte wählen Sie das Gremium, an das der Antrag verwiesen wird.")
	}
	if in.Vote != nil {
		in.Vote.validate(f)
	}
}

// checkPlausibility refuses a result that contradicts its own tally and a
// vote that names a voter or a faction twice. Apply runs it with the text
// checks, before the command's own validation; a workflow replaying a history
// recorded before these checks existed leaves them out (Request.Accepted).
func checkPlausibility(cmd Command) error {
	var in *ResultInput
	switch c := cmd.(type) {
	case RecordResult:
		in = &c.ResultInput
	case CorrectResult:
		in = &c.ResultInput
	default:
		return nil
	}
	var f fields
	if in.Vote != nil {
		in.checkMajority(&f)
		in.Vote.checkTwice(&f)
	}
	return f.err()
}

// checkTwice refuses a faction named twice in the per-faction votes and a
// person named twice in the named votes.
func (v *Vote) checkTwice(f *fields) {
	seen := map[string]bool{}
	for i, fv := range v.ByFaction {
		if id := strings.TrimSpace(fv.OrganizationID); id != "" {
			if seen[id] {
				f.add(fieldIndex("vote.by_faction", i)+".organization_id", "Die Fraktion in Zeile %d der Fraktionsstimmen ist schon genannt.", i+1)
			}
			seen[id] = true
		}
	}
	voted := map[string]bool{}
	for i, nv := range v.Named {
		if field, key := namedVoter(nv); key != "" {
			if voted[key] {
				f.add(fieldIndex("vote.named", i)+"."+field, "Die %s namentliche Stimme nennt eine Person, die schon abgestimmt hat.", ordinal(i))
			}
			voted[key] = true
		}
	}
}

// checkMajority refuses a result that contradicts its tally under the
// default majority rule of a council (§ 37 Abs. 6 GemO BW): a motion is
// adopted, and a committee recommends approval, only with more yes than no
// votes; abstentions do not count, and a tie is a rejection. It speaks only
// for results that state a decision, and only when a tally is given (yes or
// no votes counted): a unanimous vote without numbers has nothing to weigh.
func (in ResultInput) checkMajority(f *fields) {
	v := in.Vote
	if v.Yes < 0 || v.No < 0 || v.Yes+v.No == 0 {
		return
	}
	carried := v.Yes > v.No
	switch in.Result {
	case ResultAdopted, ResultAdoptedAmended:
		if !carried {
			f.add("result", "Ein Beschluss braucht mehr Ja- als Nein-Stimmen; bei Stimmengleichheit ist der Antrag abgelehnt.")
		}
	case ResultRecommendApproval, ResultRecommendAmended:
		if !carried {
			f.add("result", "Eine Empfehlung zur Zustimmung braucht mehr Ja- als Nein-Stimmen; bei Stimmengleichheit ist die Zustimmung nicht empfohlen.")
		}
	case ResultRejected:
		if carried {
			f.add("result", "Mit mehr Ja- als Nein-Stimmen ist der Antrag angenommen, nicht abgelehnt.")
		}
	case ResultRecommendRejection:
		if carried {
			f.add("result", "Mit mehr Ja- als Nein-Stimmen ist die Zustimmung empfohlen, nicht die Ablehnung.")
		}
	}
}

// validateFor checks that the result fits the consultation's organization.
func (in ResultInput) validateFor(k *Consultation, f *fields) {
	switch {
	case in.Result.Recommendation() && k.Decisive:
		f.add("result", "Dieses Gremium beschließt über den Antrag; bitte wählen Sie einen Beschluss statt einer Empfehlung.")
	case (in.Result == ResultAdopted || in.Result == ResultAdoptedAmended || in.Result == ResultRejected) && !k.Decisive:
		f.add("result", "Dieses Gremium berät den Antrag nur vor; bitte wählen Sie eine Empfehlung statt eines Beschlusses.")
	case in.Result == ResultReferred && in.ReferredTo == k.OrganizationID:
		f.add("referred_to", "Ein Gremium kann den Antrag nicht an sich selbst verweisen.")
	}
}

func (in ResultInput) record(meeting string, at time.Time) ResultRecord {
	return ResultRecord{
		Result: in.Result, Vote: in.Vote, Links: slices.Clone(in.Links),
		OriginatorAgreed: in.OriginatorAgreed, ReferredTo: in.ReferredTo,
		Note: in.Note, MeetingID: meeting, RecordedAt: at,
	}
}

func (v *Vote) validate(f *fields) {
	if v.Yes < 0 || v.No < 0 || v.Abstain < 0 || (v.Absent != nil && *v.Absent < 0) {
		f.add("vote", "Stimmenzahlen können nicht negativ sein.")
		return
	}
	if v.Yes > maxVoters || v.No > maxVoters || v.Abstain > maxVoters || v.Yes+v.No+v.Abstain > maxVoters ||
		(v.Absent != nil && *v.Absent > maxVoters) {
		f.add("vote", "Eine Abstimmung zählt höchstens %d Stimmen.", maxVoters)
		return
	}
	if v.Unanimous && v.No > 0 {
		f.add("vote.unanimous", "Einstimmig ist ein Ergebnis nur ohne Nein-Stimmen.")
	}
	if len(v.ByFaction) > 0 {
		var y, n, a int
		for i, fv := range v.ByFaction {
			if fv.Yes < 0 || fv.No < 0 || fv.Abstain < 0 {
				f.add(fieldIndex("vote.by_faction", i), "Stimmenzahlen können nicht negativ sein.")
				continue
			}
			if fv.Yes > maxVoters || fv.No > maxVoters || fv.Abstain > maxVoters {
				f.add(fieldIndex("vote.by_faction", i), "Eine Abstimmung zählt höchstens %d Stimmen.", maxVoters)
				continue
			}
			y, n, a = y+fv.Yes, n+fv.No, a+fv.Abstain
		}
		if y != v.Yes || n != v.No || a != v.Abstain {
			f.add("vote.by_faction", "Die Stimmen der Fraktionen ergeben zusammen %s, das Ergebnis nennt aber %s.", tally(y, n, a), tally(v.Yes, v.No, v.Abstain))
		}
	}
	if len(v.Named) > 0 {
		count := map[string]int{}
		for i, nv := range v.Named {
			if !slices.Contains([]string{"yes", "no", "abstain", "absent"}, nv.Vote) {
				f.add(fieldIndex("vote.named", i)+".vote", "Die %s namentliche Stimme muss „yes“ (Ja), „no“ (Nein), „abstain“ (Enthaltung) oder „absent“ (abwesend) lauten.", ordinal(i))
			}
			count[nv.Vote]++
		}
		if count["yes"] != v.Yes || count["no"] != v.No || count["abstain"] != v.Abstain ||
			(v.Absent != nil && count["absent"] != *v.Absent) {
			f.add("vote.named", "Die namentlichen Stimmen passen nicht zum Ergebnis; bitte prüfen Sie die Zahl der Ja- und Nein-Stimmen, Enthaltungen und Abwesenden.")
		}
	}
}

// tally writes counted votes for a message: "9 Ja, 5 Nein und 1 Enthaltung".
func tally(yes, no, abstain int) string {
	abstentions := "Enthaltungen"
	if abstain == 1 {
		abstentions = "Enthaltung"
	}
	return fmt.Sprintf("%d Ja, %d Nein und %d %s", yes, no, abstain, abstentions)
}

// namedVoter returns how a named vote names its voter, for finding a person
// named twice: by the directory's person id if it has one, else by name
// (blanks and case aside); "" when it names nobody.
func namedVoter(nv NamedVote) (field, key string) {
	if id := strings.TrimSpace(nv.PersonID); id != "" {
		return "person_id", "id:" + id
	}
	if name := strings.Join(strings.Fields(nv.Name), " "); name != "" {
		return "name", "name:" + strings.ToLower(name)
	}
	return "", ""
}

// fieldIndex names item i of a list field: "links[2]".
func fieldIndex(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

func validURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
