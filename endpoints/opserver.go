package endpoints

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// opServer implements zitadel's op.Server for the back-channel endpoints:
// token (authorization_code and refresh_token; see token.go), userinfo,
// introspection and revocation. zitadel parses and checks the requests (form decoding, Basic
// credentials, grant dispatch, required parameters, grant type allowed for the
// client) and renders errors; every token is minted by package issuer.
//
// The front-channel endpoints (authorize, login, end_session) are ours:
// op.Server can only answer them with a 302 or a JSON error, while the specs
// want error redirects, form_post pages and an HTML page when the redirect URI
// cannot be trusted.
type opServer struct {
	op.UnimplementedServer
	s *site
}

// opHandler builds zitadel's handler for this issuer's back-channel paths.
func (s *site) opHandler() http.Handler {
	eps := op.Endpoints{
		Token:         op.NewEndpoint(s.route(s.paths.token)),
		Introspection: op.NewEndpoint(s.route(s.paths.introspect)),
		Userinfo:      op.NewEndpoint(s.route(s.paths.userinfo)),
		Revocation:    op.NewEndpoint(s.route(s.paths.revoke)),
	}
	return op.RegisterServer(&opServer{s: s}, eps, op.WithServerCORSOptions(nil), op.WithFallbackLogger(s.errorLog()))
}

// VerifyClient authenticates the client of a token or revocation request.
func (o *opServer) VerifyClient(ctx context.Context, r *op.Request[op.ClientCredentials]) (op.Client, error) {
	c, err := o.s.authenticateClient(ctx, r.Data, r.Header, r.URL.Path)
	if err != nil {
		return nil, err
	}
	return opClient{c}, nil
}

// errorLog is the logger handed to zitadel: errors only. zitadel logs every
// route it registers at info level and every refused request at warn level;
// refusals are logged at info by the request log and logRefusals instead.
func (s *site) errorLog() *slog.Logger {
	return slog.New(minLevel{h: s.log.Handler(), min: slog.LevelError})
}

// minLevel drops log records below min.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}
func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }
func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(a), min: m.min}
}
func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), min: m.min}
}
