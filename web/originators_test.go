package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// The users of issue 15: three councillors of Mannheim's council, a third
// faction and the staff of a department.
var (
	eva       = motion.Actor{Issuer: "https://idp.test", Subject: "eva", Name: "Eva Beispiel", Roles: []motion.Role{motion.RoleCouncillor}, Person: "p-eva", Bodies: []string{"ma"}}
	max_      = motion.Actor{Issuer: "https://idp.test", Subject: "max", Name: "Max Muster", Roles: []motion.Role{motion.RoleCouncillor}, Person: "p-max", Bodies: []string{"ma"}}
	lena      = motion.Actor{Issuer: "https://idp.test", Subject: "lena", Name: "Lena Lorenz", Roles: []motion.Role{motion.RoleCouncillor}, Person: "p-lena", Bodies: []string{"ma"}}
	gruene    = motion.Actor{Issuer: "https://idp.test", Subject: "gruene", Name: "Greta Grün", Roles: []motion.Role{motion.RoleFactionStaff}, Faction: "gruene", Bodies: []string{"ma"}}
	dezernat1 = motion.Actor{Issuer: "https://idp.test", Subject: "dez1", Name: "Dora Dezernat", Roles: []motion.Role{motion.RoleAdministration}, Department: "dez1", Bodies: []string{"ma"}}
)

func init() {
	for k, a := range map[string]motion.Actor{"eva": eva, "max": max_, "lena": lena, "gruene": gruene, "dez1": dezernat1} {
		testUsers[k] = a
	}
}

