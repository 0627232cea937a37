package api

import (
	"slices"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// The request bodies of the motion commands. They mirror the motion package's
// command structs field by field (same JSON), with huma validation tags that
// repeat the domain's limits, so that the OpenAPI document states them and
// obvious mistakes are refused before a workflow is asked. The domain checks
// everything again; TestLimitsMirrorDomain keeps both in step.

// ContentBody is what a faction writes: the content of a draft.
type ContentBody struct {
	Title string `json:"title" minLength:"3" maxLength:"300" doc:"Titel des Antrags" example:"Digitalisierung im Quadrat"`
	// ResolutionPoints: for an inquiry, the questions.
	ResolutionPoints    []string         `json:"resolution_points,omitempty" maxItems:"50" minLength:"1" maxLength:"10000" doc:"Beschlusspunkte („Der Gemeinderat möge beschließen: 1.) …“); bei einer Anfrage die Fragen. Zum Einreichen ist mindestens einer nötig."`
	Justification       string           `json:"justification,omitempty" maxLength:"100000" doc:"Begründung"`
	Tags                []string         `json:"tags,omitempty" maxItems:"30" minLength:"1" maxLength:"80" doc:"Schlagworte"`
	BudgetCycle         string           `json:"budget_cycle,omitempty" maxLength:"200" doc:"Haushaltsberatung eines Haushaltsantrags (für budget_motion beim Einreichen Pflicht): Id oder Name einer Haushaltsberatung der Körperschaft (GET /v1/bodies/{body}/budget-cycles), z. B. „Haushalt 2020/2021“; solange die Körperschaft keine angelegt hat, ein freier Name"`
	Amends              string           `json:"amends,omitempty" maxLength:"200" doc:"Was ein Änderungsantrag ändert: Antrag (Id oder Aktenzeichen) oder Vorlage"`
	AddressedDepartment string           `json:"addressed_department,omitempty" maxLength:"200" doc:"Dezernat, an das sich eine Anfrage richtet (Organisations-Id)"`
	Fundamental         bool             `json:"fundamental,omitempty" doc:"Anfrage von grundsätzlicher Bedeutung (längere Antwortfrist)"`
	TargetMeeting       string           `json:"target_meeting,omitempty" maxLength:"200" doc:"Sitzung, in der der Antrag behandelt werden soll (Id)"`
	Signatories         []string         `json:"signatories,omitempty" maxItems:"100" minLength:"1" maxLength:"200" doc:"Unterzeichnende Stadträtinnen und Stadträte"`
	Attachments         []AttachmentBody `json:"attachments,omitempty" maxItems:"20" doc:"Anlagen"`
	Changes             []ChangeBody     `json:"changes,omitempty" maxItems:"50" doc:"Nur für einen Änderungsantrag: seine Änderungen am Antrag, den amends nennt, nach dessen Zeilennummern (GET /v1/motions/{id}/lines)"`
	Budget              *BudgetBody      `json:"budget,omitempty" doc:"Nur für einen Haushaltsantrag (oder einen Änderungsantrag zu ihm): seine finanziellen Auswirkungen"`
}

// ChangeBody is one change an amendment makes to the motion it amends.
type ChangeBody struct {
	Op   string `json:"op" enum:"replace,insert,delete" doc:"replace (Zeilen from bis to ersetzen), insert (nach Zeile from einfügen), delete (Zeilen from bis to streichen)"`
	From int    `json:"from" minimum:"1" doc:"erste geänderte Zeile; bei insert die Zeile, nach der eingefügt wird"`
	To   int    `json:"to,omitempty" minimum:"0" doc:"letzte geänderte Zeile (einschließlich); bei insert ohne Angabe"`
	Text string `json:"text,omitempty" maxLength:"10000" doc:"neuer Text (bei delete leer)"`
}

// BudgetBody is the financial effect of a budget motion, or the
// administration's estimate of it.
type BudgetBody struct {
	Items     []BudgetItemBody `json:"items,omitempty" maxItems:"50" doc:"Beträge je Haushaltsjahr"`
	Positions float64          `json:"positions,omitempty" minimum:"-10000" maximum:"10000" doc:"zusätzliche Stellen (negativ: gestrichene), auf Hundertstel"`
	Product   string           `json:"product,omitempty" maxLength:"200" doc:"Produkt oder Teilhaushalt"`
}

// BudgetItemBody is one amount of a budget motion.
type BudgetItemBody struct {
	Year      int    `json:"year" minimum:"1990" maximum:"2100" doc:"Haushaltsjahr" example:"2020"`
	Amount    int64  `json:"amount" minimum:"-10000000000" maximum:"10000000000" doc:"Betrag in ganzen Euro: Mehraufwand positiv, Einsparung oder Mehrertrag negativ" example:"225000"`
	Recurring bool   `json:"recurring,omitempty" doc:"wiederkehrend (in jedem folgenden Jahr erneut); sonst einmalig"`
	Plan      string `json:"plan" enum:"result,financial" doc:"result (Ergebnishaushalt) oder financial (Finanzhaushalt)"`
	Purpose   string `json:"purpose,omitempty" maxLength:"200" doc:"Zweck, z. B. Sachmittel, Personal, Zuschuss" example:"Sachmittel"`
}

// effect is the domain's financial effect of b.
func (b *BudgetBody) effect() *motion.BudgetEffect {
	if b == nil {
		return nil
	}
	out := &motion.BudgetEffect{Positions: b.Positions, Product: b.Product}
	for _, it := range b.Items {
		out.Items = append(out.Items, motion.BudgetItem{Year: it.Year, Amount: it.Amount, Recurring: it.Recurring,
			Plan: motion.BudgetPlan(it.Plan), Purpose: it.Purpose})
	}
	return out
}

// StatementBody is the administration's statement, with its own estimate
// of a budget motion's financial effect.
type StatementBody struct {
	Text     string      `json:"text" minLength:"1" maxLength:"100000" doc:"Stellungnahme"`
	Estimate *BudgetBody `json:"estimate,omitempty" doc:"Schätzung der Verwaltung zu den finanziellen Auswirkungen eines Haushaltsantrags"`
}

// AttachmentBody is a document filed with the motion.
type AttachmentBody struct {
	Name        string `json:"name" minLength:"1" maxLength:"255" doc:"Dateiname" example:"A762_2019_Digitalisierung_im_Quadrat_SPD.pdf"`
	URL         string `json:"url,omitempty" maxLength:"2000" format:"uri" doc:"http(s)-Adresse des Dokuments"`
	ContentType string `json:"content_type,omitempty" maxLength:"200" example:"application/pdf"`
	Size        int64  `json:"size,omitempty" minimum:"0" doc:"Größe in Bytes"`
	SHA256      string `json:"sha256,omitempty" pattern:"^[0-9a-f]{64}$" doc:"SHA-256 des Inhalts, hexadezimal"`
}

func (c ContentBody) content() motion.Content {
	out := motion.Content{
		Title:               c.Title,
		ResolutionPoints:    slices.Clone(c.ResolutionPoints),
		Justification:       c.Justification,
		Tags:                slices.Clone(c.Tags),
		BudgetCycle:         c.BudgetCycle,
		Amends:              c.Amends,
		AddressedDepartment: c.AddressedDepartment,
		Fundamental:         c.Fundamental,
		TargetMeeting:       c.TargetMeeting,
		Signatories:         slices.Clone(c.Signatories),
	}
	for _, a := range c.Attachments {
		out.Attachments = append(out.Attachments, motion.Attachment(a))
	}
	for _, ch := range c.Changes {
		out.Changes = append(out.Changes, motion.Change{Op: motion.ChangeOp(ch.Op), From: ch.From, To: ch.To, Text: ch.Text})
	}
	out.Budget = c.Budget.effect()
	return out
}

// CreateBody starts a draft for the caller's faction or, by a councillor,
// a motion of councillors with the councillors asked to sign it.
type CreateBody struct {
	BodyID string `json:"body_id" minLength:"1" maxLength:"64" doc:"Körperschaft (Id), z. B. mannheim" example:"mannheim"`
	Kind   string `json:"kind" enum:"motion,budget_motion,inquiry,amendment" doc:"Art: motion (Antrag), budget_motion (Haushaltsantrag), inquiry (Anfrage), amendment (Änderungsantrag)"`
	ContentBody
	Signers []SignerBody `json:"signers,omitempty" maxItems:"100" doc:"Nur für Mitglieder des Gemeinderats: die weiteren Mitglieder, die den Antrag unterschreiben sollen (die Aufruferin oder der Aufrufer unterschreibt mit dem Anlegen)"`
}

// SignerBody names a councillor as signatory by the directory's person id;
// the name is taken from the directory.
type SignerBody struct {
	PersonID string `json:"person_id" minLength:"1" maxLength:"200" doc:"Person (Id) aus dem Verzeichnis; sie muss Mitglied des Gemeinderats sein"`
	Name     string `json:"name,omitempty" maxLength:"200" doc:"wird nicht übernommen: der Name kommt aus dem Verzeichnis"`
}

// signers turns signer bodies into the domain's signers, without names
// (the API fills them in from the directory).
func signers(bs []SignerBody) []motion.Signer {
	var out []motion.Signer
	for _, b := range bs {
		out = append(out, motion.Signer{PersonID: b.PersonID})
	}
	return out
}

// SubmissionBody is a submission the council office received outside
// motionflow and enters on the originator's behalf (POST /v1/submissions).
type SubmissionBody struct {
	BodyID string `json:"body_id" minLength:"1" maxLength:"64" doc:"Körperschaft (Id), z. B. mannheim" example:"mannheim"`
	Kind   string `json:"kind" enum:"motion,budget_motion,inquiry,amendment" doc:"Art: motion (Antrag), budget_motion (Haushaltsantrag), inquiry (Anfrage), amendment (Änderungsantrag)"`
	ContentBody
	Originator   string       `json:"originator" enum:"faction,committee,councillors,administration" doc:"Wer den Antrag gestellt hat: faction (Fraktion), committee (Ausschuss), councillors (Mitglieder des Gemeinderats), administration (Änderungsempfehlung der Verwaltung, nur für ein amendment; organization ist dann das Dezernat)"`
	Organization string       `json:"organization,omitempty" maxLength:"200" doc:"Fraktion oder Ausschuss (Organisations-Id); bei councillors leer"`
	Signers      []SignerBody `json:"signers,omitempty" maxItems:"100" doc:"Bei councillors: die Mitglieder des Gemeinderats, die unterschrieben haben (mindestens das Quorum)"`
	Paper        PaperBody    `json:"paper" doc:"Wie der Antrag eingegangen ist"`
}

// PaperBody says who handed a submission in, when and how.
type PaperBody struct {
	SubmittedBy string    `json:"submitted_by" minLength:"1" maxLength:"200" doc:"Wer den Antrag abgegeben oder geschickt hat" example:"Geschäftsstelle der SPD-Fraktion"`
	ReceivedAt  time.Time `json:"received_at" doc:"Eingang beim Ratsbüro (RFC 3339); ab ihm laufen die Fristen"`
	Channel     string    `json:"channel" enum:"paper,email,fax,in_person" doc:"paper (Brief), email (E-Mail), fax (Fax), in_person (persönlich abgegeben)"`
}

// EditBody replaces the content of a draft.
type EditBody struct {
	ContentBody
}

// InviteCosponsorBody names a faction to co-sponsor the draft.
type InviteCosponsorBody struct {
	Faction string `json:"faction" minLength:"1" maxLength:"200" doc:"Fraktion (Organisations-Id)"`
}

// ReasonBody carries a mandatory reason (declare-inadmissible, lapse).
type ReasonBody struct {
	Reason string `json:"reason" minLength:"1" maxLength:"5000" doc:"Begründung"`
}

// WithdrawBody optionally says why the motion is withdrawn.
type WithdrawBody struct {
	Reason string `json:"reason,omitempty" maxLength:"5000" doc:"Begründung (optional)"`
}

// CloseBody optionally notes why the follow-up ends.
type CloseBody struct {
	Note string `json:"note,omitempty" maxLength:"5000"`
}

// RouteStepBody is one organization on the route.
type RouteStepBody struct {
	OrganizationID string `json:"organization_id" minLength:"1" maxLength:"200" doc:"Gremium (Organisations-Id)"`
	Decisive       bool   `json:"decisive,omitempty" doc:"beschließendes Gremium (genau eines, das letzte)"`
}

// SetRouteBody sets the route (Beratungsfolge).
type SetRouteBody struct {
	Steps []RouteStepBody `json:"steps" minItems:"1" maxItems:"20" doc:"Gremien in der Reihenfolge der Beratung"`
}

// ScheduleBody puts a consultation on a meeting's agenda.
type ScheduleBody struct {
	ConsultationID string `json:"consultation_id" minLength:"1" maxLength:"200" example:"c1"`
	MeetingID      string `json:"meeting_id" minLength:"1" maxLength:"200"`
	Override       string `json:"override,omitempty" maxLength:"5000" doc:"Grund, eine Sitzung, die bereits stattgefunden hat, nachzuerfassen"`
}

// LinkBody points at the motion or resolution that settled this one.
type LinkBody struct {
	MotionID  string `json:"motion_id,omitempty" maxLength:"200"`
	Reference string `json:"reference,omitempty" maxLength:"200" example:"A12/2020"`
	Title     string `json:"title,omitempty" maxLength:"200"`
	URL       string `json:"url,omitempty" maxLength:"2000" format:"uri"`
}

// FactionVoteBody is one faction's share of a tally.
type FactionVoteBody struct {
	OrganizationID string `json:"organization_id" minLength:"1" maxLength:"200"`
	Yes            int    `json:"yes" minimum:"0"`
	No             int    `json:"no" minimum:"0"`
	Abstain        int    `json:"abstain" minimum:"0"`
}

// NamedVoteBody is how one member voted.
type NamedVoteBody struct {
	PersonID string `json:"person_id,omitempty" maxLength:"200"`
	Name     string `json:"name" minLength:"1" maxLength:"200"`
	Vote     string `json:"vote" enum:"yes,no,abstain,absent"`
}

// VoteBody is a tally.
type VoteBody struct {
	Yes       int               `json:"yes" minimum:"0"`
	No        int               `json:"no" minimum:"0"`
	Abstain   int               `json:"abstain" minimum:"0"`
	Absent    *int              `json:"absent,omitempty" minimum:"0"`
	Unanimous bool              `json:"unanimous,omitempty"`
	ByFaction []FactionVoteBody `json:"by_faction,omitempty" maxItems:"100"`
	Named     []NamedVoteBody   `json:"named,omitempty" maxItems:"1000"`
}

func (v *VoteBody) vote() *motion.Vote {
	if v == nil {
		return nil
	}
	out := &motion.Vote{Yes: v.Yes, No: v.No, Abstain: v.Abstain, Absent: v.Absent, Unanimous: v.Unanimous}
	for _, f := range v.ByFaction {
		out.ByFaction = append(out.ByFaction, motion.FactionVote(f))
	}
	for _, n := range v.Named {
		out.Named = append(out.Named, motion.NamedVote(n))
	}
	return out
}

// ResultBody is the content of a recorded or corrected result.
type ResultBody struct {
	Result           string     `json:"result" enum:"recommend_approval,recommend_rejection,recommend_amended,adopted,adopted_amended,rejected,postponed,referred,noted,settled_by_other_resolutions,settled_by_administration,withdrawn" doc:"Ergebnis der Beratung"`
	Vote             *VoteBody  `json:"vote,omitempty" doc:"Abstimmungsergebnis"`
	Links            []LinkBody `json:"links,omitempty" maxItems:"50" doc:"erledigende Beschlüsse (Pflicht bei settled_by_other_resolutions)"`
	OriginatorAgreed *bool      `json:"originator_agreed,omitempty" doc:"ob die Antragsteller der Erledigung zugestimmt haben (Pflicht bei settled_by_other_resolutions)"`
	ReferredTo       string     `json:"referred_to,omitempty" maxLength:"200" doc:"Gremium, an das verwiesen wird (Pflicht bei referred)"`
	Note             string     `json:"note,omitempty" maxLength:"5000"`
}

func links(ls []LinkBody) []motion.Link {
	var out []motion.Link
	for _, l := range ls {
		out = append(out, motion.Link(l))
	}
	return out
}

func (r ResultBody) input() motion.ResultInput {
	return motion.ResultInput{
		Result: motion.Result(r.Result), Vote: r.Vote.vote(), Links: links(r.Links),
		OriginatorAgreed: r.OriginatorAgreed, ReferredTo: r.ReferredTo, Note: r.Note,
	}
}

// RecordResultBody records what an organization resolved.
type RecordResultBody struct {
	ConsultationID string `json:"consultation_id" minLength:"1" maxLength:"200" example:"c1"`
	ResultBody
}

// CorrectResultBody replaces a recorded result, with a reason.
type CorrectResultBody struct {
	ConsultationID string `json:"consultation_id" minLength:"1" maxLength:"200"`
	Reason         string `json:"reason" minLength:"1" maxLength:"5000" doc:"Begründung der Korrektur"`
	ResultBody
}

// TextBody carries the administration's statement, answer or report.
type TextBody struct {
	Text string `json:"text" minLength:"1" maxLength:"100000"`
}

// RecordOutcomeBody records the final outcome directly.
type RecordOutcomeBody struct {
	Result           string     `json:"result" enum:"adopted,adopted_amended,rejected,noted,settled_by_other_resolutions,settled_by_administration" doc:"abschließendes Ergebnis"`
	Links            []LinkBody `json:"links,omitempty" maxItems:"50"`
	OriginatorAgreed *bool      `json:"originator_agreed,omitempty"`
	Note             string     `json:"note,omitempty" maxLength:"5000"`
}

// SetDeadlineBody sets one of the motion's deadlines by hand.
type SetDeadlineBody struct {
	Key    string    `json:"key" minLength:"1" maxLength:"200" doc:"Frist: agenda_placement, submission_cutoff, papers_due, inquiry_answer, implementation_report, stale_motion oder reschedule, bei Sitzungsfristen mit :<Sitzungs-Id>" example:"agenda_placement"`
	Due    time.Time `json:"due" doc:"neue Fälligkeit (RFC 3339)"`
	Reason string    `json:"reason" minLength:"1" maxLength:"5000" doc:"Begründung"`
}

// MotionView is a motion as the API shows it: the motion with German labels
// and the commands the caller may run on it now.
type MotionView struct {
	motion.Motion
	StatusLabel  string `json:"status_label" doc:"Status auf Deutsch" example:"Entschieden"`
	KindLabel    string `json:"kind_label" doc:"Art auf Deutsch" example:"Haushaltsantrag"`
	OutcomeLabel string `json:"outcome_label,omitempty" doc:"Ergebnis auf Deutsch" example:"Erledigt durch andere Beschlüsse"`
	// Light is the traffic light of the implementation (Beschlusskontrolle)
	// now; LightLabel says it in words.
	Light      motion.Light `json:"light,omitempty" enum:"green,yellow,red" doc:"Ampel der Umsetzung: green (im Plan), yellow (offen oder nicht umsetzbar), red (Zieldatum überschritten)"`
	LightLabel string       `json:"light_label,omitempty" doc:"Ampel auf Deutsch"`
	// Highlight is set in the results of a search (q): the words it matched.
	Highlight      *Highlight           `json:"highlight,omitempty" doc:"nur in Suchergebnissen: Titel und eine Textstelle mit den gefundenen Wörtern"`
	AllowedActions []motion.CommandName `json:"allowed_actions" enum:"edit,invite_cosponsor,submit,register,declare_inadmissible,set_route,schedule,record_result,record_statement,record_answer,record_outcome,start_implementation,report_implementation,close,withdraw,correct_result,lapse,set_deadline,sign,accept_cosponsorship,decline_cosponsorship,set_departments" doc:"Befehle, die der Aufrufer jetzt ausführen darf (Befehlsnamen; der Pfad ist /v1/motions/{id}/ mit Bindestrichen, z. B. record_result → record-result)"`
}

// Highlight is where a search hit matched: the title and a passage of the
// text (points, justification, amendment, signatories, statements, answers,
// reports, attachments), in fragments; match marks a found word.
type Highlight struct {
	Title   []store.Fragment `json:"title" doc:"Titel in Stücken; match: gefundenes Wort"`
	Passage []store.Fragment `json:"passage" doc:"Textstelle in Stücken (Auslassungen als \" … \"); match: gefundenes Wort"`
}

func view(m motion.Motion, a motion.Actor) MotionView {
	v := MotionView{
		Motion:         m,
		StatusLabel:    m.Status.Label(),
		KindLabel:      m.Kind.Label(),
		AllowedActions: []motion.CommandName{},
	}
	if m.Outcome != nil {
		v.OutcomeLabel = m.Outcome.Result.Label()
	}
	if l := m.Light(time.Now()); l != "" {
		v.Light, v.LightLabel = l, l.Label()
	}
	// Who was invited and why a faction declined is the sponsors' business.
	v.Invitations = m.InvitationsFor(a)
	// The public sees roles, not the names of staff (as in the history):
	// not who handed a paper in or entered it, nor who wrote a report or a
	// progress note.
	if a.Anonymous() {
		c := m.Clone()
		for i := range c.Reports {
			c.Reports[i].By = ""
		}
		if c.Originator != nil && c.Originator.Paper != nil {
			c.Originator.Paper.SubmittedBy, c.Originator.Paper.EnteredBy = "", ""
		}
		for i := range c.Points {
			for j := range c.Points[i].Notes {
				c.Points[i].Notes[j].By = ""
			}
		}
		v.Originator, v.Points, v.Reports = c.Originator, c.Points, c.Reports
	}
	v.AllowedActions = append(v.AllowedActions, motion.Allowed(&m, a)...)
	return v
}

// RegisterBody optionally names the departments at registration.
type RegisterBody struct {
	LeadDepartment      string   `json:"lead_department,omitempty" maxLength:"200" doc:"Federführendes Dezernat oder federführender Fachbereich (Organisations-Id, OParl underDirectionOf)"`
	InvolvedDepartments []string `json:"involved_departments,omitempty" maxItems:"20" minLength:"1" maxLength:"200" doc:"Beteiligte Dezernate (Organisations-Ids)"`
}

// SetDepartmentsBody names the lead and the involved departments.
type SetDepartmentsBody struct {
	Lead     string   `json:"lead" minLength:"1" maxLength:"200" doc:"Federführendes Dezernat oder federführender Fachbereich (Organisations-Id)"`
	Involved []string `json:"involved,omitempty" maxItems:"20" minLength:"1" maxLength:"200" doc:"Beteiligte Dezernate (Organisations-Ids)"`
}

// DeclineBody optionally says why a faction declines to co-sponsor.
type DeclineBody struct {
	Reason string `json:"reason,omitempty" maxLength:"5000" doc:"Begründung der Ablehnung (für die einladende Fraktion)"`
}

// ReportBody is an implementation report: a text and the state of each
// resolution point it speaks of (Beschlusskontrolle).
type ReportBody struct {
	Text   string            `json:"text,omitempty" maxLength:"100000" doc:"Bericht zur Umsetzung; ohne Punkte Pflicht"`
	Points []PointReportBody `json:"points,omitempty" maxItems:"50" doc:"Stand einzelner Beschlusspunkte"`
}

// PointReportBody is what a report says of one resolution point.
type PointReportBody struct {
	Point      int        `json:"point" minimum:"1" maximum:"50" doc:"Nummer des Beschlusspunkts, ab 1"`
	State      string     `json:"state" enum:"open,in_progress,done,not_feasible" doc:"open (offen), in_progress (in Arbeit), done (umgesetzt), not_feasible (nicht umsetzbar; mit Begründung)"`
	TargetDate *time.Time `json:"target_date,omitempty" doc:"Zieldatum der Umsetzung"`
	Note       string     `json:"note,omitempty" maxLength:"5000" doc:"Vermerk zum Stand"`
	Reason     string     `json:"reason,omitempty" maxLength:"5000" doc:"Begründung, warum der Punkt nicht umsetzbar ist (bei not_feasible Pflicht)"`
}

func (b ReportBody) command() motion.Command {
	c := motion.ReportImplementation{Text: b.Text}
	for _, p := range b.Points {
		c.Points = append(c.Points, motion.PointReport{Point: p.Point, State: motion.PointState(p.State), TargetDate: p.TargetDate, Note: p.Note, Reason: p.Reason})
	}
	return c
}
