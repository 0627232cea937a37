package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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
//
// Without a query it is Motions' list, as hits without highlights, so that a
// list page asks one method whether or not a query was typed.
func (s *Store) Search(ctx context.Context, f MotionFilter) ([]Hit, string, error) {
	if strings.TrimSpace(f.Query) != "" {
		return s.search(ctx, f, true)
	}
	ms, next, err := s.Motions(ctx, f)
	hits := make([]Hit, len(ms))
	for i, m := range ms {
		hits[i].Motion = m
	}
	return hits, next, err
}

// searchWalk is how many motions a search reads in index order before it
// takes the rest from the search index (see searchKeys).
const searchWalk = 2000

// maxWindow bounds the window of a search's rest, in walks (see searchKeys).
const maxWindow = 4

// windowSlack is how many hits beyond twice the missing ones a window of a
// search's rest is sized to hold (see searchKeys).
const windowSlack = 16

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
	// What the words make (mf_word), once: every later statement takes the
	// tsquery as a value, so its plan does not depend on the words.
	var qa args
	var tsq string
	if err := s.Pool.QueryRow(ctx, "SELECT ("+tsQuery(&qa, f.Query)+")::text", qa...).Scan(&tsq); err != nil {
		return nil, "", fmt.Errorf("store: search motions: %w", mapErr(err))
	}
	if tsq == "" { // stop words only
		return []Hit{}, "", nil
	}
	exact, hl, err := s.spellOut(ctx, tsq)
	if err != nil {
		return nil, "", fmt.Errorf("store: search motions: %w", mapErr(err))
	}
	keys, err := s.searchKeys(ctx, f, tsq, exact, after, n+1)
	if err != nil {
		return nil, "", fmt.Errorf("store: search motions: %w", mapErr(err))
	}
	// The hit after the page only tells that there is a next page; it is
	// not read (nor highlighted).
	more := len(keys) > n
	if more {
		keys = keys[:n]
	}
	hits, err := s.readHits(ctx, tsq, hl, keys, highlight)
	if err != nil {
		return nil, "", fmt.Errorf("store: search motions: %w", mapErr(err))
	}
	var next string
	if more {
		last := hits[n-1]
		next = encodeCursor(motionCursor{Search: true, Tier: last.tier, ID: last.Motion.ID, Updated: &last.updated})
	}
	return hits, next, nil
}

// searchKey is a hit's place in the order: its tier, then (updated_at, id)
// descending.
type searchKey struct {
	ID      string
	Updated time.Time
	Tier    int
}

