# testidp: an OpenID Provider for tests. Never use it in production.
#
#   docker build -t testidp .          (or: podman build -t testidp .)
#   docker run --rm -p 8080:8080 -v testidp-data:/data testidp
#
# Build stage: a static binary (no cgo: the SQLite driver is pure Go).
# GO_IMAGE may name any image with Go 1.26 at /usr/local/go and a shell.
ARG GO_IMAGE=golang:1.26-bookworm
FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/testidp ./cmd/testidp \
 && /out/testidp version \
 && mkdir -p /out/etc/ssl/certs /out/data \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && echo 'root:x:0:0:root:/root:/sbin/nologin' > /out/etc/passwd \
 && echo 'nonroot:x:65532:65532:nonroot:/data:/sbin/nologin' >> /out/etc/passwd \
 && printf 'root:x:0:\nnonroot:x:65532:\n' > /out/etc/group

# Final stage: nothing but the binary, CA roots (for clients' jwks_uri over
# https), a passwd entry for the non-root user, and /data owned by it.
FROM scratch
COPY --from=build /out/etc/ /etc/
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/testidp /testidp
USER 65532:65532
ENV TESTIDP_ADDR=0.0.0.0:8080 \
    TESTIDP_DB=/data/testidp.db
EXPOSE 8080
VOLUME /data
# `testidp healthcheck` reads the same TESTIDP_* settings as the server, so
# it also works with TESTIDP_TLS=true (it trusts /data/testidp-ca.pem).
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/testidp", "healthcheck"]
ENTRYPOINT ["/testidp"]
CMD ["serve"]
