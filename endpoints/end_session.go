package endpoints

import (
	"net/http"
	"net/url"
	"slices"
)

// serveEndSession is RP-Initiated Logout 1.0 (GET and POST): it ends the
// browser's session and sends the user to a registered
// post_logout_redirect_uri with state, or to a "logged out" page. The
// id_token_hint must be an ID token of this issuer (expired is fine); the
// redirect URI must be registered for the client it names or that client_id
// names, else an error page and no redirect.
func (s *site) serveEndSession(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		errorPage(w, http.StatusBadRequest, "Invalid logout request", err.Error())
		return
	}
	f := r.Form
	clientID := f.Get("client_id")
	if hint := f.Get("id_token_hint"); hint != "" {
		tok, err := s.verifyOwn(hint, true)
		if err != nil {
			errorPage(w, http.StatusBadRequest, "Invalid logout request", "The id_token_hint is not an ID token of this issuer: "+err.Error())
			return
		}
		if clientID != "" && !slices.Contains(tok.Claims.Audience, clientID) {
			errorPage(w, http.StatusBadRequest, "Invalid logout request", "client_id is not an audience of the id_token_hint.")
			return
		}
		if clientID == "" && len(tok.Claims.Audience) > 0 {
			clientID = tok.Claims.Audience[0]
		}
	}
	target := s.url(pathLoggedOut)
	if uri := f.Get("post_logout_redirect_uri"); uri != "" {
		c, ok := s.client(clientID)
		if !ok || !matchRedirect(c.postLogout, uri) {
			errorPage(w, http.StatusBadRequest, "Logout redirect not registered",
				"The post_logout_redirect_uri is not registered for the client named by client_id or id_token_hint, so testidp will not send you there.")
			return
		}
		target = uri
		if state := f.Get("state"); state != "" {
			target = withQuery(uri, url.Values{"state": {state}})
		}
	}
	s.clearSession(r.Context(), w, r)
	redirect(w, r, target)
}

// serveLoggedOut is where a logout without a redirect URI ends.
func (s *site) serveLoggedOut(w http.ResponseWriter, r *http.Request) {
	errorPage(w, http.StatusOK, "Signed out", "You are signed out of testidp.")
}