// newCouncilEnv is newEnv with the council's seven members in the
// directory (so that a motion of councillors needs ceil(7/6) = 2
// signatures, store.MotionQuorum), a third faction and a second department.
func newCouncilEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	ctx := t.Context()
	for _, o := range []store.Organization{
		{ID: "gruene", Kind: store.OrgFaction, Name: "Grüne im Gemeinderat"},
		{ID: "dez2", Kind: store.OrgDepartment, Name: "Dezernat II"},
	} {
		o.BodyID = "ma"
		if _, err := e.st.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []store.Person{
		{ID: "p-eva", GivenName: "Eva", FamilyName: "Beispiel"},
		{ID: "p-max", GivenName: "Max", FamilyName: "Muster"},
		{ID: "p-lena", GivenName: "Lena", FamilyName: "Lorenz"},
		{GivenName: "Anna", FamilyName: "Alt"}, {GivenName: "Bernd", FamilyName: "Berg"},
		{GivenName: "Clara", FamilyName: "Cleve"}, {GivenName: "David", FamilyName: "Dorn"},
	} {
		p.BodyID = "ma"
		p, err := e.st.CreatePerson(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.AddMembership(ctx, store.Membership{PersonID: p.ID, OrganizationID: "gr", Role: "Mitglied"}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestCouncillorsMotionIsSignedByTheNamedOnly(t *testing.T) {
	e := newCouncilEnv(t)
	form := e.get("eva", "/antraege/neu")
	must(t, form, 200, "Neuer Antrag", "Unterzeichnende aus dem Gemeinderat", "Max Muster", "Lena Lorenz",
		"Der Antrag braucht die Unterschriften von mindestens 2 Mitgliedern des Gemeinderats", "Eine Anfrage braucht nur Ihre Unterschrift.")
	if strings.Contains(form.Body, `value="p-eva"`) {
		t.Error("the editor offers the councillor herself as a signer")
	}
	v := url.Values{"key": {hidden(t, form.Body, "/antraege/neu", "key")}, "draft": {hidden(t, form.Body, "/antraege/neu", "draft")},
		"body_id": {"ma"}, "kind": {"motion"}, "title": {"Mehr Bänke am Neckarufer"}, "resolution_points": {"Zehn Bänke aufstellen."},
		"signers": {"p-max", "p-unbekannt"}, "op": {"save"}}
	must(t, e.post("eva", "/antraege/neu", v), 422, "Eine der gewählten Personen ist kein Mitglied des Gemeinderats", `id="editor-signers-fehler"`)
	v["signers"] = []string{"p-max"}
	p := e.post("eva", "/antraege/neu", v)
	must(t, p, 200, "Der Entwurf wurde angelegt.", "Mitglieder des Gemeinderats", "1 von mindestens 2 Unterschriften",
		"Eva Beispiel", "unterschrieben am", "Max Muster", "Unterschrift ausstehend")
	id := motionURL.FindStringSubmatch(p.URL)[1]

	// The initiator signed by creating it; submitting waits for Max.
	if strings.Contains(p.Body, "aktionen/sign") {
		t.Error("the initiator, who has signed, is offered to sign again")
	}
	must(t, e.act("eva", id, "submit", nil), 422, "Der Antrag braucht die Unterschriften von mindestens 2 Mitgliedern des Gemeinderats; bisher haben 1 unterschrieben.")

	// Only the named councillor is asked to sign; the others do not see the draft.
	show := e.get("max", "/antraege/"+id)
	must(t, show, 200, "Nächster Schritt:</span> Unterschreiben", `action="/antraege/`+id+`/aktionen/sign"`)
	for _, user := range []string{"lena", "spd", ""} {
		must(t, e.get(user, "/antraege/"+id), 404)
	}
	must(t, e.act("max", id, "sign", nil), 200, "Sie haben den Antrag unterschrieben.", "2 von mindestens 2 Unterschriften")
	must(t, e.act("eva", id, "submit", nil), 200, "Der Antrag wurde eingereicht.")

	// Submitted, it is public: Lena reads it and is offered nothing to sign.
	pub := e.get("lena", "/antraege/"+id)
	must(t, pub, 200, "Mehr Bänke am Neckarufer", "2 von mindestens 2 Unterschriften")
	if strings.Contains(pub.Body, "aktionen/sign") {
		t.Error("a councillor who is not named is offered to sign")
	}
}

func TestCosponsorInvitationIsAnsweredByTheInvitedFactionOnly(t *testing.T) {
	e := newCouncilEnv(t)
	for _, answer := range []string{"decline", "accept"} {
		id := e.createDraft("spd", "Schulwegsicherheit "+answer, "Tempo 30 vor Schulen.")
		must(t, e.act("spd", id, "invite_cosponsor", url.Values{"faction": {"cdu"}}), 200, "Die Fraktion wurde als Mitantragstellerin eingeladen.",
			"Einladungen zur Mitantragstellung", "CDU-Gemeinderatsfraktion: eingeladen am")
		// The inviting faction is not offered the answer; a third faction does not see the draft.
		sp := e.get("spd", "/antraege/"+id)
		if strings.Contains(sp.Body, "aktionen/accept_cosponsorship") || strings.Contains(sp.Body, "aktionen/decline_cosponsorship") {
			t.Fatal("the inviting faction is offered to answer its own invitation")
		}
		must(t, e.get("gruene", "/antraege/"+id), 404)
		must(t, e.get("cdu", "/antraege/"+id), 200, "Nächster Schritt:</span> Mitantragstellung annehmen", "Mitantragstellung ablehnen",
			`action="/antraege/`+id+`/aktionen/decline_cosponsorship"`)

		if answer == "decline" {
			// Declined, the draft is the inviting faction's again: cdu lands on the list.
			p := e.act("cdu", id, "decline_cosponsorship", url.Values{"reason": {"Wir stellen einen eigenen Antrag."}})
			must(t, p, 200, "Ihre Fraktion hat die Mitantragstellung abgelehnt.")
			if p.URL != "/antraege" {
				t.Errorf("after declining cdu is at %s", p.URL)
			}
			must(t, e.get("spd", "/antraege/"+id), 200, "CDU-Gemeinderatsfraktion: <strong>abgelehnt</strong> am", "Begründung: Wir stellen einen eigenen Antrag.")
			must(t, e.get("cdu", "/antraege/"+id), 404)
			continue
		}
		must(t, e.act("cdu", id, "accept_cosponsorship", nil), 200, "Ihre Fraktion ist jetzt Mitantragstellerin.",
			"<dd>SPD-Gemeinderatsfraktion, CDU-Gemeinderatsfraktion</dd>")
		if strings.Contains(e.get("cdu", "/antraege/"+id).Body, "aktionen/accept_cosponsorship") {
			t.Error("an accepted invitation is offered again")
		}
	}
}

func TestBeschlusskontrolleOnTheMotionPage(t *testing.T) {
	e := newCouncilEnv(t)
	id := e.createDraft("spd", "Digitalisierung im Quadrat", "WLAN in allen Schulen.", "Tablets für die Klassen 5.", "Bericht an den Ausschuss.")
	must(t, e.act("spd", id, "submit", nil), 200)
	reg := e.get("office", "/antraege/"+id)
	must(t, reg, 200, "Federführendes Dezernat (optional)", "Beteiligte Dezernate (optional)")
	must(t, e.act("office", id, "register", url.Values{"lead_department": {"dez1"}}), 200, "Der Antrag wurde registriert.",
		"<dt>Federführung</dt><dd>Dezernat I")
	// Naming the same department as lead and involved is refused at the field.
	must(t, e.act("office", id, "set_departments", url.Values{"lead": {"dez1"}, "involved": {"dez1"}}), 422,
		"Das 1. beteiligte Dezernat ist schon genannt oder federführend.", `-involved-fehler"`)
	must(t, e.act("office", id, "set_departments", url.Values{"lead": {"dez1"}, "involved": {"dez2"}}), 200,
		"Die Federführung wurde festgelegt.", "beteiligt: Dezernat II")
	must(t, e.act("office", id, "record_outcome", url.Values{"result": {"adopted"}, "originator_agreed": {"entfaellt"}}), 200, "Das Endergebnis wurde erfasst.")
	must(t, e.act("office", id, "start_implementation", nil), 200, "Die Umsetzung wurde begonnen.", "Beschlusskontrolle",
		"Gelb: offen oder nicht umsetzbar", "WLAN in allen Schulen.")

	// The department reports: point 2 cannot be carried out, but says not why.
	past := time.Now().In(motion.Berlin).AddDate(0, -1, 0)
	show := e.get("dez1", "/antraege/"+id)
	must(t, show, 200, "Nächster Schritt:</span> Bericht zur Umsetzung erfassen", "Beschlusspunkt 3", `name="points[1].state"`, `type="date"`)
	p := e.act("dez1", id, "report_implementation", url.Values{
		"points[0].state": {"in_progress"}, "points[0].target_date": {past.Format("2006-01-02")}, "points[0].note": {"Ausschreibung läuft."},
		"points[1].state": {"not_feasible"},
	})
	must(t, p, 422, "Beschlusspunkt 2: Begründung: Bitte begründen Sie, warum der 2. Beschlusspunkt nicht umsetzbar ist.",
		`-points-1--reason-fehler"`, `aria-invalid="true"`, "Ausschreibung läuft.")
	p = e.act("dez1", id, "report_implementation", url.Values{
		"points[0].state": {"in_progress"}, "points[0].target_date": {past.Format("2006-01-02")}, "points[0].note": {"Ausschreibung läuft."},
		"points[1].state": {"not_feasible"}, "points[1].reason": {"Der Haushalt sieht keine Mittel vor."},
		"points[2].state": {"done"},
	})
	must(t, p, 200, "Der Bericht zur Umsetzung wurde erfasst.", "in Arbeit", "nicht umsetzbar", "Begründung: Der Haushalt sieht keine Mittel vor.",
		"umgesetzt", past.Format("02.01.2006"), "Ausschreibung läuft.", "Dezernat I")
	// Point 1's target date, a month ago, has passed: the light is red, in words.
	must(t, e.get("", "/antraege/"+id), 200, "Rot: Zieldatum überschritten", `class="ampel ampel-red"`)
	if strings.Contains(e.get("", "/antraege/"+id).Body, "Dora Dezernat") {
		t.Error("the public sees who wrote the report")
	}
}

func TestPaperSubmissionByTheCouncilOffice(t *testing.T) {
	e := newCouncilEnv(t)
	must(t, e.get("office", "/antraege"), 200, `href="/antraege/erfassen"`, "Eingang erfassen")
	if strings.Contains(e.get("spd", "/antraege").Body, `href="/antraege/erfassen"`) {
		t.Error("faction staff is offered to enter a paper submission")
	}
	must(t, e.get("spd", "/antraege/erfassen"), 403, "Eingegangene Anträge erfasst das Ratsbüro.")
	must(t, e.get("office", "/antraege/neu"), 403, "Eingang erfassen")
	form := e.get("office", "/antraege/erfassen")
	must(t, form, 200, "Eingang erfassen", "Eingangsweg", "persönlich abgegeben", "Eingereicht von", "Max Muster")

	v := url.Values{"key": {hidden(t, form.Body, "/antraege/erfassen", "key")}, "draft": {hidden(t, form.Body, "/antraege/erfassen", "draft")},
		"body_id": {"ma"}, "kind": {"motion"}, "title": {"Sanierung der Sporthalle"}, "resolution_points": {"Die Halle wird saniert."},
		"originator": {"faction"}, "organization": {"cdu"}, "op": {"save"}}
	// Without who handed it in, the day and the way it came in: refused
	// at those fields, nothing lost.
	must(t, e.post("office", "/antraege/erfassen", v), 422, "Die Angabe, wer den Antrag eingereicht hat, fehlt.",
		`id="eingang-paper-submitted-by-fehler"`, "Sanierung der Sporthalle")
	v.Set("paper.submitted_by", "Carla Muster, Fraktionsvorsitzende")
	must(t, e.post("office", "/antraege/erfassen", v), 422, "Bitte geben Sie an, wann der Antrag eingegangen ist.",
		"Bitte geben Sie an, wie der Antrag eingegangen ist", `id="eingang-paper-received-at-fehler"`, "Sanierung der Sporthalle")

	received := time.Now().In(motion.Berlin).AddDate(0, 0, -2)
	v.Set("paper.received_at", received.Format("2006-01-02"))
	v.Set("paper.received_time", "09:30")
	v.Set("paper.channel", "paper")
	p := e.post("office", "/antraege/erfassen", v)
	must(t, p, 200, "Der Eingang wurde erfasst", "Sanierung der Sporthalle", "Eingereicht", "CDU-Gemeinderatsfraktion",
		"Der Antrag ist eingegangen am "+received.Format("02.01.2006")+" per Brief, eingereicht von Carla Muster, Fraktionsvorsitzende, erfasst von Rita Ratsbüro.")
	id := motionURL.FindStringSubmatch(p.URL)[1]
	// A double click enters it once.
	if p2 := e.post("office", "/antraege/erfassen", v); p2.URL != p.URL {
		t.Errorf("the form sent twice made a second motion: %s and %s", p.URL, p2.URL)
	}
	pub := e.get("", "/antraege/"+id)
	must(t, pub, 200, "Der Antrag ist eingegangen am "+received.Format("02.01.2006")+" per Brief.")
	if strings.Contains(pub.Body, "Rita Ratsbüro") {
		t.Error("the public sees who entered the submission")
	}

	// Councillors' paper motion: the quorum counts those who signed on paper.
	form = e.get("office", "/antraege/erfassen")
	c := url.Values{"key": {hidden(t, form.Body, "/antraege/erfassen", "key")}, "draft": {hidden(t, form.Body, "/antraege/erfassen", "draft")},
		"body_id": {"ma"}, "kind": {"motion"}, "title": {"Mehr Grün in der Innenstadt"}, "resolution_points": {"Bäume pflanzen."},
		"originator": {"councillors"}, "signers": {"p-lena"}, "paper.received_at": {received.Format("2006-01-02")},
		"paper.channel": {"in_person"}, "paper.submitted_by": {"Lena Lorenz"}, "op": {"save"}}
	must(t, e.post("office", "/antraege/erfassen", c), 422, "Der Antrag braucht die Unterschriften von mindestens 2 Mitgliedern des Gemeinderats", `id="eingang-signers-fehler"`)
	c["signers"] = []string{"p-lena", "p-max"}
	must(t, e.post("office", "/antraege/erfassen", c), 200, "Mitglieder des Gemeinderats", "2 von mindestens 2 Unterschriften",
		"Der Antrag ist eingegangen am "+received.Format("02.01.2006")+", persönlich abgegeben", "Lena Lorenz", "Max Muster")
}
