package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/embudo/embudo/internal/local"
)

// backup is `embudo backup [--data DIR] FILE`: a consistent copy of the
// embedded database, taken while `embudo serve` runs (or not), into a new
// file that `embudo serve --data` can use as it is (copy it to DIR/embudo.db).
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("embudo backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", ".embudo", "data directory of the database to copy")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: embudo backup [--data DIR] FILE\n\nWrites a consistent copy of DIR/"+local.DBFile+" to FILE (which must not exist), even while embudo serve runs.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		if err == nil {
			fs.Usage()
		}
		return errUsage
	}
	dest := fs.Arg(0)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := local.Backup(ctx, *data, dest, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s.\n", src, dest)
	return nil
}
