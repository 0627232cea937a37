package motion

import "slices"

// WaitingStep says which motions wait for a step that only one role can take
// — what a worklist shows under "waiting for me".
type WaitingStep struct {
	Role     Role
	Statuses []Status
	Kinds    []Kind
	// Commands take the step; a motion waits for a caller who may run one of them now.
	Commands []CommandName
	// When narrows the statuses further (nil: always).
	When func(m *Motion) bool
	// Reason says in German why the motion waits.
	Reason func(m *Motion, a Actor) string
}

func because(s string) func(*Motion, Actor) string { return func(*Motion, Actor) string { return s } }

// WaitingSteps are the steps the worklists of the API and the web pages show.
var WaitingSteps = []WaitingStep{
	{Role: RoleCouncilOffice, Statuses: []Status{StatusSubmitted},
		Commands: []CommandName{CmdRegister}, Reason: because("Eingereicht – wartet auf Registrierung")},
	{Role: RoleCouncilOffice, Statuses: []Status{StatusRegistered},
		Commands: []CommandName{CmdSetRoute}, Reason: because("Registriert – Beratungsfolge festlegen")},
	{Role: RoleCouncilOffice, Statuses: []Status{StatusInConsultation},
		Commands: []CommandName{CmdSchedule}, Reason: because("In Beratung – eine Beratung hat noch keinen Sitzungstermin"),
		When: func(m *Motion) bool {
			return slices.ContainsFunc(m.Consultations, func(c Consultation) bool { return c.Status == ConsultationPlanned })
		}},
	{Role: RoleCouncilOffice, Statuses: []Status{StatusDecided},
		Commands: []CommandName{CmdStartImplementation, CmdClose},
		Reason:   because("Entschieden – Umsetzung einleiten oder Vorgang abschließen")},
	{Role: RoleCouncilOffice, Statuses: []Status{StatusAnswered},
		Commands: []CommandName{CmdClose}, Reason: because("Beantwortet – Vorgang abschließen")},
	{Role: RoleFactionStaff, Statuses: []Status{StatusDraft},
		Commands: []CommandName{CmdSubmit, CmdEdit},
		Reason: func(m *Motion, a Actor) string {
			if m.Faction != a.Faction {
				return "Entwurf, zu dem Ihre Fraktion als Mitantragstellerin eingeladen ist"
			}
			return "Entwurf – noch nicht eingereicht"
		}},
	{Role: RoleAdministration, Statuses: []Status{StatusRegistered}, Kinds: []Kind{KindInquiry},
		Commands: []CommandName{CmdRecordAnswer}, Reason: because("Anfrage – Antwort der Verwaltung ausstehend")},
	{Role: RoleAdministration, Statuses: []Status{StatusImplementation},
		Commands: []CommandName{CmdReportImplementation}, Reason: because("In Umsetzung – Bericht zur Umsetzung ausstehend"),
		When: func(m *Motion) bool { return len(m.Reports) == 0 }},
}

// Waiting applies the first of steps that matches m and returns why m waits
// for a and the commands a may run to take the step.
func Waiting(m *Motion, a Actor, steps []WaitingStep) (reason string, cmds []CommandName, ok bool) {
	allowed := Allowed(m, a)
	for _, w := range steps {
		if !slices.Contains(w.Statuses, m.Status) || (len(w.Kinds) > 0 && !slices.Contains(w.Kinds, m.Kind)) {
			continue
		}
		if w.When != nil && !w.When(m) {
			continue
		}
		cmds = nil
		for _, c := range w.Commands {
			if slices.Contains(allowed, c) {
				cmds = append(cmds, c)
			}
		}
		if len(cmds) > 0 {
			return w.Reason(m, a), cmds, true
		}
	}
	return "", nil, false
}
