package motion

// Kind is what sort of paper a motion is; it decides which commands apply.
type Kind string

// The kinds of motion a faction can file.
const (
	KindMotion       Kind = "motion"        // Antrag
	KindBudgetMotion Kind = "budget_motion" // Haushaltsantrag, tied to a budget cycle
	KindInquiry      Kind = "inquiry"       // Anfrage: answered by the administration, no vote
	KindAmendment    Kind = "amendment"     // Änderungsantrag to another motion or paper
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindMotion, KindBudgetMotion, KindInquiry, KindAmendment}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Label is the German name shown to users.
func (k Kind) Label() string {
	switch k {
	case KindMotion:
		return "Antrag"
	case KindBudgetMotion:
		return "Haushaltsantrag"
	case KindInquiry:
		return "Anfrage"
	case KindAmendment:
		return "Änderungsantrag"
	}
	return string(k)
}

// Status is where a motion stands in its process; it is kept apart from the
// results of its consultations and from its final outcome.
type Status string

// The process statuses of a motion.
const (
	StatusDraft          Status = "draft"
	StatusSubmitted      Status = "submitted"
	StatusRegistered     Status = "registered"
	StatusInadmissible   Status = "inadmissible"
	StatusInConsultation Status = "in_consultation"
	StatusDecided        Status = "decided"
	StatusImplementation Status = "implementation"
	StatusAnswered       Status = "answered"
	StatusClosed         Status = "closed"
	StatusWithdrawn      Status = "withdrawn"
	StatusLapsed         Status = "lapsed"
)

// Statuses lists every status in process order.
var Statuses = []Status{
	StatusDraft, StatusSubmitted, StatusRegistered, StatusInadmissible,
	StatusInConsultation, StatusDecided, StatusImplementation, StatusAnswered,
	StatusClosed, StatusWithdrawn, StatusLapsed,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Label is the German name shown to users.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "Entwurf"
	case StatusSubmitted:
		return "Eingereicht"
	case StatusRegistered:
		return "Registriert"
	case StatusInadmissible:
		return "Unzulässig"
	case StatusInConsultation:
		return "In Beratung"
	case StatusDecided:
		return "Entschieden"
	case StatusImplementation:
		return "In Umsetzung"
	case StatusAnswered:
		return "Beantwortet"
	case StatusClosed:
		return "Abgeschlossen"
	case StatusWithdrawn:
		return "Zurückgezogen"
	case StatusLapsed:
		return "Nicht behandelt"
	}
	return string(s)
}

// Terminal reports whether no further process step can follow (corrections aside).
func (s Status) Terminal() bool {
	switch s {
	case StatusInadmissible, StatusClosed, StatusWithdrawn, StatusLapsed:
		return true
	}
	return false
}

// Result is what one organization resolved about a motion in one consultation.
type Result string

// Consultation results. The recommend_* results belong to advisory committees,
// adopted/adopted_amended/rejected to the decisive organization.
const (
	ResultRecommendApproval         Result = "recommend_approval"
	ResultRecommendRejection        Result = "recommend_rejection"
	ResultRecommendAmended          Result = "recommend_amended"
	ResultAdopted                   Result = "adopted"
	ResultAdoptedAmended            Result = "adopted_amended"
	ResultRejected                  Result = "rejected"
	ResultPostponed                 Result = "postponed"
	ResultReferred                  Result = "referred"
	ResultNoted                     Result = "noted"
	ResultSettledByOtherResolutions Result = "settled_by_other_resolutions"
	ResultSettledByAdministration   Result = "settled_by_administration"
	ResultWithdrawn                 Result = "withdrawn"
)

// Results lists every consultation result.
var Results = []Result{
	ResultRecommendApproval, ResultRecommendRejection, ResultRecommendAmended,
	ResultAdopted, ResultAdoptedAmended, ResultRejected, ResultPostponed,
	ResultReferred, ResultNoted, ResultSettledByOtherResolutions,
	ResultSettledByAdministration, ResultWithdrawn,
}

// Valid reports whether r is a known result.
func (r Result) Valid() bool {
	for _, x := range Results {
		if x == r {
			return true
		}
	}
	return false
}

// Label is the German wording used in minutes and on the faction's website.
func (r Result) Label() string {
	switch r {
	case ResultRecommendApproval:
		return "Zustimmung empfohlen"
	case ResultRecommendRejection:
		return "Ablehnung empfohlen"
	case ResultRecommendAmended:
		return "Zustimmung mit Änderungen empfohlen"
	case ResultAdopted:
		return "Beschlossen"
	case ResultAdoptedAmended:
		return "Geändert beschlossen"
	case ResultRejected:
		return "Abgelehnt"
	case ResultPostponed:
		return "Vertagt"
	case ResultReferred:
		return "Verwiesen"
	case ResultNoted:
		return "Zur Kenntnis genommen"
	case ResultSettledByOtherResolutions:
		return "Erledigt durch andere Beschlüsse"
	case ResultSettledByAdministration:
		return "Erledigt durch Verwaltungshandeln"
	case ResultWithdrawn:
		return "Zurückgezogen"
	}
	return string(r)
}

// Recommendation reports whether r is an advisory committee's recommendation.
func (r Result) Recommendation() bool {
	return r == ResultRecommendApproval || r == ResultRecommendRejection || r == ResultRecommendAmended
}

// Final reports whether r ends the motion's consultation: it becomes the outcome.
func (r Result) Final() bool {
	switch r {
	case ResultAdopted, ResultAdoptedAmended, ResultRejected, ResultNoted,
		ResultSettledByOtherResolutions, ResultSettledByAdministration:
		return true
	}
	return false
}

// Adopted reports whether r means the motion's request was granted, which is
// what makes implementation follow-up necessary.
func (r Result) Adopted() bool { return r == ResultAdopted || r == ResultAdoptedAmended }

// Role is what a caller may do, derived from OIDC claims.
type Role string

// The roles of motionflow's users.
const (
	RoleFactionStaff   Role = "faction_staff"
	RoleCouncilOffice  Role = "council_office"
	RoleAdministration Role = "administration"
	RoleAdmin          Role = "admin"
	// RoleCouncillor is a member of the council acting in person: moving a
	// motion alone or with others (§ 34 Abs. 1 GemO BW: one sixth of the
	// members), asking an inquiry (§ 24 Abs. 4), signing a motion of others.
	// The caller is the directory's person Actor.Person.
	RoleCouncillor Role = "councillor"
)

// Roles lists every role.
var Roles = []Role{RoleFactionStaff, RoleCouncilOffice, RoleAdministration, RoleAdmin, RoleCouncillor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}
