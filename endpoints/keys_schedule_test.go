package endpoints

import (
	"path/filepath"
	"testing"
	"time"
)

var testPolicy = KeysConfig{RotateEvery: time.Hour, PublishAhead: 10 * time.Minute, RetireAfter: 30 * time.Minute}

// TestKeyLifecycleOnSchedule follows one ES256 key through next → active →
// retired → removed on a fake clock, as seen over HTTP: the testing API's
// ring, the JWKS, and the kid of the tokens the token endpoint signs.
func TestKeyLifecycleOnSchedule(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, testPolicy), Options{})
	first := e.ring().keysOf("ES256", "active")[0]
	var second string
	steps := []struct {
		advance     time.Duration // from the previous step
		wantSecond  string        // its state in the ring; "" = not there
		wantSigning func() string // kid tokens carry
		wantFirstIn bool          // first key in the JWKS
	}{
		{49 * time.Minute, "", func() string { return first }, true},
		{time.Minute, "next", func() string { return first }, true},
		{10 * time.Minute, "active", func() string { return second }, true},
		{29 * time.Minute, "active", func() string { return second }, true},
		{time.Minute, "active", func() string { return second }, false},
		{30 * time.Minute, "retired", nil, false},
		{30 * time.Minute, "", nil, false},
	}
	elapsed := time.Duration(0)
	for _, st := range steps {
		e.clock.Advance(st.advance)
		elapsed += st.advance
		v := e.ring()
		if second == "" {
			if n := v.keysOf("ES256", "next"); len(n) == 1 {
				second = n[0]
			}
		}
		got := ""
		if k, ok := v.key(second); ok && second != "" {
			got = k.State
		}
		if got != st.wantSecond {
			t.Errorf("+%v: second key is %q, want %q; ring %+v", elapsed, got, st.wantSecond, v.Keys)
		}
		if st.wantSecond != "" && !e.published(second) {
			t.Errorf("+%v: second key (%s) is not in the JWKS", elapsed, st.wantSecond)
		}
		if st.wantSecond == "" && second != "" && e.published(second) {
			t.Errorf("+%v: removed key still in the JWKS", elapsed)
		}
		if in := e.published(first); in != st.wantFirstIn {
			t.Errorf("+%v: first key in JWKS = %v, want %v", elapsed, in, st.wantFirstIn)
		}
		if st.wantSigning != nil {
			if kid := headerKid(t, e.clientToken(esClient)); kid != st.wantSigning() {
				t.Errorf("+%v: token signed by %s, want %s", elapsed, kid, st.wantSigning())
			}
		}
	}
	if second == "" {
		t.Fatal("no second key was ever published")
	}
}

