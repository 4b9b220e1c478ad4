package endpoints

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration, at a field path such as
// "clients[1].redirect_uris[0]".
type Problem struct {
	Path    string
	Message string
}

// ConfigError lists every problem found in a configuration.
type ConfigError struct {
	Problems []Problem
}

func (e *ConfigError) add(path, format string, args ...any) {
	e.Problems = append(e.Problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Path, p.Message)
	}
	return b.String()
}