// searchKeys finds up to need hits of the query tsq after the cursor c (nil:
// from the start), in the tiers' order.
//
// The planner cannot be trusted to choose between walking the (updated_at,
// id) index and a bitmap scan of the search index: it estimates a compound
// part it has no statistics for as matching one motion in a hundred, and a
// walk for a word no title holds then reads every motion. So the walk is
// bounded: it reads at most searchWalk motions the filters leave, newest
// first, and marks on each whether its title (tier 1) or only its text (tier
// 2) matches, stopping as soon as the first tier has a page, which finds a
// page of a frequent word in a few milliseconds.
// What a tier still lacks after the walk is read with bitmap scans of the
// search index, sorted: first within a window of time the walk's density
// sizes, then, only if that falls short, without bound (see rest). No rank
// is computed over every match, and a deep page costs what the first one
// does.
//
// The walk checks rows against tsq; the bitmap scans ask the search index
// for the same query with its prefixes spelled out as words (see
// spellOut) in exact, which GIN intersects far faster.
func (s *Store) searchKeys(ctx context.Context, f MotionFilter, tsq, exact string, c *motionCursor, need int) ([]searchKey, error) {
	var a args
	where, ok := motionWhere(&a, f)
	if !ok {
		return nil, nil
	}
	bound := cmp.Or(s.walk, searchWalk)
	// match is the condition of a tier's hits for the tsquery placeholder q.
	match := func(q string, tier int) string {
		if tier == 1 {
			return "m.title_search @@ " + q
		}
		return "m.search @@ " + q + " AND NOT m.title_search @@ " + q
	}
	after := func(b *args, k *searchKey) []string {
		if k == nil {
			return where
		}
		return append(where[:len(where):len(where)], fmt.Sprintf("(m.updated_at, m.id) < (%s, %s)", b.add(k.Updated), b.add(k.ID)))
	}

	// walk reads the motions after from in index order, at most bound,
	// and returns the hits of both tiers (tier 0) or of the second, and, when
	// it stopped at its bound, the last motion it read and the time its
	// motions span.
	walk := func(tier int, from *searchKey) (hits []searchKey, end *searchKey, span time.Duration, err error) {
		b := append(args(nil), a...)
		q := b.add(tsq) + "::tsquery"
		cond := strings.Join(after(&b, from), " AND ")
		// A tier's hits beyond need are not needed: counted in index order
		// (the order the walk read), they stay in the database.
		var take, limit, stop string
		if tier == 2 { // the second tier alone stops at a page (and the first motion read)
			take, limit = "w.t2", " LIMIT "+b.add(need+1)
		} else {
			take = "w.t1 OR (w.t2 AND w.c2 <= " + b.add(need) + ")" // stop bounds the first tier
			// Once the first tier has a page, nothing else is needed: as a
			// top-level condition on the running count (a literal, so that
			// every plan sees it), PostgreSQL ends the scan there (a run
			// condition) rather than at bound: "Neckar" walks 356 motions
			// of 100,000 in 1.8 ms, not 2,000 in 9 ms.
			stop = "w.c1 <= " + strconv.Itoa(need) + " AND "
		}
		// The scan yields only the columns the window needs: a window keeps
		// its rows in a tuplestore, and whole rows (the motion's data with
		// them) made a walk of 2,000 motions cost 6.9 ms instead of 3.1
		// (EXPLAIN ANALYZE, docs/BENCHMARKS.md).
		rows, _ := s.Pool.Query(ctx, `SELECT w.id, w.updated_at, w.t1, w.t2, w.n FROM (
				SELECT v.*, row_number() OVER o AS n, count(*) FILTER (WHERE v.t1) OVER o AS c1, count(*) FILTER (WHERE v.t2) OVER o AS c2 FROM (
					SELECT m.id, m.updated_at, `+match(q, 1)+` AS t1, `+match(q, 2)+` AS t2
					FROM motions m WHERE `+cond+` ORDER BY m.updated_at DESC, m.id DESC LIMIT `+b.add(bound)+`) v
				WINDOW o AS (ORDER BY v.updated_at DESC, v.id DESC ROWS UNBOUNDED PRECEDING)) w
			WHERE `+stop+`((`+take+`) OR w.n = 1 OR w.n = `+b.add(bound)+`) ORDER BY w.updated_at DESC, w.id DESC`+limit, b...)
		var id string
		var at, first time.Time
		var t1, t2 bool
		var n int
		_, err = pgx.ForEachRow(rows, []any{&id, &at, &t1, &t2, &n}, func() error {
			if n == 1 {
				first = at
			}
			if n == bound {
				end = &searchKey{ID: id, Updated: at}
				span = first.Sub(at)
			}
			switch {
			case t1 && tier == 0:
				hits = append(hits, searchKey{ID: id, Updated: at, Tier: 1})
			case t2:
				hits = append(hits, searchKey{ID: id, Updated: at, Tier: 2})
			}
			return nil
		})
		return hits, end, span, err
	}
	// read reads up to k hits of a tier after end, from lower on (none: to
	// the oldest), with a bitmap scan of the search index, never a walk or a
	// scan of the whole table.
	read := func(tier int, end *searchKey, lower *time.Time, k int) ([]searchKey, error) {
		b := append(args(nil), a...)
		conds := append(after(&b, end), match(b.add(exact)+"::tsquery", tier))
		if lower != nil {
			conds = append(conds, "m.updated_at >= "+b.add(*lower))
		}
		// Planned for the words and the window at hand: a generic plan,
		// which knows neither, may read the whole window from the table.
		// The settings hold for the transaction, which is sent as one
		// batch: one round trip rather than four.
		var out []searchKey
		var batch pgx.Batch
		batch.Queue("BEGIN READ ONLY")
		batch.Queue("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), " +
			"set_config('enable_indexonlyscan', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)")
		batch.Queue(`SELECT m.id, m.updated_at FROM motions m WHERE `+strings.Join(conds, " AND ")+`
			ORDER BY m.updated_at DESC, m.id DESC LIMIT `+b.add(k), b...).Query(func(rows pgx.Rows) error {
			var id string
			var at time.Time
			_, err := pgx.ForEachRow(rows, []any{&id, &at}, func() error {
				out = append(out, searchKey{ID: id, Updated: at, Tier: tier})
				return nil
			})
			return err
		})
		batch.Queue("COMMIT")
		err := s.Pool.SendBatch(ctx, &batch).Close()
		return out, err
	}
	// rest reads up to k hits of a tier after the walk's end. It looks first
	// in a window of time before end, sized from what the walk saw (its
	// motions spanned span and held seen hits of the tier) to hold about
	// twice the k still missing, and windowSlack more: there the search
	// index's bitmap is ANDed with the (updated_at, id) index's, so only the
	// window's matches are read from the table, and a word a few per cent
	// of the motions hold costs a page of them, not a read of all of them.
	// Only what the window lacks is read without bound; that many are left
	// only of a rare word.
	// A word too rare to fill a window of maxWindow walks is read so at
	// once, as is one the walk's motions, sharing one time, give no span
	// for: over a wide window PostgreSQL reads the window's motions from the
	// table rather than AND the two indexes (measured at 1,000,000 motions,
	// docs/BENCHMARKS.md).
	rest := func(tier int, end *searchKey, span time.Duration, seen, k int) ([]searchKey, error) {
		// Walks' worth of motions that hold about 2k+windowSlack hits: the
		// window is as wide as the hits still missing need, not a walk or
		// more, since the index's part of the window costs what its motions
		// are (a window of 7,750 motions for the 7 hits of `Schubert` a
		// walk left took 4.6 ms); the slack keeps a window for a few hits
		// from falling short, which would read all the older ones.
		walks := float64(2*k+windowSlack) / float64(max(seen, 1))
		if span <= 0 || seen == 0 || walks > maxWindow {
			return read(tier, end, nil, k)
		}
		lower := end.Updated.Add(-time.Duration(float64(span) * walks))
		out, err := read(tier, end, &lower, k)
		if err != nil || len(out) == k {
			return out, err
		}
		more, err := read(tier, &searchKey{Updated: lower}, nil, k-len(out))
		return append(out, more...), err
	}
	tierOf := func(ks []searchKey, tier int) []searchKey {
		var out []searchKey
		for _, k := range ks {
			if k.Tier == tier {
				out = append(out, k)
			}
		}
		return out
	}

	var keys []searchKey
	var from *searchKey
	if c != nil {
		from = &searchKey{ID: c.ID, Updated: *c.Updated, Tier: c.Tier}
	}
	// The first tier, and with it (from the top) the second tier's start.
	var second []searchKey
	var secondEnd *searchKey
	var secondSpan time.Duration
	walked := false
	if from == nil || from.Tier == 1 {
		both, end, span, err := walk(0, from)
		if err != nil {
			return nil, err
		}
		keys = tierOf(both, 1)
		if len(keys) < need && end != nil {
			more, err := rest(1, end, span, len(keys), need-len(keys))
			if err != nil {
				return nil, err
			}
			keys = append(keys, more...)
		}
		if len(keys) >= need {
			return keys[:need], nil
		}
		if from == nil {
			second, secondEnd, secondSpan, walked = tierOf(both, 2), end, span, true
		}
		from = nil
	}
	// The second tier.
	if !walked {
		var err error
		second, secondEnd, secondSpan, err = walk(2, from)
		if err != nil {
			return nil, err
		}
	}
	keys = append(keys, second...)
	if len(keys) < need && secondEnd != nil {
		more, err := rest(2, secondEnd, secondSpan, len(second), need-len(keys))
		if err != nil {
			return nil, err
		}
		keys = append(keys, more...)
	}
	return keys[:min(len(keys), need)], nil
}

