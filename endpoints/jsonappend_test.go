package endpoints

import (
	"encoding/json"
	"testing"
)

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "eyJhbGciOi.x-y_z", `quote " and \ back`, "ctl \x01\n\t", "<&>", "é ✓", "bad \xff utf-8"} {
		got := appendJSONString([]byte("x"), s)
		want, _ := json.Marshal(s)
		if string(got) != "x"+string(want) {
			t.Errorf("appendJSONString(%q) = %s, want x%s", s, got, want)
		}
	}
}
