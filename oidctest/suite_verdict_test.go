package oidctest

import (
	"testing"

	"github.com/testidp/testidp/issuer"
)

// TestVerdictTable is the whole table of expectation × outcome.
func TestVerdictTable(t *testing.T) {
	const (
		ok, wrong, warn, info, skip = VerdictOK, VerdictWrong, VerdictWarn, VerdictInfo, VerdictSkipped
	)
	outcomes := []SuiteGot{GotAccepted, GotRejected, GotError, GotSkipped}
	table := map[issuer.Expect][4]SuiteVerdict{
		//                   accepted rejected error skipped
		issuer.MustReject:   {wrong, ok, wrong, skip},
		issuer.ShouldReject: {warn, ok, warn, skip},
		issuer.Either:       {info, info, warn, skip},
		issuer.ShouldAccept: {ok, warn, warn, skip},
		issuer.MustAccept:   {ok, wrong, wrong, skip},
	}
	for expect, row := range table {
		for i, got := range outcomes {
			if v := verdict(expect, got); v != row[i] {
				t.Errorf("verdict(%s, %s) = %s, want %s", expect, got, v, row[i])
			}
		}
	}
}
