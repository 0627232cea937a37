// Package deploy holds what an operator deploys motionflow with, and the
// tests that keep it true to the code. It has no Go code to import.
//
//   - compose/: the whole system on one machine with Docker Compose:
//     PostgreSQL, the Temporal server (PostgreSQL persistence) and its web
//     UI, Keycloak with the realm in keycloak/, Mailpit, and motionflow's
//     migrate, serve and worker from the Dockerfile at the repository root.
//   - kubernetes/: manifests (a kustomize base) for serve and worker against
//     an existing Temporal cluster and PostgreSQL, the migration Job and the
//     one-time namespace and search-attribute Job.
//   - keycloak/: the realm export with the client "motionflow" (PKCE), the
//     groups mapper and a demo user per role.
//
// The tests here check what needs motionflow's own packages: the production
// build (-tags nodev) links no go.temporal.io/server package; the
// search-attribute jobs register exactly workflows.SearchAttributes; every
// environment variable the binary reads is documented in
// docs/OPERATIONS.md and every variable the deployment files set is one the
// binary reads; the realm's groups map to the roles of package auth. The
// module deploy/validate checks the files with the real validators
// (compose-go, the Kubernetes API types, BuildKit's Dockerfile parser).
//
// See docs/OPERATIONS.md for running it.
package deploy
