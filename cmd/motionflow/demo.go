//go:build !nodev

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	"go.temporal.io/sdk/client"
)

// The demo of the meeting process (issue 12) that `dev` sets up once: the
// SPD faction's motion "Digitalisierung im Quadrat", dealt with in a
// meeting of the Hauptausschuss that is over and whose minutes are
// published (recommendation: approval), and on the agenda of the council's
// next meeting, which is still to come.
const (
	// demoMeetingID is the Hauptausschuss meeting of the demo. Its existence
	// means the demo ran (or began to): it is never set up twice.
	demoMeetingID = devBody + "-hfa-beispiel"
	demoCommittee = devBody + "-hfa"
	demoCouncil   = devBody + "-gr"
	demoFaction   = devBody + "-spd"
	// demoLead is how far ahead of now the demo meeting begins: time enough
	// to put the motion on its agenda and publish the invitation, which must
	// happen before the meeting begins.
	demoLead = 5 * time.Second
	// demoPatience bounds each wait for a workflow to pass something on.
	demoPatience = 2 * time.Minute
)

// demoMotionID is the demo motion's id, the same in every run, so that a
// demo interrupted before its meeting existed creates no second motion when
// it runs again.
var demoMotionID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://motionflow.dev/demo/"+devBody+"/digitalisierung-im-quadrat")).String()

// demoRequest is the request id of one step of the demo: fixed per step, so
// that a step repeated after a crash is answered, not applied again.
func demoRequest(step string) string { return "dev-demo/" + step }

// example is the content of a motion as its faction published it on its
// web page: the title, the numbered resolution points, the Begründung and
// the tags.
type example struct {
	Title            string
	ResolutionPoints []string
	Justification    string
	Tags             []string
}

