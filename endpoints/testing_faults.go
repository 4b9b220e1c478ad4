package endpoints

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/testidp/testidp/issuer"
)

// manifestJSON is the fault manifest, encoded once.
var manifestJSON = sync.OnceValue(func() []byte {
	b, _ := json.MarshalIndent(issuer.Manifest(), "", "  ")
	return append(b, '\n')
})

// serveFaults is GET {issuer}/_testidp/faults: every fault case variant
// with its verdict, description, references and delivery needs.
func serveFaults(w http.ResponseWriter, r *http.Request) {
	writeStatic(w, r, manifestJSON(), "application/json", "no-store")
}
