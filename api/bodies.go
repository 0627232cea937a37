package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// Body is a municipality's council (OParl Body), the tenant.
type Body struct {
	ID              string    `json:"id" example:"mannheim"`
	Name            string    `json:"name" example:"Stadt Mannheim"`
	ShortName       string    `json:"short_name,omitempty" example:"Mannheim"`
	ReferencePrefix string    `json:"reference_prefix" example:"A" doc:"Beginn jedes Aktenzeichens, z. B. A für A12/2026"`
	Created         time.Time `json:"created"`
	Modified        time.Time `json:"modified"`
}

func bodyOf(b store.Body) Body { return Body(b) }

// BodyInput configures a body.
type BodyInput struct {
	Name            string `json:"name" minLength:"1" maxLength:"200"`
	ShortName       string `json:"short_name,omitempty" maxLength:"100"`
	ReferencePrefix string `json:"reference_prefix,omitempty" maxLength:"10" pattern:"^[A-Za-z]{0,10}$" doc:"Beginn der Aktenzeichen; Standard A"`
}

// BodyPath is the {body} path parameter.
type BodyPath struct {
	BodyID string `path:"body" maxLength:"64" doc:"Körperschaft (Id)" example:"mannheim"`
}

type bodyOutput struct {
	Body Body
}

type bodiesOutput struct {
	Body struct {
		Items []Body `json:"items"`
	}
}

func (s *server) registerBodies(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "list-bodies",
		Method:      http.MethodGet,
		Path:        "/v1/bodies",
		Summary:     "Körperschaften auflisten",
		Description: "Anonym alle; angemeldet nur die Körperschaften, die das Token nennt.",
		Tags:        []string{"Bodies"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*bodiesOutput, error) {
		var ids []string // nil: every body
		if a := Caller(ctx); !a.Anonymous() {
			ids = append([]string{}, a.Bodies...) // non-nil: only these
		}
		bs, err := s.store.Bodies(ctx, ids)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &bodiesOutput{}
		out.Body.Items = make([]Body, 0, len(bs))
		for _, b := range bs {
			out.Body.Items = append(out.Body.Items, bodyOf(b))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-body",
		Method:      http.MethodGet,
		Path:        "/v1/bodies/{body}",
		Summary:     "Körperschaft lesen",
		Tags:        []string{"Bodies"},
		Security:    optionalToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *BodyPath) (*bodyOutput, error) {
		b, err := s.visibleBody(ctx, in.BodyID)
		if err != nil {
			return nil, err
		}
		return &bodyOutput{Body: bodyOf(b)}, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "put-body",
		Method:      http.MethodPut,
		Path:        "/v1/bodies/{body}",
		Summary:     "Körperschaft anlegen oder ändern (admin)",
		Tags:        []string{"Bodies"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *putBodyInput) (*bodyOutput, error) {
		// An admin configures tenants, also ones its token does not name yet.
		if !Caller(ctx).Has(motion.RoleAdmin) {
			return nil, huma.Error403Forbidden("Nur Administratoren dürfen Körperschaften einrichten.")
		}
		b, err := s.store.UpsertBody(ctx, store.Body{
			ID: in.ID, Name: in.Body.Name, ShortName: in.Body.ShortName, ReferencePrefix: in.Body.ReferencePrefix,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &bodyOutput{Body: bodyOf(b)}, nil
	})
}

type putBodyInput struct {
	ID   string `path:"body" minLength:"1" maxLength:"64" pattern:"^[a-z0-9][a-z0-9_-]*$" doc:"Körperschaft (Id)" example:"mannheim"`
	Body BodyInput
}

// visibleBody returns the body if the caller may see it, else 404.
func (s *server) visibleBody(ctx context.Context, id string) (store.Body, error) {
	if !Caller(ctx).InBody(id) {
		return store.Body{}, notFound("Körperschaft")
	}
	b, err := s.store.Body(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Body{}, notFound("Körperschaft")
	}
	if err != nil {
		return store.Body{}, s.problem(ctx, err)
	}
	return b, nil
}

// requireRole lets the caller act in body bodyID if it holds one of roles.
// A caller who may not see the body gets 404, one who may see it but lacks
// the role 403.
func requireRole(ctx context.Context, bodyID string, roles ...motion.Role) error {
	a := Caller(ctx)
	if !a.InBody(bodyID) {
		return notFound("Körperschaft")
	}
	if slices.ContainsFunc(roles, a.Has) {
		return nil
	}
	return huma.Error403Forbidden("Sie dürfen diesen Schritt nicht ausführen.")
}
