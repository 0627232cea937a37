package export

import (
	"context"
	"errors"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// NameSource looks up the names a document shows (*store.Store is one).
type NameSource interface {
	DisplayNames(ctx context.Context, bodyID string, orgIDs []string) (body string, orgs map[string]string, err error)
}

// AmendmentSource is what a motion's document reads of amendments: those
// filed to the motion and the motion an amendment amends. *store.Store is
// one.
type AmendmentSource interface {
	AmendmentsOf(ctx context.Context, id string, viewer motion.Actor) ([]motion.Motion, error)
	AmendedMotion(ctx context.Context, bodyID, amends string) (motion.Motion, error)
}

// DocumentSource is everything a motion's document reads.
type DocumentSource interface {
	NameSource
	AmendmentSource
}

var _ DocumentSource = (*store.Store)(nil)

// MotionDocument is a motion's PDF (documents.MotionPDF) with what it
// prints beyond the motion, read once for the API and the web pages alike:
// first what decides its entity tag, so that a request whose tag matches
// is answered without rendering; then, by PDF, the names and the document.
type MotionDocument struct {
	M motion.Motion
	// Amendments are the amendments filed to the motion that the viewer
	// may see (documents.Filed).
	Amendments []motion.Motion
	// Amended is, for an amendment, the motion it amends when that is
	// submitted and the viewer may see it: its label names it in the
	// document, which may be cached publicly. Nil otherwise.
	Amended *motion.Motion
	// Tag is the document's entity tag (documents.Tag).
	Tag string

	src NameSource
}

// LoadMotionDocument reads what the document of m prints for viewer: the
// amendments filed to it and the motion it amends.
func LoadMotionDocument(ctx context.Context, src DocumentSource, m motion.Motion, viewer motion.Actor) (*MotionDocument, error) {
	d := &MotionDocument{M: m, src: src}
	all, err := src.AmendmentsOf(ctx, m.ID, viewer)
	if err != nil {
		return nil, err
	}
	d.Amendments = documents.Filed(all)
	if m.Amends != "" {
		a, err := src.AmendedMotion(ctx, m.BodyID, m.Amends)
		switch {
		case err == nil && a.ID != m.ID && a.Public() && a.VisibleTo(viewer):
			d.Amended = &a
		case err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid):
			return nil, err
		}
	}
	d.Tag = documents.Tag(m, d.Amendments, d.Amended)
	return d, nil
}

// PDF renders the document with the names of its body and of the
// organizations it names (a name that is gone is shown as its id).
func (d *MotionDocument) PDF(ctx context.Context) ([]byte, error) {
	var n documents.Names
	var err error
	n.Body, n.Organizations, err = d.src.DisplayNames(ctx, d.M.BodyID, documents.OrganizationIDs(d.M, d.Amendments...))
	if err != nil {
		return nil, err
	}
	if d.Amended != nil {
		n.Amended = d.Amended.Label()
	}
	return documents.MotionPDF(d.M, n, d.Amendments)
}
