package auth

import (
	"slices"
	"strings"

	"github.com/motionflow/motionflow/motion"
)

// Group kinds: the part of a group value before the first colon (after the
// optional Config.Prefix has been removed).
const (
	GroupRole       = "role"
	GroupFaction    = "faction"
	GroupDepartment = "department"
	GroupBody       = "body"
	GroupPerson     = "person"
)

// Default claim names.
const (
	DefaultGroupsClaim = "groups"
	DefaultNameClaim   = "name"
)

// ActorFromClaims maps the claims of a verified token to an Actor, following
// the group mapping described in the package documentation. It does not
// verify anything: call it only with claims of a token that has been
// verified (Verifier.Verify does).
func ActorFromClaims(issuer, subject string, claims map[string]any, cfg Config) motion.Actor {
	cfg = cfg.withDefaults()
	a := motion.Actor{
		Issuer:  issuer,
		Subject: subject,
		Name:    displayName(subject, claims, cfg.NameClaim),
		Email:   verifiedEmail(claims),
	}

	var roles []motion.Role
	var factions, departments, persons []string
	for _, g := range stringList(lookup(claims, cfg.GroupsClaim)) {
		if cfg.Prefix != "" {
			rest, ok := strings.CutPrefix(g, cfg.Prefix)
			if !ok {
				continue
			}
			g = rest
		}
		kind, value, ok := strings.Cut(g, ":")
		if !ok || value == "" {
			continue
		}
		switch kind {
		case GroupRole:
			if r := motion.Role(value); r.Valid() {
				roles = append(roles, r)
			}
		case GroupFaction:
			factions = append(factions, value)
		case GroupDepartment:
			departments = append(departments, value)
		case GroupBody:
			a.Bodies = append(a.Bodies, value)
		case GroupPerson:
			persons = append(persons, value)
		}
	}

	a.Faction = single(factions)
	a.Department = single(departments)
	a.Person = single(persons)
	for _, r := range motion.Roles { // canonical order, no duplicates
		if !slices.Contains(roles, r) {
			continue
		}
		if r == motion.RoleFactionStaff && a.Faction == "" {
			continue
		}
		if r == motion.RoleAdministration && a.Department == "" {
			continue
		}
		if r == motion.RoleCouncillor && a.Person == "" {
			continue
		}
		a.Roles = append(a.Roles, r)
	}
	slices.Sort(a.Bodies)
	a.Bodies = slices.Compact(a.Bodies)
	return a
}

// single returns the one distinct value of vs, or "" when there is none or
// more than one.
func single(vs []string) string {
	slices.Sort(vs)
	vs = slices.Compact(vs)
	if len(vs) != 1 {
		return ""
	}
	return vs[0]
}

func displayName(subject string, claims map[string]any, nameClaim string) string {
	for _, c := range []string{nameClaim, "preferred_username", "email"} {
		if s, ok := claims[c].(string); ok && strings.TrimSpace(s) != "" {
			return s
		}
	}
	return subject
}

// verifiedEmail is the "email" claim if "email_verified" is true (OpenID
// Connect Core 5.1; some providers send the string "true"), else "".
func verifiedEmail(claims map[string]any) string {
	email, _ := claims["email"].(string)
	switch v := claims["email_verified"].(type) {
	case bool:
		if v {
			return strings.TrimSpace(email)
		}
	case string:
		if v == "true" {
			return strings.TrimSpace(email)
		}
	}
	return ""
}

// lookup finds a claim by its exact name first (names such as
// "https://example.org/groups" contain dots), then as a dotted path into
// nested objects ("realm_access.roles").
func lookup(claims map[string]any, name string) any {
	if v, ok := claims[name]; ok {
		return v
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

// stringList accepts a JSON array of strings or a single string; non-string
// elements are dropped.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