// maxExpansion bounds the words a prefix is spelled out as (see
// spellOut); a prefix that stands for more stays a prefix.
const maxExpansion = 64

// spellOut looks up, in the motions' word list (migration 017), the words
// that begin with each prefix of tsq ('neckar':*, '~gnutareb':*), once per
// search, and returns two queries made with them:
//
// exact is tsq with each prefix spelled out as its words, ORed ('neckarau' |
// 'neckarstadt' | 'neckaruf'), when they are at most maxExpansion. The two
// match the same motions, since the list holds every word of every motion's
// search vector; but GIN answers a prefix by gathering every matching key's
// rows into one bitmap, while it intersects exact words by skipping through
// them: "Radverkehr Neckarstadt" cost 105 ms p50 at 1,000,000 motions as
// prefixes, 31 ms as words (docs/BENCHMARKS.md). A prefix no word begins
// with stays as it is; it finds nothing either way.
//
// highlight is tsq ORed with the compounds its reversed prefixes stand for
// ('~gnutareb':* adds 'schuldnerberatung'), which ts_headline, seeing only
// the text, can mark; it is what mf_highlight computes from each hit's
// vector, computed once. It is "" when a reversed prefix stands for more than
// maxExpansion words; then each hit's is computed (readHits).
func (s *Store) spellOut(ctx context.Context, tsq string) (exact, highlight string, err error) {
	terms := tsqTerms(tsq)
	var prefixes []string
	for _, t := range terms {
		if t.prefix {
			prefixes = append(prefixes, t.lexeme)
		}
	}
	if len(prefixes) == 0 {
		return tsq, tsq, nil
	}
	slices.Sort(prefixes)
	prefixes = slices.Compact(prefixes) // a word's stem and spelling may give the same one
	words := map[string][]string{}
	rows, _ := s.Pool.Query(ctx, `SELECT p, ARRAY(SELECT w.word FROM motion_words w
			WHERE w.word >= p COLLATE "C" AND w.word < (p || chr(1114111)) COLLATE "C" ORDER BY w.word LIMIT $2)
		FROM unnest($1::text[]) AS p`, prefixes, maxExpansion+1)
	var p string
	var found []string
	if _, err := pgx.ForEachRow(rows, []any{&p, &found}, func() error {
		words[p] = slices.Clone(found) // the next row may be scanned into the same array
		return nil
	}); err != nil {
		return "", "", err
	}
	var b strings.Builder
	var compounds []string
	complete := true
	last := 0
	for _, t := range terms {
		if !t.prefix {
			continue
		}
		ws := words[t.lexeme]
		if len(ws) > maxExpansion {
			complete = complete && !strings.HasPrefix(t.lexeme, "~")
			continue
		}
		for _, w := range ws {
			if r, ok := strings.CutPrefix(w, "~"); ok {
				compounds = append(compounds, quoteLexeme(reverse(r)))
			}
		}
		if len(ws) == 0 {
			continue
		}
		b.WriteString(tsq[last:t.start])
		b.WriteString("( ")
		for i, w := range ws {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(quoteLexeme(w))
			if t.weights != "" {
				b.WriteString(":" + t.weights)
			}
		}
		b.WriteString(" )")
		last = t.end
	}
	b.WriteString(tsq[last:])
	exact, highlight = b.String(), tsq
	if !complete {
		highlight = ""
	} else if len(compounds) > 0 {
		slices.Sort(compounds) // a compound both reversed prefixes of a word found comes once
		highlight = "( " + tsq + " ) | " + strings.Join(slices.Compact(compounds), " | ")
	}
	return exact, highlight, nil
}

