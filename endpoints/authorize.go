package endpoints

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/storage"
)

// serveAuthorize is the authorization endpoint (GET and POST, OpenID Connect
// Core §3.1.2.1). Problems with client_id or redirect_uri get an HTML page and
// no redirect (RFC 6749 §4.1.2.1); every later problem is sent back to the
// client's redirect URI.
func (s *site) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "Malformed authorization request", err.Error())
		return
	}
	c, ok := s.trustedClient(w, r)
	if !ok {
		return
	}
	ar, oerr := s.parseAuthRequest(r, c)
	if oerr != nil {
		s.respondError(w, r, ar, oerr)
		return
	}
	ar.ID = randomToken()
	data, err := json.Marshal(ar)
	if err == nil {
		now := s.now()
		err = s.store.PutAuthRequest(r.Context(), storage.AuthRequest{
			Issuer: s.key, ID: ar.ID, Data: data, CreatedAt: now, ExpiresAt: now.Add(authRequestLifetime),
		})
	}
	if err != nil {
		s.respondError(w, r, ar, oauthErr("server_error", "could not store the authorization request"))
		return
	}
	s.proceed(w, r, ar)
}

// authRequestLifetime is how long a user has to finish the login page.
const authRequestLifetime = 30 * time.Minute

// trustedClient checks client_id and redirect_uri, answering with an error
// page when either cannot be trusted.
func (s *site) trustedClient(w http.ResponseWriter, r *http.Request) (*client, bool) {
	for _, name := range []string{"client_id", "redirect_uri"} {
		if len(r.Form[name]) > 1 {
			errorPage(w, http.StatusBadRequest, "Invalid authorization request", fmt.Sprintf("The parameter %s is included more than once.", name))
			return nil, false
		}
	}
	id, redirect := r.Form.Get("client_id"), r.Form.Get("redirect_uri")
	c, ok := s.client(id)
	switch {
	case id == "":
		errorPage(w, http.StatusBadRequest, "Invalid authorization request", "The client_id parameter is missing.")
	case !ok:
		errorPage(w, http.StatusBadRequest, "Unknown client", fmt.Sprintf("No client with id %q is registered at this issuer.", id))
	case redirect == "":
		errorPage(w, http.StatusBadRequest, "Invalid authorization request", "The redirect_uri parameter is missing (OpenID Connect Core §3.1.2.1 requires it).")
	case !matchRedirect(c.redirects, redirect):
		errorPage(w, http.StatusBadRequest, "Redirect URI not registered",
			fmt.Sprintf("The redirect_uri %q is not registered for client %q, so testidp will not send you there.", redirect, id))
	default:
		return c, true
	}
	return nil, false
}

// proceed decides what happens to a stored request: reuse the browser's
// session, log in automatically, fail for prompt=none, or show the login page.
func (s *site) proceed(w http.ResponseWriter, r *http.Request, ar *authRequest) {
	sess := s.currentSession(r)
	fresh := sess != nil && !ar.hasPrompt("login") && !s.tooOld(sess, ar) &&
		(ar.HintSubject == "" || ar.HintSubject == sess.Subject)
	if ar.hasPrompt("none") {
		if !fresh {
			s.finishWithError(w, r, ar, oauthErr("login_required", "no current login session satisfies the request and prompt is none"))
			return
		}
		s.finish(w, r, ar, sess)
		return
	}
	interactive := ar.hasPrompt("select_account") || ar.hasPrompt("consent") ||
		(ar.LoginHint != "" && sess != nil && ar.LoginHint != sess.Subject)
	if fresh && !interactive {
		s.finish(w, r, ar, sess)
		return
	}
	if s.cfg.Login == LoginAuto {
		s.autoLogin(w, r, ar)
		return
	}
	http.Redirect(w, r, s.url(pathLogin)+"?id="+url.QueryEscape(ar.ID), http.StatusFound)
}

// tooOld reports whether the session's authentication is older than max_age.
func (s *site) tooOld(sess *session, ar *authRequest) bool {
	switch {
	case ar.MaxAge == nil:
		return false
	case *ar.MaxAge == 0: // the same as prompt=login (Core §3.1.2.1)
		return true
	}
	return s.now().Sub(sess.AuthTime) > time.Duration(*ar.MaxAge)*time.Second
}

