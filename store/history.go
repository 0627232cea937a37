package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file holds the archive a city brings when it switches to motionflow:
// the papers of its former council information system, with their
// consultations and files, and the agenda items of its meetings (migration
// 016). Package importer writes them from OParl, page by page in batches;
// they are no motions and no workflow runs for them. The OParl endpoint
// publishes them beside the motions (OParlPapers and the other lists merge
// both, in one key order), and Papers searches them.
//
// Every row keeps its source: SourceID is the OParl id (URL) of the object
// it was imported from, oparl_sources maps it to the local id. References
// to other objects stay the source's URLs and are resolved through
// oparl_sources when read.

// The kinds of the archive's rows in oparl_sources.
const (
	OParlKindPaper        OParlKind = "paper"
	OParlKindConsultation OParlKind = "paper_consultation"
	OParlKindAgendaItem   OParlKind = "agenda_item"
	OParlKindFile         OParlKind = "paper_file"
)

// ---- writes (package importer) ----

// ImportCounts says what a batch import did to the objects of one kind.
type ImportCounts struct {
	Created, Updated, Unchanged, Deleted int
}

// ImportedPaper is a paper of the source system as the importer hands it
// over: ids resolved (ResolveOParlIDs), references as the source's URLs.
type ImportedPaper struct {
	ID, BodyID, SourceID string
	Reference, Name      string
	PaperType            string
	// Date is the paper's calendar date (its location's day).
	Date *time.Time
	// MainFileID is the local id of the paper's main file, "" without one.
	MainFileID string
	// Data is the source's object without its embedded consultations and
	// files; it is stored as it is (keywords, originators, links).
	Data    json.RawMessage
	Created time.Time
	// Files are the paper's files, main file first; Consultations its route.
	Files         []ImportedFile
	Consultations []ImportedConsultation
}

// ImportedFile is a file of an imported paper, without its content.
type ImportedFile struct {
	ID, SourceID             string
	Name, FileName, MimeType string
	AccessURL, DownloadURL   string
	Text                     string
	Date                     *time.Time
	Size                     *int64
	Created                  time.Time
}

// ImportedConsultation is a consultation of an imported paper.
// OrganizationSources, MeetingSource and AgendaItemSource are OParl URLs.
type ImportedConsultation struct {
	ID, SourceID                    string
	MeetingSource, AgendaItemSource string
	OrganizationSources             []string
	Authoritative                   *bool
	Role                            string
	Created                         time.Time
}

// ImportedAgendaItem is an item of an imported meeting's agenda.
type ImportedAgendaItem struct {
	ID, SourceID       string
	Number, Name       string
	Order              int
	Public             *bool
	Result             string
	ResolutionText     string
	ConsultationSource string
	Created            time.Time
}

// OParlIDRequest asks for the local id of one OParl object: the first free
// candidate when it has none yet (see ResolveOParlID).
type OParlIDRequest struct {
	OParlID    string
	Candidates []string
}

// ResolveOParlIDs is ResolveOParlID for many objects of one kind of a body,
// with a few queries for the whole batch: it returns the local id of every
// requested OParl id.
func (s *Store) ResolveOParlIDs(ctx context.Context, kind OParlKind, bodyID string, reqs []OParlIDRequest) (map[string]string, error) {
	table, ok := kind.table()
	if !ok {
		return nil, invalidf("unknown import kind %q", kind)
	}
	out := make(map[string]string, len(reqs))
	if len(reqs) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(reqs))
	for _, r := range reqs {
		if strings.TrimSpace(r.OParlID) == "" {
			return nil, invalidf("OParl id is required")
		}
		ids = append(ids, r.OParlID)
	}
	rows, _ := s.Pool.Query(ctx, `SELECT oparl_id, local_id FROM oparl_sources WHERE oparl_id = ANY($1)`, ids)
	if err := collectPairs(rows, out); err != nil {
		return nil, err
	}
	// The first candidate of every new object in one statement; what it
	// could not place (taken, or two objects wanting one id) goes one by one.
	var newIDs, firsts []string
	seen := map[string]bool{}
	for _, r := range reqs {
		if _, ok := out[r.OParlID]; ok || seen[r.OParlID] || len(r.Candidates) == 0 {
			continue
		}
		seen[r.OParlID] = true
		newIDs, firsts = append(newIDs, r.OParlID), append(firsts, r.Candidates[0])
	}
	if len(newIDs) > 0 {
		rows, _ := s.Pool.Query(ctx, `INSERT INTO oparl_sources (oparl_id, kind, local_id, body_id)
			SELECT x.o, $3, x.l, $4 FROM unnest($1::text[], $2::text[]) AS x(o, l)
			WHERE x.l <> '' AND NOT EXISTS (SELECT 1 FROM `+table+` t WHERE t.id = x.l)
			ON CONFLICT DO NOTHING
			RETURNING oparl_id, local_id`, newIDs, firsts, string(kind), bodyID)
		if err := collectPairs(rows, out); err != nil {
			return nil, err
		}
	}
	for _, r := range reqs {
		if _, ok := out[r.OParlID]; ok {
			continue
		}
		local, err := s.ResolveOParlID(ctx, kind, r.OParlID, bodyID, r.Candidates...)
		if err != nil {
			return nil, err
		}
		out[r.OParlID] = local
	}
	return out, nil
}

func collectPairs(rows pgx.Rows, into map[string]string) error {
	var k, v string
	_, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error {
		into[k] = v
		return nil
	})
	return mapErr(err)
}

