package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// Organization is a Gremium, a faction or a department (OParl Organization).
type Organization struct {
	ID        string    `json:"id"`
	BodyID    string    `json:"body_id"`
	Kind      string    `json:"kind" enum:"council,committee,district_council,faction,department"`
	Name      string    `json:"name" example:"Hauptausschuss"`
	ShortName string    `json:"short_name,omitempty" example:"HA"`
	Created   time.Time `json:"created"`
	Modified  time.Time `json:"modified"`
}

func organizationOf(o store.Organization) Organization {
	return Organization{ID: o.ID, BodyID: o.BodyID, Kind: string(o.Kind), Name: o.Name, ShortName: o.ShortName,
		Created: o.Created, Modified: o.Modified}
}

// OrganizationInput creates an organization.
type OrganizationInput struct {
	ID        string `json:"id,omitempty" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.:-]*$" doc:"Id (optional; sonst eine UUID)" example:"mannheim-spd"`
	Kind      string `json:"kind" enum:"council,committee,district_council,faction,department" doc:"council (Gemeinderat), committee (Ausschuss), district_council (Bezirksbeirat), faction (Fraktion), department (Dezernat)"`
	Name      string `json:"name" minLength:"1" maxLength:"200"`
	ShortName string `json:"short_name,omitempty" maxLength:"100"`
}

// OrganizationPatch changes an organization; absent fields stay.
type OrganizationPatch struct {
	Kind      *string `json:"kind,omitempty" enum:"council,committee,district_council,faction,department"`
	Name      *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
	ShortName *string `json:"short_name,omitempty" maxLength:"100"`
}