// TestScheduleTimestamps checks the times the API reports for a key that
// replaced another on schedule.
func TestScheduleTimestamps(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, testPolicy), Options{})
	start := e.p.Now()
	e.clock.Advance(65 * time.Minute) // the transitions happen at their scheduled times
	v := e.ring()
	cur, old := v.keysOf("ES256", "active"), v.keysOf("ES256", "retired")
	if len(cur) != 1 || len(old) != 1 {
		t.Fatalf("ring %+v: want one active and one retired ES256 key", v.Keys)
	}
	c, _ := v.key(cur[0])
	o, _ := v.key(old[0])
	checks := []struct {
		name      string
		got, want time.Time
	}{
		{"new key published", c.CreatedAt, start.Add(50 * time.Minute)},
		{"new key signs from", at(c.ActivatedAt), start.Add(time.Hour)},
		{"old key retired", at(o.RetiredAt), start.Add(time.Hour)},
		{"old key removed at", at(o.RemoveAt), start.Add(90 * time.Minute)},
		{"next change", at(v.NextChange), start.Add(90 * time.Minute)},
	}
	for _, c := range checks {
		if !c.got.Equal(c.want) {
			t.Errorf("%s at %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestScheduleResumesAfterRestart stops a provider in the middle of a
// schedule and starts another on the same database after the next rotation
// was due: the new one carries the schedule on from the stored times.
func TestScheduleResumesAfterRestart(t *testing.T) {
	cfg := keysConfig(t, testPolicy)
	cfg.DB = filepath.Join(t.TempDir(), "testidp.db")
	clock := newFakeClock()
	start := clock.Now()
	first := startEnvWith(t, cfg, Options{Now: clock.Now})
	clock.Advance(55 * time.Minute)
	before := first.ring()
	next := before.keysOf("ES256", "next")
	old := before.keysOf("ES256", "active")
	if len(next) != 1 {
		t.Fatalf("at +55m want a published next ES256 key: %+v", before.Keys)
	}
	first.srv.Close()
	if err := first.p.Close(); err != nil {
		t.Fatal(err)
	}

	clock.Advance(20 * time.Minute) // down over the rotation at +1h
	second := startEnvWith(t, cfg, Options{Now: clock.Now})
	after := second.ring()
	cur, ok := after.key(next[0])
	if !ok || cur.State != "active" || !at(cur.ActivatedAt).Equal(start.Add(time.Hour)) {
		t.Errorf("after the restart the next key is %+v, want active since +1h", cur)
	}
	if o, ok := after.key(old[0]); !ok || o.State != "retired" || !at(o.RemoveAt).Equal(start.Add(90*time.Minute)) {
		t.Errorf("after the restart the old key is %+v, want retired until +90m", o)
	}
	if kid := headerKid(t, second.clientToken(esClient)); kid != next[0] {
		t.Errorf("token after restart signed by %s, want %s", kid, next[0])
	}
	clock.Advance(15 * time.Minute)
	if second.published(old[0]) {
		t.Error("at +90m the old key is still published: the resumed schedule did not remove it")
	}
}

// TestRemoteKeySetAcrossRotation: go-oidc's RemoteKeySet caches the JWKS and
// re-fetches it only for an unknown kid; tokens keep verifying across
// rotations, on demand with publish-ahead zero and on schedule.
func TestRemoteKeySetAcrossRotation(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, testPolicy), Options{})
	v := e.verifier()
	t1 := e.clientToken(esClient)
	mustVerify(t, v, "the first token", t1) // caches the JWKS

	var rot ringView
	if status := e.apiCall("POST", "/keys/rotate", `{"alg": "ES256", "publish_ahead": "0s"}`, &rot); status != 200 || len(rot.Changed) != 1 {
		t.Fatalf("rotate: %d %+v", status, rot)
	}
	t2 := e.clientToken(esClient)
	if kid := headerKid(t, t2); kid != rot.Changed[0] || kid == headerKid(t, t1) {
		t.Fatalf("token after rotation has kid %s, want the new key %s", kid, rot.Changed[0])
	}
	mustVerify(t, v, "a token with a kid the cached JWKS lacks", t2)
	mustVerify(t, v, "the token signed before the rotation", t1)

	e.clock.Advance(2 * time.Hour) // two scheduled rotations
	t3 := e.clientToken(esClient)
	if headerKid(t, t3) == headerKid(t, t2) {
		t.Fatal("no scheduled rotation after 2h")
	}
	mustVerify(t, v, "a token signed by a scheduled key", t3)
}

// TestRequestsApplyDueTransitions: with nothing but token and JWKS requests
// (no testing API call, long before the background loop's tick), the ring
// follows the clock.
func TestRequestsApplyDueTransitions(t *testing.T) {
	e := startEnvWith(t, keysConfig(t, testPolicy), Options{})
	before := headerKid(t, e.clientToken(esClient))
	e.clock.Advance(time.Hour)
	after := headerKid(t, e.clientToken(esClient))
	if after == before {
		t.Fatalf("an hour later the token endpoint still signs with %s", before)
	}
	if !e.published(after) || !e.published(before) {
		t.Errorf("JWKS %v should hold the new key %s and the retired %s", kids(t, e.get("/jwks")), after, before)
	}
	e.clock.Advance(30 * time.Minute)
	if e.published(before) {
		t.Errorf("JWKS still holds %s after its removal time", before)
	}
}
