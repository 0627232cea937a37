package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/motionflow/motionflow/store"
)

func TestAttachmentsKeepContentAndChecksum(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	data := []byte("%PDF-1.4\nDigitalisierung im Quadrat\n%%EOF\n")
	a := store.Attachment{MotionID: "m1", BodyID: "ma", Name: "A762_2019_Digitalisierung_im_Quadrat_SPD.pdf",
		ContentType: "application/pdf", CreatedBy: "spd-staff", SHA256: "ignored", Size: 1}
	got, err := s.AddAttachment(ctx(t), a, data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got.ID == "" || got.SHA256 != hex.EncodeToString(sum[:]) || got.Size != int64(len(data)) || got.Created.IsZero() {
		t.Fatalf("stored %+v", got)
	}
	// The same file under the same name again (a resubmitted form) is the same row.
	again, err := s.AddAttachment(ctx(t), a, data)
	if err != nil || again.ID != got.ID {
		t.Fatalf("second upload: %+v, %v (first %s)", again, err, got.ID)
	}
	info, content, err := s.AttachmentContent(ctx(t), got.ID)
	if err != nil || string(content) != string(data) || info != got {
		t.Fatalf("content: %+v %q %v", info, content, err)
	}
	if info, err := s.Attachment(ctx(t), got.ID); err != nil || info != got {
		t.Fatalf("info: %+v %v", info, err)
	}
	list, err := s.MotionAttachments(ctx(t), "m1")
	if err != nil || len(list) != 1 || list[0] != got {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := s.Attachment(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown attachment: %v", err)
	}
	for _, bad := range []store.Attachment{
		{BodyID: "ma", Name: "x.pdf", ContentType: "application/pdf"},
		{MotionID: "m1", BodyID: "ma", Name: "", ContentType: "application/pdf"},
		{MotionID: "m1", BodyID: "ma", Name: "x.pdf"},
		{MotionID: "m1", BodyID: "unknown", Name: "x.pdf", ContentType: "application/pdf"},
	} {
		if _, err := s.AddAttachment(ctx(t), bad, data); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AddAttachment(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestMotionByReference(t *testing.T) {
	t.Parallel()
	s := newStore(t, "ma")
	m := submit(draft("m1", "ma", "spd", "Digitalstrategie", t0), t0)
	m.Reference = "A12/2020"
	project(t, s, m)
	got, err := s.MotionByReference(ctx(t), "ma", " a12/2020 ")
	if err != nil || got.ID != "m1" {
		t.Fatalf("MotionByReference: %+v %v", got.ID, err)
	}
	if _, err := s.MotionByReference(ctx(t), "other", "A12/2020"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another body: %v", err)
	}
	if _, err := s.MotionByReference(ctx(t), "ma", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("empty reference: %v", err)
	}
}