// Person is a councillor or other member (OParl Person).
type Person struct {
	ID         string    `json:"id"`
	BodyID     string    `json:"body_id"`
	Name       string    `json:"name"`
	GivenName  string    `json:"given_name,omitempty"`
	FamilyName string    `json:"family_name,omitempty"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
}

func personOf(p store.Person) Person { return Person(p) }

// PersonInput creates a person.
type PersonInput struct {
	ID         string `json:"id,omitempty" maxLength:"64" pattern:"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"`
	Name       string `json:"name,omitempty" maxLength:"200" doc:"Anzeigename; sonst aus Vor- und Nachname"`
	GivenName  string `json:"given_name,omitempty" maxLength:"100"`
	FamilyName string `json:"family_name,omitempty" maxLength:"100"`
}

// Membership makes a person a member of an organization.
type Membership struct {
	ID             string     `json:"id"`
	PersonID       string     `json:"person_id"`
	OrganizationID string     `json:"organization_id"`
	Role           string     `json:"role,omitempty" example:"Mitglied"`
	Start          *time.Time `json:"start,omitempty"`
	End            *time.Time `json:"end,omitempty"`
}

func membershipOf(m store.Membership) Membership {
	return Membership{ID: m.ID, PersonID: m.PersonID, OrganizationID: m.OrganizationID, Role: m.Role, Start: m.Start, End: m.End}
}

// MembershipInput adds a member.
type MembershipInput struct {
	PersonID string     `json:"person_id" minLength:"1" maxLength:"64"`
	Role     string     `json:"role,omitempty" maxLength:"100" example:"Mitglied"`
	Start    *time.Time `json:"start,omitempty"`
	End      *time.Time `json:"end,omitempty"`
}

// Member is a person with its membership.
type Member struct {
	Person     Person     `json:"person"`
	Membership Membership `json:"membership"`
}

// OrgPath is the {id} path parameter of an organization.
type OrgPath struct {
	ID string `path:"id" maxLength:"64" doc:"Organisation (Id)"`
}

type organizationsOutput struct {
	Body struct {
		Items []Organization `json:"items"`
	}
}

type membersOutput struct {
	Body struct {
		Items []Member `json:"items"`
	}
}

type organizationOutput struct {
	Location string `header:"Location"`
	Body     Organization
}

func (s *server) registerOrganizations(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "list-organizations",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}/organizations",
		Summary:     "Organisationen einer Körperschaft",
		Tags:        []string{"Organizations"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Kind string `query:"kind" enum:"council,committee,district_council,faction,department" doc:"nur Organisationen dieser Art"`
	}) (*organizationsOutput, error) {
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		os, err := s.store.Organizations(ctx, in.BodyID, store.OrgKind(in.Kind))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &organizationsOutput{}
		out.Body.Items = make([]Organization, 0, len(os))
		for _, o := range os {
			out.Body.Items = append(out.Body.Items, organizationOf(o))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "create-organization",
		Method:        http.MethodPost,
		Path:          "/v1/bodies/{body}/organizations",
		Summary:       "Organisation anlegen (Ratsbüro, admin)",
		Tags:          []string{"Organizations"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Body OrganizationInput
	}) (*organizationOutput, error) {
		if err := requireRole(ctx, in.BodyID, motion.DirectoryRoles...); err != nil {
			return nil, err
		}
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		o, err := s.store.CreateOrganization(ctx, store.Organization{
			ID: in.Body.ID, BodyID: in.BodyID, Kind: store.OrgKind(in.Body.Kind), Name: in.Body.Name, ShortName: in.Body.ShortName,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &organizationOutput{Location: "/v1/organizations/" + o.ID, Body: organizationOf(o)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-organization",
		Method:      http.MethodGet,
		Path:        "/v1/organizations/{id}",
		Summary:     "Organisation lesen",
		Tags:        []string{"Organizations"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *OrgPath) (*organizationOutput, error) {
		o, err := s.visibleOrganization(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return &organizationOutput{Body: organizationOf(o)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "patch-organization",
		Method:      http.MethodPatch,
		Path:        "/v1/organizations/{id}",
		Summary:     "Organisation ändern (Ratsbüro, admin)",
		Tags:        []string{"Organizations"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		OrgPath
		Body OrganizationPatch
	}) (*organizationOutput, error) {
		o, err := s.visibleOrganization(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		if err := requireRole(ctx, o.BodyID, motion.DirectoryRoles...); err != nil {
			return nil, err
		}
		if in.Body.Kind != nil {
			o.Kind = store.OrgKind(*in.Body.Kind)
		}
		if in.Body.Name != nil {
			o.Name = *in.Body.Name
		}
		if in.Body.ShortName != nil {
			o.ShortName = *in.Body.ShortName
		}
		o.Modified = time.Time{}
		o, err = s.store.UpdateOrganization(ctx, o)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &organizationOutput{Body: organizationOf(o)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "create-person",
		Method:        http.MethodPost,
		Path:          "/v1/bodies/{body}/persons",
		Summary:       "Person anlegen (Ratsbüro, admin)",
		Tags:          []string{"Organizations"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		BodyPath
		Body PersonInput
	}) (*struct{ Body Person }, error) {
		if err := requireRole(ctx, in.BodyID, motion.DirectoryRoles...); err != nil {
			return nil, err
		}
		if _, err := s.visibleBody(ctx, in.BodyID); err != nil {
			return nil, err
		}
		if in.Body.Name == "" && in.Body.GivenName == "" && in.Body.FamilyName == "" {
			return nil, fieldError("body.name", "Name oder Vor- und Nachname angeben")
		}
		p, err := s.store.CreatePerson(ctx, store.Person{
			ID: in.Body.ID, BodyID: in.BodyID, Name: in.Body.Name, GivenName: in.Body.GivenName, FamilyName: in.Body.FamilyName,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body Person }{Body: personOf(p)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "add-member",
		Method:        http.MethodPost,
		Path:          "/v1/organizations/{id}/members",
		Summary:       "Mitglied aufnehmen (Ratsbüro, admin)",
		Tags:          []string{"Organizations"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		OrgPath
		Body MembershipInput
	}) (*struct{ Body Membership }, error) {
		o, err := s.visibleOrganization(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		if err := requireRole(ctx, o.BodyID, motion.DirectoryRoles...); err != nil {
			return nil, err
		}
		p, err := s.store.Person(ctx, in.Body.PersonID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && p.BodyID != o.BodyID) {
			return nil, fieldError("body.person_id", "keine Person dieser Körperschaft")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if in.Body.Start != nil && in.Body.End != nil && in.Body.End.Before(*in.Body.Start) {
			return nil, fieldError("body.end", "liegt vor dem Beginn")
		}
		m, err := s.store.AddMembership(ctx, store.Membership{
			PersonID: p.ID, OrganizationID: o.ID, Role: in.Body.Role, Start: in.Body.Start, End: in.Body.End,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body Membership }{Body: membershipOf(m)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-members",
		Method:      http.MethodGet,
		Path:        "/v1/organizations/{id}/members",
		Summary:     "Mitglieder einer Organisation",
		Tags:        []string{"Organizations"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *OrgPath) (*membersOutput, error) {
		o, err := s.visibleOrganization(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		ms, err := s.store.Members(ctx, o.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &membersOutput{}
		out.Body.Items = make([]Member, 0, len(ms))
		for _, m := range ms {
			out.Body.Items = append(out.Body.Items, Member{Person: personOf(m.Person), Membership: membershipOf(m.Membership)})
		}
		return out, nil
	})
}

// visibleOrganization returns the organization if the caller may see its body, else 404.
func (s *server) visibleOrganization(ctx context.Context, id string) (store.Organization, error) {
	o, err := s.store.Organization(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !Caller(ctx).InBody(o.BodyID)) {
		return store.Organization{}, notFound("Organisation")
	}
	if err != nil {
		return store.Organization{}, s.problem(ctx, err)
	}
	return o, nil
}
