package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// searchCorpus is a council's motions as they are written: compounds,
// umlauts, inflections, names, reference numbers, statements, an amendment
// and an attachment's text. Each entry is projected as a submitted motion.
type searchDoc struct {
	id, title, reference string
	points               []string
	justification        string
	signers              []string
	statement, answer    string
	changes              string // an amendment's new text
	files                string // text of an attachment
	kind                 motion.Kind
}

var searchCorpus = []searchDoc{
	{id: "neckarufer", title: "Neckarufer naturnah gestalten",
		points:        []string{"Die Verwaltung legt für das Neckarufer zwischen Kurpfalzbrücke und Fernmeldeturm ein Konzept zur naturnahen Gestaltung vor."},
		justification: "Die Uferböschung ist seit Jahren vernachlässigt."},
	{id: "schuldner", title: "Schuldnerberatung ausbauen",
		points: []string{"Die Stadt stockt die Beratungsstellen der freien Träger um zwei Stellen auf."}},
	{id: "sozialhaushalt", title: "Mittel für soziale Träger sichern",
		points:    []string{"Die Zuschüsse an die freien Träger werden nicht gekürzt."},
		statement: "Die Verwaltung weist darauf hin, dass die Schuldnerberatung bereits 2025 ausgeweitet wurde."},
	{id: "quadrat", title: "Digitalisierung im Quadrat", reference: "A762/2019",
		points:        []string{"Für die Digitalisierung der Schulen werden 225.000 Euro Sachmittel bereitgestellt."},
		justification: "Die Schulen in den Quadraten brauchen WLAN und Tablets.",
		signers:       []string{"Anna Keller"}},
	{id: "endgeraete", title: "Änderungsantrag zu A762/2019", kind: motion.KindAmendment,
		changes: "Für die Digitalisierung der Schulen werden 150.000 Euro für digitale Endgeräte bereitgestellt."},
	{id: "radschnellweg", title: "Radschnellweg nach Heidelberg",
		points: []string{"Die Stadt plant mit dem Land die Radschnellverbindung entlang der B 37."}},
	{id: "kita", title: "Kita-Plätze in Käfertal schaffen",
		points:        []string{"In Käfertal entstehen bis 2027 zwei neue Kindertagesstätten mit 150 Kitaplätzen."},
		justification: "Die Wartelisten der Kindertagesstätten sind lang."},
	{id: "buergerbuero", title: "Bürgerbüro Sandhofen erhalten",
		points:    []string{"Das Bürgerbüro in Sandhofen bleibt geöffnet."},
		statement: "Die Verwaltung prüft längere Öffnungszeiten des Bürgerbüros an zwei Tagen."},
	{id: "laternen", title: "Straßenbeleuchtung auf LED umstellen",
		points:        []string{"Alle Straßenlaternen werden bis 2028 auf LED umgerüstet."},
		justification: "Die Energiekosten der Stadt sinken damit um ein Drittel."},
	{id: "hochwasser", title: "Anfrage zur Hochwasserschutzmauer am Rhein", kind: motion.KindInquiry,
		points: []string{"Wann wird die Mauer am Rheinufer saniert?"},
		answer: "Die Hochwasserschutzmauer wird ab Frühjahr 2027 in drei Abschnitten erneuert."},
	{id: "ganztag", title: "Ganztagsschulen stärken",
		points: []string{"Die Ganztagsbetreuung an den Grundschulen wird bis 2026 ausgebaut."}},
	{id: "sozialticket", title: "Sozialticket für Seniorinnen und Senioren",
		points:  []string{"Der Verkehrsverbund bietet ein vergünstigtes Monatsticket an."},
		signers: []string{"Fatma Yıldız", "Jörg Schubert"}},
	{id: "baumschutz", title: "Baumschutzsatzung überarbeiten",
		points: []string{"Die Satzung wird an das Gutachten angepasst."},
		files:  "Gutachten zum Baumbestand im Luisenpark und in den Stadtteilparks, erstellt vom Grünflächenamt."},
	{id: "franklin", title: "Wohnungsbau auf Franklin", reference: "A12/2024",
		points:        []string{"Auf Franklin entstehen 500 Wohnungen."},
		justification: "Bezahlbarer Wohnraum fehlt in allen Stadtteilen."},
	{id: "parken", title: "Parkgebühren in der Innenstadt",
		points: []string{"Die Parkraumbewirtschaftung wird auf die Oststadt ausgedehnt."}},
	{id: "jugend", title: "Jugendgemeinderat einrichten",
		points: []string{"Jugendliche wählen alle zwei Jahre ihre Vertretung."}},
	{id: "klima", title: "Klimaschutzkonzept fortschreiben",
		points: []string{"Die Stadt strebt Klimaneutralität bis 2030 an."}},
}

