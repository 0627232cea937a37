package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// MotionLister is the read model's motion list (*store.Store is one). The
// API and the web pages read their exports through it, the same way.
type MotionLister interface {
	Motions(ctx context.Context, f store.MotionFilter) ([]motion.Motion, string, error)
}

// ErrTooMany says that an export would hold more rows than allowed; the
// caller asks to narrow the filters.
var ErrTooMany = errors.New("export: too many rows")

// AllMotions returns every motion of the filter that f.Viewer may see, in
// the list's order, paging through the store; ErrTooMany beyond max.
func AllMotions(ctx context.Context, src MotionLister, f store.MotionFilter, max int) ([]motion.Motion, error) {
	f.Limit, f.After = store.MaxLimit, ""
	var ms []motion.Motion
	for {
		page, next, err := src.Motions(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if m.VisibleTo(f.Viewer) { // the SQL decides; this is a second lock on the door
				ms = append(ms, m)
			}
		}
		if len(ms) > max {
			return nil, ErrTooMany
		}
		if next == "" {
			return ms, nil
		}
		f.After = next
	}
}

// LoadMeetingVotes reads the motions dealt with in meeting m and returns its
// results as actor may see them (MeetingVotes): the non-public part only for
// the meeting's council office (meeting.Office). A meeting of a body the
// actor does not belong to is public, and so are its motions' results.
func LoadMeetingVotes(ctx context.Context, src MotionLister, m meeting.Meeting, actor motion.Actor, max int) ([]VoteItem, error) {
	viewer := actor
	if !actor.InBody(m.BodyID) {
		viewer = motion.Actor{}
	}
	ms, err := AllMotions(ctx, src, store.MotionFilter{Viewer: viewer, BodyIDs: []string{m.BodyID}, MeetingID: m.ID}, max)
	if err != nil {
		return nil, err
	}
	return MeetingVotes(m, ms, meeting.Office(actor, m.BodyID)), nil
}

// VoteFactionIDs are the ids of the factions with a share in any vote of
// items, sorted, each once: the organizations whose names the columns need.
func VoteFactionIDs(items []VoteItem) []string {
	var ids []string
	for _, it := range items {
		if it.Vote != nil {
			for _, fv := range it.Vote.ByFaction {
				ids = append(ids, fv.OrganizationID)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Encode writes rows in mediaType (CSVType or XLSXType; the sheet names
// the workbook's sheet) and returns the Content-Type to send and the file
// name's extension.
func Encode(mediaType, sheet string, rows [][]string) (contentType, ext string, body []byte, err error) {
	return EncodeTable(mediaType, Table{Sheet: sheet, Rows: rows})
}

// Table is a table to encode: its sheet name (XLSX), its rows with the
// header first, the cells that are figures (see Figures; nil: only counts)
// and the rows set in bold besides the header (totals; nil: none).
type Table struct {
	Sheet   string
	Rows    [][]string
	Figures Figures
	Bold    func(row []string) bool
}

// EncodeTable is Encode for a table with figures and bold rows.
func EncodeTable(mediaType string, t Table) (contentType, ext string, body []byte, err error) {
	var b bytes.Buffer
	switch mediaType {
	case CSVType:
		contentType, ext, err = "text/csv; charset=utf-8; header=present", "csv", writeCSV(&b, t.Rows, t.Figures)
	case XLSXType:
		contentType, ext, err = XLSXType, "xlsx", writeXLSX(&b, t.Sheet, t.Rows, t.Figures, t.Bold)
	default:
		return "", "", nil, fmt.Errorf("export: media type %q", mediaType)
	}
	if err != nil {
		return "", "", nil, err
	}
	return contentType, ext, b.Bytes(), nil
}

// SafeName keeps the letters, digits, "-" and "_" of an id for a file name
// (Content-Disposition); anything else becomes "_".
func SafeName(id string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return '_'
	}, id)
}
