package web

import (
	"net/http"
	"strconv"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
)

// motionPDF serves /antraege/{id}/pdf: the motion as a council paper (package
// documents), to whoever may see the motion page; a draft only to its own
// faction, marked "Entwurf". ETag is the motion's version.
func (s *server) motionPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m, err := s.visibleMotion(ctx, r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tag := `"` + strconv.FormatInt(m.Version, 10) + `"`
	w.Header().Set("ETag", tag)
	cache := "public, max-age=60"
	if m.Status == motion.StatusDraft {
		cache = "private, no-cache"
	}
	w.Header().Set("Cache-Control", cache)
	if inm := r.Header.Get("If-None-Match"); inm == tag || inm == "W/"+tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	orgs, err := s.orgs(ctx, m.BodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := documents.Names{Organizations: map[string]string{}}
	for _, id := range documents.OrganizationIDs(m) {
		if o, ok := orgs[id]; ok {
			names.Organizations[id] = o.Name
		}
	}
	if b, err := s.store.Body(ctx, m.BodyID); err == nil {
		names.Body = b.Name
	}
	pdf, err := documents.MotionPDF(m, names)
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
