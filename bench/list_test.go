//go:build bench

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// BenchmarkList (scenario 4): list and search latency through the API over a
// read model of MOTIONFLOW_BENCH_MOTIONS (100,000) motions, of one body or
// spread over MOTIONFLOW_BENCH_BODIES bodies, bulk-loaded with COPY: the first
// page, filters, German full text (compounds, umlauts typed as ae/oe/ue,
// names, statements), and deep keyset pages. The bare update's figures in
// the same run are the reference.
//
// The queries go to `motionflow serve`, built and started as its own
// process, as production runs it (startServe). MOTIONFLOW_BENCH_SERVE=0
// sends them to the API in the benchmark's process instead, beside the
// client and the embedded Temporal server, whose garbage collections its
// requests then wait for (docs/BENCHMARKS.md, "Second round").
func BenchmarkList(b *testing.B) {
	e := shared(b)
	l := listData(b, e)
	for _, q := range l.queries {
		b.Run(q.name, func(b *testing.B) {
			for range 3 { // warm the plan and the buffers
				if err := l.get(q); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			s, err := run(b.N, 1, func(_, _ int) error { return l.get(q) })
			if err != nil {
				b.Fatal(err)
			}
			report(b, s, l.bare)
		})
	}
}

type listQuery struct {
	name, path, token string
}

type listEnv struct {
	url     string
	e       *env
	queries []listQuery
	bare    stats
	rows    int
}

var (
	listOnce sync.Once
	listEnvV *listEnv
)

func (l *listEnv) get(q listQuery) error {
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	_, err := l.e.callAt(l.url, "GET", q.path, q.token, nil, &page)
	if err == nil && len(page.Items) == 0 && !strings.Contains(q.name, "empty") {
		return fmt.Errorf("%s: no results", q.name)
	}
	return err
}

// listData loads the motions once and prepares the queries (deep cursors
// included) and the bare update reference.
func listData(b *testing.B, e *env) *listEnv {
	listOnce.Do(func() {
		n := envInt("MOTIONFLOW_BENCH_MOTIONS", 100_000)
		ctx := context.Background()
		var own cleanupList
		cleanups.add(own.run)
		// MOTIONFLOW_BENCH_LISTDB names a database to keep the loaded motions
		// in between runs (created, migrated and loaded when it does not hold
		// them yet; 1,000,000 motions take a quarter of an hour to load).
		dsn := os.Getenv("MOTIONFLOW_BENCH_LISTDB")
		if dsn == "" {
			dsn = storetest.NewDatabase(longTB{cleanups: &own})
		} else if err := store.EnsureDatabase(ctx, dsn); err != nil {
			panic(err)
		} else if err := store.Migrate(ctx, dsn); err != nil {
			panic(err)
		}
		st, err := store.Open(ctx, dsn)
		if err != nil {
			panic(err)
		}
		own.add(st.Close)
		bodies := []string{bodyID}
		for i := 2; i <= envInt("MOTIONFLOW_BENCH_BODIES", 1); i++ {
			bodies = append(bodies, fmt.Sprintf("stadt-%03d", i))
		}
		var have int
		if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM motions").Scan(&have); err != nil {
			panic(err)
		}
		if have != n {
			if _, err := st.Pool.Exec(ctx, "TRUNCATE motions CASCADE"); err != nil {
				panic(err)
			}
			for _, id := range bodies {
				if _, err := st.UpsertBody(ctx, store.Body{ID: id, Name: "Stadt " + id, ReferencePrefix: "A"}); err != nil {
					panic(err)
				}
			}
			t0 := time.Now()
			if err := bulkMotions(ctx, st, n, bodies); err != nil {
				panic(err)
			}
			if _, err := st.Pool.Exec(ctx, "VACUUM ANALYZE motions"); err != nil {
				panic(err)
			}
			fmt.Fprintf(benchLog, "list: %d motions of %d bodies loaded with COPY in %v\n", n, len(bodies), time.Since(t0).Round(time.Millisecond))
		}
		l := &listEnv{e: e, rows: n}
		if os.Getenv("MOTIONFLOW_BENCH_SERVE") == "0" {
			h, _ := api.New(api.Config{RequestTimeout: time.Minute}, api.Deps{Motions: e.motions, Auth: e.verifier, Store: st,
				Logger: slog.New(slog.DiscardHandler)})
			srv := httptest.NewServer(h)
			own.add(srv.Close)
			l.url = srv.URL
		} else {
			l.url = startServe(&own, e, dsn)
		}
		l.queries = []listQuery{
			{"first-page", "/v1/motions?limit=50", ""},
			{"first-page-as-faction", "/v1/motions?limit=50", e.spd},
			{"status-and-kind", "/v1/motions?status=in_consultation,decided&kind=motion&limit=50", ""},
			{"faction", "/v1/motions?faction=mannheim-gruene&limit=50", ""},
			{"tag", "/v1/motions?tag=Verkehr&limit=50", ""},
			{"submitted-half-year", "/v1/motions?submitted_from=2024-01-01T00:00:00Z&submitted_to=2024-07-01T00:00:00Z&limit=50", ""},
			{"fulltext-common", "/v1/motions?q=" + url.QueryEscape("Radverkehr") + "&limit=50", ""},
			{"fulltext-rare", "/v1/motions?q=" + url.QueryEscape("Wasserstoffbusse") + "&limit=50", ""},
			{"fulltext-phrase", "/v1/motions?q=" + url.QueryEscape(`"digitale Verwaltung"`) + "&limit=50", ""},
			{"fulltext-and-status", "/v1/motions?q=Schule&status=decided&limit=50", ""},
			{"compound-head", "/v1/motions?q=Neckar&limit=50", ""},
			{"compound-tail", "/v1/motions?q=Schutz&limit=50", ""},
			{"compound-tail-rare", "/v1/motions?q=Beratung&limit=50", ""},
			{"umlaut-typed-ae", "/v1/motions?q=Baeume&limit=50", ""},
			{"signatory", "/v1/motions?q=Schubert&limit=50", ""},
			{"statement", "/v1/motions?q=" + url.QueryEscape("Haushaltsvorbehalt") + "&limit=50", ""},
			{"reference", "/v1/motions?q=" + url.QueryEscape("A17/2024") + "&limit=50", ""},
			{"fulltext-two-words", "/v1/motions?q=" + url.QueryEscape("Radverkehr Neckarstadt") + "&limit=50", ""},
			{"fulltext-as-faction", "/v1/motions?q=Radverkehr&limit=50", e.spd},
			{"body-and-fulltext", "/v1/motions?body=" + bodyID + "&q=Radverkehr&limit=50", ""},
			{"body-first-page", "/v1/motions?body=" + bodyID + "&limit=50", ""},
		}
		// Deep pages: walk the keyset pagination once to get the cursors.
		for _, deep := range []struct {
			name, path string
			pages      int
		}{
			{"page-200-of-list", "/v1/motions?limit=50", 200},
			{"page-20-of-fulltext", "/v1/motions?q=Radverkehr&limit=50", 20},
			{"page-20-of-submitted", "/v1/motions?submitted_from=2024-01-01T00:00:00Z&submitted_to=2024-07-01T00:00:00Z&limit=50", 20},
			{"page-20-of-phrase", "/v1/motions?q=" + url.QueryEscape(`"digitale Verwaltung"`) + "&limit=50", 20},
		} {
			path := deep.path
			for p := 1; p < deep.pages; p++ {
				var page struct {
					Next string `json:"next"`
				}
				_, err := e.callAt(l.url, "GET", path, "", nil, &page)
				if err != nil || page.Next == "" {
					panic(fmt.Sprintf("%s: page %d: %v (next %q)", deep.name, p, err, page.Next))
				}
				path = deep.path + "&cursor=" + url.QueryEscape(page.Next)
			}
			l.queries = append(l.queries, listQuery{deep.name, path, ""})
		}
		// The reference: bare updates, one client.
		ws := e.noopPool("list", 10)
		l.bare, err = run(200, 1, func(_, i int) error { return e.bareUpdate(ws[i%10], i) })
		if err != nil {
			panic(err)
		}
		listEnvV = l
	})
	return listEnvV
}

