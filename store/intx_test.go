package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// TestInTx writes the directory in one transaction: all of it when the
// function succeeds, none of it when it fails; the directory methods read
// what the transaction wrote before.
func TestInTx(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	write := func(tx *store.Store) error {
		if _, err := tx.UpsertBody(ctx, store.Body{ID: "x", Name: "X"}); err != nil {
			return err
		}
		if _, err := tx.CreateOrganization(ctx, store.Organization{ID: "x-gr", BodyID: "x", Kind: store.OrgCouncil, Name: "Gemeinderat"}); err != nil {
			return err
		}
		if _, err := tx.CreatePerson(ctx, store.Person{ID: "x-p-a", BodyID: "x", GivenName: "Anna", FamilyName: "A"}); err != nil {
			return err
		}
		if _, err := tx.AddMembership(ctx, store.Membership{ID: "x-p-a-gr", PersonID: "x-p-a", OrganizationID: "x-gr", Role: "Mitglied"}); err != nil {
			return err
		}
		// The check the API makes reads the organization written above.
		if err := tx.CheckGremium(ctx, "x", "x-gr", "organization_id"); err != nil {
			return err
		}
		_, err := tx.CreateMeeting(ctx, store.Meeting{ID: "x-gr-1", BodyID: "x", OrganizationID: "x-gr", Name: "Sitzung",
			Start: time.Date(2027, 1, 26, 15, 0, 0, 0, time.UTC)})
		return err
	}
	boom := errors.New("boom")
	if err := st.InTx(ctx, func(tx *store.Store) error {
		if err := write(tx); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("InTx: %v, want boom", err)
	}
	if _, err := st.Body(ctx, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after a failed transaction the body is there: %v", err)
	}
	if _, err := st.Meeting(ctx, "x-gr-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after a failed transaction the meeting is there: %v", err)
	}
	if err := st.InTx(ctx, write); err != nil {
		t.Fatal(err)
	}
	if ms, err := st.Members(ctx, "x-gr"); err != nil || len(ms) != 1 || ms[0].Person.Name != "Anna A" {
		t.Fatalf("members: %+v %v", ms, err)
	}
}

// TestPersonAndMembershipUpdates changes what bootstrap changes: a person's
// names and e-mail address and a membership's role and period.
func TestPersonAndMembershipUpdates(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := st.UpsertBody(ctx, store.Body{ID: "x", Name: "X"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []store.Organization{{ID: "x-gr", Kind: store.OrgCouncil, Name: "GR"}, {ID: "x-hfa", Kind: store.OrgCommittee, Name: "HFA"}} {
		o.BodyID = "x"
		if _, err := st.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreatePerson(ctx, store.Person{ID: "x-p-a", BodyID: "x", GivenName: "Anna", FamilyName: "A"}); err != nil {
		t.Fatal(err)
	}
	p, err := st.UpdatePerson(ctx, store.Person{ID: "x-p-a", GivenName: "Anna", FamilyName: "Berg"})
	if err != nil || p.Name != "Anna Berg" || p.BodyID != "x" {
		t.Fatalf("UpdatePerson: %+v %v", p, err)
	}
	if _, err := st.UpdatePerson(ctx, store.Person{ID: "x-p-nobody", Name: "N"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdatePerson of nobody: %v", err)
	}
	if email, err := st.PersonEmail(ctx, "x-p-a"); err != nil || email != "" {
		t.Errorf("PersonEmail: %q %v", email, err)
	}
	if err := st.SetPersonEmail(ctx, "x-p-a", "anna@example.org"); err != nil {
		t.Fatal(err)
	}
	if email, _ := st.PersonEmail(ctx, "x-p-a"); email != "anna@example.org" {
		t.Errorf("PersonEmail after setting: %q", email)
	}
	if err := st.SetPersonEmail(ctx, "x-p-nobody", "n@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPersonEmail of nobody: %v", err)
	}

	if _, err := st.AddMembership(ctx, store.Membership{ID: "x-p-a-gr", PersonID: "x-p-a", OrganizationID: "x-gr", Role: "Mitglied"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	m, err := st.UpdateMembership(ctx, store.Membership{ID: "x-p-a-gr", OrganizationID: "x-hfa", Role: "Vorsitzende", Start: &start})
	if err != nil || m.OrganizationID != "x-hfa" || m.Role != "Vorsitzende" || m.Start == nil || !m.Start.Equal(start) || m.PersonID != "x-p-a" {
		t.Fatalf("UpdateMembership: %+v %v", m, err)
	}
	if got, err := st.Membership(ctx, "x-p-a-gr"); err != nil || got.Role != "Vorsitzende" {
		t.Errorf("Membership: %+v %v", got, err)
	}
	if _, err := st.UpdateMembership(ctx, store.Membership{ID: "x-p-a-gr", OrganizationID: "y-gr"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("UpdateMembership into an unknown organization: %v", err)
	}
}
