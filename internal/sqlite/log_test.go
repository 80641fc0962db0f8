package sqlite_test

import (
	"io"
	"log/slog"
)

// quiet is the logger of tests that expect failures.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
