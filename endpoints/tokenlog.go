package endpoints

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/testidp/testidp/issuer"
)

// The token decisions are logged at info level: each token issued (its kind,
// client, subject, algorithm, key id and grant type) and each refusal at the
// token endpoint (the grant type, client and OAuth error code). Token values,
// codes and secrets are never logged.

// mintedToken is what the log says of one issued token; alg and kid are
// empty for opaque tokens.
type mintedToken struct {
	kind  string
	alg   string
	kid   string
	fault string // the fault case the token carries, if any
}

func mintedOf(t issuer.Token) mintedToken {
	return mintedToken{kind: string(t.Kind), alg: string(t.Alg), kid: t.KeyID}
}

// Grant types in the log beside the token endpoint's: tokens sent from the
// authorization endpoint (implicit and hybrid flows).
const grantFrontChannel = "implicit"

// logIssued logs every token of a set the client is about to receive.
func (s *site) logIssued(ctx context.Context, grantType string, c *client, set *tokenSet) {
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	for _, m := range set.minted {
		attrs := []slog.Attr{slog.String("iss", s.iss.URL), slog.String("grant_type", grantType),
			slog.String("kind", m.kind), slog.String("client_id", c.ID), slog.String("sub", set.subject)}
		if m.alg != "" {
			attrs = append(attrs, slog.String("alg", m.alg), slog.String("kid", m.kid))
		}
		if m.fault != "" {
			attrs = append(attrs, slog.String("fault", m.fault))
		}
		logAttrs(ctx, s.log, slog.LevelInfo, "token issued", attrs...)
	}
}

// logRefusals wraps the token endpoint: a response with an OAuth error is
// logged as "token refused" with its error code and description.
func (s *site) logRefusals(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lw := recordOf(w)
		next(w, r)
		if lw == nil || lw.status() < 400 {
			return
		}
		code, desc := lw.oauthError()
		logAttrs(r.Context(), s.log, slog.LevelInfo, "token refused",
			slog.String("iss", s.iss.URL), slog.String("grant_type", postFormValue(r, "grant_type")),
			slog.String("client_id", requestClientID(r)), slog.Int("status", lw.status()),
			slog.String("error", code), slog.String("error_description", desc))
	}
}

// postFormValue reads a parsed body parameter without parsing the body
// again.
func postFormValue(r *http.Request, name string) string {
	if r.PostForm == nil {
		return ""
	}
	return r.PostForm.Get(name)
}
