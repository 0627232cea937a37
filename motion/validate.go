package motion

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what a motion may hold; the API documents and enforces the same.
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

func (c Content) validate(f *fields) {
	title := strings.TrimSpace(c.Title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		f.add("title", "fehlt")
	case n < 3:
		f.add("title", "mindestens 3 Zeichen")
	case n > MaxTitle:
		f.add("title", "höchstens %d Zeichen", MaxTitle)
	}
	checkText(f, "title", c.Title)
	if len(c.ResolutionPoints) > MaxResolutionPoints {
		f.add("resolution_points", "höchstens %d Punkte", MaxResolutionPoints)
	}
	for i, p := range c.ResolutionPoints {
		name := fmt.Sprintf("resolution_points[%d]", i)
		if strings.TrimSpace(p) == "" {
			f.add(name, "ist leer")
		} else if utf8.RuneCountInString(p) > MaxPoint {
			f.add(name, "höchstens %d Zeichen", MaxPoint)
		}
		checkText(f, name, p)
	}
	if utf8.RuneCountInString(c.Justification) > MaxJustification {
		f.add("justification", "höchstens %d Zeichen", MaxJustification)
	}
	checkText(f, "justification", c.Justification)
	if len(c.Tags) > MaxTags {
		f.add("tags", "höchstens %d Schlagworte", MaxTags)
	}
	for i, t := range c.Tags {
		name := fmt.Sprintf("tags[%d]", i)
		if n := utf8.RuneCountInString(strings.TrimSpace(t)); n == 0 || n > MaxTag {
			f.add(name, "1 bis %d Zeichen", MaxTag)
		}
		checkText(f, name, t)
	}
	for name, v := range map[string]string{
		"budget_cycle": c.BudgetCycle, "amends": c.Amends,
		"addressed_department": c.AddressedDepartment, "target_meeting": c.TargetMeeting,
	} {
		if utf8.RuneCountInString(v) > MaxShort {
			f.add(name, "höchstens %d Zeichen", MaxShort)
		}
		checkText(f, name, v)
	}
	if len(c.Signatories) > MaxSignatories {
		f.add("signatories", "höchstens %d", MaxSignatories)
	}
	for i, s := range c.Signatories {
		if n := utf8.RuneCountInString(strings.TrimSpace(s)); n == 0 || n > MaxShort {
			f.add(fmt.Sprintf("signatories[%d]", i), "1 bis %d Zeichen", MaxShort)
		}
	}
	if len(c.Attachments) > MaxAttachments {
		f.add("attachments", "höchstens %d", MaxAttachments)
	}
	for i, a := range c.Attachments {
		name := fmt.Sprintf("attachments[%d]", i)
		if n := utf8.RuneCountInString(strings.TrimSpace(a.Name)); n == 0 || n > 255 {
			f.add(name+".name", "1 bis 255 Zeichen")
		}
		if a.URL != "" && !validURL(a.URL) {
			f.add(name+".url", "keine gültige http(s)-Adresse")
		}
		if a.Size < 0 {
			f.add(name+".size", "darf nicht negativ sein")
		}
	}
}

