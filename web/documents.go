package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// documentStore is what a motion's document reads of the read model beyond
// the motion: its amendments and the motion an amendment amends.
// *store.Store is one; with a Store that is not, the document shows no
// amendments.
type documentStore interface {
	AmendmentsOf(ctx context.Context, id string, viewer motion.Actor) ([]motion.Motion, error)
	AmendedMotion(ctx context.Context, bodyID, amends string) (motion.Motion, error)
}

var _ documentStore = (*store.Store)(nil)

// motionPDF serves /antraege/{id}/pdf: the motion as a council paper (package
// documents) with its line numbers, and the amendments filed to it with the
// Beschlusstext, to whoever may see the motion page; a draft only to its own
// faction, marked "Entwurf". ETag is the motion's version, with the versions
// of the amendments printed (documents.Tag).
func (s *server) motionPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	viewer := actorOf(r)
	m, err := s.visibleMotion(ctx, r.PathValue("id"), viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ds, _ := s.store.(documentStore)
	var amendments []motion.Motion
	if ds != nil {
		all, err := ds.AmendmentsOf(ctx, m.ID, viewer)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		amendments = documents.Filed(all)
	}
	tag := documents.Tag(m, amendments)
	w.Header().Set("ETag", tag)
	cache := "public, max-age=60"
	if m.Status == motion.StatusDraft {
		cache = "private, no-cache"
	}
	w.Header().Set("Cache-Control", cache)
	if documents.Unchanged(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	orgs, err := s.orgs(ctx, m.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := documents.Names{Organizations: map[string]string{}}
	for _, id := range documents.OrganizationIDs(m, amendments...) {
		if o, ok := orgs[id]; ok {
			names.Organizations[id] = o.Name
		}
	}
	if b, err := s.store.Body(ctx, m.BodyID); err == nil {
		names.Body = b.Name
	}
	if ds != nil && m.Amends != "" {
		// What an amendment amends, by its label when that motion is
		// submitted (the document may be cached publicly).
		a, err := ds.AmendedMotion(ctx, m.BodyID, m.Amends)
		if err == nil && a.Public() && a.VisibleTo(viewer) {
			names.Amended = a.Label()
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
	}
	pdf, err := documents.MotionPDF(m, names, amendments)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+documents.FileName(m)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(pdf)
	}
}