// jsonRows passes rows to PostgreSQL as one jsonb array for jsonb_to_recordset.
func jsonRows(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// dateOrNil is the calendar date of t for a date column.
func dateOrNil(t *time.Time) *string { return oparlDate(t) }

// countWrites runs an upsert (which leaves out the rows that would not
// change before it builds them: building a paper computes its search
// vector) that returns (id, xmax = 0) for each row it wrote and adds its
// results to c (of total rows offered).
func countWrites(ctx context.Context, tx pgx.Tx, c *ImportCounts, total int, changed map[string]bool, sql string, args ...any) error {
	rows, _ := tx.Query(ctx, sql, args...)
	var id string
	var inserted bool
	n := 0
	_, err := pgx.ForEachRow(rows, []any{&id, &inserted}, func() error {
		n++
		if inserted {
			c.Created++
		} else {
			c.Updated++
		}
		if changed != nil {
			changed[id] = true
		}
		return nil
	})
	if err != nil {
		return mapErr(err)
	}
	c.Unchanged += total - n
	return nil
}

// PaperImport is what ImportPapers did.
type PaperImport struct {
	Papers, Consultations, Files ImportCounts
}

// ImportPapers writes a batch of imported papers (one list page) with their
// files and consultations in one transaction. Only rows whose content
// changed are written; a paper's modified moves also when one of its files
// or consultations changed, and its files_text (the search's file text)
// follows its files. Files and consultations a paper no longer has become
// tombstones. Ids must be resolved (ResolveOParlIDs).
func (s *Store) ImportPapers(ctx context.Context, papers []ImportedPaper) (PaperImport, error) {
	var res PaperImport
	if len(papers) == 0 {
		return res, nil
	}
	type paperRow struct {
		ID         string          `json:"id"`
		BodyID     string          `json:"body_id"`
		SourceID   string          `json:"source_id"`
		Reference  string          `json:"reference"`
		Name       string          `json:"name"`
		PaperType  string          `json:"paper_type"`
		Date       *string         `json:"date"`
		MainFileID string          `json:"main_file_id"`
		Data       json.RawMessage `json:"data"`
		Created    *time.Time      `json:"created"`
	}
	type fileRow struct {
		ID          string     `json:"id"`
		PaperID     string     `json:"paper_id"`
		BodyID      string     `json:"body_id"`
		SourceID    string     `json:"source_id"`
		Pos         int        `json:"pos"`
		Name        string     `json:"name"`
		FileName    string     `json:"file_name"`
		MimeType    string     `json:"mime_type"`
		Date        *string    `json:"date"`
		Size        *int64     `json:"size"`
		AccessURL   string     `json:"access_url"`
		DownloadURL string     `json:"download_url"`
		Text        string     `json:"text"`
		Created     *time.Time `json:"created"`
	}
	type consultationRow struct {
		ID                  string     `json:"id"`
		PaperID             string     `json:"paper_id"`
		BodyID              string     `json:"body_id"`
		SourceID            string     `json:"source_id"`
		Pos                 int        `json:"pos"`
		MeetingSource       string     `json:"meeting_source"`
		AgendaItemSource    string     `json:"agenda_item_source"`
		OrganizationSources []string   `json:"organization_sources"`
		Authoritative       *bool      `json:"authoritative"`
		Role                string     `json:"role"`
		Created             *time.Time `json:"created"`
	}
	var ps []paperRow
	var fs []fileRow
	var cs []consultationRow
	var paperIDs, fileSources, consultationSources []string
	for _, p := range papers {
		if p.ID == "" || p.BodyID == "" || p.SourceID == "" {
			return res, invalidf("paper id, body and source are required")
		}
		data := p.Data
		if len(data) == 0 {
			data = json.RawMessage(`{}`)
		}
		ps = append(ps, paperRow{p.ID, p.BodyID, p.SourceID, p.Reference, p.Name, p.PaperType, dateOrNil(p.Date),
			p.MainFileID, data, timeOrNil(p.Created)})
		paperIDs = append(paperIDs, p.ID)
		for i, f := range p.Files {
			if f.ID == "" || f.SourceID == "" || f.AccessURL == "" {
				return res, invalidf("file id, source and accessUrl are required")
			}
			fs = append(fs, fileRow{f.ID, p.ID, p.BodyID, f.SourceID, i, f.Name, f.FileName, f.MimeType, dateOrNil(f.Date),
				f.Size, f.AccessURL, f.DownloadURL, f.Text, timeOrNil(f.Created)})
			fileSources = append(fileSources, f.SourceID)
		}
		for i, c := range p.Consultations {
			if c.ID == "" || c.SourceID == "" {
				return res, invalidf("consultation id and source are required")
			}
			cs = append(cs, consultationRow{c.ID, p.ID, p.BodyID, c.SourceID, i, c.MeetingSource, c.AgendaItemSource,
				nonNil(c.OrganizationSources), c.Authoritative, c.Role, timeOrNil(c.Created)})
			consultationSources = append(consultationSources, c.SourceID)
		}
	}
	pj, err := jsonRows(ps)
	if err != nil {
		return res, err
	}
	fj, err := jsonRows(nonNilRows(fs))
	if err != nil {
		return res, err
	}
	cj, err := jsonRows(nonNilRows(cs))
	if err != nil {
		return res, err
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := countWrites(ctx, tx, &res.Papers, len(ps), nil, `
			INSERT INTO papers AS t (id, body_id, source_id, reference, name, paper_type, date, main_file_id, data, created, modified)
			SELECT x.id, x.body_id, x.source_id, x.reference, x.name, x.paper_type, x.date, x.main_file_id, x.data,
				coalesce(x.created, now()), now()
			FROM jsonb_to_recordset($1::jsonb) AS x(id text, body_id text, source_id text, reference text, name text,
				paper_type text, date date, main_file_id text, data jsonb, created timestamptz)
			WHERE NOT EXISTS (SELECT 1 FROM papers t WHERE t.id = x.id AND NOT t.deleted
				AND (t.reference, t.name, t.paper_type, t.date, t.main_file_id, t.data) IS NOT DISTINCT FROM
				(x.reference, x.name, x.paper_type, x.date, x.main_file_id, x.data))
			ON CONFLICT (id) DO UPDATE SET reference = excluded.reference, name = excluded.name,
				paper_type = excluded.paper_type, date = excluded.date, main_file_id = excluded.main_file_id,
				data = excluded.data, modified = now(), deleted = false
			WHERE (t.reference, t.name, t.paper_type, t.date, t.main_file_id, t.data, t.deleted) IS DISTINCT FROM
				(excluded.reference, excluded.name, excluded.paper_type, excluded.date, excluded.main_file_id, excluded.data, false)
			RETURNING t.id, (t.xmax = 0)`, pj); err != nil {
			return err
		}
		// Papers whose files or consultations changed.
		touched := map[string]bool{}
		filesChanged := map[string]bool{}
		if err := countWrites(ctx, tx, &res.Files, len(fs), filesChanged, `
			INSERT INTO paper_files AS t (id, paper_id, body_id, source_id, pos, name, file_name, mime_type, date, size,
				access_url, download_url, text, created, modified)
			SELECT x.id, x.paper_id, x.body_id, x.source_id, x.pos, x.name, x.file_name, x.mime_type, x.date, x.size,
				x.access_url, x.download_url, x.text, coalesce(x.created, now()), now()
			FROM jsonb_to_recordset($1::jsonb) AS x(id text, paper_id text, body_id text, source_id text, pos int, name text,
				file_name text, mime_type text, date date, size bigint, access_url text, download_url text, text text,
				created timestamptz)
			WHERE NOT EXISTS (SELECT 1 FROM paper_files t WHERE t.id = x.id AND NOT t.deleted
				AND (t.pos, t.name, t.file_name, t.mime_type, t.date, t.size, t.access_url, t.download_url, t.text) IS NOT DISTINCT FROM
				(x.pos, x.name, x.file_name, x.mime_type, x.date, x.size, x.access_url, x.download_url, x.text))
			ON CONFLICT (id) DO UPDATE SET pos = excluded.pos, name = excluded.name, file_name = excluded.file_name,
				mime_type = excluded.mime_type, date = excluded.date, size = excluded.size, access_url = excluded.access_url,
				download_url = excluded.download_url, text = excluded.text, modified = now(), deleted = false
			WHERE (t.pos, t.name, t.file_name, t.mime_type, t.date, t.size, t.access_url, t.download_url, t.text, t.deleted)
				IS DISTINCT FROM (excluded.pos, excluded.name, excluded.file_name, excluded.mime_type, excluded.date,
				excluded.size, excluded.access_url, excluded.download_url, excluded.text, false)
			RETURNING t.paper_id, (t.xmax = 0)`, fj); err != nil {
			return err
		}
		if err := countWrites(ctx, tx, &res.Consultations, len(cs), touched, `
			INSERT INTO paper_consultations AS t (id, paper_id, body_id, source_id, pos, meeting_source, agenda_item_source,
				organization_sources, authoritative, role, created, modified)
			SELECT x.id, x.paper_id, x.body_id, x.source_id, x.pos, x.meeting_source, x.agenda_item_source,
				coalesce(x.organization_sources, '{}'), x.authoritative, x.role, coalesce(x.created, now()), now()
			FROM jsonb_to_recordset($1::jsonb) AS x(id text, paper_id text, body_id text, source_id text, pos int,
				meeting_source text, agenda_item_source text, organization_sources text[], authoritative boolean, role text,
				created timestamptz)
			WHERE NOT EXISTS (SELECT 1 FROM paper_consultations t WHERE t.id = x.id AND NOT t.deleted
				AND (t.pos, t.meeting_source, t.agenda_item_source, t.organization_sources, t.authoritative, t.role) IS NOT DISTINCT FROM
				(x.pos, x.meeting_source, x.agenda_item_source, coalesce(x.organization_sources, '{}'), x.authoritative, x.role))
			ON CONFLICT (id) DO UPDATE SET pos = excluded.pos, meeting_source = excluded.meeting_source,
				agenda_item_source = excluded.agenda_item_source, organization_sources = excluded.organization_sources,
				authoritative = excluded.authoritative, role = excluded.role, modified = now(), deleted = false
			WHERE (t.pos, t.meeting_source, t.agenda_item_source, t.organization_sources, t.authoritative, t.role, t.deleted)
				IS DISTINCT FROM (excluded.pos, excluded.meeting_source, excluded.agenda_item_source,
				excluded.organization_sources, excluded.authoritative, excluded.role, false)
			RETURNING t.paper_id, (t.xmax = 0)`, cj); err != nil {
			return err
		}
		// What the papers no longer have becomes a tombstone.
		// (Joined to the page's papers, so that the plan probes the index
		// by paper instead of scanning the table.)
		rows, _ := tx.Query(ctx, `UPDATE paper_files f SET deleted = true, modified = now()
			FROM unnest($1::text[]) AS p(id)
			WHERE f.paper_id = p.id AND NOT f.deleted AND NOT (f.source_id = ANY($2)) RETURNING f.paper_id`, paperIDs, nonNil(fileSources))
		n, err := collectIDs(rows, filesChanged)
		if err != nil {
			return err
		}
		res.Files.Deleted += n
		rows, _ = tx.Query(ctx, `UPDATE paper_consultations c SET deleted = true, modified = now()
			FROM unnest($1::text[]) AS p(id)
			WHERE c.paper_id = p.id AND NOT c.deleted AND NOT (c.source_id = ANY($2)) RETURNING c.paper_id`, paperIDs, nonNil(consultationSources))
		if n, err = collectIDs(rows, touched); err != nil {
			return err
		}
		res.Consultations.Deleted += n
		for id := range filesChanged {
			touched[id] = true
		}
		if len(touched) == 0 {
			return nil
		}
		ids := make([]string, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		// The paper embeds them: its modified moves, its file text follows.
		_, err = tx.Exec(ctx, `UPDATE papers p SET modified = now(),
				files_text = coalesce((SELECT string_agg(f.text, E'\n' ORDER BY f.pos, f.id) FROM paper_files f
					WHERE f.paper_id = p.id AND NOT f.deleted AND f.text <> ''), '')
			WHERE p.id = ANY($1)`, ids)
		return mapErr(err)
	})
	return res, mapErr(err)
}

// nonNilRows returns s, or an empty slice for nil, so that it is a JSON array.
func nonNilRows[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func collectIDs(rows pgx.Rows, into map[string]bool) (int, error) {
	var id string
	n := 0
	_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
		n++
		into[id] = true
		return nil
	})
	return n, mapErr(err)
}