// exampleMotion is the part of the SPD faction's page that holds the motion
// (e2e/testdata/antrag-digitalisierung-im-quadrat.txt is the whole page;
// the test checks that both say the same).
const exampleMotion = `Antrag: Digitalisierung im Quadrat
Geschrieben von SPD Gemeinderatsfraktion — 12. Dezember 2019 — 0 Kommentar

Antrag

Der Gemeinderat möge beschließen:

1.) Zur befristeten Anschubfinanzierung zur Implementierung des Projekts „digitale Metropole“ werden Sachmittel in Höhe von 225.000 Euro bereitgestellt.

2.) Aus dem internen Stellenpool der Stadtverwaltung werden zwei weitere Stellen im Fachbereich Sicherheit und Ordnung eingerichtet, um z.B. die Genehmigungsverfahren bei der Außengastronomie zu beschleunigen.

3.) Die Stadtverwaltung richtet einen Fonds für kreative Kleinstbetriebe zur digitalen Umstellung ein.

Begründung:

Infrastruktur ist mehr als Beton und Stahl. Die Positionierung Mannheims als digitale, innovative Metropole setzt voraus, dass zum einen möglichst viele Akteure von Verwaltung, Konzern und Stadtgesellschaft auf dem Weg der digitalen Transformation aktiv eingebunden und mit adäquatem, praxisorientiertem Wissen zum Thema Digitalisierung ausgestattet werden. Die digitale Transformation soll von der Stadtgesellschaft (Bürgerinnen und Bürger, Mitarbeiter/innen der Stadtverwaltung, Unternehmen und den Akteuren des kommunalen Konzerns) als positive Herausforderung mit vielfältigen Chancen angenommen und verstanden werden.

Der Branchenverband bitkom platziert Mannheim bei seiner letzten Evaluation auf Platz eins für eine führende Rolle bei Verwaltungsleistungen, die den Bürgern digital angeboten werden. Das Ergebnis aus dem Digitalranking nehmen wir als Ansporn weiter zu machen, damit Mannheim auch in der Gesamtbewertung den ersten Platz einnimmt. Im Bereich Energie und Umwelt (Platz 27) und Mobilität (Platz 46) rangiert Mannheim im hinteren Mittelfeld. Um in Mannheim innovative, digitale Angebote für die Stadtgesellschaft anzubieten, bedarf es einer Fortentwicklung und der besseren Kommunikation bereits bestehender, digitaler Nutzungsangebote.

Gleichzeitig bleiben interne Verwaltungsabläufe und Genehmigungsprozesse hinter dem möglichen Digitalisierungspotential zurück und bestehen Herausforderungen bei digitalen Arbeitsfähigkeiten, wenn zunehmend Standardprozesse durch digitale Prozeduren ersetzt werden. Insofern ist Mannheim vom Zielbild einer digitalen, modernen Stadtverwaltung noch ein Stück entfernt und bedarf einer beschleunigten Herangehensweise, um dem strategischen Ziel einer innovativen, digitalen Metropole näher zu kommen. Gerade für die Beschleunigung der Genehmigungsverfahren bei der Stadt sind digitale Prozesse von großer Bedeutung und benötigen personelle Kapazitäten. Das erhöht die Qualität des Service bei der Verwaltung und führt zur höheren Zufriedenheit bei den Bürgerinnen und Bürgern.

Außerdem bedarf es einer Weiterentwicklung digitaler Anwendungen, um den individuellen wie kommunalen Beitrag zu Klimaschutz (bspw. CO2-footprint, Gewinnung nachhaltiger Energien etc.) erfahrbar und nutzbar zu machen. Unter dem Titel „dig itMA²“ soll deshalb ein zentral besuchbarer DigitalRaum, zunächst für die Dauer eines Jahres ausgestaltet werden, der es allen Besucherinnen und Besucher ermöglicht, digitale Potenziale und Möglichkeiten der Digitalisierung in der Stadt spielerisch (via gamification) und nutzerorientiert (UX) zu erfassen.

Ebenso ist ein Angebot an die Führungskräfte des Konzerns Mannheim notwendig in Form eines zeitlich befristeten Anschubprojekts „transformation center“. Hier sollen Führungskräfte die Potentiale und Möglichkeiten der Digitalisierung ihrer Arbeitsumfelder erfassen und ggf. Verbesserungsmöglichkeiten bestehender digitaler Angebote und Leistungen erschließen, um die Erreichung des strategischen Ziels zu beschleunigen. Um erwünschte Kooperation und Innovationen zu ermöglichen, soll das Angebot ebenso an KMU, Start-ups und weiteren Interessierte gerichtet und mittelfristig mit diesen sowohl weiter inhaltlich entwickelt als auch kofinanziert getragen werden.

Die jetzt schon sehr raren kreativen Kleinstbetriebe werden mit großen Hürden bei der Umstellung ihrer Betriebe auf digitale Möglichkeiten konfrontiert. Diese können für die meisten eine existenzielle Bedrohung sein. Daher soll das transformation center bei der digitalen Umstellung unterstützen und einen Teil zum Erhalt der inhabergeführten Kleinstbetriebe beitragen.

Dokument

#Antrag Mobilität und Digitalisierung#Antrag Soziales Miteinander#Antrag Zukunft schaffen#Anträge#Haushalt2020#Mobilität und Digitalisierung
`

var examplePoint = regexp.MustCompile(`^\d+\.\)\s*(.+)$`)

