package deploy

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.yaml.in/yaml/v3"
)

// TestProductionBinaryLeavesOutTheTemporalServer checks the dependency list
// of the production build: -tags nodev drops the dev stack and with it the
// embedded Temporal server (about 1,800 packages).
func TestProductionBinaryLeavesOutTheTemporalServer(t *testing.T) {
	deps := func(tags ...string) []string {
		args := append([]string{"list", "-deps"}, tags...)
		cmd := exec.Command("go", append(args, "./cmd/motionflow")...)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	server := func(pkgs []string) []string {
		var out []string
		for _, p := range pkgs {
			if p == "go.temporal.io/server" || strings.HasPrefix(p, "go.temporal.io/server/") {
				out = append(out, p)
			}
		}
		return out
	}
	prod := deps("-tags", "nodev")
	if s := server(prod); len(s) > 0 {
		t.Errorf("the production build (-tags nodev) links %d Temporal server packages, e.g. %v", len(s), s[:min(5, len(s))])
	}
	for _, want := range []string{"github.com/motionflow/motionflow/api", "go.temporal.io/sdk/worker", "github.com/prometheus/client_golang/prometheus"} {
		if !slices.Contains(prod, want) {
			t.Errorf("the production build lacks %s", want)
		}
	}
	for _, p := range prod {
		if strings.HasPrefix(p, "github.com/motionflow/motionflow/internal/devstack") || strings.HasPrefix(p, "github.com/temporalio/ui-server") {
			t.Errorf("the production build links %s", p)
		}
	}
	// The check can see the server where it is: in the dev build.
	if len(server(deps())) == 0 {
		t.Error("the dev build links no Temporal server package: is the test looking at the right thing?")
	}
}

// cliType is the temporal CLI's name of a search attribute type.
func cliType(t enumspb.IndexedValueType) string {
	words := strings.Split(strings.TrimPrefix(t.String(), "INDEXED_VALUE_TYPE_"), "_")
	for i, w := range words {
		words[i] = w[:1] + strings.ToLower(w[1:])
	}
	return strings.Join(words, "")
}

var searchAttributeCreate = regexp.MustCompile(`search-attribute create .*--name (\w+) --type (\w+)`)

// registered returns the search attributes a set-up script creates.
func registered(script string) map[string]string {
	out := map[string]string{}
	for _, m := range searchAttributeCreate.FindAllStringSubmatch(script, -1) {
		out[m[1]] = m[2]
	}
	return out
}

func readYAML(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// dig follows keys (strings) and indexes (ints) into a decoded YAML value.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func TestSearchAttributeSetupMatchesWorkflows(t *testing.T) {
	want := map[string]string{}
	for name, typ := range workflows.SearchAttributes {
		want[name] = cliType(typ)
	}
	compose := readYAML(t, "compose/compose.yaml")[0]
	script, _ := dig(compose, "services", "temporal-setup", "command", 0).(string)
	if got := registered(script); !maps.Equal(got, want) {
		t.Errorf("compose temporal-setup registers %v, workflows.SearchAttributes is %v", got, want)
	}
	job := readYAML(t, "kubernetes/temporal-setup-job.yaml")[0]
	script, _ = dig(job, "spec", "template", "spec", "containers", 0, "args", 0).(string)
	if got := registered(script); !maps.Equal(got, want) {
		t.Errorf("Kubernetes temporal-setup Job registers %v, workflows.SearchAttributes is %v", got, want)
	}
	if !strings.Contains(script, "namespace create") {
		t.Error("the Kubernetes set-up Job does not create the namespace")
	}
}

// binaryVariables are the environment variables cmd/motionflow reads.
func binaryVariables(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../cmd/motionflow/*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?:env|envInt|envFloat|envDuration|envBool|os\.Getenv|os\.LookupEnv)\("([A-Z][A-Z0-9_]+)"`)
	set := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			set[m[1]] = true
		}
	}
	if len(set) < 20 {
		t.Fatalf("found only %d variables in cmd/motionflow: %v", len(set), slices.Sorted(maps.Keys(set)))
	}
	return slices.Sorted(maps.Keys(set))
}

// external are variables the deployment files set for libraries, not for
// motionflow's own flags.
func external(name string) bool {
	return name == "GOMEMLIMIT" || strings.HasPrefix(name, "OTEL_")
}

func TestEveryVariableIsDocumentedAndKnown(t *testing.T) {
	vars := binaryVariables(t)
	doc, err := os.ReadFile("../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vars {
		if !strings.Contains(string(doc), "`"+v+"`") {
			t.Errorf("docs/OPERATIONS.md does not document %s", v)
		}
	}

	// Every variable the deployment files give motionflow is one it reads:
	// a typo would be silently ignored.
	known := func(where, name string) {
		if !slices.Contains(vars, name) && !external(name) {
			t.Errorf("%s sets %s, which motionflow does not read", where, name)
		}
	}
	compose := readYAML(t, "compose/compose.yaml")[0]
	for _, svc := range []string{"migrate", "serve", "worker"} {
		env, _ := dig(compose, "services", svc, "environment").(map[string]any)
		if len(env) == 0 {
			t.Fatalf("compose %s has no environment", svc)
		}
		for name := range env {
			if name != "<<" {
				known("compose service "+svc, name)
			}
		}
	}
	for _, doc := range readYAML(t, "kubernetes/config.yaml") {
		data, _ := doc["data"].(map[string]any)
		for name := range data {
			known("ConfigMap motionflow-config", name)
		}
	}
	for _, file := range []string{"kubernetes/serve.yaml", "kubernetes/worker.yaml", "kubernetes/migrate-job.yaml"} {
		doc := readYAML(t, file)[0]
		env, _ := dig(doc, "spec", "template", "spec", "containers", 0, "env").([]any)
		for _, e := range env {
			known(file, dig(e, "name").(string))
		}
	}
}

func TestKeycloakRealmMapsToRoles(t *testing.T) {
	content, err := os.ReadFile("keycloak/motionflow-realm.json")
	if err != nil {
		t.Fatal(err)
	}
	var realm struct {
		Realm   string `json:"realm"`
		Clients []struct {
			ClientID                  string            `json:"clientId"`
			PublicClient              bool              `json:"publicClient"`
			StandardFlowEnabled       bool              `json:"standardFlowEnabled"`
			ImplicitFlowEnabled       bool              `json:"implicitFlowEnabled"`
			Attributes                map[string]string `json:"attributes"`
			DirectAccessGrantsEnabled bool              `json:"directAccessGrantsEnabled"`
			ProtocolMappers           []struct {
				Name           string            `json:"name"`
				ProtocolMapper string            `json:"protocolMapper"`
				Config         map[string]string `json:"config"`
			} `json:"protocolMappers"`
		} `json:"clients"`
		Groups []struct {
			Name string `json:"name"`
		} `json:"groups"`
		Users []struct {
			Username string   `json:"username"`
			Groups   []string `json:"groups"`
		} `json:"users"`
	}
	if err := json.Unmarshal(content, &realm); err != nil {
		t.Fatal(err)
	}
	if realm.Realm != "motionflow" || len(realm.Clients) != 1 {
		t.Fatalf("realm %q with %d clients", realm.Realm, len(realm.Clients))
	}
	c := realm.Clients[0]
	if c.ClientID != "motionflow" || !c.PublicClient || !c.StandardFlowEnabled || c.ImplicitFlowEnabled ||
		c.Attributes["pkce.code.challenge.method"] != "S256" {
		t.Errorf("client %+v: want the public client motionflow with the code flow and PKCE S256", c)
	}
	var groupsMapper, audience bool
	for _, m := range c.ProtocolMappers {
		switch m.ProtocolMapper {
		case "oidc-group-membership-mapper":
			groupsMapper = m.Config["claim.name"] == auth.DefaultGroupsClaim && m.Config["full.path"] == "false" &&
				m.Config["access.token.claim"] == "true" && m.Config["id.token.claim"] == "true"
		case "oidc-audience-mapper":
			audience = m.Config["included.client.audience"] == "motionflow" && m.Config["access.token.claim"] == "true"
		}
	}
	if !groupsMapper || !audience {
		t.Errorf("client mappers: groups claim %q without full path in both tokens %v, audience motionflow in access tokens %v",
			auth.DefaultGroupsClaim, groupsMapper, audience)
	}

	groups := map[string]bool{}
	for _, g := range realm.Groups {
		groups[g.Name] = true
	}
	roles := map[motion.Role]string{}
	for _, u := range realm.Users {
		var names []any
		for _, g := range u.Groups {
			name := strings.TrimPrefix(g, "/")
			if !groups[name] {
				t.Errorf("user %s is in group %s, which the realm does not define", u.Username, g)
			}
			names = append(names, name)
		}
		// What motionflow makes of the groups claim this user's tokens carry.
		a := auth.ActorFromClaims("issuer", u.Username, map[string]any{"groups": names}, auth.Config{})
		if len(a.Roles) != 1 || !slices.Equal(a.Bodies, []string{"mannheim"}) {
			t.Errorf("user %s maps to roles %v in bodies %v, want one role in mannheim", u.Username, a.Roles, a.Bodies)
			continue
		}
		roles[a.Roles[0]] = u.Username
	}
	for _, r := range motion.Roles {
		if roles[r] == "" {
			t.Errorf("no demo user has the role %s", r)
		}
	}
}
