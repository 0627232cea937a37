// Package validate checks the deployment files with the real validators,
// without a container engine: the compose file loads with the Compose
// Specification's Go loader (compose-spec/compose-go, schema validation on,
// so an unknown key is an error), every Kubernetes manifest decodes strictly
// into the official API types (k8s.io/api through client-go's scheme; an
// unknown or duplicate field is an error), and the Dockerfile parses with
// BuildKit's Dockerfile parser and its instruction parser and linter.
//
// It is a module of its own (deploy/validate/go.mod) so that these heavy
// dependencies, and the versions of grpc, protobuf and OpenTelemetry they
// require, stay out of motionflow's module and binary; `make test` runs it
// next to the main module's tests. It has only tests.
package validate
