package web

import (
	"net/http"
	"strconv"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/export"
	"github.com/motionflow/motionflow/motion"
)

// motionPDF serves /antraege/{id}/pdf: the motion as a council paper (package
// documents) with its line numbers, and the amendments filed to it with the
// Beschlusstext, to whoever may see the motion page; a draft only to its own
// faction, marked "Entwurf". ETag is the motion's version, with the versions
// of the amendments printed and of the motion an amendment amends
// (documents.Tag). What it prints is read as the API reads it
// (export.LoadMotionDocument).
func (s *server) motionPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	viewer := actorOf(r)
	m, err := s.visibleMotion(ctx, r.PathValue("id"), viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, err := export.LoadMotionDocument(ctx, s.store, m, viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", doc.Tag)
	cache := "public, max-age=60"
	if m.Status == motion.StatusDraft {
		cache = "private, no-cache"
	}
	w.Header().Set("Cache-Control", cache)
	if documents.Unchanged(r.Header.Get("If-None-Match"), doc.Tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	pdf, err := doc.PDF(ctx)
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