// autoLogin logs in the login_hint user (a configured user, or an ad-hoc
// subject) or else the first configured user, without a page.
func (s *site) autoLogin(w http.ResponseWriter, r *http.Request, ar *authRequest) {
	sub := ar.LoginHint
	if sub == "" && ar.HintSubject != "" {
		sub = ar.HintSubject
	}
	if sub == "" && len(s.users) > 0 {
		sub = s.users[0].Sub
	}
	if sub == "" {
		s.finishWithError(w, r, ar, oauthErr("access_denied", "login is auto but no user is configured and no login_hint was given"))
		return
	}
	var claims map[string]any
	if u := s.userByLogin(sub); u != nil {
		sub, claims = u.Sub, u.Claims
	} else {
		claims = s.userClaims(sub, nil)
	}
	sess, err := s.newSession(r.Context(), w, sub, claims)
	if err != nil {
		s.finishWithError(w, r, ar, oauthErr("server_error", "could not store the session"))
		return
	}
	s.finish(w, r, ar, sess)
}

// finish completes a request for a logged-in user: the request is consumed
// (single use), then the response goes to the client.
func (s *site) finish(w http.ResponseWriter, r *http.Request, ar *authRequest, sess *session) {
	if _, err := s.store.TakeAuthRequest(r.Context(), s.key, ar.ID); err != nil {
		errorPage(w, http.StatusBadRequest, "Login request expired", "This login request has expired or was already completed. Start again from the application.")
		return
	}
	params, err := s.authorizationResult(r, ar, sess)
	if err != nil {
		s.respondError(w, r, ar, oauthErr("server_error", err.Error()))
		return
	}
	s.respond(w, r, ar, params)
}

// finishWithError consumes the request and sends an error to the client.
func (s *site) finishWithError(w http.ResponseWriter, r *http.Request, ar *authRequest, e error) {
	_, _ = s.store.TakeAuthRequest(r.Context(), s.key, ar.ID)
	s.respondError(w, r, ar, e)
}

// authorizationResult issues what the response type asks for: a code, an
// access token, an ID token (with c_hash and at_hash as Core §3.3.2.11
// requires).
func (s *site) authorizationResult(r *http.Request, ar *authRequest, sess *session) (url.Values, error) {
	c, ok := s.client(ar.ClientID)
	if !ok {
		return nil, fmt.Errorf("client %q is no longer configured", ar.ClientID)
	}
	g := grant{ID: issuer.NewID(), ClientID: c.ID, Subject: sess.Subject, Scopes: ar.Scopes, Claims: sess.Claims,
		AuthTime: sess.AuthTime, EmitAuthTime: ar.MaxAge != nil, Nonce: ar.Nonce, AMR: sess.AMR, SID: sess.ID,
		RedirectURI: ar.RedirectURI, CodeChallenge: ar.CodeChallenge, CodeChallengeMethod: ar.CodeChallengeMethod,
		Fault: ar.Fault}
	if len(ar.ACRValues) > 0 {
		g.ACR = ar.ACRValues[0]
	}
	rt := parseResponseType(ar.ResponseType)
	params := url.Values{}
	var code string
	if rt.code {
		var err error
		if code, err = s.storeCode(r, c, g); err != nil {
			return nil, err
		}
		params.Set("code", code)
	}
	if rt.frontChannelTokens() {
		set, err := s.issue(r.Context(), c, g, issueOptions{idToken: rt.idToken, code: code, noAccessToken: !rt.token})
		if err == nil {
			err = s.store.PutTokens(r.Context(), set.records...)
		}
		if err != nil {
			return nil, err
		}
		s.logIssued(r.Context(), grantFrontChannel, c, &set)
		if rt.token {
			params.Set("access_token", set.AccessToken)
			params.Set("token_type", "Bearer")
			params.Set("expires_in", fmt.Sprint(set.ExpiresIn))
		}
		if rt.idToken {
			params.Set("id_token", set.IDToken)
		}
	}
	return params, nil
}

// storeCode issues an authorization code bound to the grant.
func (s *site) storeCode(r *http.Request, c *client, g grant) (string, error) {
	data, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	code, now := randomToken(), s.now()
	err = s.store.PutCode(r.Context(), storage.Code{Issuer: s.key, Hash: hashValue(code), GrantID: g.ID,
		ClientID: c.ID, Data: data, CreatedAt: now, ExpiresAt: now.Add(c.Lifetimes.Code)})
	return code, err
}
