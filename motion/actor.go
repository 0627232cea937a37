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
	// Bodies are the councils whose records the caller may see and act on.
	Bodies []string `json:"bodies,omitempty"`
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
