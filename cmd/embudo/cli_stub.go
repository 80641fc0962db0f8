package main

import (
	"context"
	"errors"
	"io"
)

// runClient runs the API commands (contacts, opportunities, ...); handled
// is false for a word that is not one of them.
func runClient(ctx context.Context, args []string, stdout, stderr io.Writer) (bool, error) {
	return false, nil
}

// runImport runs `embudo import`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("import: not built yet")
}

// runExport runs `embudo export`.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("export: not built yet")
}
