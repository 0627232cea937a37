package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// Fragment is a piece of a search hit's text; Match marks a word the query
// matched. Fragments carry no markup, so every surface escapes them as it
// escapes any text.
type Fragment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// Hit is a motion a search found: its title and a passage of its text
// (points, justification, amendment text, signatories, statements, answers,
// reports, attachments), cut into fragments with the matched words marked.
// Lists without a query leave Title and Passage empty.
type Hit struct {
	Motion  motion.Motion
	Title   []Fragment
	Passage []Fragment

	tier    int
	updated time.Time
}

// Search finds the motions the viewer may see that match f.Query, one page at
// a time, with their matched words marked.
//
// The query is in web-search syntax: words (all must match), "quoted
// phrases" (matched as written), -excluded words, and "or" between
// alternatives. A word finds its inflections (german stemming), compounds
// that begin or end with it ("Neckar" finds "Neckarufer", "Beratung"
// "Schuldnerberatung"), and, typed with ae/oe/ue, the umlaut spelling; see
// migration 015.
//
// Ranking is in two tiers, each newest change first: motions whose title
// matches the whole query, then those matching elsewhere. Both are read in
// (updated_at, id) order, which an index walk serves for frequent words and
// a bitmap scan for rare ones, so that no rank is computed over every match
// and a deep page costs what the first one does.
func (s *Store) Search(ctx context.Context, f MotionFilter) ([]Hit, string, error) {
	return s.search(ctx, f, true)
}

// searchWalk is how many motions a search reads in index order before it
// takes the rest from the search index (see searchTier).
const searchWalk = 2000

// highlightOptions frame matched words with two private-use characters,
// which splitFragments turns into Fragments.
const (
	markStart = "\uE000"
	markStop  = "\uE001"
	titleOpts = `StartSel=` + markStart + `, StopSel=` + markStop + `, HighlightAll=true`
	textOpts  = `StartSel=` + markStart + `, StopSel=` + markStop + `, MaxFragments=2, MaxWords=24, MinWords=10, FragmentDelimiter=" … "`
)

func (s *Store) search(ctx context.Context, f MotionFilter, highlight bool) ([]Hit, string, error) {
	n := limit(f.Limit)
	var after *motionCursor
	if f.After != "" {
		var c motionCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		if !c.Search || c.ID == "" || c.Updated == nil || c.Tier < 1 || c.Tier > 2 {
			return nil, "", invalidf("cursor does not belong to this query")
		}
		after = &c
	}
	tier := 1
	if after != nil {
		tier = after.Tier
	}
	var hits []Hit
	for ; tier <= 2 && len(hits) <= n; tier++ {
		from := after
		if after != nil && after.Tier != tier {
			from = nil
		}
		got, err := s.searchTier(ctx, f, tier, from, n+1-len(hits), highlight)
		if err != nil {
			return nil, "", err
		}
		hits = append(hits, got...)
	}
	var next string
	if len(hits) > n {
		last := hits[n-1]
		next = encodeCursor(motionCursor{Search: true, Tier: last.tier, ID: last.Motion.ID, Updated: &last.updated})
		hits = hits[:n]
	}
	return hits, next, nil
}

