package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/motionflow/motionflow/motion"
	"golang.org/x/oauth2"
)

// ErrInvalidToken is wrapped by every error Verify returns: the caller
// presented a token that is not acceptable (answer 401).
var ErrInvalidToken = errors.New("auth: invalid token")

// DefaultAlgorithms are the signing algorithms accepted when
// Config.Algorithms is empty.
var DefaultAlgorithms = []string{oidc.RS256, oidc.ES256}

// asymmetric lists the algorithms Config.Algorithms may name. HMAC and
// "none" are never accepted: a verifier only knows public keys.
var asymmetric = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.EdDSA,
}

// Config says which issuer to trust and how to read its tokens.
type Config struct {
	// IssuerURL is the OpenID provider's issuer, exactly as in its discovery
	// document and the tokens' "iss" claim (a trailing slash matters).
	IssuerURL string
	// Audience is the client id that must be in the tokens' "aud" claim.
	Audience string
	// Algorithms are the accepted signing algorithms; default RS256, ES256.
	// Only asymmetric algorithms are allowed.
	Algorithms []string
	// GroupsClaim is the claim holding the groups; default "groups". A
	// dotted name such as "realm_access.roles" reaches into nested objects
	// when no claim has that exact name.
	GroupsClaim string
	// NameClaim is the claim holding the display name; default "name", then
	// "preferred_username", "email", and the subject.
	NameClaim string
	// Prefix, when set, is the start every group value must have to count
	// (for example "motionflow:"); it is removed before mapping and other
	// groups are ignored.
	Prefix string
}

func (c Config) withDefaults() Config {
	if len(c.Algorithms) == 0 {
		c.Algorithms = DefaultAlgorithms
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = DefaultGroupsClaim
	}
	if c.NameClaim == "" {
		c.NameClaim = DefaultNameClaim
	}
	return c
}

// Verifier checks bearer tokens of one issuer. It is safe for concurrent use;
// the issuer's keys are fetched on first use and again when a token names a
// key it does not know.
type Verifier struct {
	cfg      Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// NewVerifier discovers the issuer (/.well-known/openid-configuration) and
// returns a Verifier for its tokens. The discovery document must name
// exactly cfg.IssuerURL as issuer. If ctx carries no HTTP client (see
// oidc.ClientContext), one with a 10-second timeout is used for discovery
// and key fetches.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	cfg = cfg.withDefaults()
	if cfg.IssuerURL == "" {
		return nil, errors.New("auth: IssuerURL is required")
	}
	if cfg.Audience == "" {
		return nil, errors.New("auth: Audience is required")
	}
	for _, alg := range cfg.Algorithms {
		if !slices.Contains(asymmetric, alg) {
			return nil, fmt.Errorf("auth: signing algorithm %q is not allowed (use one of %v)", alg, asymmetric)
		}
	}
	if _, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); !ok {
		ctx = oidc.ClientContext(ctx, &http.Client{Timeout: 10 * time.Second})
	}
	provider, err := oidc.NewProvider(ctx, cfg.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("auth: discover issuer %s: %w", cfg.IssuerURL, err)
	}
	return &Verifier{
		cfg:      cfg,
		provider: provider,
		verifier: provider.Verifier(&oidc.Config{
			ClientID:             cfg.Audience,
			SupportedSigningAlgs: cfg.Algorithms,
		}),
	}, nil
}

// Provider is the discovered OpenID provider, for the browser login
// (Endpoint, UserInfo).
func (v *Verifier) Provider() *oidc.Provider { return v.provider }

// Config is the configuration in use, with defaults filled in.
func (v *Verifier) Config() Config { return v.cfg }

// Verify checks rawToken (a compact JWT without "Bearer ") and returns the
// Actor it names. Every error wraps ErrInvalidToken.
func (v *Verifier) Verify(ctx context.Context, rawToken string) (motion.Actor, error) {
	if rawToken == "" {
		return motion.Actor{}, fmt.Errorf("%w: empty", ErrInvalidToken)
	}
	tok, err := v.verifier.Verify(ctx, rawToken)
	if err != nil {
		return motion.Actor{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if tok.Subject == "" {
		return motion.Actor{}, fmt.Errorf("%w: no subject", ErrInvalidToken)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return motion.Actor{}, fmt.Errorf("%w: claims: %w", ErrInvalidToken, err)
	}
	return ActorFromClaims(tok.Issuer, tok.Subject, claims, v.cfg), nil
}
