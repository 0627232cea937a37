package motion

import "slices"

// Actor is who asks for something: the verified caller as the domain sees it.
// The zero Actor is the anonymous public.
type Actor struct {
	Issuer  string `json:"issuer,omitempty"`
	Subject string `json:"subject,omitempty"`
	Name    string `json:"name,omitempty"`
	Roles   []Role `json:"roles,omitempty"`
	// Faction is the faction organization a faction_staff caller works for.
	Faction string `json:"faction,omitempty"`
	// Department is the administration department an administration caller works for.
	Department string `json:"department,omitempty"`
	// Person is the directory's person a councillor caller is (the
	// identity provider's group "person:<id>").
	Person string `json:"person,omitempty"`
	// Bodies are the councils whose records the caller may see and act on.
	Bodies []string `json:"bodies,omitempty"`
	// Email is the caller's e-mail address as the identity provider vouches
	// for it (claim email with email_verified true), else "". A watch that
	// mails this address needs no confirmation. It is not serialized: only
	// the edge needs it, and it stays out of workflow histories and sessions.
	Email string `json:"-"`
}

// Anonymous reports whether the actor is the unauthenticated public.
func (a Actor) Anonymous() bool { return a.Subject == "" }

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// InBody reports whether the actor may see records of body b. The anonymous
// public sees the public records of every body.
func (a Actor) InBody(b string) bool {
	return a.Anonymous() || slices.Contains(a.Bodies, b)
}

// InPerson reports whether a moves motions as a councillor in person: the
// role councillor with a directory person, not also acting as staff of a
// faction (who then moves the faction's motions).
func (a Actor) InPerson() bool {
	return a.Has(RoleCouncillor) && a.Person != "" && !(a.Has(RoleFactionStaff) && a.Faction != "")
}

// PrimaryRole is the first of the actor's roles in the order of Roles,
// "" for the anonymous public: the role a note or a record names.
func (a Actor) PrimaryRole() Role {
	for _, r := range Roles {
		if a.Has(r) {
			return r
		}
	}
	return ""
}

// Ref is the part of the actor that is recorded with an event.
func (a Actor) Ref(role Role) ActorRef {
	return ActorRef{Issuer: a.Issuer, Subject: a.Subject, Name: a.Name, Role: role}
}

// ActorRef identifies who performed a recorded step and in which role.
type ActorRef struct {
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
	Name    string `json:"name"`
	Role    Role   `json:"role"`
}

// Audiences are the reminder audiences the actor belongs to (see
// Deadline.Audiences): the council office, the staff of its faction, its
// department and the administration as a whole. Never nil, so that an API
// answer lists none as [].
func (a Actor) Audiences() []string {
	out := []string{}
	if a.Has(RoleCouncilOffice) {
		out = append(out, AudienceCouncilOffice)
	}
	if a.Has(RoleFactionStaff) && a.Faction != "" {
		out = append(out, FactionAudience(a.Faction))
	}
	if a.Has(RoleCouncillor) && a.Person != "" {
		out = append(out, PersonAudience(a.Person))
	}
	if a.Has(RoleAdministration) {
		if a.Department != "" {
			out = append(out, DepartmentAudience(a.Department))
		}
		out = append(out, AudienceAdministration)
	}
	return out
}

// DirectoryRoles may manage a body's directory (its organizations, persons
// and memberships): the council office and admins.
var DirectoryRoles = []Role{RoleCouncilOffice, RoleAdmin}

// ManagesDirectory reports whether the actor may manage the directory of
// body b: a signed-in member of the body in one of DirectoryRoles.
func (a Actor) ManagesDirectory(b string) bool {
	return !a.Anonymous() && slices.Contains(a.Bodies, b) && slices.ContainsFunc(DirectoryRoles, a.Has)
}
