# syntax=docker/dockerfile:1
#
# The production image of motionflow: the binary built with -tags nodev (no
# embedded Temporal server, no development OpenID provider), static, on
# distroless as the non-root user 65532. About 40 MB.
#
#   docker build -t motionflow .
#   docker run --rm motionflow serve -h
#
# The same image runs every role: `serve` (default), `worker`, `migrate`,
# and `probe URL` for container health checks (the image has no shell).

# 1.26.10: the first 1.26 release with every standard-library fix that
# .ci/vulncheck knows of (see .ci/vulncheck-accepted).
ARG GO_VERSION=1.26.10

FROM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
# The cache mounts keep modules and compiled packages between builds; only
# the modules that the nodev build needs are downloaded (not the Temporal
# server's).
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -tags nodev -trimpath -ldflags "-s -w" -o /out/motionflow ./cmd/motionflow \
    && /out/motionflow help > /dev/null

# distroless/static: CA certificates (OIDC issuer, SMTP, Temporal Cloud),
# tzdata (deadlines are computed in Europe/Berlin), /etc/passwd with nonroot.
FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="motionflow" \
      org.opencontainers.image.description="Council motions from draft to outcome, on Temporal" \
      org.opencontainers.image.source="https://github.com/motionflow/motionflow"
COPY --from=build /out/motionflow /usr/local/bin/motionflow
USER 65532:65532
# 8080: the API (serve); 9090: /metrics, /healthz, /readyz (serve and worker).
EXPOSE 8080 9090
ENV MOTIONFLOW_ADDR=:8080 MOTIONFLOW_METRICS_ADDR=:9090
ENTRYPOINT ["/usr/local/bin/motionflow"]
CMD ["serve"]