// Vocabulary of the generated motions: council German, so that the German
// full-text configuration stems and ranks as on real data.
var (
	topics = []string{"Radverkehr", "Schulsanierung", "Kita-Plätze", "Stadtbäume", "Wohnungsbau", "Digitalisierung",
		"Straßenbeleuchtung", "Spielplätze", "Busverbindungen", "Sportstätten", "Stadtbibliothek", "Klimaschutz",
		"Parkraumbewirtschaftung", "Hochwasserschutz", "Seniorentreffs", "Jugendzentren", "Breitbandausbau",
		"Friedhofsgebühren", "Marktplatzgestaltung", "Wasserstoffbusse", "Schwimmbäder", "Sozialticket", "Photovoltaik",
		"Baumschutzsatzung", "Quartiersmanagement", "Lärmschutz", "Radschnellweg", "Ganztagsschule", "Bürgerbüro", "Ehrenamt"}
	places = []string{"in der Neckarstadt", "in Käfertal", "auf dem Lindenhof", "in der Innenstadt", "in Feudenheim",
		"in Sandhofen", "in Neckarau", "in der Oststadt", "auf der Rheinau", "in Seckenheim", "im Jungbusch", "in Vogelstang"}
	verbs = []string{"Ausbau", "Verbesserung", "Förderung", "Sanierung", "Prüfung", "Einführung", "Erweiterung", "Sicherung"}
	tags  = []string{"Verkehr", "Bildung", "Umwelt", "Soziales", "Wirtschaft", "Kultur", "Sport", "Finanzen", "Digitales",
		"Wohnen", "Sicherheit", "Gesundheit", "Jugend", "Senioren", "Stadtentwicklung"}
	sentences = []string{
		"Die Verwaltung wird beauftragt, dem Gemeinderat bis zum Jahresende ein Konzept vorzulegen.",
		"Die erforderlichen Mittel sind im nächsten Doppelhaushalt bereitzustellen.",
		"Dabei sind die Bezirksbeiräte frühzeitig zu beteiligen.",
		"Die digitale Verwaltung soll Anträge der Bürgerinnen und Bürger vollständig online ermöglichen.",
		"Der Ausschuss für Umwelt und Technik ist regelmäßig über den Sachstand zu unterrichten.",
		"Fördermittel von Land und Bund sind vorrangig in Anspruch zu nehmen.",
		"Die Maßnahme soll barrierefrei umgesetzt werden.",
		"Die Schule benötigt zusätzliche Räume für die Ganztagsbetreuung.",
	}
	factions = []string{factionSPD, factionCDU, "mannheim-gruene", "mannheim-fdp", "mannheim-linke", "mannheim-fw"}
)

