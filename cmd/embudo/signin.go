package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/embudo/embudo/internal/local"
)

// signInLink is `embudo signin-link [--data DIR] [--app-url URL] [EMAIL]`:
// a sign-in link of the web app for the active user of EMAIL (the first
// admin without one), made in the local database whether `embudo serve`
// runs on it or not; it works once, for 15 minutes.
func signInLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("embudo signin-link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", ".embudo", "data directory of the database")
	appURL := fs.String("app-url", "http://127.0.0.1:3000/app", "the web app's base URL, as embudo serve answers it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: embudo signin-link [--data DIR] [--app-url URL] [EMAIL]\n\nPrints a link that signs the user of EMAIL (the first admin without one) in to the web app, once, within 15 minutes.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 1 {
		if err == nil {
			fs.Usage()
		}
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return local.SignInLink(ctx, *data, *appURL, fs.Arg(0), stdout, log)
}
