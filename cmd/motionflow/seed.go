package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// devBody is the council that `dev` sets up.
const devBody = "mannheim"

// seed sets up the development body with its council, a committee, factions,
// a department, the councillors with their memberships and e-mail
// addresses, and upcoming meetings; running it again changes nothing.
func seed(ctx context.Context, st *store.Store, now time.Time) error {
	if _, err := st.UpsertBody(ctx, store.Body{ID: devBody, Name: "Stadt Mannheim", ShortName: "Mannheim", ReferencePrefix: "A"}); err != nil {
		return fmt.Errorf("seed body: %w", err)
	}
	orgs := []store.Organization{
		{ID: devBody + "-gr", Kind: "council", Name: "Gemeinderat", ShortName: "GR"},
		{ID: devBody + "-hfa", Kind: "committee", Name: "Hauptausschuss", ShortName: "HFA"},
		{ID: devBody + "-spd", Kind: "faction", Name: "SPD-Gemeinderatsfraktion", ShortName: "SPD"},
		{ID: devBody + "-cdu", Kind: "faction", Name: "CDU-Gemeinderatsfraktion", ShortName: "CDU"},
		{ID: devBody + "-gruene", Kind: "faction", Name: "Fraktion Bündnis 90/Die Grünen", ShortName: "Grüne"},
		{ID: devBody + "-dez1", Kind: "department", Name: "Dezernat I", ShortName: "Dez. I"},
	}
	for _, o := range orgs {
		o.BodyID = devBody
		if _, err := st.CreateOrganization(ctx, o); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("seed organization %s: %w", o.ID, err)
		}
	}
	if err := seedPersons(ctx, st); err != nil {
		return err
	}
	// Two meetings of each deciding organization, on the next Tuesdays at 16:00 Berlin time.
	loc := motion.Berlin
	day := now.In(loc)
	for day.Weekday() != time.Tuesday {
		day = day.AddDate(0, 0, 1)
	}
	meetings := []store.Meeting{
		{ID: devBody + "-hfa-1", OrganizationID: devBody + "-hfa", Name: "Sitzung des Hauptausschusses", Start: at(day.AddDate(0, 0, 14), loc)},
		{ID: devBody + "-gr-1", OrganizationID: devBody + "-gr", Name: "Sitzung des Gemeinderats", Start: at(day.AddDate(0, 0, 21), loc)},
		{ID: devBody + "-hfa-2", OrganizationID: devBody + "-hfa", Name: "Sitzung des Hauptausschusses", Start: at(day.AddDate(0, 0, 42), loc)},
		{ID: devBody + "-gr-2", OrganizationID: devBody + "-gr", Name: "Sitzung des Gemeinderats", Start: at(day.AddDate(0, 0, 49), loc)},
		// The budget sessions of 2020, in which the README's example was
		// dealt with; the walk-through enters them after the fact.
		{ID: devBody + "-hfa-2020-01-28", OrganizationID: devBody + "-hfa", Name: "Hauptausschuss (Haushaltsberatungen)",
			Start: time.Date(2020, 1, 28, 16, 0, 0, 0, loc)},
		{ID: devBody + "-gr-2020-02-11", OrganizationID: devBody + "-gr", Name: "Gemeinderat (Haushaltssitzung)",
			Start: time.Date(2020, 2, 11, 15, 0, 0, 0, loc)},
	}
	for _, m := range meetings {
		m.BodyID, m.Location = devBody, "Ratssaal, Rathaus E 5"
		if _, err := st.CreateMeeting(ctx, m); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("seed meeting %s: %w", m.ID, err)
		}
	}
	// Where reminders go: one mailbox per audience (see them at /dev/mail).
	targets := map[string]string{
		"council_office":                  "ratsbuero@mannheim.example",
		"faction:" + devBody + "-spd":     "spd-fraktion@mannheim.example",
		"faction:" + devBody + "-cdu":     "cdu-fraktion@mannheim.example",
		"faction:" + devBody + "-gruene":  "gruene-fraktion@mannheim.example",
		"department:" + devBody + "-dez1": "dezernat1@mannheim.example",
		"administration":                  "verwaltung@mannheim.example",
	}
	for aud, addr := range targets {
		_, err := st.AddNotificationTarget(ctx, store.NotificationTarget{BodyID: devBody, Audience: aud, Channel: store.ChannelEmail, Address: addr})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("seed notification target %s: %w", aud, err)
		}
	}
	return nil
}

func at(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 16, 0, 0, 0, loc)
}

// devCouncillors are the members of the development council (invented
// names): each sits in the Gemeinderat and in a faction, those marked
// committee in the Hauptausschuss too. Invitations to the meetings of their
// organizations go to their addresses (see them at /dev/mail).
var devCouncillors = []struct {
	id, given, family, email, faction string
	committee                         bool
}{
	{"keller", "Miriam", "Keller", "miriam.keller", "spd", true},
	{"albrecht", "Jonas", "Albrecht", "jonas.albrecht", "spd", true},
	{"yildiz", "Derya", "Yıldız", "derya.yildiz", "spd", true},
	{"brenner", "Thomas", "Brenner", "thomas.brenner", "spd", false},
	{"hartmann", "Claudia", "Hartmann", "claudia.hartmann", "cdu", true},
	{"lindner", "Peter", "Lindner", "peter.lindner", "cdu", true},
	{"vogel", "Martin", "Vogel", "martin.vogel", "cdu", true},
	{"krause", "Sabine", "Krause", "sabine.krause", "cdu", false},
	{"schubert", "Lena", "Schubert", "lena.schubert", "gruene", true},
	{"aydin", "Felix", "Aydın", "felix.aydin", "gruene", true},
	{"wagner", "Sophie", "Wagner", "sophie.wagner", "gruene", true},
	{"mueller", "Jan", "Müller", "jan.mueller", "gruene", false},
}

// seedPersons adds the councillors, their e-mail addresses (only where none
// is set, so an address changed since stays) and their memberships in the
// council, their faction and the Hauptausschuss.
func seedPersons(ctx context.Context, st *store.Store) error {
	for _, c := range devCouncillors {
		id := devBody + "-p-" + c.id
		p := store.Person{ID: id, BodyID: devBody, GivenName: c.given, FamilyName: c.family}
		if _, err := st.CreatePerson(ctx, p); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("seed person %s: %w", id, err)
		}
		// store.Person has no e-mail field: the column is set here.
		if _, err := st.Pool.Exec(ctx, `UPDATE persons SET email = $2 WHERE id = $1 AND email = ''`,
			id, c.email+"@gemeinderat.mannheim.example"); err != nil {
			return fmt.Errorf("seed e-mail of %s: %w", id, err)
		}
		orgs := []string{"gr", c.faction}
		if c.committee {
			orgs = append(orgs, "hfa")
		}
		for _, org := range orgs {
			ms := store.Membership{ID: id + "-" + org, PersonID: id, OrganizationID: devBody + "-" + org, Role: "Mitglied"}
			if _, err := st.AddMembership(ctx, ms); err != nil && !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("seed membership %s: %w", ms.ID, err)
			}
		}
	}
	return nil
}