// searchTier reads up to need hits of one tier after the cursor c (nil: from
// the start), newest change first.
//
// The planner cannot be trusted to choose between walking the (updated_at,
// id) index and a bitmap scan of the search index: it estimates a compound
// part it has no statistics for as matching one row in a hundred, and a walk
// for a word no title holds then reads every motion. So the walk is bounded:
// it reads at most searchWalk motions, which finds a page of a frequent word
// in a few milliseconds; when those hold fewer hits than needed, the word is
// rare (under need/searchWalk of the motions), and the rest is read with a
// bitmap scan of the search index alone, sorted. Either way no rank is
// computed over every match, and a deep page costs what the first one does.
func (s *Store) searchTier(ctx context.Context, f MotionFilter, tier int, c *motionCursor, need int, highlight bool) ([]Hit, error) {
	var a args
	where, ok := motionWhere(&a, f)
	if !ok {
		return nil, nil
	}
	if c != nil {
		where = append(where, fmt.Sprintf("(m.updated_at, m.id) < (%s, %s)", a.add(*c.Updated), a.add(c.ID)))
	}
	cond := strings.Join(where, " AND ")
	filters := append(args(nil), a...) // the arguments of cond alone
	q := "(" + tsQuery(&a, f.Query) + ")"
	match, first := "m.title_search @@ "+q, "false"
	if tier == 2 {
		match, first = "m.search @@ "+q, "m.title_search @@ "+q
	}
	type key struct {
		ID      string
		Updated time.Time
	}
	collect := func(rows pgx.Rows, err error) ([]key, error) {
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowToStructByPos[key])
	}

	// The bounded walk; the rows of the first tier are skipped in the second.
	walk := append(args(nil), a...)
	keys, err := collect(s.Pool.Query(ctx, `SELECT w.id, w.updated_at FROM (
			SELECT m.id, m.updated_at, `+match+` AS hit, `+first+` AS first FROM motions m
			WHERE `+cond+` ORDER BY m.updated_at DESC, m.id DESC LIMIT `+walk.add(searchWalk)+`) w
		WHERE w.hit AND NOT w.first LIMIT `+walk.add(need), walk...))
	if err != nil {
		return nil, fmt.Errorf("store: search motions: %w", mapErr(err))
	}
	if len(keys) < need {
		// The motions the walk did not reach, if any: after its last one.
		end := filters
		var endAt time.Time
		var endID string
		err := s.Pool.QueryRow(ctx, `SELECT m.updated_at, m.id FROM motions m WHERE `+cond+`
			ORDER BY m.updated_at DESC, m.id DESC OFFSET `+end.add(searchWalk-1)+` LIMIT 1`, end...).Scan(&endAt, &endID)
		switch {
		case errors.Is(err, pgx.ErrNoRows): // the walk saw every motion the filters leave
		case err != nil:
			return nil, fmt.Errorf("store: search motions: %w", mapErr(err))
		default:
			rest := append(args(nil), a...)
			sql := `WITH hits AS MATERIALIZED (
					SELECT m.id, m.updated_at FROM motions m
					WHERE ` + cond + ` AND ` + match + ` AND NOT ` + first + `
					AND (m.updated_at, m.id) < (` + rest.add(endAt) + `, ` + rest.add(endID) + `))
				SELECT id, updated_at FROM hits ORDER BY updated_at DESC, id DESC LIMIT ` + rest.add(need-len(keys))
			err := pgx.BeginTxFunc(ctx, s.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
				// A bitmap scan of the search index, never a walk or a scan
				// of the whole table.
				if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"); err != nil {
					return err
				}
				more, err := collect(tx.Query(ctx, sql, rest...))
				keys = append(keys, more...)
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("store: search motions: %w", mapErr(err))
			}
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}

	// The page's motions, read whole (and highlighted) only now.
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	var b args
	cols, join := "m.data, '', ''", ""
	if highlight {
		cols = `m.data, ts_headline('german'::regconfig, m.title, h.q, ` + b.add(titleOpts) + `::text),
			ts_headline('german'::regconfig, mf_motion_text(m.data, m.files_text), h.q, ` + b.add(textOpts) + `::text)`
		join = `CROSS JOIN LATERAL (SELECT mf_highlight(m.search, ` + tsQuery(&b, f.Query) + `) AS q) h`
	}
	sql := `SELECT ` + cols + ` FROM unnest(` + b.add(ids) + `::text[]) WITH ORDINALITY AS k(id, n)
		JOIN motions m ON m.id = k.id ` + join + ` ORDER BY k.n`
	rows, _ := s.Pool.Query(ctx, sql, b...)
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Hit, error) {
		var data []byte
		var title, text string
		if err := r.Scan(&data, &title, &text); err != nil {
			return Hit{}, err
		}
		h := Hit{tier: tier}
		if err := decodeMotion(data, &h.Motion); err != nil {
			return h, err
		}
		if highlight {
			h.Title, h.Passage = splitFragments(title), splitFragments(text)
		}
		return h, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: search motions: %w", mapErr(err))
	}
	if len(hits) != len(keys) { // a motion cannot vanish from the read model
		return nil, fmt.Errorf("store: search motions: %d of %d motions read", len(hits), len(keys))
	}
	for i := range hits {
		hits[i].updated = keys[i].Updated
	}
	return hits, nil
}

