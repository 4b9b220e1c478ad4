package keys

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// seeded is a Source deriving keys from a fixed seed: fast (EC keys, cached
// RSA keys) and reproducible.
var seeded = SeedSource("policy-test", "/", 0)

// countingSource counts the keys it makes.
func countingSource(n *int) Source {
	return func(alg Alg, label string, now time.Time) (*Key, error) {
		*n++
		return seeded(alg, label, now)
	}
}

func mustAdvance(t *testing.T, p Policy, ring []*Key, now time.Time) []*Key {
	t.Helper()
	out, err := p.Advance(ring, now, seeded)
	if err != nil {
		t.Fatalf("Advance(%v): %v", now.Sub(t0), err)
	}
	if err := Check(out); err != nil {
		t.Fatalf("Advance(%v) made an invalid ring: %v", now.Sub(t0), err)
	}
	return out
}

func initialRing(t *testing.T, algs ...Alg) []*Key {
	t.Helper()
	ring, err := EnsureActive(nil, algs, t0, seeded)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// describe writes a ring as "kid-prefix:state" items, oldest first, for
// messages.
func describe(ring []*Key) string {
	var parts []string
	for _, k := range ring {
		parts = append(parts, fmt.Sprintf("%s:%s", k.ID[:6], k.State))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// TestOneKeyLifecycle follows the second key of a schedule through every
// state: published ahead as next, signing, retired, removed.
func TestOneKeyLifecycle(t *testing.T) {
	p := Policy{RotateEvery: time.Hour, PublishAhead: 10 * time.Minute, RetireAfter: 30 * time.Minute}
	ring := initialRing(t, ES256)
	first := ring[0].ID
	var second string
	steps := []struct {
		at         time.Duration
		wantFirst  State // "" = gone
		wantSecond State // "" = not yet, or gone
		wantNext   time.Duration
	}{
		{at: 49 * time.Minute, wantFirst: Active, wantNext: 50 * time.Minute},
		{at: 50 * time.Minute, wantFirst: Active, wantSecond: Next, wantNext: time.Hour},
		{at: time.Hour, wantFirst: Retired, wantSecond: Active, wantNext: 90 * time.Minute},
		{at: 90 * time.Minute, wantSecond: Active, wantNext: 110 * time.Minute},
		{at: 2 * time.Hour, wantSecond: Retired, wantNext: 150 * time.Minute},
		{at: 150 * time.Minute, wantNext: 170 * time.Minute},
	}
	for _, st := range steps {
		now := t0.Add(st.at)
		ring = mustAdvance(t, p, ring, now)
		if second == "" {
			if n := find(ring, ES256, Next); n != nil {
				second = n.ID
			}
		}
		state := func(kid string) State {
			if k := byID(ring, kid); k != nil {
				return k.State
			}
			return ""
		}
		if got := state(first); got != st.wantFirst {
			t.Errorf("at +%v: first key %q, want %q; ring %s", st.at, got, st.wantFirst, describe(ring))
		}
		if got := state(second); got != st.wantSecond {
			t.Errorf("at +%v: second key %q, want %q; ring %s", st.at, got, st.wantSecond, describe(ring))
		}
		if got := p.NextChange(ring, now); !got.Equal(t0.Add(st.wantNext)) {
			t.Errorf("at +%v: NextChange = +%v, want +%v", st.at, got.Sub(t0), st.wantNext)
		}
	}
}

func TestLifecycleTimestamps(t *testing.T) {
	p := Policy{RotateEvery: time.Hour, PublishAhead: 10 * time.Minute, RetireAfter: 30 * time.Minute}
	// Advanced late (at +1h05m): the transitions carry their scheduled times.
	ring := mustAdvance(t, p, initialRing(t, EdDSA), t0.Add(65*time.Minute))
	old, cur := find(ring, EdDSA, Retired), find(ring, EdDSA, Active)
	if old == nil || cur == nil {
		t.Fatalf("ring %s: want one retired and one active key", describe(ring))
	}
	checks := []struct {
		name      string
		got, want time.Time
	}{
		{"new key created (published)", cur.CreatedAt, t0.Add(50 * time.Minute)},
		{"new key activated", cur.ActivatedAt, t0.Add(time.Hour)},
		{"old key retired", old.RetiredAt, t0.Add(time.Hour)},
		{"old key removal", old.RemoveAt, t0.Add(90 * time.Minute)},
		{"old key activated", old.ActivatedAt, t0},
	}
	for _, c := range checks {
		if !c.got.Equal(c.want) {
			t.Errorf("%s at +%v, want +%v", c.name, c.got.Sub(t0), c.want.Sub(t0))
		}
	}
}

// TestAdvanceJumpEqualsSteps: advancing straight to a late time gives the
// ring that advancing through every transition gives.
func TestAdvanceJumpEqualsSteps(t *testing.T) {
	policies := []struct {
		name string
		p    Policy
	}{
		{"retire before next rotation", Policy{RotateEvery: time.Hour, PublishAhead: 10 * time.Minute, RetireAfter: 20 * time.Minute}},
		{"several retired keys published", Policy{RotateEvery: time.Hour, PublishAhead: 5 * time.Minute, RetireAfter: 150 * time.Minute}},
		{"no publish-ahead", Policy{RotateEvery: time.Hour, RetireAfter: time.Hour}},
		{"publish a whole period ahead", Policy{RotateEvery: time.Hour, PublishAhead: time.Hour, RetireAfter: 30 * time.Minute}},
		{"removed when replaced", Policy{RotateEvery: 10 * time.Minute, PublishAhead: time.Minute}},
	}
	for _, pc := range policies {
		for _, jump := range []time.Duration{59 * time.Minute, 61 * time.Minute, 7*time.Hour + 3*time.Minute, 50 * time.Hour} {
			t.Run(fmt.Sprintf("%s/+%v", pc.name, jump), func(t *testing.T) {
				start := initialRing(t, ES256, EdDSA)
				end := t0.Add(jump)
				jumped := mustAdvance(t, pc.p, start, end)
				stepped := start
				for now := t0; ; {
					stepped = mustAdvance(t, pc.p, stepped, now)
					next := pc.p.NextChange(stepped, now)
					if next.IsZero() || next.After(end) {
						break
					}
					now = next
				}
				stepped = mustAdvance(t, pc.p, stepped, end)
				if a, b := ringString(jumped), ringString(stepped); a != b {
					t.Errorf("jump to +%v:\n%s\nstep by step:\n%s", jump, a, b)
				}
			})
		}
	}
}

// ringString lists every key with its state and times, in ring order.
func ringString(ring []*Key) string {
	ring = slices.Clone(ring)
	slices.SortFunc(ring, func(a, b *Key) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var b strings.Builder
	for _, k := range ring {
		fmt.Fprintf(&b, "%s %s %s created=%s activated=%s retired=%s remove=%s\n", k.ID[:8], k.Alg, k.State,
			k.CreatedAt.Sub(t0), k.ActivatedAt.Sub(t0), k.RetiredAt.Sub(t0), k.RemoveAt.Sub(t0))
	}
	return b.String()
}

func TestAdvanceLongPauseIsBounded(t *testing.T) {
	p := Policy{RotateEvery: time.Second, PublishAhead: time.Second, RetireAfter: 3 * time.Second}
	var made int
	ring, err := p.Advance(initialRing(t, ES256), t0.Add(10*365*24*time.Hour), countingSource(&made))
	if err != nil {
		t.Fatal(err)
	}
	if made > 6 {
		t.Errorf("a ten-year pause made %d keys; want only those still published (at most 6)", made)
	}
	if n := len(ring); n < 4 || n > 6 {
		t.Errorf("ring after the pause has %d keys, want the active one, the next one and 2–4 retired: %s", n, describe(ring))
	}
}

func TestAdvanceWithoutSchedule(t *testing.T) {
	ring := initialRing(t, RS256)
	out := mustAdvance(t, Policy{}, ring, t0.Add(1000*time.Hour))
	if ringString(out) != ringString(ring) {
		t.Errorf("no schedule, ring changed:\n%s", ringString(out))
	}
	if next := (Policy{}).NextChange(out, t0); !next.IsZero() {
		t.Errorf("NextChange without schedule = +%v, want never", next.Sub(t0))
	}
}

func TestRotate(t *testing.T) {
	now := t0.Add(time.Hour)
	tests := []struct {
		name            string
		opts            RotateOptions
		wantNewState    State
		wantOld         State // "" = gone
		wantOldRemoveAt time.Duration
	}{
		{"signs at once, old kept", RotateOptions{Alg: ES256, RetireAfter: time.Hour}, Active, Retired, time.Hour},
		{"signs at once, old removed", RotateOptions{Alg: ES256}, Active, "", 0},
		{"published ahead", RotateOptions{Alg: ES256, PublishAhead: 10 * time.Minute, RetireAfter: time.Hour}, Next, Active, 70 * time.Minute},
		{"published ahead, old removed when replaced", RotateOptions{Alg: ES256, PublishAhead: 10 * time.Minute}, Next, Active, 10 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ring := initialRing(t, ES256, EdDSA)
			old := find(ring, ES256, Active)
			out, k, err := Rotate(ring, now, tc.opts, seeded)
			if err != nil {
				t.Fatalf("Rotate: %v", err)
			}
			if err := Check(out); err != nil {
				t.Fatalf("Rotate made an invalid ring: %v", err)
			}
			if got := byID(out, k.ID); got == nil || got.State != tc.wantNewState || got.ID == old.ID {
				t.Fatalf("new key %v, want a new key in state %s; ring %s", got, tc.wantNewState, describe(out))
			}
			got := byID(out, old.ID)
			switch {
			case tc.wantOld == "" && got != nil:
				t.Errorf("old key still in the ring as %s, want it gone", got.State)
			case tc.wantOld != "" && (got == nil || got.State != tc.wantOld):
				t.Errorf("old key %v, want %s", got, tc.wantOld)
			case tc.wantOld != "" && !got.RemoveAt.Equal(now.Add(tc.wantOldRemoveAt)):
				t.Errorf("old key removed at now+%v, want now+%v", got.RemoveAt.Sub(now), tc.wantOldRemoveAt)
			}
			if find(out, EdDSA, Active) == nil {
				t.Errorf("rotating ES256 lost the EdDSA key: %s", describe(out))
			}
			if tc.opts.PublishAhead > 0 {
				later := mustAdvance(t, Policy{}, out, now.Add(tc.opts.PublishAhead))
				if a := find(later, ES256, Active); a == nil || a.ID != k.ID || !a.ActivatedAt.Equal(now.Add(tc.opts.PublishAhead)) {
					t.Errorf("after publish-ahead, active %v, want the new key activated then", a)
				}
			}
		})
	}
}

func TestRotateReplacesPendingNextKey(t *testing.T) {
	ring := initialRing(t, ES256)
	ring, first, _ := Rotate(ring, t0, RotateOptions{Alg: ES256, PublishAhead: time.Hour}, seeded)
	ring, second, err := Rotate(ring, t0, RotateOptions{Alg: ES256}, seeded)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == second.ID || byID(ring, first.ID) != nil {
		t.Errorf("the pending next key %s is still in the ring %s", first.ID, describe(ring))
	}
	if a := find(ring, ES256, Active); a == nil || a.ID != second.ID {
		t.Errorf("active %v, want the second rotation's key", a)
	}
}

// Two rotations at the same instant (a pinned clock) under a seed still
// make distinct keys, and the same ones on every run.
func TestRotateAtPinnedClockIsReproducible(t *testing.T) {
	run := func() []string {
		ring := initialRing(t, ES256)
		var kids []string
		for range 3 {
			var k *Key
			var err error
			ring, k, err = Rotate(ring, t0, RotateOptions{Alg: ES256}, seeded)
			if err != nil {
				t.Fatal(err)
			}
			kids = append(kids, k.ID)
		}
		return kids
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("two runs rotated to %v and %v", a, b)
	}
	if a[0] == a[1] || a[1] == a[2] || a[0] == a[2] {
		t.Errorf("rotations at one instant reused a key: %v", a)
	}
}

func TestRotateErrors(t *testing.T) {
	ring := initialRing(t, ES256)
	for _, opts := range []RotateOptions{{Alg: HS256}, {Alg: "ES999"}, {Alg: ES256, PublishAhead: -time.Second}, {Alg: ES256, RetireAfter: -1}} {
		if _, _, err := Rotate(ring, t0, opts, seeded); err == nil {
			t.Errorf("Rotate(%+v): no error", opts)
		}
	}
	same := func(alg Alg, _ string, now time.Time) (*Key, error) { return ring[0], nil }
	if _, _, err := Rotate(ring, t0, RotateOptions{Alg: ES256}, same); !errors.Is(err, ErrKidInUse) {
		t.Errorf("Rotate with a source that repeats the active key: %v, want ErrKidInUse", err)
	}
}

func TestRotateWithoutActiveKey(t *testing.T) {
	out, k, err := Rotate(initialRing(t, ES256), t0, RotateOptions{Alg: ES384, PublishAhead: time.Hour}, seeded)
	if err != nil {
		t.Fatal(err)
	}
	if a := find(out, ES384, Active); a == nil || a.ID != k.ID {
		t.Errorf("rotating an algorithm without a key: active %v, want the new key at once", a)
	}
}

func TestUnpublish(t *testing.T) {
	ring, _, _ := Rotate(initialRing(t, ES256), t0, RotateOptions{Alg: ES256, RetireAfter: time.Hour}, seeded)
	retired := find(ring, ES256, Retired)
	cur := find(ring, ES256, Active)
	out, err := Unpublish(ring, retired.ID)
	if err != nil || byID(out, retired.ID) != nil || len(out) != 1 {
		t.Errorf("Unpublish(retired) = %s, %v; want it gone", describe(out), err)
	}
	if _, err := Unpublish(ring, cur.ID); !errors.Is(err, ErrActiveKey) {
		t.Errorf("Unpublish(active) error = %v, want ErrActiveKey", err)
	}
	if _, err := Unpublish(ring, "nope"); !errors.Is(err, ErrUnknownKid) {
		t.Errorf("Unpublish(unknown) error = %v, want ErrUnknownKid", err)
	}
	// Unpublishing a planned next key cancels the planned retirement.
	planned, next, _ := Rotate(ring, t0, RotateOptions{Alg: ES256, PublishAhead: time.Hour}, seeded)
	out, err = Unpublish(planned, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := find(out, ES256, Active); a.ID != cur.ID || !a.RemoveAt.IsZero() {
		t.Errorf("after unpublishing the next key the active key %s has RemoveAt %v, want zero", a.ID, a.RemoveAt)
	}
}

func TestAdd(t *testing.T) {
	ring := initialRing(t, ES256)
	old := ring[0]
	a, b := mustGenerate(t, ES256), mustGenerate(t, ES256)
	out, err := Add(ring, []*Key{a, b}, t0, AddOptions{Activate: true, RetireAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		kid  string
		want State
	}{{a.ID, Active}, {b.ID, Retired}, {old.ID, Retired}}
	for _, c := range checks {
		if k := byID(out, c.kid); k == nil || k.State != c.want {
			t.Errorf("key %s: %v, want %s; ring %s", c.kid[:6], k, c.want, describe(out))
		}
	}
	if k := byID(out, b.ID); !k.RemoveAt.IsZero() || !k.Published(t0.Add(1000*time.Hour)) {
		t.Errorf("added non-signing key should stay published, RemoveAt %v", k.RemoveAt)
	}
	again, err := Add(out, []*Key{a}, t0.Add(time.Minute), AddOptions{Activate: true})
	if err != nil || ringString(again) != ringString(out) {
		t.Errorf("adding a key again changed the ring (%v):\n%s", err, ringString(again))
	}
	clash, _ := New(ES256, mustGenerate(t, ES256).Signer(), a.ID, t0)
	if _, err := Add(out, []*Key{clash}, t0, AddOptions{}); !errors.Is(err, ErrKidInUse) {
		t.Errorf("adding another key under a used kid: %v, want ErrKidInUse", err)
	}
}

func TestSeedSourceReproducible(t *testing.T) {
	p := Policy{RotateEvery: time.Hour, PublishAhead: 10 * time.Minute, RetireAfter: 2 * time.Hour}
	run := func() []byte {
		ring := initialRing(t, RS256, ES256, EdDSA)
		ring = mustAdvance(t, p, ring, t0.Add(3*time.Hour+55*time.Minute))
		r, err := NewRing(t0.Add(3*time.Hour+55*time.Minute), ring...)
		if err != nil {
			t.Fatal(err)
		}
		return r.JWKS()
	}
	a, b := run(), run()
	if string(a) != string(b) {
		t.Errorf("the same seed and history gave two JWKS:\n%s\n%s", a, b)
	}
	other, _ := EnsureActive(nil, []Alg{ES256}, t0, SeedSource("policy-test", "/realms/other", 0))
	if other[0].ID == initialRing(t, ES256)[0].ID {
		t.Error("two issuers (scopes) under one seed share a key")
	}
}

func TestEnsureActivePromotesNextKey(t *testing.T) {
	lone := mustGenerate(t, ES256) // a next key without an active one (edited or imported)
	out, err := EnsureActive([]*Key{lone}, []Alg{ES256, EdDSA}, t0, seeded)
	if err != nil {
		t.Fatal(err)
	}
	if a := find(out, ES256, Active); a == nil || a.ID != lone.ID {
		t.Errorf("EnsureActive with a next key: active %v, want that key", a)
	}
	if find(out, EdDSA, Active) == nil {
		t.Error("EnsureActive made no EdDSA key")
	}
}

func TestCheck(t *testing.T) {
	a := mustGenerate(t, ES256).WithState(Active, t0)
	b := mustGenerate(t, ES256).WithState(Active, t0)
	odd := *mustGenerate(t, ES256)
	odd.State = "gone"
	for name, ring := range map[string][]*Key{
		"two active": {a, b}, "duplicate kid": {a, a.WithState(Retired, t0)}, "unknown state": {&odd},
	} {
		if err := Check(ring); err == nil {
			t.Errorf("Check(%s): no error", name)
		}
	}
	if err := Check([]*Key{a, b.WithState(Retired, t0)}); err != nil {
		t.Errorf("Check(valid): %v", err)
	}
}

func TestSeededKeysSignDeterministically(t *testing.T) {
	for _, alg := range []Alg{RS256, ES256, ES384, EdDSA} {
		k, err := seeded(alg, "deterministic", t0)
		if err != nil {
			t.Fatal(err)
		}
		a, b := jws(t, k), jws(t, k)
		if a != b {
			t.Errorf("%s: a seeded key signed the same input twice differently", alg)
		}
		parsed, err := jose.ParseSigned(a, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
		if err != nil {
			t.Fatal(err)
		}
		pub := k.Public()
		if _, err := parsed.Verify(&pub); err != nil {
			t.Errorf("%s: deterministic signature does not verify with go-jose: %v", alg, err)
		}
	}
	random := mustGenerate(t, ES256)
	if jws(t, random) == jws(t, random) {
		t.Error("a random ES256 key signed deterministically; only seeded keys should")
	}
}