// Signatories and statements of the generated motions.
var (
	councillors = []string{"Anna Keller", "Jörg Schubert", "Fatma Yıldız", "Hans-Peter Müller", "Claudia Weiß", "Thomas Nguyen",
		"Sabine Öztürk", "Michael Brandt"}
	statements = []string{
		"Die Verwaltung empfiehlt, dem Antrag unter Haushaltsvorbehalt zuzustimmen.",
		"Die Verwaltung hält den Antrag für erledigt, da die Maßnahme bereits umgesetzt wird.",
		"Die Kosten betragen nach erster Schätzung 120.000 Euro; Fördermittel werden beantragt.",
		"Die Schuldnerberatung und die Sozialberatung werden bei der Umsetzung beteiligt.",
		"Die Stadtbäume im Quartier werden im Rahmen der Grünflächenpflege ersetzt.",
	}
)

// bulkMotions writes n generated motions, spread over bodies, with COPY (the
// read model only; the audit trail is not needed for lists). The search
// indexes are built after the rows are in, as a restore would.
func bulkMotions(ctx context.Context, st *store.Store, n int, bodies []string) error {
	r := rand.New(rand.NewPCG(42, 2026))
	statuses := []struct {
		s motion.Status
		w int
	}{{motion.StatusDraft, 5}, {motion.StatusSubmitted, 5}, {motion.StatusRegistered, 10}, {motion.StatusInConsultation, 15},
		{motion.StatusDecided, 20}, {motion.StatusImplementation, 10}, {motion.StatusAnswered, 10}, {motion.StatusClosed, 15},
		{motion.StatusWithdrawn, 5}, {motion.StatusLapsed, 5}}
	pickStatus := func() motion.Status {
		x := r.IntN(100)
		for _, s := range statuses {
			if x < s.w {
				return s.s
			}
			x -= s.w
		}
		return motion.StatusClosed
	}
	start := time.Date(2019, 6, 1, 9, 0, 0, 0, time.UTC)
	span := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Sub(start)
	seqs := map[string]int{}
	rows := make([][]any, 0, n)
	for i := range n {
		m := motion.Motion{ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", i), BodyID: bodies[i%len(bodies)], Version: 1 + int64(r.IntN(8))}
		switch x := r.IntN(100); {
		case x < 70:
			m.Kind = motion.KindMotion
		case x < 80:
			m.Kind = motion.KindBudgetMotion
			m.BudgetCycle = "Haushalt 2024/2025"
		case x < 95:
			m.Kind = motion.KindInquiry
		default:
			m.Kind = motion.KindAmendment
			m.Amends = "A1/2024"
		}
		m.Status = pickStatus()
		if m.Kind == motion.KindInquiry && (m.Status == motion.StatusDecided || m.Status == motion.StatusImplementation || m.Status == motion.StatusInConsultation) {
			m.Status = motion.StatusAnswered
		}
		m.Faction = factions[r.IntN(len(factions))]
		topic := topics[r.IntN(len(topics))]
		m.Title = fmt.Sprintf("%s: %s %s", topic, verbs[r.IntN(len(verbs))], places[r.IntN(len(places))])
		for range 1 + r.IntN(3) {
			m.ResolutionPoints = append(m.ResolutionPoints, sentences[r.IntN(len(sentences))])
		}
		var j strings.Builder
		for range 3 + r.IntN(5) {
			j.WriteString(sentences[r.IntN(len(sentences))])
			j.WriteString(" ")
		}
		j.WriteString(topic + " ist für die Stadt von großer Bedeutung.")
		m.Justification = j.String()
		for range 1 + r.IntN(3) {
			t := tags[r.IntN(len(tags))]
			if !strings.Contains(strings.Join(m.Tags, ","), t) {
				m.Tags = append(m.Tags, t)
			}
		}
		if r.IntN(10) == 0 {
			for range 1 + r.IntN(3) {
				m.Signers = append(m.Signers, motion.Signer{PersonID: "p", Name: councillors[r.IntN(len(councillors))]})
			}
		}
		m.CreatedAt = start.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Microsecond)
		if r.IntN(3) == 0 {
			m.Statements = append(m.Statements, motion.Statement{Department: "dez1", Text: statements[r.IntN(len(statements))], At: m.CreatedAt})
		}
		m.UpdatedAt = m.CreatedAt.Add(time.Duration(r.IntN(90*24)) * time.Hour)
		if m.Status != motion.StatusDraft {
			sub := m.CreatedAt.Add(time.Duration(r.IntN(72)) * time.Hour)
			m.SubmittedAt = &sub
		}
		switch m.Status {
		case motion.StatusDraft, motion.StatusSubmitted, motion.StatusWithdrawn:
		default:
			y := m.SubmittedAt.Year()
			seqs[m.BodyID+strconv.Itoa(y)]++
			seq := seqs[m.BodyID+strconv.Itoa(y)]
			m.Reference, m.ReferenceYear, m.ReferenceSeq = fmt.Sprintf("A%d/%d", seq, y), y, seq
		}
		var outcome *string
		if m.Status == motion.StatusDecided || m.Status == motion.StatusImplementation || m.Status == motion.StatusClosed {
			res := motion.ResultAdopted
			if r.IntN(3) == 0 {
				res = motion.ResultRejected
			}
			m.Outcome = &motion.Outcome{Result: res, DecidedAt: m.UpdatedAt}
			o := string(res)
			outcome = &o
		}
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		rows = append(rows, []any{m.ID, m.BodyID, string(m.Kind), string(m.Status), m.Version, m.Title, m.Faction,
			[]string{}, m.Reference, m.Tags, m.BudgetCycle, []string{}, m.Public(), m.SubmittedAt, m.CreatedAt, m.UpdatedAt,
			outcome, data})
	}
	if _, err := st.Pool.Exec(ctx, "DROP INDEX motions_search; DROP INDEX motions_title_search"); err != nil {
		return err
	}
	// Batches of 50,000 rows keep the generated rows' memory bounded.
	for len(rows) > 0 {
		k := min(len(rows), 50_000)
		if _, err := st.Pool.CopyFrom(ctx, pgx.Identifier{"motions"},
			[]string{"id", "body_id", "kind", "status", "version", "title", "faction", "cosponsors", "reference", "tags",
				"budget_cycle", "meeting_ids", "public", "submitted_at", "created_at", "updated_at", "outcome", "data"},
			pgx.CopyFromRows(rows[:k])); err != nil {
			return err
		}
		rows = rows[k:]
	}
	_, err := st.Pool.Exec(ctx, `SET maintenance_work_mem = '1GB';
		CREATE INDEX motions_search ON motions USING gin (search);
		CREATE INDEX motions_title_search ON motions USING gin (title_search)`)
	return err
}

