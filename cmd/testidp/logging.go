package main

import (
	"io"
	"log/slog"

	"github.com/testidp/testidp/endpoints"
)

// newLogger builds the log of a run: text or JSON lines at the configured
// level (validated by loadConfig), written to w.
func newLogger(c endpoints.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // "debug", "info", "warn", "error"
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
