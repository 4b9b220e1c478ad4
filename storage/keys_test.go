package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func sameKeys(a, b []KeyRecord) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Issuer != y.Issuer || x.ID != y.ID || x.Alg != y.Alg || x.State != y.State ||
			!bytes.Equal(x.Private, y.Private) || !sameTime(x.CreatedAt, y.CreatedAt) ||
			!sameTime(x.ActivatedAt, y.ActivatedAt) || !sameTime(x.RetiredAt, y.RetiredAt) ||
			!sameTime(x.RemoveAt, y.RemoveAt) {
			return false
		}
	}
	return true
}

func keyIDs(ring []KeyRecord) []string {
	ids := make([]string, len(ring))
	for i, k := range ring {
		ids[i] = k.ID
	}
	return ids
}

func TestReplaceKeys(t *testing.T) {
	t0 := newClock().Now()
	k := func(id string, created time.Duration, state string) KeyRecord {
		return KeyRecord{Issuer: iss, ID: id, Alg: "ES256", State: state, Private: []byte("der-" + id), CreatedAt: t0.Add(created)}
	}
	full := k("full", 0, "retired")
	full.ActivatedAt, full.RetiredAt, full.RemoveAt = t0.Add(time.Second), t0.Add(2*time.Second), t0.Add(3*time.Second)
	updated := k("b", 0, "active")
	updated.Alg, updated.Private, updated.ActivatedAt = "EdDSA", []byte("new"), t0.Add(time.Minute)

	tests := []struct {
		name  string
		first []KeyRecord
		ring  []KeyRecord
		want  []KeyRecord
	}{
		{name: "empty to one", ring: []KeyRecord{k("a", 0, "active")}, want: []KeyRecord{k("a", 0, "active")}},
		{name: "every field round-trips", ring: []KeyRecord{full}, want: []KeyRecord{full}},
		{name: "ordered by created then id",
			ring: []KeyRecord{k("c", 2, "next"), k("b", 1, "active"), k("a", 1, "active"), k("z", 0, "retired")},
			want: []KeyRecord{k("z", 0, "retired"), k("a", 1, "active"), k("b", 1, "active"), k("c", 2, "next")}},
		{name: "drops keys not in ring",
			first: []KeyRecord{k("a", 0, "active"), k("b", 1, "next")},
			ring:  []KeyRecord{k("b", 1, "active"), k("c", 2, "next")},
			want:  []KeyRecord{k("b", 1, "active"), k("c", 2, "next")}},
		{name: "updates every field", first: []KeyRecord{k("b", 5, "next")}, ring: []KeyRecord{updated}, want: []KeyRecord{updated}},
		{name: "empty ring deletes all", first: []KeyRecord{k("a", 0, "active")}, ring: nil, want: nil},
		{name: "empty issuer field means the argument", ring: []KeyRecord{{ID: "x", Alg: "HS256", State: "active", CreatedAt: t0}},
			want: []KeyRecord{{Issuer: iss, ID: "x", Alg: "HS256", State: "active", CreatedAt: t0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := openMem(t, newClock())
			checkErr(t, "ReplaceKeys(first)", st.ReplaceKeys(ctx, iss, tc.first), nil)
			checkErr(t, "ReplaceKeys", st.ReplaceKeys(ctx, iss, tc.ring), nil)
			got, err := st.Keys(ctx, iss)
			checkErr(t, "Keys", err, nil)
			if !sameKeys(got, tc.want) {
				t.Errorf("Keys() = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReplaceKeysIssuersAreSeparate(t *testing.T) {
	ctx := context.Background()
	st := openMem(t, newClock())
	other := "https://idp.test/realms/acme"
	checkErr(t, "ReplaceKeys(other)", st.ReplaceKeys(ctx, other, []KeyRecord{{ID: "o1", Alg: "RS256", State: "active"}}), nil)
	checkErr(t, "ReplaceKeys(iss)", st.ReplaceKeys(ctx, iss, []KeyRecord{{ID: "i1", Alg: "RS256", State: "active"}}), nil)
	checkErr(t, "ReplaceKeys(iss, empty)", st.ReplaceKeys(ctx, iss, nil), nil)
	got, err := st.Keys(ctx, other)
	if err != nil || len(got) != 1 || got[0].ID != "o1" || got[0].Issuer != other {
		t.Errorf("Keys(other) = %+v, %v; want [o1] untouched by the other issuer's replace", got, err)
	}
}

func TestReplaceKeysAllOrNothing(t *testing.T) {
	old := []KeyRecord{{ID: "a", Alg: "RS256", State: "active"}, {ID: "b", Alg: "RS256", State: "next"}}
	tests := []struct {
		name  string
		ring  []KeyRecord
		setup string // SQL run before the replace
	}{
		{name: "empty id", ring: []KeyRecord{{ID: "c"}, {ID: ""}}},
		{name: "duplicate id", ring: []KeyRecord{{ID: "c"}, {ID: "c"}}},
		{name: "other issuer", ring: []KeyRecord{{ID: "c"}, {Issuer: "https://other", ID: "d"}}},
		{name: "failure after the delete and first upsert", ring: []KeyRecord{{ID: "c"}, {ID: "boom"}},
			setup: `CREATE TEMP TRIGGER boom BEFORE INSERT ON keys WHEN NEW.id = 'boom'
				BEGIN SELECT RAISE(ABORT, 'injected failure'); END`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := openMem(t, newClock())
			checkErr(t, "ReplaceKeys(old)", st.ReplaceKeys(ctx, iss, old), nil)
			if tc.setup != "" {
				if _, err := st.db.Exec(tc.setup); err != nil {
					t.Fatal(err)
				}
			}
			checkErr(t, "ReplaceKeys(bad)", st.ReplaceKeys(ctx, iss, tc.ring), errAny)
			got, err := st.Keys(ctx, iss)
			if ids := keyIDs(got); err != nil || len(ids) != 2 || ids[0] != "a" || ids[1] != "b" {
				t.Errorf("Keys() after failed replace = %v, %v; want the old ring [a b]", ids, err)
			}
		})
	}
}

func TestUpdateKeys(t *testing.T) {
	ctx := context.Background()
	st := openMem(t, newClock())
	checkErr(t, "ReplaceKeys", st.ReplaceKeys(ctx, iss, []KeyRecord{{ID: "a", Alg: "ES256", State: "active"}}), nil)
	err := st.UpdateKeys(ctx, iss, func(ring []KeyRecord) ([]KeyRecord, error) {
		if ids := keyIDs(ring); len(ids) != 1 || ids[0] != "a" {
			t.Errorf("UpdateKeys passed %v, want [a]", ids)
		}
		ring[0].State = "retired"
		return append(ring, KeyRecord{ID: "b", Alg: "ES256", State: "active"}), nil
	})
	checkErr(t, "UpdateKeys", err, nil)
	got, _ := st.Keys(ctx, iss)
	if len(got) != 2 || got[0].State != "retired" || got[1].ID != "b" {
		t.Errorf("Keys() after UpdateKeys = %+v", got)
	}
	boom := errors.New("boom")
	err = st.UpdateKeys(ctx, iss, func(ring []KeyRecord) ([]KeyRecord, error) { return nil, boom })
	checkErr(t, "UpdateKeys(fn fails)", err, boom)
	if after, _ := st.Keys(ctx, iss); !sameKeys(after, got) {
		t.Errorf("a failed UpdateKeys changed the ring: %+v", after)
	}
	err = st.UpdateKeys(ctx, iss, func(ring []KeyRecord) ([]KeyRecord, error) { return append(ring, ring[0]), nil })
	checkErr(t, "UpdateKeys(duplicate id)", err, errAny)
	if after, _ := st.Keys(ctx, iss); !sameKeys(after, got) {
		t.Errorf("an invalid UpdateKeys changed the ring: %+v", after)
	}
}

// Two stores on one file (server and CLI) each add keys through UpdateKeys
// at the same time: no addition is lost.
func TestUpdateKeysAcrossProcessesLosesNothing(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	stores := []*Store{openAt(t, path, Options{}), openAt(t, path, Options{})}
	const perWorker = 20
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := stores[w%2]
			for i := range perWorker {
				id := fmt.Sprintf("w%d-%d", w, i)
				err := st.UpdateKeys(ctx, iss, func(ring []KeyRecord) ([]KeyRecord, error) {
					return append(ring, KeyRecord{ID: id, Alg: "ES256", State: "retired"}), nil
				})
				if err != nil {
					t.Errorf("UpdateKeys(%s): %v", id, err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := stores[0].Keys(ctx, iss)
	if err != nil || len(got) != 4*perWorker {
		t.Errorf("Keys() = %d keys, %v; want %d (every update kept)", len(got), err, 4*perWorker)
	}
}

func TestUpdateKeysUnchangedDoesNotWrite(t *testing.T) {
	ctx := context.Background()
	st := openMem(t, newClock())
	checkErr(t, "ReplaceKeys", st.ReplaceKeys(ctx, iss, []KeyRecord{{ID: "a", Alg: "ES256", State: "active", Private: []byte("k")}}), nil)
	if _, err := st.db.Exec(`CREATE TEMP TRIGGER no_writes BEFORE UPDATE ON keys BEGIN SELECT RAISE(ABORT, 'written'); END`); err != nil {
		t.Fatal(err)
	}
	same := func(ring []KeyRecord) ([]KeyRecord, error) { return ring, nil }
	checkErr(t, "UpdateKeys(unchanged)", st.UpdateKeys(ctx, iss, same), nil)
	changed := func(ring []KeyRecord) ([]KeyRecord, error) { ring[0].State = "retired"; return ring, nil }
	checkErr(t, "UpdateKeys(changed)", st.UpdateKeys(ctx, iss, changed), errAny)
}

// fn runs outside the write transaction: while it runs, another store on the
// same file can write. When it has changed the ring, fn is called again on
// the new ring, and both changes are kept.
func TestUpdateKeysRetriesWhenTheRingChanged(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	st, other := openAt(t, path, Options{}), openAt(t, path, Options{})
	checkErr(t, "ReplaceKeys", st.ReplaceKeys(ctx, iss, []KeyRecord{{ID: "a", Alg: "ES256", State: "active"}}), nil)
	var seen [][]string
	err := st.UpdateKeys(ctx, iss, func(ring []KeyRecord) ([]KeyRecord, error) {
		seen = append(seen, keyIDs(ring))
		if len(seen) < updateAttempts {
			id := fmt.Sprintf("other-%d", len(seen))
			if err := other.ReplaceKeys(ctx, iss, append(slices.Clone(ring), KeyRecord{ID: id, Alg: "ES256", State: "retired"})); err != nil {
				t.Fatalf("another store's ReplaceKeys while fn runs: %v", err)
			}
		}
		return append(ring, KeyRecord{ID: "mine", Alg: "ES256", State: "retired"}), nil
	})
	checkErr(t, "UpdateKeys", err, nil)
	want := fmt.Sprint([][]string{{"a"}, {"a", "other-1"}, {"a", "other-1", "other-2"}})
	if fmt.Sprint(seen) != want {
		t.Errorf("fn saw %v, want %v", seen, want)
	}
	got, _ := st.Keys(ctx, iss) // ordered by CreatedAt (all zero here), then ID
	if ids := fmt.Sprint(keyIDs(got)); ids != "[a mine other-1 other-2]" {
		t.Errorf("Keys() after UpdateKeys = %v, want [a mine other-1 other-2]", ids)
	}
}