// startServe builds motionflow as production does and starts `serve` as its
// own process on the list database dsn, with e's Temporal and identity
// provider and no rate limit (one client sends every query); it returns the
// API's URL once /readyz answers, and stops the process among own's
// cleanups.
func startServe(own *cleanupList, e *env, dsn string) string {
	dir, err := os.MkdirTemp("", "motionflow-bench-serve-")
	if err != nil {
		panic(err)
	}
	own.add(func() { _ = os.RemoveAll(dir) })
	bin := filepath.Join(dir, "motionflow")
	// With the Dockerfile's tags, as e2e's buildProduction builds it: no
	// embedded Temporal server nor development identity provider linked in.
	build := exec.Command("go", "build", "-tags", "nodev", "-o", bin, "github.com/motionflow/motionflow/cmd/motionflow")
	build.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("go build -tags nodev: %v\n%s", err, out))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "TEMPORAL_ADDRESS="+e.hostPort, "TEMPORAL_NAMESPACE="+e.namespace,
		"OIDC_ISSUER="+e.issuer.IssuerURL, "OIDC_AUDIENCE="+e.issuer.Audience, "MOTIONFLOW_ADDR="+addr,
		"MOTIONFLOW_RATE_PER_USER=0", "MOTIONFLOW_RATE_PER_ADDRESS=0")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	own.add(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); _ = logf.Close() })
	base := "http://" + addr
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			panic(fmt.Sprintf("motionflow serve not ready within a minute:\n%s", log))
		}
	}
	fmt.Fprintf(benchLog, "list: queries go to motionflow serve at %s (pid %d)\n", base, cmd.Process.Pid)
	return base
}