// validateComplete checks what a motion needs before it can be submitted.
func (c Content) validateComplete(k Kind, f *fields) {
	c.validate(f)
	if len(c.ResolutionPoints) == 0 {
		if k == KindInquiry {
			f.add("resolution_points", "eine Anfrage braucht mindestens eine Frage")
		} else {
			f.add("resolution_points", "mindestens ein Beschlusspunkt")
		}
	}
	if k == KindBudgetMotion && strings.TrimSpace(c.BudgetCycle) == "" {
		f.add("budget_cycle", "ein Haushaltsantrag nennt die Haushaltsberatung")
	}
	if k == KindAmendment && strings.TrimSpace(c.Amends) == "" {
		f.add("amends", "ein Änderungsantrag nennt, was er ändert")
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
	return c
}

func (in ResultInput) validate(f *fields) {
	if !in.Result.Valid() {
		f.add("result", "unbekanntes Ergebnis %q", in.Result)
	}
	if len(in.Links) > maxLinks {
		f.add("links", "höchstens %d", maxLinks)
	}
	for i, l := range in.Links {
		name := fmt.Sprintf("links[%d]", i)
		if l.MotionID == "" && l.Reference == "" && l.URL == "" {
			f.add(name, "nennt weder Antrag, Aktenzeichen noch Adresse")
		}
		if l.URL != "" && !validURL(l.URL) {
			f.add(name+".url", "keine gültige http(s)-Adresse")
		}
		for field, v := range map[string]string{"motion_id": l.MotionID, "reference": l.Reference, "title": l.Title} {
			if utf8.RuneCountInString(v) > MaxShort {
				f.add(name+"."+field, "höchstens %d Zeichen", MaxShort)
			}
		}
	}
	if in.Result == ResultSettledByOtherResolutions {
		if len(in.Links) == 0 {
			f.add("links", "„erledigt durch andere Beschlüsse“ nennt mindestens einen erledigenden Beschluss")
		}
		if in.OriginatorAgreed == nil {
			f.add("originator_agreed", "anzugeben, ob die Antragsteller zugestimmt haben")
		}
	}
	if in.Result == ResultReferred && strings.TrimSpace(in.ReferredTo) == "" {
		f.add("referred_to", "eine Verweisung nennt das Gremium")
	}
	if utf8.RuneCountInString(in.Note) > maxReason {
		f.add("note", "höchstens %d Zeichen", maxReason)
	}
	if in.Vote != nil {
		in.Vote.validate(f)
	}
}

// validateFor checks that the result fits the consultation's organization.
func (in ResultInput) validateFor(k *Consultation, f *fields) {
	switch {
	case in.Result.Recommendation() && k.Decisive:
		f.add("result", "das beschließende Gremium empfiehlt nicht, es beschließt")
	case (in.Result == ResultAdopted || in.Result == ResultAdoptedAmended || in.Result == ResultRejected) && !k.Decisive:
		f.add("result", "ein vorberatendes Gremium beschließt nicht, es empfiehlt")
	case in.Result == ResultReferred && in.ReferredTo == k.OrganizationID:
		f.add("referred_to", "Verweisung an dasselbe Gremium")
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
		f.add("vote", "Stimmen können nicht negativ sein")
		return
	}
	if v.Yes+v.No+v.Abstain > maxVoters {
		f.add("vote", "mehr als %d Stimmen", maxVoters)
	}
	if v.Unanimous && v.No > 0 {
		f.add("vote.unanimous", "einstimmig, aber mit Gegenstimmen")
	}
	if len(v.ByFaction) > 0 {
		var y, n, a int
		for i, fv := range v.ByFaction {
			if fv.OrganizationID == "" {
				f.add(fmt.Sprintf("vote.by_faction[%d].organization_id", i), "fehlt")
			}
			if fv.Yes < 0 || fv.No < 0 || fv.Abstain < 0 {
				f.add(fmt.Sprintf("vote.by_faction[%d]", i), "Stimmen können nicht negativ sein")
			}
			y, n, a = y+fv.Yes, n+fv.No, a+fv.Abstain
		}
		if y != v.Yes || n != v.No || a != v.Abstain {
			f.add("vote.by_faction", "die Summe der Fraktionen (%d/%d/%d) weicht vom Ergebnis (%d/%d/%d) ab", y, n, a, v.Yes, v.No, v.Abstain)
		}
	}
	if len(v.Named) > 0 {
		if len(v.Named) > maxVoters {
			f.add("vote.named", "höchstens %d", maxVoters)
			return
		}
		count := map[string]int{}
		for i, nv := range v.Named {
			if !slices.Contains([]string{"yes", "no", "abstain", "absent"}, nv.Vote) {
				f.add(fmt.Sprintf("vote.named[%d].vote", i), "yes, no, abstain oder absent")
			}
			if strings.TrimSpace(nv.Name) == "" || utf8.RuneCountInString(nv.Name) > MaxShort {
				f.add(fmt.Sprintf("vote.named[%d].name", i), "1 bis %d Zeichen", MaxShort)
			}
			count[nv.Vote]++
		}
		if count["yes"] != v.Yes || count["no"] != v.No || count["abstain"] != v.Abstain ||
			(v.Absent != nil && count["absent"] != *v.Absent) {
			f.add("vote.named", "die namentlichen Stimmen passen nicht zum Ergebnis")
		}
	}
}

func requireText(field, v string, max int) error {
	var f fields
	if strings.TrimSpace(v) == "" {
		f.add(field, "fehlt")
	} else if utf8.RuneCountInString(v) > max {
		f.add(field, "höchstens %d Zeichen", max)
	}
	checkText(&f, field, v)
	return f.err()
}

func limitText(field, v string, max int) error {
	var f fields
	if utf8.RuneCountInString(v) > max {
		f.add(field, "höchstens %d Zeichen", max)
	}
	checkText(&f, field, v)
	return f.err()
}

// checkText refuses invalid UTF-8 and control characters other than line breaks and tabs.
func checkText(f *fields, field, v string) {
	if !utf8.ValidString(v) {
		f.add(field, "kein gültiger UTF-8-Text")
		return
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			f.add(field, "enthält Steuerzeichen")
			return
		}
	}
}

func validURL(s string) bool {
	if len(s) > 2000 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
