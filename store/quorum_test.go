package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// TestMotionQuorum: a motion of councillors needs one sixth of the current
// members of the body's council, rounded up (§ 34 Abs. 1 GemO BW: 8 of
// 48, 9 of 49); an inquiry one. Former and future members, members of other
// organizations only and of other bodies' councils do not count; a body
// whose directory has no council members has no quorum (0).
func TestMotionQuorum(t *testing.T) {
	s := newStore(t, "ma", "hd", "empty")
	for _, o := range []store.Organization{
		{ID: "gr", BodyID: "ma", Kind: store.OrgCouncil, Name: "Gemeinderat"},
		{ID: "spd", BodyID: "ma", Kind: store.OrgFaction, Name: "SPD"},
		{ID: "hd-gr", BodyID: "hd", Kind: store.OrgCouncil, Name: "Gemeinderat Heidelberg"},
	} {
		if _, err := s.CreateOrganization(ctx(t), o); err != nil {
			t.Fatal(err)
		}
	}
	day := func(y int) *time.Time { d := time.Date(y, 1, 1, 0, 0, 0, 0, motion.Berlin); return &d }
	for i := range 48 {
		id := fmt.Sprintf("p%02d", i)
		member(t, s, "ma", id, "Mitglied "+id, "gr", nil, nil)
		member(t, s, "ma", id, "Mitglied "+id, "spd", nil, nil) // a second membership elsewhere counts once
	}
	member(t, s, "ma", "p00", "Mitglied p00", "gr", day(2000), nil) // a second council membership counts once
	member(t, s, "ma", "former", "Fritz Früher", "gr", day(2000), day(2001))
	member(t, s, "ma", "future", "Zora Zukunft", "gr", day(2999), nil)
	member(t, s, "ma", "staff", "Susi Stab", "spd", nil, nil)
	for i := range 7 {
		member(t, s, "hd", fmt.Sprintf("hd-%d", i), "Heidelberger", "hd-gr", nil, nil)
	}

	quorum := func(body string, kind motion.Kind) int {
		t.Helper()
		q, err := s.MotionQuorum(ctx(t), body, kind)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if q := quorum("ma", motion.KindMotion); q != 8 {
		t.Errorf("motion of 48 members: quorum %d, want 8", q)
	}
	if q := quorum("ma", motion.KindBudgetMotion); q != 8 {
		t.Errorf("budget motion of 48 members: quorum %d, want 8", q)
	}
	if q := quorum("ma", motion.KindInquiry); q != 1 {
		t.Errorf("inquiry: quorum %d, want 1", q)
	}
	if q := quorum("hd", motion.KindMotion); q != 2 {
		t.Errorf("motion of 7 members: quorum %d, want 2", q)
	}
	if q := quorum("empty", motion.KindMotion); q != 0 {
		t.Errorf("no council: quorum %d, want 0", q)
	}
	member(t, s, "ma", "p48", "Mitglied p48", "gr", day(2000), nil)
	if q := quorum("ma", motion.KindMotion); q != 9 {
		t.Errorf("motion of 49 members: quorum %d, want 9", q)
	}

	if p, err := s.CouncilMember(ctx(t), "ma", "p07"); err != nil || p.Name != "Mitglied p07" {
		t.Errorf("CouncilMember(p07) = %+v, %v", p, err)
	}
	for _, id := range []string{"former", "future", "staff", "hd-1", "nobody"} {
		if _, err := s.CouncilMember(ctx(t), "ma", id); err != store.ErrNotFound {
			t.Errorf("CouncilMember(%s): %v, want ErrNotFound", id, err)
		}
	}
}
