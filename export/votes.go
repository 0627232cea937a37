package export

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// VoteItem is one result of a meeting: an agenda item (TOP) the meeting
// resolved, or a consultation of a motion whose result was recorded for the
// meeting on the motion alone (then it has no Number).
type VoteItem struct {
	// Number is the printed TOP number ("3", "3.1", "N2"); ItemID the
	// item's stable id. Both are empty for a result recorded on the motion.
	Number string
	ItemID string
	Kind   meeting.ItemKind
	// Public is false for an item of the non-public part.
	Public         bool
	Reference      string
	Title          string
	MotionID       string
	ConsultationID string
	Result         motion.Result
	Vote           *motion.Vote
	// EnBloc are the TOP numbers decided in the same vote (Sammelabstimmung),
	// this item's among them; nil for an item voted on alone.
	EnBloc []string
}

// MeetingVotes lists what meeting m resolved, in agenda order: every item
// with a result, then the results recorded for the meeting on motions
// (ms: the motions dealt with in it) whose consultation has no item on the
// agenda, by reference. For an item of a motion, the result recorded on the
// motion's consultation wins over the item's: it is the same vote, and only
// the motion's record carries later corrections.
//
// Items of the non-public part are listed only for the council office
// (office); a consultation that belongs to any item of the agenda, public
// or not, is never listed as a result recorded on the motion, so that the
// non-public part does not come back that way.
func MeetingVotes(m meeting.Meeting, ms []motion.Motion, office bool) []VoteItem {
	records := map[[2]string]*motion.ResultRecord{}
	for i := range ms {
		for j := range ms[i].Consultations {
			c := &ms[i].Consultations[j]
			if c.Record != nil && c.Record.Result != "" && recordedIn(c, m.ID) {
				records[[2]string{ms[i].ID, c.ID}] = c.Record
			}
		}
	}
	onAgenda := map[[2]string]bool{}
	blocs := map[string][]string{}
	for _, it := range m.Agenda {
		if it.MotionID != "" {
			onAgenda[[2]string{it.MotionID, it.ConsultationID}] = true
		}
		if it.EnBloc != "" && it.Result != "" && (it.Public || office) {
			blocs[it.EnBloc] = append(blocs[it.EnBloc], it.Number)
		}
	}
	var out []VoteItem
	for _, it := range m.Agenda {
		if it.Result == "" || !(it.Public || office) {
			continue
		}
		v := VoteItem{Number: it.Number, ItemID: it.ID, Kind: it.Kind, Public: it.Public, Reference: it.Reference,
			Title: it.Title, MotionID: it.MotionID, ConsultationID: it.ConsultationID, Result: it.Result, Vote: it.Vote}
		if rec := records[[2]string{it.MotionID, it.ConsultationID}]; it.MotionID != "" && rec != nil {
			v.Result, v.Vote = rec.Result, rec.Vote
		}
		if it.EnBloc != "" {
			v.EnBloc = blocs[it.EnBloc]
		}
		out = append(out, v)
	}
	extra := slices.Clone(ms)
	slices.SortFunc(extra, func(a, b motion.Motion) int {
		return cmp.Or(cmp.Compare(a.ReferenceYear, b.ReferenceYear), cmp.Compare(a.ReferenceSeq, b.ReferenceSeq), cmp.Compare(a.ID, b.ID))
	})
	for _, mo := range extra {
		for _, c := range mo.Consultations {
			key := [2]string{mo.ID, c.ID}
			if rec := records[key]; rec != nil && !onAgenda[key] {
				out = append(out, VoteItem{Kind: meeting.ItemMotion, Public: true, Reference: mo.Reference, Title: mo.Title,
					MotionID: mo.ID, ConsultationID: c.ID, Result: rec.Result, Vote: rec.Vote})
			}
		}
	}
	return out
}

