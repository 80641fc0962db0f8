// Command embudo runs Embudo locally (`embudo serve`), administers a
// deployment (`embudo admin bootstrap`), and is the staff's command line
// against the API (internal/cli).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/embudo/embudo/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// stdin is what commands read from (prompts, "-" arguments); tests replace it.
var stdin io.Reader = os.Stdin

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, cli.Usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "backup":
		err = backup(ctx, args[1:], stdout, stderr)
	case "signin-link":
		err = signInLink(ctx, args[1:], stdout, stderr)
	case "copy":
		err = runCopy(ctx, args[1:], stdout, stderr)
	case "admin":
		if len(args) < 2 || args[1] != "bootstrap" {
			fmt.Fprint(stderr, cli.Usage)
			return 2
		}
		err = adminBootstrap(ctx, args[2:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, cli.Usage)
	default:
		handled, cerr := cli.Run(ctx, args, stdin, stdout, stderr)
		if !handled {
			fmt.Fprintf(stderr, "embudo: unknown command %q\n\n%s", args[0], cli.Usage)
			return 2
		}
		err = cerr
	}
	if err != nil {
		if errors.Is(err, errUsage) || errors.Is(err, cli.ErrUsage) {
			return 2
		}
		fmt.Fprintln(stderr, "embudo:", err)
		return 1
	}
	return 0
}