// parseExample takes a motion's parts out of the text of the faction's page
// (the whole page or the part with the motion): the title after
// "Antrag: ", the points "1.) …" before the Begründung, the paragraphs of
// the Begründung up to "Dokument" or "Ergebnis", and the tags of the line
// "#Antrag …#…". A text without a title or points is refused.
func parseExample(r io.Reader) (example, error) {
	var ex example
	var section string
	var paragraphs []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case ex.Title == "" && strings.HasPrefix(line, "Antrag: "):
			ex.Title = strings.TrimPrefix(line, "Antrag: ")
		case line == "Begründung:" || line == "Dokument" || line == "Ergebnis":
			section = line
		case line == "":
		case section == "" && examplePoint.MatchString(line):
			ex.ResolutionPoints = append(ex.ResolutionPoints, examplePoint.FindStringSubmatch(line)[1])
		case section == "Begründung:":
			paragraphs = append(paragraphs, line)
		case strings.HasPrefix(line, "#Antrag"):
			for tag := range strings.SplitSeq(line, "#") {
				if tag = strings.TrimSpace(tag); tag != "" {
					ex.Tags = append(ex.Tags, tag)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return example{}, err
	}
	if ex.Title == "" || len(ex.ResolutionPoints) == 0 {
		return example{}, errors.New("the text holds no motion (no title or no resolution points)")
	}
	ex.Justification = strings.Join(paragraphs, "\n\n")
	return ex, nil
}

// demoRun is everything the demo needs: the read model, the workflows, the
// actors it acts as and where it reports progress.
type demoRun struct {
	st     *store.Store
	wc     *workflows.Client
	log    *slog.Logger
	staff  motion.Actor // the SPD faction's staff: drafts and submits
	office motion.Actor // the council office: registers, routes, runs the meetings
	lead   time.Duration
	// poll is how often a wait looks at the read model again.
	poll time.Duration
}

// demoActors returns the demo users of the faction staff of the SPD and of
// the council office as the API would see them after a login at issuer.
func demoActors(issuer string, users []devstack.DemoUser) (staff, office motion.Actor, err error) {
	for _, u := range users {
		groups := make([]any, len(u.Groups))
		for i, g := range u.Groups {
			groups[i] = g
		}
		a := auth.ActorFromClaims(issuer, u.Username, map[string]any{"name": u.Name, "groups": groups}, auth.Config{})
		switch {
		case a.Has(motion.RoleFactionStaff) && a.Faction == demoFaction && staff.Subject == "":
			staff = a
		case meeting.Office(a, devBody) && office.Subject == "":
			office = a
		}
	}
	if staff.Subject == "" || office.Subject == "" {
		return staff, office, errors.New("the demo users lack the SPD faction's staff or the council office")
	}
	return staff, office, nil
}

// startDemo sets up the demo in the background, once the worker runs, and
// returns a function that stops it and waits for it (dev defers it, so the
// demo never outlives the store and the worker). It never fails dev: what
// goes wrong is logged. With -ephemeral there is no demo: a throw-away
// database is what the README's walk-through runs against, and there the
// reader's motion is the first one registered (A1).
func startDemo(ctx context.Context, log *slog.Logger, st *store.Store, tc client.Client, issuer string, users []devstack.DemoUser, ephemeral bool) (stop func()) {
	log = log.With("demo", demoMeetingID)
	if ephemeral {
		log.Info("demo of the meeting process skipped: -ephemeral")
		return func() {}
	}
	staff, office, err := demoActors(issuer, users)
	if err != nil {
		log.Error("demo of the meeting process not set up", "error", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		d := demoRun{st: st, wc: &workflows.Client{Temporal: tc}, log: log, staff: staff, office: office}
		switch err := d.run(ctx); {
		case err == nil:
		case ctx.Err() != nil:
			log.Info("demo of the meeting process interrupted; it stays as far as it got", "error", err)
		default:
			log.Error("demo of the meeting process failed", "error", err)
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// run sets up the demo unless its meeting exists: the motion (created,
// submitted, registered, routed to the Hauptausschuss and the Gemeinderat),
// the Hauptausschuss meeting from its agenda to the published minutes, and
// the council consultation on the agenda of the council's next meeting.
// Seed must have run (the organizations and their members).
func (d demoRun) run(ctx context.Context) error {
	if d.lead <= 0 {
		d.lead = demoLead
	}
	if d.poll <= 0 {
		d.poll = 200 * time.Millisecond
	}
	switch cur, err := d.st.MeetingState(ctx, demoMeetingID); {
	case err == nil && cur.Status == meeting.StatusPublished:
		d.log.Info("demo of the meeting process already set up", "motion", demoMotionID)
		return nil
	case err == nil:
		d.log.Info("demo meeting exists but was not finished (an earlier dev stopped during the demo); left as it is",
			"status", cur.Status, "hint", "remove the -data directory for a fresh demo")
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("look for the demo meeting: %w", err)
	}
	d.log.Info("setting up the demo of the meeting process", "motion", demoMotionID)

	m, err := d.motion(ctx)
	if err != nil {
		return err
	}
	if err := d.committee(ctx, m); err != nil {
		return err
	}
	if err := d.council(ctx, m); err != nil {
		return err
	}
	d.log.Info("demo of the meeting process ready: Hauptausschuss meeting held, minutes published, motion on the council's agenda",
		"motion", demoMotionID, "reference", m.Reference)
	return nil
}

// motion creates the example motion for the SPD faction, submits it,
// registers it and sets its route: the Hauptausschuss advises (c1), the
// Gemeinderat decides (c2).
func (d demoRun) motion(ctx context.Context) (motion.Motion, error) {
	ex, err := parseExample(strings.NewReader(exampleMotion))
	if err != nil {
		return motion.Motion{}, err
	}
	create := motion.Create{BodyID: devBody, Kind: motion.KindMotion, Content: motion.Content{
		Title: ex.Title, ResolutionPoints: ex.ResolutionPoints, Justification: ex.Justification, Tags: ex.Tags,
	}}
	meta := func(step string, a motion.Actor) workflows.Meta {
		return workflows.Meta{Actor: a, ExpectedVersion: motion.AnyVersion, RequestID: demoRequest(step)}
	}
	m, err := d.wc.Create(ctx, demoMotionID, create, meta("create", d.staff))
	if err != nil {
		return m, fmt.Errorf("create the motion: %w", err)
	}
	steps := []struct {
		name  string
		actor motion.Actor
		cmd   motion.Command
	}{
		{"submit", d.staff, motion.Submit{}},
		{"register", d.office, motion.Register{}},
		{"set_route", d.office, motion.SetRoute{Steps: []motion.RouteStep{
			{OrganizationID: demoCommittee}, {OrganizationID: demoCouncil, Decisive: true}}}},
	}
	for _, s := range steps {
		if m, err = d.wc.Send(ctx, demoMotionID, s.cmd, meta(s.name, s.actor)); err != nil {
			return m, fmt.Errorf("motion: %s: %w", s.name, err)
		}
	}
	d.log.Info("demo motion registered and routed", "motion", m.ID, "reference", m.Reference)
	return m, nil
}

// committee runs the Hauptausschuss meeting: a meeting that begins in a few
// seconds, the motion on its agenda, the invitation published before it
// begins, then, once it has begun, the session with the committee's
// members, the recommendation to approve, and the minutes approved and
// published.
func (d demoRun) committee(ctx context.Context, m motion.Motion) error {
	start := time.Now().Add(d.lead).Truncate(time.Second)
	_, err := d.st.CreateMeeting(ctx, store.Meeting{ID: demoMeetingID, BodyID: devBody, OrganizationID: demoCommittee,
		Name: "Sitzung des Hauptausschusses (Beispiel)", Location: "Ratssaal, Rathaus E 5", Start: start})
	if err != nil {
		return fmt.Errorf("create the demo meeting: %w", err)
	}
	cur, err := d.st.MeetingState(ctx, demoMeetingID)
	if err != nil {
		return err
	}
	send := func(step string, cmd meeting.Command) error {
		next, err := d.wc.SendMeeting(ctx, cur, cmd, workflows.Meta{Actor: d.office, ExpectedVersion: motion.AnyVersion,
			RequestID: demoRequest(demoMeetingID + "/" + step)})
		if err != nil {
			return fmt.Errorf("meeting: %s: %w", step, err)
		}
		cur = next
		return nil
	}
	c1 := consultationOf(m, demoCommittee)
	item := meeting.AddItem{Kind: meeting.ItemMotion, Title: m.Title, Public: true,
		MotionID: m.ID, ConsultationID: c1, Reference: m.Reference}
	if err := send("add_item", item); err != nil {
		return err
	}
	if err := send("publish_invitation", meeting.PublishInvitation{}); err != nil {
		return err
	}
	d.log.Info("demo meeting convened", "start", start.In(motion.Berlin).Format(time.DateTime))
	// The meeting tells the motion to schedule itself; its result counts only
	// once the motion knows the meeting.
	if err := d.waitConsultation(ctx, c1, motion.ConsultationScheduled, demoMeetingID); err != nil {
		return err
	}
	if err := sleepUntil(ctx, start.Add(time.Second)); err != nil {
		return err
	}
	members, _, err := d.st.MeetingMembers(ctx, demoCommittee, start)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		return errors.New("the Hauptausschuss has no members (seed)")
	}
	present := members
	if len(members) > 2 {
		present = members[:len(members)-1] // one member excused
	}
	if err := send("open_session", meeting.OpenSession{Members: members, Present: present}); err != nil {
		return err
	}
	vote := &motion.Vote{Yes: len(present)}
	if len(present) >= 4 {
		vote = &motion.Vote{Yes: len(present) - 2, No: 1, Abstain: 1}
	}
	it := cur.ItemFor(m.ID, c1)
	if it == nil {
		return errors.New("the motion is not on the demo meeting's agenda")
	}
	results := meeting.RecordResults{ItemIDs: []string{it.ID},
		ResultInput:    motion.ResultInput{Result: motion.ResultRecommendApproval, Vote: vote},
		ResolutionText: "Der Hauptausschuss empfiehlt dem Gemeinderat, dem Antrag zuzustimmen."}
	for _, s := range []struct {
		name string
		cmd  meeting.Command
	}{
		{"call_item", meeting.CallItem{ItemID: it.ID}},
		{"record_results", results},
		{"close_session", meeting.CloseSession{}},
		{"approve_minutes", meeting.ApproveMinutes{}},
		{"publish_minutes", meeting.PublishMinutes{}},
	} {
		if err := send(s.name, s.cmd); err != nil {
			return err
		}
	}
	d.log.Info("demo meeting held, minutes published")
	return d.waitConsultation(ctx, c1, motion.ConsultationDone, demoMeetingID)
}

// consultationOf returns the id of the motion's consultation in org ("c1"
// for the first step of a new route), or "" when the route has none.
func consultationOf(m motion.Motion, org string) string {
	for _, c := range m.Consultations {
		if c.OrganizationID == org {
			return c.ID
		}
	}
	return ""
}

// council puts the council consultation ("c2") on the agenda of the council's
// next meeting that is still being planned, and waits until the motion is
// scheduled in it. Without such a meeting the motion waits for one.
func (d demoRun) council(ctx context.Context, m motion.Motion) error {
	c2 := consultationOf(m, demoCouncil)
	now := time.Now()
	list, _, err := d.st.Meetings(ctx, store.MeetingFilter{BodyIDs: []string{devBody}, OrganizationID: demoCouncil, From: &now})
	if err != nil {
		return err
	}
	for _, row := range list {
		cur, err := d.st.MeetingState(ctx, row.ID)
		if err != nil {
			return err
		}
		if cur.ItemFor(m.ID, c2) == nil {
			if row.Cancelled || cur.Status != meeting.StatusPlanned {
				continue
			}
			item := meeting.AddItem{Kind: meeting.ItemMotion, Title: m.Title, Public: true,
				MotionID: m.ID, ConsultationID: c2, Reference: m.Reference}
			meta := workflows.Meta{Actor: d.office, ExpectedVersion: motion.AnyVersion, RequestID: demoRequest(row.ID + "/add_item")}
			if _, err := d.wc.SendMeeting(ctx, cur, item, meta); err != nil {
				return fmt.Errorf("council meeting %s: add_item: %w", row.ID, err)
			}
		}
		if err := d.waitConsultation(ctx, c2, motion.ConsultationScheduled, row.ID); err != nil {
			return err
		}
		d.log.Info("demo motion on the agenda of the council's next meeting", "meeting", row.ID,
			"start", row.Start.In(motion.Berlin).Format(time.DateTime))
		return nil
	}
	d.log.Info("no council meeting in planning: the demo motion waits for one")
	return nil
}

// waitConsultation waits until the read model shows the motion's
// consultation in status in meetingID: what a meeting tells a motion
// arrives asynchronously, through the meeting's outbox.
func (d demoRun) waitConsultation(ctx context.Context, id string, status motion.ConsultationStatus, meetingID string) error {
	ctx, cancel := context.WithTimeout(ctx, demoPatience)
	defer cancel()
	for {
		m, err := d.st.Motion(ctx, demoMotionID)
		if err == nil {
			if i := slices.IndexFunc(m.Consultations, func(c motion.Consultation) bool { return c.ID == id }); i >= 0 {
				c := m.Consultations[i]
				if c.Status == status && (c.MeetingID == meetingID || c.Record != nil && c.Record.MeetingID == meetingID) {
					return nil
				}
			}
		}
		if err := sleepUntil(ctx, time.Now().Add(d.poll)); err != nil {
			return fmt.Errorf("waiting for consultation %s to be %s in %s: %w", id, status, meetingID, err)
		}
	}
}

// sleepUntil waits until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