// ImportAgendaItems writes the agenda of an imported meeting (see
// ImportPapers): items it no longer has become tombstones, and the meeting's
// modified moves when its agenda changed.
func (s *Store) ImportAgendaItems(ctx context.Context, meetingID, bodyID string, items []ImportedAgendaItem) (ImportCounts, error) {
	var res ImportCounts
	type itemRow struct {
		ID                 string     `json:"id"`
		SourceID           string     `json:"source_id"`
		Number             string     `json:"number"`
		Ord                int        `json:"ord"`
		Name               string     `json:"name"`
		Public             *bool      `json:"public"`
		Result             string     `json:"result"`
		ResolutionText     string     `json:"resolution_text"`
		ConsultationSource string     `json:"consultation_source"`
		Created            *time.Time `json:"created"`
	}
	rs := []itemRow{}
	sources := []string{}
	for _, it := range items {
		if it.ID == "" || it.SourceID == "" {
			return res, invalidf("agenda item id and source are required")
		}
		rs = append(rs, itemRow{it.ID, it.SourceID, it.Number, it.Order, it.Name, it.Public, it.Result, it.ResolutionText,
			it.ConsultationSource, timeOrNil(it.Created)})
		sources = append(sources, it.SourceID)
	}
	j, err := jsonRows(rs)
	if err != nil {
		return res, err
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := countWrites(ctx, tx, &res, len(rs), nil, `
			INSERT INTO agenda_items AS t (id, meeting_id, body_id, source_id, number, ord, name, public, result,
				resolution_text, consultation_source, created, modified)
			SELECT x.id, $2, $3, x.source_id, x.number, x.ord, x.name, x.public, x.result, x.resolution_text,
				x.consultation_source, coalesce(x.created, now()), now()
			FROM jsonb_to_recordset($1::jsonb) AS x(id text, source_id text, number text, ord int, name text, public boolean,
				result text, resolution_text text, consultation_source text, created timestamptz)
			WHERE NOT EXISTS (SELECT 1 FROM agenda_items t WHERE t.id = x.id AND NOT t.deleted
				AND (t.meeting_id, t.number, t.ord, t.name, t.public, t.result, t.resolution_text, t.consultation_source)
				IS NOT DISTINCT FROM ($2, x.number, x.ord, x.name, x.public, x.result, x.resolution_text, x.consultation_source))
			ON CONFLICT (id) DO UPDATE SET meeting_id = excluded.meeting_id, number = excluded.number, ord = excluded.ord,
				name = excluded.name, public = excluded.public, result = excluded.result,
				resolution_text = excluded.resolution_text, consultation_source = excluded.consultation_source,
				modified = now(), deleted = false
			WHERE (t.meeting_id, t.number, t.ord, t.name, t.public, t.result, t.resolution_text, t.consultation_source, t.deleted)
				IS DISTINCT FROM (excluded.meeting_id, excluded.number, excluded.ord, excluded.name, excluded.public,
				excluded.result, excluded.resolution_text, excluded.consultation_source, false)
			RETURNING t.id, (t.xmax = 0)`, j, meetingID, bodyID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE agenda_items SET deleted = true, modified = now()
			WHERE meeting_id = $1 AND NOT deleted AND NOT (source_id = ANY($2))`, meetingID, sources)
		if err != nil {
			return mapErr(err)
		}
		res.Deleted = int(tag.RowsAffected())
		if res.Created+res.Updated+res.Deleted > 0 {
			_, err = tx.Exec(ctx, `UPDATE meetings SET modified = now() WHERE id = $1`, meetingID)
		}
		return mapErr(err)
	})
	return res, mapErr(err)
}

// AnalyzeArchive updates the planner's statistics of the archive's tables
// and the import mapping. A first import grows them from nothing faster
// than autovacuum looks: without it the planner keeps the estimates of
// empty tables and the import's lookups scan whole tables (each page of a
// 10,000-paper import got three times slower than the first).
func (s *Store) AnalyzeArchive(ctx context.Context) error {
	_, err := s.Pool.Exec(ctx, `ANALYZE papers, paper_files, paper_consultations, agenda_items, oparl_sources`)
	return mapErr(err)
}

// MarkPaperDeleted makes the imported paper a tombstone (the source deleted
// it), with its files and consultations. It reports whether the paper was
// not deleted yet.
func (s *Store) MarkPaperDeleted(ctx context.Context, id string) (bool, error) {
	var changed bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE papers SET deleted = true, modified = now() WHERE id = $1 AND NOT deleted`, id)
		if err != nil {
			return err
		}
		changed = tag.RowsAffected() == 1
		if _, err := tx.Exec(ctx, `UPDATE paper_files SET deleted = true, modified = now() WHERE paper_id = $1 AND NOT deleted`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE paper_consultations SET deleted = true, modified = now() WHERE paper_id = $1 AND NOT deleted`, id)
		return err
	})
	return changed, mapErr(err)
}

// ---- reads: OParl (package oparl) ----

// HistoryPaper is an imported paper as the OParl endpoint serves it (in
// OParlPaper.History).
type HistoryPaper struct {
	ID, BodyID, SourceID string
	Reference, Name      string
	PaperType            string
	Date                 *time.Time
	MainFileID           string
	// Keywords are the source's keywords (Data's "keyword").
	Keywords []string
	// The local ids of the objects the source's paper refers to
	// (originatorPerson, originatorOrganization, underDirectionOf,
	// relatedPaper, superordinatedPaper, subordinatedPaper), in its order;
	// references to objects that were not imported are left out.
	OriginatorPersonIDs, OriginatorOrganizationIDs, UnderDirectionOfIDs []string
	RelatedIDs, SuperordinatedIDs, SubordinatedIDs                      []string
	Data                                                                json.RawMessage
	Deleted                                                             bool
	// Consultations and Files are the paper's, deleted ones left out, in
	// the source's order (the main file first).
	Consultations []OParlConsultation
	Files         []OParlFile
}

// HistoryConsultation is an imported paper's consultation (in
// OParlConsultation.History), its references resolved to local ids ("" when
// the object was not imported).
type HistoryConsultation struct {
	PaperID, SourceID string
	MeetingID         string
	AgendaItemID      string
	OrganizationIDs   []string
	Authoritative     *bool
	Role              string
}

// HistoryAgendaItem is an imported meeting's agenda item (in
// OParlAgendaItem.History).
type HistoryAgendaItem struct {
	SourceID       string
	Number         string
	Public         *bool
	Result         string
	ConsultationID string
}

// HistoryFile is a file of an imported paper (in OParlFile.History).
type HistoryFile struct {
	SourceID, PaperID        string
	Name, FileName, MimeType string
	Date                     *time.Time
	Size                     *int64
	AccessURL, DownloadURL   string
	Text                     string
	Deleted                  bool
}

const historyPaperColumns = `p.id, p.body_id, p.source_id, p.reference, p.name, p.paper_type, p.date, p.main_file_id,
	p.data, p.created, p.modified, p.deleted`

var historyPaperQuery = oparlQuery{
	columns: historyPaperColumns, from: "papers p", id: "p.id", body: "p.body_id",
	created: "p.created", modified: "p.modified",
}

func scanHistoryPaper(r pgx.CollectableRow) (OParlPaper, error) {
	var p OParlPaper
	h := &HistoryPaper{}
	if err := r.Scan(&h.ID, &h.BodyID, &h.SourceID, &h.Reference, &h.Name, &h.PaperType, &h.Date, &h.MainFileID,
		&h.Data, &p.Created, &p.Modified, &h.Deleted); err != nil {
		return p, err
	}
	var d struct {
		Keyword []any `json:"keyword"`
	}
	if json.Unmarshal(h.Data, &d) == nil {
		for _, k := range d.Keyword {
			if s, ok := k.(string); ok && strings.TrimSpace(s) != "" {
				h.Keywords = append(h.Keywords, strings.TrimSpace(s))
			}
		}
	}
	p.History = h
	return p, nil
}

// completeHistoryPapers adds their consultations and files to imported papers.
func (s *Store) completeHistoryPapers(ctx context.Context, papers []OParlPaper) error {
	var ids []string
	for _, p := range papers {
		if p.History != nil {
			ids = append(ids, p.History.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+historyConsultationColumns+` FROM paper_consultations c
		WHERE c.paper_id = ANY($1) AND NOT c.deleted ORDER BY c.paper_id, c.pos, c.id`, ids)
	cons, err := pgx.CollectRows(rows, scanHistoryConsultation)
	if err != nil {
		return mapErr(err)
	}
	rows, _ = s.Pool.Query(ctx, `SELECT `+historyFileColumns+` FROM paper_files f
		WHERE f.paper_id = ANY($1) AND NOT f.deleted ORDER BY f.paper_id, f.pos, f.id`, ids)
	files, err := pgx.CollectRows(rows, scanHistoryFile)
	if err != nil {
		return mapErr(err)
	}
	byPaper := map[string]*HistoryPaper{}
	for _, p := range papers {
		if p.History != nil {
			byPaper[p.History.ID] = p.History
		}
	}
	if err := s.historyReferences(ctx, byPaper); err != nil {
		return err
	}
	for _, c := range cons {
		if h := byPaper[c.History.PaperID]; h != nil {
			h.Consultations = append(h.Consultations, c)
		}
	}
	for _, f := range files {
		if h := byPaper[f.History.PaperID]; h != nil {
			h.Files = append(h.Files, f)
		}
	}
	return nil
}

// historyReferences are the reference fields of an imported paper's data,
// the kind of local row each names, and where its local ids go.
var historyReferences = []struct {
	field string
	kind  OParlKind
	dst   func(*HistoryPaper) *[]string
}{
	{"originatorPerson", OParlKindPerson, func(h *HistoryPaper) *[]string { return &h.OriginatorPersonIDs }},
	{"originatorOrganization", OParlKindOrganization, func(h *HistoryPaper) *[]string { return &h.OriginatorOrganizationIDs }},
	{"underDirectionOf", OParlKindOrganization, func(h *HistoryPaper) *[]string { return &h.UnderDirectionOfIDs }},
	{"relatedPaper", OParlKindPaper, func(h *HistoryPaper) *[]string { return &h.RelatedIDs }},
	{"superordinatedPaper", OParlKindPaper, func(h *HistoryPaper) *[]string { return &h.SuperordinatedIDs }},
	{"subordinatedPaper", OParlKindPaper, func(h *HistoryPaper) *[]string { return &h.SubordinatedIDs }},
}

// historyReferences resolves the references of imported papers (their
// source URLs in Data) to local ids, with one query.
func (s *Store) historyReferences(ctx context.Context, papers map[string]*HistoryPaper) error {
	refs := map[*HistoryPaper]map[string][]string{}
	var urls []string
	for _, h := range papers {
		var d map[string]any
		if json.Unmarshal(h.Data, &d) != nil {
			continue
		}
		m := map[string][]string{}
		for _, r := range historyReferences {
			xs, _ := d[r.field].([]any)
			for _, x := range xs {
				if u, ok := x.(string); ok && u != "" {
					m[r.field] = append(m[r.field], u)
					urls = append(urls, u)
				}
			}
		}
		refs[h] = m
	}
	if len(urls) == 0 {
		return nil
	}
	type target struct{ kind, local string }
	found := map[string]target{}
	rows, _ := s.Pool.Query(ctx, `SELECT oparl_id, kind, local_id FROM oparl_sources WHERE oparl_id = ANY($1)`, urls)
	var u string
	var t target
	if _, err := pgx.ForEachRow(rows, []any{&u, &t.kind, &t.local}, func() error {
		found[u] = t
		return nil
	}); err != nil {
		return mapErr(err)
	}
	for h, m := range refs {
		for _, r := range historyReferences {
			for _, u := range m[r.field] {
				if t, ok := found[u]; ok && t.kind == string(r.kind) && t.local != h.ID {
					*r.dst(h) = append(*r.dst(h), t.local)
				}
			}
		}
	}
	return nil
}

// historyLocal resolves an OParl URL column to the local id of the kind.
func historyLocal(col string, kind OParlKind) string {
	return `coalesce((SELECT s.local_id FROM oparl_sources s WHERE s.oparl_id = ` + col + ` AND s.kind = '` + string(kind) + `'), '')`
}

var historyConsultationColumns = `c.id, c.paper_id, c.body_id, c.source_id, ` +
	historyLocal("c.meeting_source", OParlKindMeeting) + `, ` + historyLocal("c.agenda_item_source", OParlKindAgendaItem) + `,
	ARRAY(SELECT s.local_id FROM unnest(c.organization_sources) WITH ORDINALITY AS o(u, n)
		JOIN oparl_sources s ON s.oparl_id = o.u AND s.kind = 'organization' ORDER BY o.n),
	c.authoritative, c.role, c.created, c.modified, c.deleted`

var historyConsultationQuery = oparlQuery{
	columns: historyConsultationColumns, from: "paper_consultations c", id: "c.id", body: "c.body_id",
	created: "c.created", modified: "c.modified",
}

func scanHistoryConsultation(r pgx.CollectableRow) (OParlConsultation, error) {
	var c OParlConsultation
	h := &HistoryConsultation{}
	err := r.Scan(&c.ID, &h.PaperID, &c.BodyID, &h.SourceID, &h.MeetingID, &h.AgendaItemID, &h.OrganizationIDs,
		&h.Authoritative, &h.Role, &c.Created, &c.Modified, &c.Deleted)
	c.MeetingID, c.AgendaItemID, c.History = h.MeetingID, h.AgendaItemID, h
	return c, err
}

var historyAgendaItemColumns = `a.id, a.meeting_id, a.body_id, a.source_id, a.number, a.ord, a.name, a.public, a.result,
	a.resolution_text, ` + historyLocal("a.consultation_source", OParlKindConsultation) + `, a.created, a.modified, a.deleted`

var historyAgendaItemQuery = oparlQuery{
	columns: historyAgendaItemColumns, from: "agenda_items a", id: "a.id", body: "a.body_id",
	created: "a.created", modified: "a.modified",
}

func scanHistoryAgendaItem(r pgx.CollectableRow) (OParlAgendaItem, error) {
	var a OParlAgendaItem
	h := &HistoryAgendaItem{}
	err := r.Scan(&a.ID, &a.MeetingID, &a.BodyID, &h.SourceID, &h.Number, &a.Order, &a.Name, &h.Public, &h.Result,
		&a.ResolutionText, &h.ConsultationID, &a.Created, &a.Modified, &a.Deleted)
	a.History = h
	return a, err
}

const historyFileColumns = `f.id, f.paper_id, f.body_id, f.source_id, f.pos, f.name, f.file_name, f.mime_type, f.date, f.size,
	f.access_url, f.download_url, f.text, f.created, f.modified, f.deleted`

var historyFileQuery = oparlQuery{
	columns: historyFileColumns, from: "paper_files f", id: "f.id", body: "f.body_id",
	created: "f.created", modified: "f.modified",
}

func scanHistoryFile(r pgx.CollectableRow) (OParlFile, error) {
	var f OParlFile
	h := &HistoryFile{}
	err := r.Scan(&f.ID, &h.PaperID, &f.BodyID, &h.SourceID, &f.Position, &h.Name, &h.FileName, &h.MimeType, &h.Date,
		&h.Size, &h.AccessURL, &h.DownloadURL, &h.Text, &f.Created, &f.Modified, &h.Deleted)
	f.History = h
	return f, err
}

// addHistoryAgendas adds the imported agenda items to the meetings, after
// the motions' items, in their order.
func (s *Store) addHistoryAgendas(ctx context.Context, meetings []OParlMeeting) error {
	if len(meetings) == 0 {
		return nil
	}
	ids := make([]string, len(meetings))
	for i, m := range meetings {
		ids[i] = m.ID
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+historyAgendaItemColumns+` FROM agenda_items a
		WHERE a.meeting_id = ANY($1) AND NOT a.deleted ORDER BY a.meeting_id, a.ord, a.id`, ids)
	items, err := pgx.CollectRows(rows, scanHistoryAgendaItem)
	if err != nil {
		return mapErr(err)
	}
	for i := range meetings {
		for _, it := range items {
			if it.MeetingID == meetings[i].ID {
				meetings[i].AgendaItems = append(meetings[i].AgendaItems, it)
			}
		}
	}
	return nil
}

// mergeKey is an item's place in a merged list: its id (and position, for
// files) and the cursor a page ending with it continues after.
type mergeKey struct {
	id     string
	pos    int
	cursor string
}

// mergePages merges a page of the motions' objects and a page of the
// archive's, each in key order and each with "more" when it has further
// pages, into one page of at most n (the filter's limit). The order is
// PostgreSQL's (the lists' keyset order is the database collation's, which
// Go cannot reproduce): one query sorts the candidates' keys.
func mergePages[T any](ctx context.Context, s *Store, n int, a []T, aMore bool, b []T, bMore bool, key func(T) mergeKey) ([]T, string, error) {
	if len(b) == 0 && !bMore {
		if aMore && len(a) > 0 {
			return a, key(a[len(a)-1]).cursor, nil
		}
		return a, "", nil
	}
	if len(a) == 0 && !aMore {
		if bMore && len(b) > 0 {
			return b, key(b[len(b)-1]).cursor, nil
		}
		return b, "", nil
	}
	all := append(append([]T{}, a...), b...)
	ids := make([]string, len(all))
	pos := make([]int64, len(all))
	for i, x := range all {
		k := key(x)
		ids[i], pos[i] = k.id, int64(k.pos)
	}
	rows, _ := s.Pool.Query(ctx, `SELECT (x.i - 1)::int FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS x(k, p, i)
		ORDER BY x.k, x.p LIMIT $3`, ids, pos, n)
	order, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, "", mapErr(err)
	}
	out := make([]T, len(order))
	for i, j := range order {
		out[i] = all[j]
	}
	var next string
	if len(all) > n || aMore || bMore {
		next = key(out[len(out)-1]).cursor
	}
	return out, next, nil
}

func idKey(id string) mergeKey { return mergeKey{id: id, cursor: encodeCursor(oparlCursor{ID: id})} }

// OParlPapers lists a body's papers: its public motions (never a draft,
// whoever asks) and its imported papers, in one key order.
func (s *Store) OParlPapers(ctx context.Context, f OParlFilter) ([]OParlPaper, string, error) {
	a, aNext, err := s.oparlMotionPapers(ctx, f)
	if err != nil {
		return nil, "", err
	}
	b, bNext, err := oparlList(ctx, s, historyPaperQuery, f, scanHistoryPaper, func(p OParlPaper) string { return p.History.ID })
	if err != nil {
		return nil, "", err
	}
	items, next, err := mergePages(ctx, s, limit(f.Limit), a, aNext != "", b, bNext != "", func(p OParlPaper) mergeKey {
		if p.History != nil {
			return idKey(p.History.ID)
		}
		return idKey(p.Motion.ID)
	})
	if err != nil {
		return nil, "", err
	}
	return items, next, s.completeHistoryPapers(ctx, items)
}

// OParlPaper returns the public motion or the imported paper with id, or
// ErrNotFound (also for a draft).
func (s *Store) OParlPaper(ctx context.Context, id string) (OParlPaper, error) {
	p, err := s.oparlMotionPaper(ctx, id)
	if !errors.Is(err, ErrNotFound) {
		return p, err
	}
	p, err = oparlGet(ctx, s, historyPaperQuery, id, scanHistoryPaper)
	if err != nil {
		return OParlPaper{}, err
	}
	items := []OParlPaper{p}
	err = s.completeHistoryPapers(ctx, items)
	return items[0], err
}

// OParlConsultations lists the consultations of a body's public motions and
// imported papers.
func (s *Store) OParlConsultations(ctx context.Context, f OParlFilter) ([]OParlConsultation, string, error) {
	a, aNext, err := s.oparlMotionConsultations(ctx, f)
	if err != nil {
		return nil, "", err
	}
	b, bNext, err := oparlList(ctx, s, historyConsultationQuery, f, scanHistoryConsultation, func(c OParlConsultation) string { return c.ID })
	if err != nil {
		return nil, "", err
	}
	return mergePages(ctx, s, limit(f.Limit), a, aNext != "", b, bNext != "", func(c OParlConsultation) mergeKey { return idKey(c.ID) })
}

// OParlConsultation returns the consultation with id (a motion's
// "<motion>/<consultation>" or an imported one's), or ErrNotFound.
func (s *Store) OParlConsultation(ctx context.Context, id string) (OParlConsultation, error) {
	if strings.Contains(id, "/") {
		return s.oparlMotionConsultation(ctx, id)
	}
	return oparlGet(ctx, s, historyConsultationQuery, id, scanHistoryConsultation)
}

// OParlAgendaItems lists a body's agenda items: the motions' and those of
// imported meetings.
func (s *Store) OParlAgendaItems(ctx context.Context, f OParlFilter) ([]OParlAgendaItem, string, error) {
	a, aNext, err := s.oparlMotionAgendaItems(ctx, f)
	if err != nil {
		return nil, "", err
	}
	b, bNext, err := oparlList(ctx, s, historyAgendaItemQuery, f, scanHistoryAgendaItem, func(x OParlAgendaItem) string { return x.ID })
	if err != nil {
		return nil, "", err
	}
	return mergePages(ctx, s, limit(f.Limit), a, aNext != "", b, bNext != "", func(x OParlAgendaItem) mergeKey { return idKey(x.ID) })
}

// OParlAgendaItem returns the agenda item with id (a motion's
// "<meeting>/<motion>/<consultation>" or an imported one's), or ErrNotFound.
func (s *Store) OParlAgendaItem(ctx context.Context, id string) (OParlAgendaItem, error) {
	if strings.Contains(id, "/") {
		return s.oparlMotionAgendaItem(ctx, id)
	}
	return oparlGet(ctx, s, historyAgendaItemQuery, id, scanHistoryAgendaItem)
}

// OParlFiles lists a body's files: the attachments with an address of its
// public motions, ordered by motion and position, and the files of its
// imported papers (position 0), in one key order.
func (s *Store) OParlFiles(ctx context.Context, f OParlFilter) ([]OParlFile, string, error) {
	a, aNext, err := s.oparlMotionFiles(ctx, f)
	if err != nil {
		return nil, "", err
	}
	hf := f
	if f.After != "" {
		// The cursor of a file list: (motion or file id, position); an
		// imported file's key is (id, 0), so it comes after the cursor when
		// its id does.
		var c oparlFileCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		hf.After = encodeCursor(oparlCursor{ID: c.MotionID})
	}
	b, bNext, err := oparlList(ctx, s, historyFileQuery, hf, scanHistoryFile, func(x OParlFile) string { return x.ID })
	if err != nil {
		return nil, "", err
	}
	return mergePages(ctx, s, limit(f.Limit), a, aNext != "", b, bNext != "", func(x OParlFile) mergeKey {
		if x.History != nil {
			return mergeKey{id: x.ID, cursor: encodeCursor(oparlFileCursor{MotionID: x.ID})}
		}
		return mergeKey{id: x.MotionID, pos: x.Position, cursor: encodeCursor(oparlFileCursor{MotionID: x.MotionID, Position: x.Position})}
	})
}

// OParlHistoryFile returns the file of an imported paper with id, or ErrNotFound.
func (s *Store) OParlHistoryFile(ctx context.Context, id string) (OParlFile, error) {
	return oparlGet(ctx, s, historyFileQuery, id, scanHistoryFile)
}

// ---- reads: search (GET /v1/papers) ----

// ArchivedPaper is an imported paper as the API lists it (GET /v1/papers).
type ArchivedPaper struct {
	ID        string         `json:"id" doc:"Kennung in motionflow"`
	BodyID    string         `json:"body_id" doc:"Körperschaft"`
	SourceID  string         `json:"source_id" doc:"OParl-Kennung (URL) im Quellsystem"`
	Reference string         `json:"reference,omitempty" doc:"Drucksachennummer des Quellsystems"`
	Name      string         `json:"name" doc:"Titel"`
	PaperType string         `json:"paper_type,omitempty" doc:"Art der Drucksache"`
	Date      *time.Time     `json:"date,omitempty" doc:"Datum der Drucksache"`
	Created   time.Time      `json:"created" doc:"im Quellsystem angelegt"`
	Modified  time.Time      `json:"modified" doc:"zuletzt geändert (Import)"`
	Files     []ArchivedFile `json:"files" doc:"Dateien, Hauptdatei zuerst"`
}

// ArchivedFile is a file of an imported paper as the API lists it.
type ArchivedFile struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	MimeType    string `json:"mime_type,omitempty"`
	AccessURL   string `json:"access_url"`
	DownloadURL string `json:"download_url,omitempty"`
}

// PaperFilter selects imported papers.
type PaperFilter struct {
	// BodyID restricts to one body ("" every body).
	BodyID string
	// Query is a German full-text search in web-search syntax; "" lists all.
	Query string
	// Limit is the page size: DefaultLimit when <= 0, at most MaxLimit.
	Limit int
	// After is the cursor returned with the previous page.
	After string
}

type paperCursor struct {
	Date string `json:"d"`
	ID   string `json:"i"`
}

// Papers lists the imported papers that match the filter, newest paper date
// first (papers without a date last), one page at a time: next is the
// cursor of the following page, "" after the last. Deleted papers are left
// out. The archive is public.
func (s *Store) Papers(ctx context.Context, f PaperFilter) ([]ArchivedPaper, string, error) {
	var a args
	where := []string{"NOT p.deleted"}
	if f.BodyID != "" {
		where = append(where, "p.body_id = "+a.add(f.BodyID))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, "p.search @@ ("+tsQuery(&a, q)+")")
	}
	const key = "coalesce(p.date, '0001-01-01'::date)"
	if f.After != "" {
		var c paperCursor
		if err := decodeCursor(f.After, &c); err != nil {
			return nil, "", err
		}
		d, err := time.Parse(time.DateOnly, c.Date)
		if err != nil || c.ID == "" {
			return nil, "", invalidf("malformed cursor")
		}
		where = append(where, fmt.Sprintf("(%s, p.id) < (%s::date, %s)", key, a.add(d.Format(time.DateOnly)), a.add(c.ID)))
	}
	n := limit(f.Limit)
	rows, _ := s.Pool.Query(ctx, `SELECT p.id, p.body_id, p.source_id, p.reference, p.name, p.paper_type, p.date,
			p.created, p.modified, `+key+`
		FROM papers p WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+key+` DESC, p.id DESC LIMIT `+a.add(n+1), a...)
	type hit struct {
		ArchivedPaper
		key time.Time
	}
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hit, error) {
		var h hit
		err := r.Scan(&h.ID, &h.BodyID, &h.SourceID, &h.Reference, &h.Name, &h.PaperType, &h.Date, &h.Created, &h.Modified, &h.key)
		return h, err
	})
	if err != nil {
		return nil, "", mapErr(err)
	}
	var next string
	if len(hits) > n {
		hits = hits[:n]
		last := hits[n-1]
		next = encodeCursor(paperCursor{Date: last.key.UTC().Format(time.DateOnly), ID: last.ID})
	}
	out := make([]ArchivedPaper, len(hits))
	ids := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ArchivedPaper
		out[i].Files = []ArchivedFile{}
		ids[i] = h.ID
	}
	if len(ids) > 0 {
		rows, _ := s.Pool.Query(ctx, `SELECT paper_id, id, name, mime_type, access_url, download_url FROM paper_files
			WHERE paper_id = ANY($1) AND NOT deleted ORDER BY paper_id, pos, id`, ids)
		var pid string
		var pf ArchivedFile
		_, err := pgx.ForEachRow(rows, []any{&pid, &pf.ID, &pf.Name, &pf.MimeType, &pf.AccessURL, &pf.DownloadURL}, func() error {
			for i := range out {
				if out[i].ID == pid {
					out[i].Files = append(out[i].Files, pf)
				}
			}
			return nil
		})
		if err != nil {
			return nil, "", mapErr(err)
		}
	}
	return out, next, nil
}
