package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/testidp/testidp/endpoints"
)

// keysAPI calls the testing API of one issuer: over HTTP (a running server)
// or in process (the database).
type keysAPI interface {
	// call sends a JSON request (nil: none) to path below
	// {issuer}/_testidp and returns the answer of a 2xx, else an error
	// naming the testing API's error description.
	call(method, path string, req any) ([]byte, error)
	close()
}

// connect picks the transport: --server (or TESTIDP_SERVER), else an
// in-process provider on the configured database.
func (kf *keysFlags) connect(ctx context.Context, getenv func(string) string) (keysAPI, error) {
	if server := firstNonEmpty(*kf.server, getenv("TESTIDP_SERVER")); server != "" {
		u, err := url.Parse(server)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%w: --server %q: give the issuer URL, such as http://localhost:8080", errUsage, server)
		}
		return &remoteAPI{ctx: ctx, base: strings.TrimSuffix(server, "/") + "/_testidp",
			token: firstNonEmpty(*kf.adminToken, getenv("TESTIDP_ADMIN_TOKEN")), http: &http.Client{Timeout: 30 * time.Second}}, nil
	}
	cfg, err := kf.config.load(getenv)
	if err != nil {
		return nil, err
	}
	if cfg.DB == ":memory:" {
		return nil, fmt.Errorf("%w: the database is :memory:, which only the server holds: give --db FILE or --server URL", errUsage)
	}
	on := true
	cfg.TestingAPI, cfg.AdminToken = &on, ""
	if cfg.Issuer == "" {
		cfg.Issuer = issuerForAddr(schemeOf(cfg), cfg.Addr)
	}
	p, err := endpoints.New(ctx, cfg, endpoints.Options{})
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(p.Issuer())
	path := strings.TrimSuffix(base.Path, "/")
	if *kf.issuerPath != "" {
		path = "/" + strings.Trim(*kf.issuerPath, "/")
	}
	return &localAPI{ctx: ctx, p: p, base: base.Scheme + "://" + base.Host + path + "/_testidp"}, nil
}

// issuerForAddr is the issuer URL serve would derive from a listen address.
func issuerForAddr(scheme, addr string) string {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return scheme + "://" + addr
	}
	return issuerFor(scheme, a)
}

type remoteAPI struct {
	ctx   context.Context
	base  string
	token string
	http  *http.Client
}

func (a *remoteAPI) call(method, path string, req any) ([]byte, error) {
	r, err := http.NewRequestWithContext(a.ctx, method, a.base+path, bytes.NewReader(marshal(req)))
	if err != nil {
		return nil, err
	}
	if a.token != "" {
		r.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(r)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the testing API: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound && path == "/keys" {
		return nil, fmt.Errorf("%s answered 404: not a testidp issuer URL, or its testing API is off (testing_api: false)", a.base+path)
	}
	return answer(resp.StatusCode, body)
}

func (a *remoteAPI) close() {}

// localAPI serves the calls with an in-process provider on the database.
type localAPI struct {
	ctx  context.Context
	p    *endpoints.Provider
	base string
}

func (a *localAPI) call(method, path string, req any) ([]byte, error) {
	r, err := http.NewRequestWithContext(a.ctx, method, a.base+path, bytes.NewReader(marshal(req)))
	if err != nil {
		return nil, err
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	a.p.ServeHTTP(rec, r)
	if rec.status == http.StatusNotFound && path == "/keys" {
		return nil, fmt.Errorf("no issuer at %s in this configuration", strings.TrimSuffix(a.base, "/_testidp"))
	}
	return answer(rec.status, rec.body.Bytes())
}

func (a *localAPI) close() { _ = a.p.Close() }

// answer turns a testing-API response into its body or an error.
func answer(status int, body []byte) ([]byte, error) {
	if status >= 200 && status < 300 {
		return body, nil
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return nil, fmt.Errorf("%s (%s, HTTP %d)", firstNonEmpty(e.Description, e.Error), e.Error, status)
	}
	return nil, fmt.Errorf("HTTP %d: %s", status, bytes.TrimSpace(body))
}

// recorder is a minimal http.ResponseWriter for in-process calls.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
