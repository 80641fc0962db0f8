// Command embudo runs Embudo locally (`embudo serve`) and administers a
// deployment (`embudo admin bootstrap`).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `embudo: the Embudo CRM.

Usage:
  embudo serve [flags]             run the whole CRM locally (see embudo serve -h)
  embudo admin bootstrap [flags]   create the first admin of a deployed table
  embudo version                   print the version
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "admin":
		if len(args) < 2 || args[1] != "bootstrap" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = adminBootstrap(ctx, args[2:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "embudo: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintln(stderr, "embudo:", err)
		return 1
	}
	return 0
}