// tsQuery is the SQL of the tsquery for query in web-search syntax: the
// groups are ANDed, the terms of a group ORed; a word is mf_word (compounds,
// umlauts), a quoted phrase phraseto_tsquery, a leading minus negates. The
// user's text reaches SQL only as arguments, never as tsquery syntax.
func tsQuery(a *args, query string) string {
	var and []string
	for _, group := range parseQuery(query) {
		var or []string
		for _, t := range group {
			p := a.add(t.text)
			x := "mf_word(" + p + "::text)"
			if t.phrase {
				x = "phraseto_tsquery('german'::regconfig, " + p + "::text)"
			}
			if t.not {
				x = "!!" + x
			}
			or = append(or, x)
		}
		and = append(and, "("+strings.Join(or, " || ")+")")
	}
	if len(and) == 0 {
		return "''::tsquery"
	}
	return strings.Join(and, " && ")
}

// maxQueryTerms bounds the terms of one query; further ones are ignored.
const maxQueryTerms = 16

// queryTerm is a word or a phrase of a query, maybe negated.
type queryTerm struct {
	text        string
	phrase, not bool
}

// parseQuery reads web-search syntax into groups of alternatives: words and
// "phrases" are groups of their own, "or" joins a term to the group before.
// Marks around a word are dropped ("(Neckar)," is Neckar); inside a word they
// stay ("A12/2024", "Kita-Plätze").
func parseQuery(q string) [][]queryTerm {
	var groups [][]queryTerm
	or, terms := false, 0
	q = strings.ReplaceAll(strings.ToValidUTF8(q, ""), "\x00", "")
	for q = strings.TrimSpace(q); q != "" && terms < maxQueryTerms; q = strings.TrimSpace(q) {
		var t queryTerm
		if q[0] == '-' {
			t.not, q = true, q[1:]
		}
		if strings.HasPrefix(q, `"`) {
			t.phrase = true
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				t.text, q = q[1:], ""
			} else {
				t.text, q = q[1:end+1], q[end+2:]
			}
			t.text = strings.TrimSpace(t.text)
		} else {
			end := strings.IndexFunc(q, unicode.IsSpace)
			if end < 0 {
				end = len(q)
			}
			t.text, q = q[:end], q[end:]
			if !t.not && strings.EqualFold(t.text, "or") && len(groups) > 0 {
				or = true
				continue
			}
			t.text = strings.TrimFunc(t.text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		}
		if t.text == "" {
			continue
		}
		terms++
		if or {
			groups[len(groups)-1] = append(groups[len(groups)-1], t)
			or = false
		} else {
			groups = append(groups, []queryTerm{t})
		}
	}
	return groups
}

// decodeMotion reads a motion's data column.
func decodeMotion(data []byte, m *motion.Motion) error {
	if err := json.Unmarshal(data, m); err != nil {
		return fmt.Errorf("store: decode motion: %w", err)
	}
	return nil
}

// splitFragments cuts ts_headline's output at its marks.
func splitFragments(s string) []Fragment {
	out := []Fragment{}
	match := false
	for s != "" {
		mark := markStart
		if match {
			mark = markStop
		}
		i := strings.Index(s, mark)
		if i < 0 {
			i = len(s)
		}
		if i > 0 {
			out = append(out, Fragment{Text: strings.ToValidUTF8(s[:i], ""), Match: match})
		}
		if i == len(s) {
			break
		}
		s = s[i+utf8.RuneLen('\uE000'):]
		match = !match
	}
	return out
}
