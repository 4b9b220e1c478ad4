package endpoints

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/testidp/testidp/storage"
)

// session is a browser login at one issuer.
type session struct {
	ID       string         `json:"-"`
	Subject  string         `json:"-"`
	AuthTime time.Time      `json:"-"`
	Claims   map[string]any `json:"claims,omitempty"`
	AMR      []string       `json:"amr,omitempty"`
}

// cookieName is per issuer, so that issuers on one host keep apart.
func (s *site) cookieName() string {
	if s.prefix == "" {
		return "testidp_session"
	}
	sum := sha256.Sum256([]byte(s.prefix))
	return "testidp_session_" + hex.EncodeToString(sum[:4])
}

func (s *site) cookiePath() string {
	if s.prefix == "" {
		return "/"
	}
	return s.prefix + "/"
}

// currentSession returns the browser's session, or nil.
func (s *site) currentSession(r *http.Request) *session {
	ck, err := r.Cookie(s.cookieName())
	if err != nil || ck.Value == "" {
		return nil
	}
	return s.loadSession(r.Context(), ck.Value)
}

func (s *site) loadSession(ctx context.Context, id string) *session {
	rec, err := s.store.Session(ctx, s.key, id)
	if err != nil {
		return nil
	}
	sess := &session{}
	if json.Unmarshal(rec.Data, sess) != nil {
		return nil
	}
	sess.ID, sess.Subject, sess.AuthTime = rec.ID, rec.Subject, rec.AuthTime
	return sess
}

// newSession stores a fresh login and sets its cookie.
func (s *site) newSession(ctx context.Context, w http.ResponseWriter, sub string, claims map[string]any) (*session, error) {
	now := s.now()
	sess := &session{ID: randomToken(), Subject: sub, AuthTime: now, Claims: claims, AMR: []string{"pwd"}}
	data, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	exp := now.Add(s.cfg.Lifetimes.Session)
	if err := s.store.PutSession(ctx, storage.Session{Issuer: s.key, ID: sess.ID, Subject: sub, Data: data, AuthTime: now, ExpiresAt: exp}); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: sess.ID, Path: s.cookiePath(), HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(), MaxAge: int(s.cfg.Lifetimes.Session / time.Second)})
	return sess, nil
}

// clearSession deletes the browser's session and its cookie.
func (s *site) clearSession(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	if sess := s.currentSession(r); sess != nil {
		_ = s.store.DeleteSession(ctx, s.key, sess.ID)
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: s.cookiePath(), HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(), MaxAge: -1})
}

func (s *site) secureCookies() bool {
	return strings.HasPrefix(s.issuerURL, "https://")
}
