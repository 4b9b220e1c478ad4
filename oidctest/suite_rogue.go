package oidctest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// rogueServer serves the documents of the jku and x5u cases on a loopback
// port, as an attacker's server would, and counts the requests for them: a
// verifier that fetches a URL named in a token's header gives a finding
// even when it then rejects the token.
type rogueServer struct {
	base string
	srv  *http.Server
	ln   net.Listener

	mu   sync.Mutex
	docs map[string]*rogueEntry // by path
}

type rogueEntry struct {
	body        []byte
	contentType string
	fetches     int
}

func startRogueServer() (*rogueServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("rogue server: %w", err)
	}
	s := &rogueServer{base: "http://" + ln.Addr().String(), ln: ln, docs: map[string]*rogueEntry{}}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// url is the rogue URL of the seq-th case of a run.
func (s *rogueServer) url(seq int, ref string) string {
	return fmt.Sprintf("%s/rogue/%d/%s", s.base, seq, strings.ReplaceAll(ref, "#", "-"))
}

// put serves body at rawURL when the URL is on this server.
func (s *rogueServer) put(rawURL, contentType string, body []byte) bool {
	path, ok := s.pathOf(rawURL)
	if ok {
		s.mu.Lock()
		s.docs[path] = &rogueEntry{body: body, contentType: contentType}
		s.mu.Unlock()
	}
	return ok
}

// fetches counts the requests for rawURL, a URL put on this server.
func (s *rogueServer) fetches(rawURL string) int {
	path, _ := s.pathOf(rawURL)
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.docs[path]; d != nil {
		return d.fetches
	}
	return 0
}

func (s *rogueServer) pathOf(rawURL string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil || "http://"+u.Host != s.base {
		return "", false
	}
	return u.Path, true
}

// serve answers a request for a rogue document, counting it.
func (s *rogueServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.docs[r.URL.Path]
	if d != nil {
		d.fetches++
	}
	s.mu.Unlock()
	if d == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", d.contentType)
	_, _ = w.Write(d.body)
}

func (s *rogueServer) close() {
	_ = s.srv.Close()
}