// searchStore projects the corpus, each motion a minute newer than the one
// before, and returns the store.
func searchStore(t *testing.T) *store.Store {
	t.Helper()
	s := newStore(t, "ma")
	for i, d := range searchCorpus {
		at := t0.Add(time.Duration(i) * time.Minute)
		m := draft(d.id, "ma", "spd", d.title, at)
		if d.kind != "" {
			m.Kind = d.kind
		}
		if d.points != nil {
			m.ResolutionPoints = d.points
		}
		m.Justification = d.justification
		for _, name := range d.signers {
			m.Signers = append(m.Signers, motion.Signer{PersonID: "p-" + name, Name: name})
		}
		if d.changes != "" {
			m.Amends = "A762/2019"
			m.Changes = []motion.Change{{Op: motion.ChangeReplace, From: 1, To: 1, Text: d.changes}}
		}
		m = submit(m, at)
		if d.reference != "" {
			m.Reference = d.reference
		}
		if d.statement != "" {
			m.Statements = append(m.Statements, motion.Statement{Department: "dez1", Text: d.statement, At: at})
		}
		if d.answer != "" {
			m.Statements = append(m.Statements, motion.Statement{Department: "dez1", Text: d.answer, At: at})
		}
		project(t, s, m)
		if d.files != "" {
			if _, err := s.AddAttachment(ctx(t), store.Attachment{MotionID: d.id, BodyID: "ma", Name: "gutachten.pdf",
				ContentType: "application/pdf", Text: d.files}, []byte("%PDF-1.4 "+d.id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

// TestSearchQuality: what council staff type finds what they mean. Each
// query lists the motions it must find, in the order they must come (title
// hits first, then newest first), and nothing else.
func TestSearchQuality(t *testing.T) {
	t.Parallel()
	s := searchStore(t)
	cases := []struct {
		query string
		want  []string
	}{
		// Compounds found by their parts, at the start or the end.
		{"Neckar", []string{"neckarufer"}},
		{"Ufer", []string{"neckarufer", "hochwasser"}},
		{"Beratung", []string{"schuldner", "sozialhaushalt"}},
		{"Schuldnerberatung", []string{"schuldner", "sozialhaushalt"}},
		{"Radschnellweg", []string{"radschnellweg"}},
		{"Schnellweg", []string{"radschnellweg"}},
		{"Laterne", []string{"laternen"}},
		{"Mauer", []string{"hochwasser"}},
		{"Hochwasserschutz", []string{"hochwasser"}},
		{"Gemeinderat", []string{"jugend"}},
		{"Parkraum", []string{"parken"}},
		{"Energie", []string{"laternen"}},
		{"Kosten", []string{"laternen"}},
		// Inflections: plural, genitive, adjective endings. "Schule" also
		// finds "Schuldnerberatung", which begins with its stem "schul": without
		// a dictionary of German words, the search cannot tell a false friend
		// from a compound, and it finds too much rather than too little.
		{"Schule", []string{"ganztag", "schuldner", "endgeraete", "quadrat", "sozialhaushalt"}},
		{"Grundschulen", []string{"ganztag"}},
		{"Bürgerbüros", []string{"buergerbuero"}},
		{"Kindertagesstätte", []string{"kita"}},
		{"bezahlbar", []string{"franklin"}},
		{"Senioren", []string{"sozialticket"}},
		// Umlauts and ß typed without them.
		{"Buergerbuero", []string{"buergerbuero"}},
		{"Oeffnungszeiten", []string{"buergerbuero"}},
		{"Strassenlaternen", []string{"laternen"}},
		{"Kaefertal", []string{"kita"}},
		{"Baeume", []string{"baumschutz"}},
		// Hyphenated words.
		{"Kita-Plätze", []string{"kita"}},
		{"Kita", []string{"kita"}},
		// Names of signatories.
		{"Yıldız", []string{"sozialticket"}},
		{"Schubert", []string{"sozialticket"}},
		{"Keller", []string{"quadrat"}},
		// Reference numbers.
		{"A12/2024", []string{"franklin"}},
		{"A762/2019", []string{"endgeraete", "quadrat"}},
		// The administration's statement and answer, an amendment, an attachment.
		{"Öffnungszeiten", []string{"buergerbuero"}},
		{"Abschnitten erneuert", []string{"hochwasser"}},
		{"Endgeräte", []string{"endgeraete"}},
		{"Luisenpark", []string{"baumschutz"}},
		{"Gutachten Baumbestand", []string{"baumschutz"}},
		// Web-search syntax: phrases, exclusion, alternatives.
		{`"digitale Endgeräte"`, []string{"endgeraete"}},
		{`"Endgeräte digitale"`, nil},
		{"Digitalisierung -Endgeräte", []string{"quadrat"}},
		{"Klimaschutz or Klimaneutralität", []string{"klima"}},
		{"Wohnraum Stadtteile", []string{"franklin"}},
		// Nothing for words that are not there, or only stop words.
		{"Straßenbahn", nil},
		{"und oder die", nil},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d queries", len(cases))
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			equal(t, "hits", all(t, s, store.MotionFilter{Query: c.query, Limit: 2}), c.want)
		})
	}
	// The same through the search index alone (a walk of one motion), which
	// is asked with the prefixes spelled out as the words of the word list:
	// they must find what the prefixes find, the words the attachment added
	// to a motion after it was written included.
	s.SetSearchWalk(1)
	for _, c := range cases {
		t.Run("index/"+c.query, func(t *testing.T) {
			equal(t, "hits", all(t, s, store.MotionFilter{Query: c.query, Limit: 2}), c.want)
		})
	}
}

// TestSearchHighlights: a hit names the words the query matched, in its
// title and in a passage of its text, compounds included.
func TestSearchHighlights(t *testing.T) {
	t.Parallel()
	s := searchStore(t)
	marked := func(fs []store.Fragment) (text string, matches []string) {
		var b strings.Builder
		for _, f := range fs {
			b.WriteString(f.Text)
			if f.Match {
				matches = append(matches, f.Text)
			}
		}
		return b.String(), matches
	}
	cases := []struct {
		query, id              string
		title, titleMatches    string
		passageHas, passageHit string
	}{
		{"Beratung", "schuldner", "Schuldnerberatung ausbauen", "Schuldnerberatung", "Beratungsstellen", "Beratungsstellen"},
		{"Beratung", "sozialhaushalt", "Mittel für soziale Träger sichern", "", "Schuldnerberatung bereits 2025", "Schuldnerberatung"},
		{"Neckar", "neckarufer", "Neckarufer naturnah gestalten", "Neckarufer", "Neckarufer zwischen", "Neckarufer"},
		{"Luisenpark", "baumschutz", "Baumschutzsatzung überarbeiten", "", "Luisenpark", "Luisenpark"},
		{"Schubert", "sozialticket", "Sozialticket für Seniorinnen und Senioren", "", "Jörg Schubert", "Schubert"},
		// The passage comes from the attachment only when the motion's own
		// text holds no match (passageHit "": nothing marked).
		{"Bestand", "baumschutz", "Baumschutzsatzung überarbeiten", "", "Baumbestand im Luisenpark", "Baumbestand"},
		{"Gutachten", "baumschutz", "Baumschutzsatzung überarbeiten", "", "Satzung wird an das Gutachten angepasst", "Gutachten"},
		{"überarbeiten", "baumschutz", "Baumschutzsatzung überarbeiten", "überarbeiten", "Die Satzung wird an das Gutachten angepasst", ""},
	}
	for _, c := range cases {
		t.Run(c.query+"/"+c.id, func(t *testing.T) {
			hits, _, err := s.Search(ctx(t), store.MotionFilter{Query: c.query})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(hits, func(h store.Hit) bool { return h.Motion.ID == c.id })
			if i < 0 {
				t.Fatalf("%q does not find %s", c.query, c.id)
			}
			title, tm := marked(hits[i].Title)
			if title != c.title || strings.Join(tm, ",") != c.titleMatches {
				t.Errorf("title %q marked %q, want %q marked %q", title, tm, c.title, c.titleMatches)
			}
			passage, pm := marked(hits[i].Passage)
			if !strings.Contains(passage, c.passageHas) || (c.passageHit == "") != (len(pm) == 0) || c.passageHit != "" && !slices.Contains(pm, c.passageHit) {
				t.Errorf("passage %q marked %q, want it to hold %q with %q marked", passage, pm, c.passageHas, c.passageHit)
			}
			for _, f := range hits[i].Passage {
				if strings.ContainsAny(f.Text, "\uE000\uE001") {
					t.Errorf("fragment %q keeps a mark", f.Text)
				}
			}
		})
	}
}

// TestSearchBadQueries: whatever a user types is text, never query syntax,
// and nothing of it breaks the search.
func TestSearchBadQueries(t *testing.T) {
	t.Parallel()
	s := searchStore(t)
	for _, q := range []string{`'`, `"`, `''Neckar`, `Neckar:*`, `!Neckar`, `Neckar & | !`, `(Neckar)`, `-`, `or`, `or Neckar`,
		`\`, `Neckar\'`, `""""`, strings.Repeat("Neckar ", 40), "Neckar\u0000", `<->`, `Neckar <-> Ufer`, "\uE000Neckar\uE001"} {
		t.Run(fmt.Sprintf("%q", q), func(t *testing.T) {
			if _, _, err := s.Search(ctx(t), store.MotionFilter{Query: q}); err != nil {
				t.Errorf("Search(%q): %v", q, err)
			}
		})
	}
}

// TestSearchBeyondTheWalk: a search reads the newest motions in index order
// and the older ones through the search index; both tiers come out complete
// and in order across pages, whether a word is frequent (found in the walk)
// or rare (found only in motions the walk does not reach).
func TestSearchBeyondTheWalk(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	const n = 2600 // more than a search walks
	want := map[string][]string{}
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Minute)
		m := submit(draft(fmt.Sprintf("m%04d", i), "ma", "spd", fmt.Sprintf("Antrag %d", i), at), at)
		m.Justification = "Allgemeine Begründung."
		switch {
		case i%7 == 0: // frequent, in the title of every seventh
			m.Title += " zum Radverkehr"
		case i%5 == 0: // frequent, in the text
			m.Justification = "Es geht um den Radverkehr."
		}
		switch i {
		case 3, 40, 41: // rare, old: only the search index reaches them
			m.Title += " Wasserstofftankstelle"
		case 5, 7, 100, 2599:
			m.Justification += " Eine Wasserstofftankstelle fehlt."
		}
		project(t, s, m)
	}
	for _, q := range []string{"Radverkehr", "Tankstelle"} {
		var title, text []string
		for i := n - 1; i >= 0; i-- {
			id := fmt.Sprintf("m%04d", i)
			switch {
			case q == "Radverkehr" && i%7 == 0, q == "Tankstelle" && (i == 3 || i == 40 || i == 41):
				title = append(title, id)
			case q == "Radverkehr" && i%5 == 0, q == "Tankstelle" && (i == 5 || i == 7 || i == 100 || i == 2599):
				text = append(text, id)
			}
		}
		want[q] = append(title, text...)
	}
	for q, w := range want {
		t.Run(q, func(t *testing.T) {
			equal(t, "pages of 50", all(t, s, store.MotionFilter{Query: q, Limit: 50}), w)
			equal(t, "pages of 3", all(t, s, store.MotionFilter{Query: q, Limit: 3})[:min(9, len(w))], w[:min(9, len(w))])
		})
	}
}

// TestSearchWindows: what the walk leaves is read through the search index,
// first within a window of time the walk's density sizes, then beyond it;
// with a walk of 40 motions, words of every density (frequent, a few per
// cent, rare), motions sharing one time and a filter all come out complete
// and in order across pages of every size.
func TestSearchWindows(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	s.SetSearchWalk(40)
	const n = 700
	type word struct {
		query       string
		title, text func(i int) bool
	}
	in := func(set ...int) func(int) bool { return func(i int) bool { return slices.Contains(set, i) } }
	words := []word{
		{"Radverkehr", func(i int) bool { return i%7 == 0 }, func(i int) bool { return i%5 == 0 }},
		{"Kreisverkehr", func(i int) bool { return i%97 == 0 }, func(i int) bool { return i%23 == 0 }},
		{"Wasserstofftankstelle", in(3, 250), in(5, 260, 699)},
	}
	faction := func(i int) string { return []string{"spd", "cdu"}[i%2] }
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Minute)
		if i >= 200 && i < 300 { // a hundred motions changed at one time
			at = t0.Add(200 * time.Minute)
		}
		m := submit(draft(fmt.Sprintf("m%04d", i), "ma", faction(i), fmt.Sprintf("Antrag %d", i), at), at)
		m.Justification = "Allgemeine Begründung."
		for _, w := range words {
			if w.title(i) {
				m.Title += " " + w.query
			} else if w.text(i) {
				m.Justification += " Es geht um " + w.query + "."
			}
		}
		project(t, s, m)
	}
	for _, w := range words {
		for _, f := range []string{"", "cdu"} {
			var title, text []string
			for i := n - 1; i >= 0; i-- {
				switch id := fmt.Sprintf("m%04d", i); {
				case f != "" && faction(i) != f:
				case w.title(i):
					title = append(title, id)
				case w.text(i):
					text = append(text, id)
				}
			}
			want := append(title, text...)
			t.Run(w.query+"/"+f, func(t *testing.T) {
				for _, limit := range []int{50, 5, 3} {
					got := all(t, s, store.MotionFilter{Query: w.query, Faction: f, Limit: limit})
					equal(t, fmt.Sprintf("pages of %d", limit), got, want)
				}
			})
		}
	}
}