// recordedIn reports whether the consultation's result was resolved in the
// meeting: its record names it, or, for a record that names none, the
// consultation was scheduled in it.
func recordedIn(c *motion.Consultation, meetingID string) bool {
	if c.Record.MeetingID != "" {
		return c.Record.MeetingID == meetingID
	}
	return c.MeetingID == meetingID
}

// Faction names a faction in the columns of the votes.
type Faction struct {
	ID   string
	Name string
}

// VoteFactions are the factions that have a share in any vote of items,
// by name (names maps ids to names; a missing name is the id), then id.
func VoteFactions(items []VoteItem, names map[string]string) []Faction {
	seen := map[string]bool{}
	var out []Faction
	for _, it := range items {
		if it.Vote == nil {
			continue
		}
		for _, fv := range it.Vote.ByFaction {
			if !seen[fv.OrganizationID] {
				seen[fv.OrganizationID] = true
				out = append(out, Faction{ID: fv.OrganizationID, Name: cmp.Or(names[fv.OrganizationID], fv.OrganizationID)})
			}
		}
	}
	slices.SortFunc(out, func(a, b Faction) int { return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID)) })
	return out
}

// VoteHeader names the columns of the votes of a meeting: the fixed ones,
// then three for each faction ("SPD-Fraktion: Ja", ": Nein", ": Enthaltung"),
// then the named votes and the motion's id.
func VoteHeader(factions []Faction) []string {
	h := []string{"TOP", "Art", "Aktenzeichen", "Titel", "Ergebnis", "Ja", "Nein", "Enthaltung", "Abwesend",
		"Einstimmig", "Sammelabstimmung"}
	for _, f := range factions {
		h = append(h, f.Name+": Ja", f.Name+": Nein", f.Name+": Enthaltung")
	}
	return append(h, "Namentliche Abstimmung", "Antrag-Id")
}

// VoteRows is the votes of a meeting as a table: the header (VoteHeader),
// then one row per item. A council office reads a meeting's votes item by
// item, so each item is one row and each faction's share three columns of
// it (a faction without a share in that vote leaves them empty): the rows
// can be filtered and summed as they are, and the tally and the factions'
// shares stand side by side. A vote without a tally leaves the numbers
// empty; "Sammelabstimmung" lists the TOP numbers decided in the same vote;
// named votes are "Name: ja" joined with "; ".
func VoteRows(items []VoteItem, factions []Faction) [][]string {
	rows := [][]string{VoteHeader(factions)}
	for _, it := range items {
		row := []string{it.Number, it.Kind.Label(), it.Reference, it.Title, it.Result.Label()}
		v := it.Vote
		if v == nil {
			row = append(row, "", "", "", "", "")
		} else {
			absent := ""
			if v.Absent != nil {
				absent = strconv.Itoa(*v.Absent)
			}
			row = append(row, strconv.Itoa(v.Yes), strconv.Itoa(v.No), strconv.Itoa(v.Abstain), absent, Mark(v.Unanimous))
		}
		row = append(row, strings.Join(it.EnBloc, "; "))
		for _, f := range factions {
			i := -1
			if v != nil {
				i = slices.IndexFunc(v.ByFaction, func(fv motion.FactionVote) bool { return fv.OrganizationID == f.ID })
			}
			if i < 0 {
				row = append(row, "", "", "")
				continue
			}
			fv := v.ByFaction[i]
			row = append(row, strconv.Itoa(fv.Yes), strconv.Itoa(fv.No), strconv.Itoa(fv.Abstain))
		}
		var named []string
		if v != nil {
			for _, nv := range v.Named {
				named = append(named, nv.Name+": "+motion.VoteLabel(nv.Vote))
			}
		}
		rows = append(rows, append(row, strings.Join(named, "; "), it.MotionID))
	}
	return rows
}

// Mark is "ja" for true and "" for false: a column that marks some rows
// stays easy to read and to filter on.
func Mark(b bool) string {
	if b {
		return "ja"
	}
	return ""
}
