package auth_test

import (
	"reflect"
	"testing"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/motion"
)

func TestActorFromClaims(t *testing.T) {
	const iss, sub = "https://id.example", "u-1"
	groups := func(gs ...string) []any {
		out := make([]any, len(gs))
		for i, g := range gs {
			out[i] = g
		}
		return out
	}
	tests := []struct {
		name   string
		claims map[string]any
		cfg    auth.Config
		want   motion.Actor
	}{
		{
			name: "faction staff",
			claims: map[string]any{"name": "Erika Muster", "groups": groups(
				"role:faction_staff", "faction:mannheim-spd", "body:mannheim", "unrelated", "other:x")},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: "Erika Muster",
				Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "mannheim-spd", Bodies: []string{"mannheim"}},
		},
		{
			name: "administration with department, several bodies sorted and deduplicated",
			claims: map[string]any{"groups": groups(
				"body:stuttgart", "role:administration", "department:mannheim-dez1", "body:mannheim", "body:stuttgart")},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: sub,
				Roles: []motion.Role{motion.RoleAdministration}, Department: "mannheim-dez1", Bodies: []string{"mannheim", "stuttgart"}},
		},
		{
			name:   "roles in canonical order without duplicates; unknown role ignored",
			claims: map[string]any{"groups": groups("role:admin", "role:council_office", "role:admin", "role:superuser", "role:")},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: sub,
				Roles: []motion.Role{motion.RoleCouncilOffice, motion.RoleAdmin}},
		},
		{
			name:   "no groups claim: no roles",
			claims: map[string]any{"preferred_username": "erika"},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: "erika"},
		},
		{
			name:   "faction_staff without a faction is dropped",
			claims: map[string]any{"groups": groups("role:faction_staff", "role:council_office")},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub, Roles: []motion.Role{motion.RoleCouncilOffice}},
		},
		{
			name:   "two factions are ambiguous: no faction, no faction_staff",
			claims: map[string]any{"groups": groups("role:faction_staff", "faction:a", "faction:b", "faction:a")},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub},
		},
		{
			name:   "the same faction twice is one faction",
			claims: map[string]any{"groups": groups("role:faction_staff", "faction:a", "faction:a")},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub, Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "a"},
		},
		{
			name:   "councillor with a person",
			claims: map[string]any{"name": "Erika Rat", "groups": groups("role:councillor", "person:ma-p-erika", "body:mannheim")},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: "Erika Rat",
				Roles: []motion.Role{motion.RoleCouncillor}, Person: "ma-p-erika", Bodies: []string{"mannheim"}},
		},
		{
			name:   "councillor without a person is dropped",
			claims: map[string]any{"groups": groups("role:councillor", "role:council_office", "body:mannheim")},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: sub,
				Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"mannheim"}},
		},
		{
			name:   "two persons are ambiguous: no person, no councillor",
			claims: map[string]any{"groups": groups("role:councillor", "person:a", "person:b")},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub},
		},
		{
			name:   "faction staff who is also a councillor keeps both roles",
			claims: map[string]any{"groups": groups("role:councillor", "role:faction_staff", "faction:f", "person:p", "person:p")},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: sub,
				Roles: []motion.Role{motion.RoleFactionStaff, motion.RoleCouncillor}, Faction: "f", Person: "p"},
		},
		{
			name:   "administration without a department is dropped",
			claims: map[string]any{"groups": groups("role:administration", "body:mannheim")},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub, Bodies: []string{"mannheim"}},
		},
		{
			name: "prefix: only prefixed groups count",
			claims: map[string]any{"groups": groups(
				"motionflow:role:council_office", "role:admin", "motionflow:body:mannheim", "body:stuttgart", "other:role:admin")},
			cfg: auth.Config{Prefix: "motionflow:"},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: sub,
				Roles: []motion.Role{motion.RoleCouncilOffice}, Bodies: []string{"mannheim"}},
		},
		{
			name:   "without a configured prefix, prefixed groups are unknown",
			claims: map[string]any{"groups": groups("motionflow:role:council_office")},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub},
		},
		{
			name: "custom groups claim with dots in its name",
			claims: map[string]any{
				"https://motionflow.example/groups": groups("role:admin"),
				"groups":                            groups("role:council_office"),
			},
			cfg:  auth.Config{GroupsClaim: "https://motionflow.example/groups"},
			want: motion.Actor{Issuer: iss, Subject: sub, Name: sub, Roles: []motion.Role{motion.RoleAdmin}},
		},
		{
			name:   "nested groups claim",
			claims: map[string]any{"realm_access": map[string]any{"roles": groups("role:admin", "offline_access")}},
			cfg:    auth.Config{GroupsClaim: "realm_access.roles"},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub, Roles: []motion.Role{motion.RoleAdmin}},
		},
		{
			name:   "a single string and non-strings",
			claims: map[string]any{"groups": "role:admin", "name": 42, "email": "e@example.org"},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: "e@example.org", Roles: []motion.Role{motion.RoleAdmin}},
		},
		{
			name:   "a verified e-mail address is the actor's",
			claims: map[string]any{"name": "N", "email": "n@example.org", "email_verified": true},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: "N", Email: "n@example.org"},
		},
		{
			name:   "an unverified e-mail address is not",
			claims: map[string]any{"name": "N", "email": "n@example.org", "email_verified": false},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: "N"},
		},
		{
			name:   "non-string elements are skipped",
			claims: map[string]any{"groups": []any{1.0, "role:admin", nil, map[string]any{}}},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: sub, Roles: []motion.Role{motion.RoleAdmin}},
		},
		{
			name:   "custom name claim, blank falls back",
			claims: map[string]any{"display": "  ", "name": "N", "preferred_username": "p"},
			cfg:    auth.Config{NameClaim: "display"},
			want:   motion.Actor{Issuer: iss, Subject: sub, Name: "p"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := auth.ActorFromClaims(iss, sub, tt.claims, tt.cfg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
