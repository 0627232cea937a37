package motion_test

import (
	"slices"
	"testing"

	"github.com/motionflow/motionflow/motion"
)

// TestActorAudiences: a caller is reminded as the council office, as the
// staff of its faction and as its department and the administration; the
// public belongs to no audience (an empty list, not null, in answers).
func TestActorAudiences(t *testing.T) {
	for _, tc := range []struct {
		a    motion.Actor
		want []string
	}{
		{motion.Actor{}, []string{}},
		{motion.Actor{Subject: "o", Roles: []motion.Role{motion.RoleCouncilOffice}}, []string{motion.AudienceCouncilOffice}},
		{motion.Actor{Subject: "s", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd"}, []string{motion.FactionAudience("spd")}},
		{motion.Actor{Subject: "s", Roles: []motion.Role{motion.RoleFactionStaff}}, []string{}},
		{motion.Actor{Subject: "v", Roles: []motion.Role{motion.RoleAdministration}, Department: "d4"},
			[]string{motion.DepartmentAudience("d4"), motion.AudienceAdministration}},
	} {
		got := tc.a.Audiences()
		if got == nil || !slices.Equal(got, tc.want) {
			t.Errorf("%+v: audiences %#v, want %#v", tc.a, got, tc.want)
		}
	}
}

// TestManagesDirectory: the council office and admins of a body manage its
// directory; nobody manages another body's, and faction staff none.
func TestManagesDirectory(t *testing.T) {
	office := motion.Actor{Subject: "o", Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"ma"}}
	admin := motion.Actor{Subject: "a", Roles: []motion.Role{motion.RoleAdmin}, Bodies: []string{"ma"}}
	staff := motion.Actor{Subject: "s", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "spd", Bodies: []string{"ma"}}
	if !office.ManagesDirectory("ma") || !admin.ManagesDirectory("ma") {
		t.Error("office or admin may not manage their body's directory")
	}
	if office.ManagesDirectory("hd") || staff.ManagesDirectory("ma") || (motion.Actor{}).ManagesDirectory("ma") {
		t.Error("someone manages a directory not theirs")
	}
}