// reverse returns s with its characters in reverse order, as PostgreSQL's
// reverse does.
func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// tsqTerm is a lexeme in a tsquery's text: tsq[start:end] is the quoted
// lexeme with its flags; weights are the flags but the prefix mark.
type tsqTerm struct {
	start, end int
	lexeme     string
	weights    string
	prefix     bool
}

// tsqTerms returns the lexemes of tsq, a tsquery's text as PostgreSQL
// writes it: each quoted, with ' doubled and \ escaped, followed by ":" and
// its flags ("*" for a prefix, then the weights A to D) when it has any.
func tsqTerms(tsq string) []tsqTerm {
	var out []tsqTerm
	for i := 0; i < len(tsq); i++ {
		if tsq[i] != '\'' {
			continue
		}
		t := tsqTerm{start: i}
		var lex strings.Builder
		for i++; i < len(tsq); i++ {
			c := tsq[i]
			if c == '\\' && i+1 < len(tsq) {
				i++
				c = tsq[i]
			} else if c == '\'' {
				if i+1 < len(tsq) && tsq[i+1] == '\'' {
					i++
				} else {
					break
				}
			}
			lex.WriteByte(c)
		}
		t.lexeme, t.end = lex.String(), i+1
		if t.end < len(tsq) && tsq[t.end] == ':' {
			for t.end++; t.end < len(tsq) && strings.IndexByte("*ABCD", tsq[t.end]) >= 0; t.end++ {
				if tsq[t.end] == '*' {
					t.prefix = true
				} else {
					t.weights += tsq[t.end : t.end+1]
				}
			}
		}
		out = append(out, t)
		i = t.end - 1
	}
	return out
}

