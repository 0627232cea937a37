package motion

import "slices"

// NoteVisibility says who reads a note on a motion. Notes are comments
// beside the process: they change nothing of the motion, so they are kept
// apart from its state and history (the read model's motion_notes), and
// these rules decide who writes and reads them.
type NoteVisibility string

// The visibilities of notes.
const (
	// NoteSponsors: the motion's sponsors among themselves (its factions'
	// staff, its signing councillors), e.g. comments on a draft.
	NoteSponsors NoteVisibility = "sponsors"
	// NoteInternal: between the council office and the administration;
	// never shown to the factions or the public.
	NoteInternal NoteVisibility = "internal"
	// NotePublic: a public comment, where the body allows them; shown to
	// everybody once the council office approved it.
	NotePublic NoteVisibility = "public"
)

// NoteVisibilities lists every visibility.
var NoteVisibilities = []NoteVisibility{NoteSponsors, NoteInternal, NotePublic}

// Label is the visibility in German.
func (v NoteVisibility) Label() string {
	switch v {
	case NoteSponsors:
		return "nur für die Antragsteller"
	case NoteInternal:
		return "Ratsbüro und Verwaltung"
	case NotePublic:
		return "öffentlicher Kommentar"
	}
	return string(v)
}

// MaxNote bounds the text of a note.
const MaxNote = 5000

// internalRoles write and read internal notes.
var internalRoles = []Role{RoleCouncilOffice, RoleAdministration}

// MayReadNotes reports whether a reads the notes of visibility v on m (for
// public comments: the approved ones; see MayModerate).
func (m *Motion) MayReadNotes(a Actor, v NoteVisibility) bool {
	if !m.VisibleTo(a) {
		return false
	}
	switch v {
	case NoteSponsors:
		return m.SponsoredBy(a)
	case NoteInternal:
		return m.Public() && slices.ContainsFunc(internalRoles, a.Has)
	case NotePublic:
		return m.Public()
	}
	return false
}

// MayModerate reports whether a approves or rejects public comments on m
// and sees those waiting: the council office.
func (m *Motion) MayModerate(a Actor) bool {
	return m.Public() && a.Has(RoleCouncilOffice) && a.InBody(m.BodyID)
}

// CheckNote decides whether a may write a note of visibility v on m, where
// publicComments says whether the body takes public comments, and returns
// its text checked and normalised. A refusal is an *Error: NotFound for a
// motion a does not see, Forbidden for a visibility a may not write,
// Invalid (naming the field) for a bad text or visibility.
func (m *Motion) CheckNote(a Actor, v NoteVisibility, text string, publicComments bool) (string, error) {
	if m.Version == 0 || !m.VisibleTo(a) {
		return "", refuse(CodeNotFound, "Antrag nicht gefunden.")
	}
	if a.Anonymous() {
		return "", refuse(CodeForbidden, "Bitte melden Sie sich an.")
	}
	if !slices.Contains(NoteVisibilities, v) {
		return "", Invalid("visibility", "Bitte wählen Sie, wer die Notiz lesen soll: die Antragsteller, Ratsbüro und Verwaltung oder die Öffentlichkeit.")
	}
	ok := false
	switch v {
	case NoteSponsors, NoteInternal:
		ok = m.MayReadNotes(a, v)
	case NotePublic:
		ok = m.Public() && a.InBody(m.BodyID)
		if ok && !publicComments {
			return "", refuse(CodeForbidden, "Diese Körperschaft nimmt keine öffentlichen Kommentare an.")
		}
	}
	if !ok {
		return "", refuse(CodeForbidden, "Sie dürfen hier keine Notiz dieser Art schreiben.")
	}
	return CheckProse("text", "Die Notiz", text, MaxNote, true)
}
