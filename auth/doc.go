// Package auth turns OpenID Connect tokens into the motion.Actor the domain
// works with.
//
// Guarantees: Verifier.Verify returns an Actor only for a JWT that is signed
// by a key the issuer publishes in its JWKS with one of the configured
// asymmetric algorithms (never "none", never HMAC), whose "iss" equals
// Config.IssuerURL exactly, whose "aud" contains Config.Audience, which has not
// expired and which names a subject. Every other input is an error wrapping
// ErrInvalidToken. Roles and scopes come only from the groups claim, through
// the fixed mapping below; anything the mapping does not know is ignored, so
// an identity provider that sends extra groups grants nothing by accident.
//
// # Group mapping
//
// The groups claim (Config.GroupsClaim, default "groups") is a list of
// strings. When Config.Prefix is set (for example "motionflow:"), only values
// that start with it count, and the prefix is removed before mapping; the
// others are ignored. The remaining values map as follows:
//
//	role:<role>                   adds the role: faction_staff, councillor, council_office, administration or admin
//	faction:<organization id>     the faction a faction_staff caller works for
//	department:<organization id>  the department an administration caller works for
//	person:<person id>            the directory person a councillor caller is (Actor.Person)
//	body:<body id>                a council whose records the caller may see (one value per body)
//
// For example, with Prefix "motionflow:", the groups
//
//	["motionflow:role:faction_staff", "motionflow:faction:mannheim-spd", "motionflow:body:mannheim", "staff"]
//
// give Roles [faction_staff], Faction "mannheim-spd", Bodies [mannheim]; "staff"
// is ignored. Unknown kinds, unknown roles and empty values are ignored.
//
// The scoped roles need their scope: faction_staff is granted only together
// with exactly one faction:..., administration only with exactly one
// department:..., councillor only with exactly one person:... (the
// councillor signs and is reminded as that person of the directory). A
// caller whose groups name no faction or several distinct factions gets no
// Faction and no faction_staff role (likewise for departments and persons),
// so an ambiguous or incomplete mapping at the identity provider fails
// closed instead of producing a faction-less staff member or a councillor
// nobody can tell apart.
//
// The display name is the claim Config.NameClaim (default "name"), falling
// back to "preferred_username", "email" and finally the subject.
//
// Tests of other packages get a real, in-process issuer from package
// auth/authtest.
package auth