// TestSearchManyCompounds: a query word that ends more compounds than a
// search spells out (70 kinds of "…beratung") still finds every one of
// them, through the walk and through the search index, and marks each
// compound in its hit's title.
func TestSearchManyCompounds(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	want := map[string]string{}
	for i := range 70 {
		word := "Beratung"
		for _, c := range fmt.Sprintf("%02d", i) {
			word = string(rune('a'+c-'0')) + strings.ToLower(word[:1]) + word[1:]
		}
		word = strings.ToUpper(word[:1]) + word[1:]
		at := t0.Add(time.Duration(i) * time.Minute)
		id := fmt.Sprintf("m%02d", i)
		project(t, s, submit(draft(id, "ma", "spd", word+" einrichten", at), at))
		want[id] = word
	}
	for _, walk := range []int{0, 1} { // the default walk, and the search index alone
		s.SetSearchWalk(walk)
		hits, _, err := s.Search(ctx(t), store.MotionFilter{Query: "Beratung", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != len(want) {
			t.Fatalf("walk %d: %d hits, want %d", walk, len(hits), len(want))
		}
		for _, h := range hits {
			var marked []string
			for _, f := range h.Title {
				if f.Match {
					marked = append(marked, f.Text)
				}
			}
			if !slices.Equal(marked, []string{want[h.Motion.ID]}) {
				t.Errorf("walk %d: %s title marked %q, want %q", walk, h.Motion.ID, marked, want[h.Motion.ID])
			}
		}
	}
}
