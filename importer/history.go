package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/motionflow/motionflow/store"
)

// The archive: a body's papers (Drucksachen) with their consultations and
// files, and the agenda items of its meetings. They become rows of the
// archive's tables (store/history.go), not motions: no workflow runs for
// them. Each list page of papers is written in one batch (ids resolved with
// a few queries, rows upserted in one transaction), so that tens of
// thousands of papers import in seconds, not hours.

// idRequest asks for the local id of an object of the body, with the
// candidates localID tries.
func (b *bodyImport) idRequest(prefix, oparlID string) store.OParlIDRequest {
	var c []string
	if seg := lastSegment(oparlID); seg != "" {
		c = append(c, b.id+"-"+prefix+"-"+seg)
	}
	c = append(c, b.id+"-"+prefix+"-"+hash(oparlID, 12), b.id+"-"+prefix+"-"+hash(oparlID, 32))
	return store.OParlIDRequest{OParlID: oparlID, Candidates: c}
}

// embedded returns the objects a field holds: one object or URL, or an
// array of them (URLs are fetched).
func (im *importer) embedded(ctx context.Context, o obj, field string) ([]obj, error) {
	var xs []any
	switch v := o.m[field].(type) {
	case nil:
		return nil, nil
	case []any:
		xs = v
	case map[string]any, string:
		xs = []any{v}
	default:
		return nil, &ObjectError{URL: o.where(), Field: field, Problem: fmt.Sprintf("is %s, not an object or a list", jsonType(v))}
	}
	out := make([]obj, 0, len(xs))
	for i, x := range xs {
		e, err := im.resolve(ctx, x, fmt.Sprintf("%s %s[%d]", o.where(), field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// papers imports one page of a body's paper list.
func (b *bodyImport) papers(ctx context.Context, page []obj) error {
	im := b.im
	var papers []store.ImportedPaper
	var paperReqs, fileReqs, consReqs []store.OParlIDRequest
	seen := map[string]bool{}
	for _, o := range page {
		id, deleted, err := o.check("Paper")
		if err != nil {
			return err
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if deleted {
			if err := b.deletePaper(ctx, id); err != nil {
				return err
			}
			continue
		}
		p, err := b.paper(ctx, o, id, seen)
		if err != nil {
			return err
		}
		paperReqs = append(paperReqs, b.idRequest("paper", id))
		for _, f := range p.Files {
			fileReqs = append(fileReqs, b.idRequest("file", f.SourceID))
		}
		for _, c := range p.Consultations {
			consReqs = append(consReqs, b.idRequest("cons", c.SourceID))
		}
		papers = append(papers, p)
	}
	if len(papers) == 0 {
		return nil
	}
	paperIDs, err := im.st.ResolveOParlIDs(ctx, store.OParlKindPaper, b.id, paperReqs)
	if err != nil {
		return err
	}
	fileIDs, err := im.st.ResolveOParlIDs(ctx, store.OParlKindFile, b.id, fileReqs)
	if err != nil {
		return err
	}
	consIDs, err := im.st.ResolveOParlIDs(ctx, store.OParlKindConsultation, b.id, consReqs)
	if err != nil {
		return err
	}
	for i := range papers {
		p := &papers[i]
		p.ID = paperIDs[p.SourceID]
		for j := range p.Files {
			p.Files[j].ID = fileIDs[p.Files[j].SourceID]
		}
		if p.MainFileID != "" {
			p.MainFileID = fileIDs[p.MainFileID] // "" when it was skipped
		}
		for j := range p.Consultations {
			p.Consultations[j].ID = consIDs[p.Consultations[j].SourceID]
		}
	}
	res, err := im.st.ImportPapers(ctx, papers)
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return &ObjectError{URL: papers[0].SourceID, Problem: "a paper of this page cannot be stored: " + err.Error()}
		}
		return err
	}
	im.stats.Papers.addBatch(res.Papers)
	im.stats.Files.addBatch(res.Files)
	im.stats.Consultations.addBatch(res.Consultations)
	im.analyzeArchive(ctx)
	return nil
}

// analyzeArchive has PostgreSQL update its statistics of the archive's
// tables each time the import doubled the rows it created (from 1,000 on):
// a first import grows them faster than autovacuum looks, and plans made for
// empty tables scan them whole. A failure (no right to ANALYZE) only costs
// speed.
func (im *importer) analyzeArchive(ctx context.Context) {
	n := im.stats.Papers.Created + im.stats.Files.Created + im.stats.Consultations.Created + im.stats.AgendaItems.Created
	if n < 1000 || n < 2*im.analyzedAt {
		return
	}
	im.analyzedAt = n
	if err := im.st.AnalyzeArchive(ctx); err != nil {
		im.prog.printf("Warnung: Statistik der Archivtabellen nicht aktualisiert: %v\n", err)
	}
}

func (b *bodyImport) deletePaper(ctx context.Context, oparlID string) error {
	im := b.im
	kind, local, err := im.st.OParlImported(ctx, oparlID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && kind != store.OParlKindPaper) {
		return nil // deleted before we ever saw it
	}
	if err != nil {
		return err
	}
	changed, err := im.st.MarkPaperDeleted(ctx, local)
	if err != nil {
		return err
	}
	if changed {
		im.stats.Papers.Deleted++
	} else {
		im.stats.Papers.Unchanged++
	}
	return nil
}

// paper reads a paper with its files and consultations; the local ids are
// left for the caller to resolve (MainFileID is the main file's OParl id).
// seen holds the OParl ids already on the page: an object twice is taken once.
func (b *bodyImport) paper(ctx context.Context, o obj, id string, seen map[string]bool) (store.ImportedPaper, error) {
	im := b.im
	p := store.ImportedPaper{BodyID: b.id, SourceID: id, Created: o.created()}
	var err error
	if p.Name, err = o.str("name"); err != nil {
		return p, err
	}
	if p.Reference, err = o.str("reference"); err != nil {
		return p, err
	}
	if p.PaperType, err = o.str("paperType"); err != nil {
		return p, err
	}
	date, err := o.dateTime("date", "publishedDate")
	if err != nil {
		return p, err
	}
	p.Date = inBerlin(date)
	// The source's object as it is, without what gets its own rows.
	data := make(map[string]any, len(o.m))
	for k, v := range o.m {
		switch k {
		case "consultation", "mainFile", "auxiliaryFile":
		default:
			data[k] = v
		}
	}
	if p.Data, err = json.Marshal(data); err != nil {
		return p, &ObjectError{URL: id, Problem: err.Error()}
	}
	for _, field := range []string{"mainFile", "auxiliaryFile"} {
		files, err := im.embedded(ctx, o, field)
		if err != nil {
			return p, err
		}
		for _, fo := range files {
			f, ok, err := b.file(fo, seen)
			if err != nil {
				return p, err
			}
			if !ok {
				continue
			}
			if field == "mainFile" {
				p.MainFileID = f.SourceID
			}
			p.Files = append(p.Files, f)
		}
	}
	cons, err := im.embedded(ctx, o, "consultation")
	if err != nil {
		return p, err
	}
	for _, co := range cons {
		cid, deleted, err := co.check("Consultation")
		if err != nil {
			return p, err
		}
		if deleted || seen[cid] {
			continue // a consultation the paper no longer lists becomes a tombstone
		}
		seen[cid] = true
		c := store.ImportedConsultation{SourceID: cid, Created: co.created()}
		if c.MeetingSource, err = co.str("meeting"); err != nil {
			return p, err
		}
		if c.AgendaItemSource, err = co.str("agendaItem"); err != nil {
			return p, err
		}
		if c.OrganizationSources, err = co.strs("organization"); err != nil {
			return p, err
		}
		if c.Role, err = co.str("role"); err != nil {
			return p, err
		}
		if _, ok := co.m["authoritative"]; ok {
			a, err := co.boolean("authoritative")
			if err != nil {
				return p, err
			}
			c.Authoritative = &a
		}
		p.Consultations = append(p.Consultations, c)
	}
	return p, nil
}

// file reads a File (its metadata; the content stays at the source). ok is
// false for a deleted file, one already on the page and one without an
// address (skipped with a warning).
func (b *bodyImport) file(o obj, seen map[string]bool) (store.ImportedFile, bool, error) {
	id, deleted, err := o.check("File")
	if err != nil || deleted || seen[id] {
		return store.ImportedFile{}, false, err
	}
	seen[id] = true
	f := store.ImportedFile{SourceID: id, Created: o.created()}
	for _, x := range []struct {
		dst   *string
		names []string
	}{
		{&f.Name, []string{"name"}}, {&f.FileName, []string{"fileName"}}, {&f.MimeType, []string{"mimeType"}},
		{&f.AccessURL, []string{"accessUrl"}}, {&f.DownloadURL, []string{"downloadUrl"}}, {&f.Text, []string{"text"}},
	} {
		if *x.dst, err = o.str(x.names...); err != nil {
			return f, false, err
		}
	}
	if f.AccessURL == "" {
		b.im.warn("Datei %s: ohne accessUrl", id)
		return f, false, nil
	}
	date, err := o.dateTime("date")
	if err != nil {
		return f, false, err
	}
	f.Date = inBerlin(date)
	switch v := o.m["size"].(type) {
	case nil:
	case float64:
		if v >= 0 {
			n := int64(v)
			f.Size = &n
		}
	default:
		return f, false, &ObjectError{URL: id, Field: "size", Problem: fmt.Sprintf("is %s, not a number", jsonType(v))}
	}
	return f, true, nil
}

// agendaItems imports the agenda a meeting embeds (agendaItem), if it has
// one: items it no longer lists become tombstones.
func (b *bodyImport) agendaItems(ctx context.Context, o obj, meetingID string) error {
	im := b.im
	if _, ok := o.m["agendaItem"]; !ok {
		return nil
	}
	objs, err := im.embedded(ctx, o, "agendaItem")
	if err != nil {
		return err
	}
	var items []store.ImportedAgendaItem
	var reqs []store.OParlIDRequest
	seen := map[string]bool{}
	for i, ao := range objs {
		id, deleted, err := ao.check("AgendaItem")
		if err != nil {
			return err
		}
		if deleted || seen[id] {
			continue
		}
		seen[id] = true
		it := store.ImportedAgendaItem{SourceID: id, Order: i + 1, Created: ao.created()}
		for _, x := range []struct {
			dst  *string
			name string
		}{
			{&it.Number, "number"}, {&it.Name, "name"}, {&it.Result, "result"},
			{&it.ResolutionText, "resolutionText"}, {&it.ConsultationSource, "consultation"},
		} {
			if *x.dst, err = ao.str(x.name); err != nil {
				return err
			}
		}
		switch v := ao.m["order"].(type) {
		case nil:
		case float64:
			it.Order = int(v)
		default:
			return &ObjectError{URL: id, Field: "order", Problem: fmt.Sprintf("is %s, not a number", jsonType(v))}
		}
		if _, ok := ao.m["public"]; ok {
			pub, err := ao.boolean("public")
			if err != nil {
				return err
			}
			it.Public = &pub
		}
		items = append(items, it)
		reqs = append(reqs, b.idRequest("ai", id))
	}
	ids, err := im.st.ResolveOParlIDs(ctx, store.OParlKindAgendaItem, b.id, reqs)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].ID = ids[items[i].SourceID]
	}
	res, err := im.st.ImportAgendaItems(ctx, meetingID, b.id, items)
	if err != nil {
		return im.storeErr(o, err)
	}
	im.stats.AgendaItems.addBatch(res)
	im.analyzeArchive(ctx)
	return nil
}