// quoteLexeme quotes a lexeme for a tsquery's text, as tsqTerms reads it.
func quoteLexeme(l string) string {
	return "'" + lexemeQuoter.Replace(l) + "'"
}

var lexemeQuoter = strings.NewReplacer(`\`, `\\`, `'`, `''`)

// readHits reads the motions of keys, in their order, with the passages the
// query tsq matched when highlight is set: marked with hl, tsq with the
// compounds its reversed prefixes stand for (spellOut), or, when hl is "",
// with what mf_highlight finds in each hit's vector.
func (s *Store) readHits(ctx context.Context, tsq, hl string, keys []searchKey, highlight bool) ([]Hit, error) {
	if len(keys) == 0 {
		return []Hit{}, nil
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	var b args
	cols, join := "m.data, '', ''", ""
	if highlight {
		q := "h.q"
		if hl != "" {
			q = b.add(hl) + "::tsquery"
		} else {
			// OFFSET 0 keeps the planner from pulling the subquery up,
			// which computed mf_highlight once for each ts_headline.
			join = `CROSS JOIN LATERAL (SELECT mf_highlight(m.search, ` + b.add(tsq) + `::tsquery) AS q OFFSET 0) h`
		}
		// The passage comes from the motion's own text (the stored column
		// passage, migration 018), and from its attachments' only when the
		// own text holds no match but they do (their words are the search
		// vector's weight D): ts_headline parses all it is given, and a
		// page of 50 hits with 20,000 characters of attachment each cost
		// about 100 ms, against 4 ms without (docs/BENCHMARKS.md).
		opts, mark := b.add(textOpts)+"::text", b.add(markStart)
		join += ` CROSS JOIN LATERAL (SELECT ts_headline('german'::regconfig, m.passage, ` + q + `, ` + opts + `) AS own OFFSET 0) o`
		cols = `m.data, ts_headline('german'::regconfig, m.title, ` + q + `, ` + b.add(titleOpts) + `::text),
			CASE WHEN m.files_text = '' OR strpos(o.own, ` + mark + `) > 0 OR NOT ts_filter(m.search, '{d}') @@ ` + q + ` THEN o.own
			ELSE (SELECT CASE WHEN strpos(f.h, ` + mark + `) > 0 THEN f.h ELSE o.own END
				FROM ts_headline('german'::regconfig, mf_motion_text(NULL, m.files_text), ` + q + `, ` + opts + `) AS f(h)) END`
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+cols+` FROM unnest(`+b.add(ids)+`::text[]) WITH ORDINALITY AS k(id, n)
		JOIN motions m ON m.id = k.id `+join+` ORDER BY k.n`, b...)
	hits, err := pgx.AppendRows(make([]Hit, 0, len(keys)), rows, func(r pgx.CollectableRow) (Hit, error) {
		var data []byte
		var title, text string
		if err := r.Scan(&data, &title, &text); err != nil {
			return Hit{}, err
		}
		var h Hit
		if err := decodeMotion(data, &h.Motion); err != nil {
			return h, err
		}
		if highlight {
			h.Title, h.Passage = splitFragments(title), splitFragments(text)
		}
		return h, nil
	})
	if err != nil {
		return nil, err
	}
	if len(hits) != len(keys) { // a motion does not leave the read model
		return nil, fmt.Errorf("%d of %d motions read", len(hits), len(keys))
	}
	for i := range hits {
		hits[i].tier, hits[i].updated = keys[i].Tier, keys[i].Updated
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
