package store

import (
	"context"
	"encoding/json"
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

// searchMaxBatch bounds how many rows the second tier reads at a time. It
// skips the rows of the first tier as it reads (a NOT in the SQL would be
// misestimated and could walk the whole table); each batch after one that
// skipped rows is four times as large, up to this bound.
const searchMaxBatch = 4000

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
// the start).
func (s *Store) searchTier(ctx context.Context, f MotionFilter, tier int, c *motionCursor, need int, highlight bool) ([]Hit, error) {
	var a args
	where, ok := motionWhere(&a, f)
	if !ok {
		return nil, nil
	}
	q := "(" + tsQuery(&a, f.Query) + ")"
	cols := "m.data, p.updated_at, '', ''"
	if highlight {
		cols = "m.data, p.updated_at, ts_headline('german', m.title, h.q, " + a.add(titleOpts) + ")," +
			" ts_headline('german', mf_motion_text(m.data, m.files_text), h.q, " + a.add(textOpts) + ")"
	}
	first := "false"
	if tier == 1 {
		where = append(where, "m.title_search @@ "+q)
	} else {
		where = append(where, "m.search @@ "+q)
		first = "m.title_search @@ " + q
	}
	var hits []Hit
	size := 0 // after a batch that skipped rows of the first tier: the next batch's size
	base := a
	for {
		a := append(args(nil), base...)
		cond := where
		if c != nil {
			cond = append(cond[:len(cond):len(cond)], fmt.Sprintf("(m.updated_at, m.id) < (%s, %s)", a.add(*c.Updated), a.add(c.ID)))
		}
		batch := need - len(hits)
		if c != nil && tier == 2 && size > 0 {
			batch = max(batch, size)
		}
		// The keys are found first and only the page's rows are read whole
		// (and highlighted): the rows of the first tier are skipped here.
		sql := `WITH keys AS MATERIALIZED (
				SELECT m.id, m.updated_at, ` + first + ` AS first FROM motions m
				WHERE ` + strings.Join(cond, " AND ") + `
				ORDER BY m.updated_at DESC, m.id DESC LIMIT ` + a.add(batch) + `),
			last AS (SELECT id, updated_at FROM keys ORDER BY updated_at, id LIMIT 1),
			page AS (SELECT id, updated_at FROM keys WHERE NOT first ORDER BY updated_at DESC, id DESC LIMIT ` + a.add(need-len(hits)) + `)
			SELECT (SELECT count(*) FROM keys), last.id, last.updated_at, ` + cols + `
			FROM last LEFT JOIN (page p JOIN motions m ON m.id = p.id
				CROSS JOIN LATERAL (SELECT mf_highlight(m.search, ` + q + `) AS q) h) ON true
			ORDER BY p.updated_at DESC, p.id DESC`
		rows, _ := s.Pool.Query(ctx, sql, a...)
		var read int
		var lastID string
		var lastAt time.Time
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Hit, error) {
			var data []byte
			var at *time.Time
			var title, text *string
			if err := r.Scan(&read, &lastID, &lastAt, &data, &at, &title, &text); err != nil {
				return nil, err
			}
			if data == nil {
				return nil, nil
			}
			h := &Hit{tier: tier, updated: *at}
			if err := decodeMotion(data, &h.Motion); err != nil {
				return nil, err
			}
			if highlight {
				h.Title, h.Passage = splitFragments(*title), splitFragments(*text)
			}
			return h, nil
		})
		if err != nil {
			return nil, fmt.Errorf("store: search motions: %w", mapErr(err))
		}
		for _, h := range got {
			if h != nil {
				hits = append(hits, *h)
			}
		}
		if len(hits) >= need || read < batch {
			return hits, nil
		}
		c = &motionCursor{ID: lastID, Updated: &lastAt}
		size = min(max(size, batch)*4, searchMaxBatch)
	}
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
