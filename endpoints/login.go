package endpoints

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/testidp/testidp/issuer"
)

//go:embed templates/login.html
var templateFS embed.FS

var loginTmpl = template.Must(template.ParseFS(templateFS, "templates/login.html"))

// loginPage is what the login template shows.
type loginPage struct {
	ID, ClientID, Action string
	Scopes               []string
	Users                []loginUser
	Subject, Claims      string
	Error                string
	// Fault is the case chosen for this login ("" none), Faults the
	// picker's choices by category.
	Fault        string
	ClientFault  string
	FaultOptions []faultGroup
}

type loginUser struct {
	Sub, Detail string
	Selected    bool
}

// serveLoginPage shows the login page of a pending request.
func (s *site) serveLoginPage(w http.ResponseWriter, r *http.Request) {
	ar, ok := s.pendingRequest(w, r, r.URL.Query().Get("id"))
	if !ok {
		return
	}
	s.renderLogin(w, http.StatusOK, ar, "", "", "")
}

// serveLoginDecision handles Approve and Deny.
func (s *site) serveLoginDecision(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		errorPage(w, http.StatusBadRequest, "Invalid login form", err.Error())
		return
	}
	ar, ok := s.pendingRequest(w, r, r.Form.Get("id"))
	if !ok {
		return
	}
	switch r.Form.Get("action") {
	case "deny":
		s.finishWithError(w, r, ar, oauthErr("access_denied", "the user denied the request"))
	case "approve":
		sub, claims, problem := s.loginChoice(r.Form)
		if problem == "" {
			problem = pickFault(ar, r.Form.Get("fault"))
		}
		if problem != "" {
			s.renderLogin(w, http.StatusBadRequest, ar, problem, r.Form.Get("subject"), r.Form.Get("claims"))
			return
		}
		sess, err := s.newSession(r.Context(), w, sub, claims)
		if err != nil {
			s.finishWithError(w, r, ar, oauthErr("server_error", "could not store the session"))
			return
		}
		s.finish(w, r, ar, sess)
	default:
		s.renderLogin(w, http.StatusBadRequest, ar, "Choose Approve or Deny.", r.Form.Get("subject"), r.Form.Get("claims"))
	}
}

// pendingRequest loads a stored authorization request, or answers with an
// error page.
func (s *site) pendingRequest(w http.ResponseWriter, r *http.Request, id string) (*authRequest, bool) {
	rec, err := s.store.AuthRequest(r.Context(), s.key, id)
	var ar authRequest
	if err == nil {
		err = json.Unmarshal(rec.Data, &ar)
	}
	if err != nil || id == "" {
		errorPage(w, http.StatusBadRequest, "Login request expired", "This login request has expired or was already completed. Start again from the application.")
		return nil, false
	}
	return &ar, true
}

// loginChoice reads the chosen subject and claims, or says what is wrong.
func (s *site) loginChoice(f url.Values) (sub string, claims map[string]any, problem string) {
	sub = strings.TrimSpace(f.Get("subject"))
	if sub == "" {
		sub = f.Get("user")
	}
	if sub == "" {
		return "", nil, "Pick a user or type a subject."
	}
	var ce ConfigError
	if checkSub(&ce, "subject", sub); len(ce.Problems) > 0 {
		return "", nil, "Subject " + ce.Problems[0].Message + "."
	}
	if u, ok := s.usersBySub[sub]; ok {
		claims = maps.Clone(u.Claims)
	} else if f.Get("subject") == "" {
		return "", nil, fmt.Sprintf("No configured user %q.", sub)
	}
	extra, problem := parseExtraClaims(f.Get("claims"))
	if problem != "" {
		return "", nil, problem
	}
	if claims == nil {
		claims = s.userClaims(sub, map[string]any{})
	}
	maps.Copy(claims, extra)
	return sub, claims, ""
}

// parseExtraClaims reads the optional JSON object of the claims field.
func parseExtraClaims(raw string) (map[string]any, string) {
	if strings.TrimSpace(raw) == "" {
		return nil, ""
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil || m == nil {
		return nil, fmt.Sprintf("Extra claims must be a JSON object: %v.", errOrNull(err))
	}
	for _, name := range issuer.Reserved {
		if _, ok := m[name]; ok {
			return nil, fmt.Sprintf("Extra claims cannot set %q: testidp sets it itself.", name)
		}
	}
	return m, ""
}

func errOrNull(err error) any {
	if err == nil {
		return "got null"
	}
	return err
}

func (s *site) renderLogin(w http.ResponseWriter, status int, ar *authRequest, problem, subject, claims string) {
	page := loginPage{ID: ar.ID, ClientID: ar.ClientID, Action: s.url(pathLogin), Scopes: ar.Scopes,
		Subject: subject, Claims: claims, Error: problem, Fault: ar.Fault, FaultOptions: faultGroups()}
	if c, ok := s.client(ar.ClientID); ok {
		page.ClientFault = c.Fault
	}
	selected := ar.LoginHint
	if !slices.ContainsFunc(s.users, func(u User) bool { return u.Sub == selected }) && len(s.users) > 0 {
		selected = s.users[0].Sub
	}
	for _, u := range s.users {
		page.Users = append(page.Users, loginUser{Sub: u.Sub, Detail: userDetail(u), Selected: u.Sub == selected})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = loginTmpl.Execute(w, page)
}

func userDetail(u User) string {
	var parts []string
	for _, k := range []string{"name", "email"} {
		if v, ok := u.Claims[k].(string); ok && v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " · ")
}
