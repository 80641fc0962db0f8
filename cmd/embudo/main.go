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
  embudo backup FILE               copy the local database while it runs (embudo backup -h)
  embudo admin bootstrap [flags]   create the first admin of a deployed table
  embudo login                     store the API URL and token for the commands below
  embudo <resource> <command>      work with the API: contacts, opportunities, notes, reminders,
                                   files, quotes, clients, suppliers, sources, interests, states,
                                   agents, users, tokens, settings (embudo <resource> -h)
  embudo report sources            the source effectiveness report
  embudo import contacts FILE.csv  import contacts from a CSV file
  embudo export contacts|opportunities
  embudo completion bash|zsh|fish  print a shell completion script
  embudo version                   print the version

The API is EMBUDO_URL (default http://127.0.0.1:3000) with the token EMBUDO_TOKEN, or what
embudo login stored; --url and --token override both. --json prints the API's JSON instead
of tables. Exit status: 0 done, 1 the API (or anything else) failed, 2 a command used wrongly.
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
	case "backup":
		err = backup(ctx, args[1:], stdout, stderr)
	case "admin":
		if len(args) < 2 || args[1] != "bootstrap" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = adminBootstrap(ctx, args[2:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version)
	case "import":
		err = runImport(ctx, args[1:], stdout, stderr)
	case "export":
		err = runExport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		handled, cerr := runClient(ctx, args, stdout, stderr)
		if !handled {
			fmt.Fprintf(stderr, "embudo: unknown command %q\n\n%s", args[0], usage)
			return 2
		}
		err = cerr
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
