// Package cli is Embudo's staff command line: `embudo <resource> <verb>
// [flags] [args]` against the REST API (internal/client), locally (`embudo
// serve`) or deployed, and `embudo import` and `embudo export`, which move
// CSV files (internal/spreadsheet) through it. One table of resources and
// verbs (resources) drives the dispatch, the help texts and the shell
// completion scripts, so that the three cannot drift apart. Each resource
// or command has its file: contacts.go, opportunities.go, import.go, ...
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/embudo/embudo/internal/client"
)

// Usage is the usage of the whole embudo command: the commands its main
// runs itself (serve, backup, signin-link, copy, admin bootstrap, version)
// and Run's.
const Usage = `embudo: the Embudo CRM.

Usage:
  embudo serve [flags]             run the whole CRM locally (see embudo serve -h)
  embudo backup FILE               copy the local database while it runs (embudo backup -h)
  embudo signin-link [EMAIL]       print a sign-in link to the local web app (embudo signin-link -h)
  embudo copy --from A --to B      move a whole CRM between a data directory and a DynamoDB table
                                   (embudo copy -h)
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

// ErrUsage is returned for a command used wrongly, once what was wrong has
// been written (exit status 2).
var ErrUsage = errors.New("usage")

// Run runs args, a command line without the program's name, when its
// first word after the global flags (--json, --url, --token) is a command
// of the CLI: a resource, login, report, completion, import or export.
// handled is false, and nothing was done, for any other word. Prompts and
// `-` arguments read stdin. A command used wrongly writes why on stderr
// and returns ErrUsage; any other error (the API's, a file's) is returned
// unwritten.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (handled bool, err error) {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return true, runImport(ctx, args[1:], stdin, stdout, stderr)
		case "export":
			return true, runExport(ctx, args[1:], stdout, stderr)
		}
	}
	x := &session{stdout: stdout, stderr: stderr, stdin: stdin}
	rest, err := x.leadingGlobals(args)
	if err != nil {
		fmt.Fprintln(stderr, "embudo:", err)
		return true, ErrUsage
	}
	if len(rest) == 0 {
		fmt.Fprint(stderr, Usage)
		return true, ErrUsage
	}
	r := findResource(rest[0])
	if r == nil {
		if len(rest) == len(args) {
			return false, nil
		}
		fmt.Fprintf(stderr, "embudo: unknown command %q\n\n%s", rest[0], Usage)
		return true, ErrUsage
	}
	return true, x.runResource(ctx, r, rest[1:])
}

// verb is one command of a resource: `embudo contacts list`.
type verb struct {
	name    string // "" for a resource that is its own command (login)
	args    string // synopsis of the positional arguments and main flags
	summary string
	// setup declares the verb's flags on fs and returns what runs it with
	// the positional arguments left after parsing.
	setup func(x *session, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

// resource is a word after `embudo` and its verbs.
type resource struct {
	name    string
	aliases []string
	summary string
	def     string // the verb run when none is given ("" = a verb is required)
	verbs   []verb
}

// single says whether the resource is a command by itself (embudo login).
func (r resource) single() bool { return len(r.verbs) == 1 && r.verbs[0].name == "" }

func (r resource) verb(name string) *verb {
	for i := range r.verbs {
		if r.verbs[i].name == name {
			return &r.verbs[i]
		}
	}
	return nil
}

// resources is every resource of the CLI, in the order help shows them.
func resources() []resource {
	return []resource{
		loginResource(),
		contactsResource(),
		opportunitiesResource(),
		notesResource(),
		remindersResource(),
		filesResource(),
		quotesResource(),
		partyResource("clients", "client", "clients (a converted contact, or created directly with its main contact)"),
		partyResource("suppliers", "supplier", "suppliers (a converted contact, or created directly with its main contact)"),
		sourcesResource(),
		interestsResource(),
		statesResource(),
		agentsResource(),
		usersResource(),
		tokensResource(),
		settingsResource(),
		reportResource(),
		completionResource(),
	}
}

// findResource finds a resource by its name or an alias; nil when none
// is called so.
func findResource(name string) *resource {
	for _, r := range resources() {
		if r.name == name {
			return &r
		}
		for _, a := range r.aliases {
			if a == name {
				return &r
			}
		}
	}
	return nil
}

// session is one run of a CLI command: where it writes, the global
// flags, and the API client and name lookups it builds on first use.
type session struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	json           bool   // --json: print the API's JSON
	url, token     string // --url, --token: override the configuration
	api            *client.Client
	catalogs       map[string]catalogEntry
}

// runResource runs the verb of r that args name (or r's default verb, or
// its help) with the rest of args as its flags and arguments.
func (x *session) runResource(ctx context.Context, r *resource, args []string) error {
	args, err := x.leadingGlobals(args)
	if err != nil {
		fmt.Fprintln(x.stderr, "embudo:", err)
		return ErrUsage
	}
	var v *verb
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") && !r.single():
		x.resourceHelp(x.stdout, r)
		return nil
	case r.single():
		v = &r.verbs[0]
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		if r.def == "" {
			x.resourceHelp(x.stderr, r)
			return ErrUsage
		}
		v = r.verb(r.def)
	default:
		if v = r.verb(args[0]); v == nil {
			fmt.Fprintf(x.stderr, "embudo %s: unknown command %q\n\n", r.name, args[0])
			x.resourceHelp(x.stderr, r)
			return ErrUsage
		}
		args = args[1:]
	}
	name := strings.TrimSpace("embudo " + r.name + " " + v.name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(x.stderr)
	x.globalFlags(fs)
	runner := v.setup(x, fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s %s\n\n%s\n\nFlags:\n", name, v.args, v.summary)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return ErrUsage
	}
	err = runner(ctx, pos)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(x.stderr, "%s: %s\n\n", name, ue.msg)
		fs.Usage()
		return ErrUsage
	}
	return err
}

// usageError is a command used wrongly: its message, then the usage,
// and exit code 2.
type usageError struct{ msg string }

// Error returns the message.
func (e usageError) Error() string { return e.msg }

// usagef makes a usage error.
func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// wantArgs checks the number of positional arguments.
func wantArgs(args []string, n int, what string) error {
	if len(args) != n {
		if n == 0 {
			return usagef("unexpected argument %q", args[0])
		}
		return usagef("needs %s", what)
	}
	return nil
}

func (x *session) globalFlags(fs *flag.FlagSet) {
	fs.BoolVar(&x.json, "json", x.json, "print the API's JSON instead of tables")
	fs.StringVar(&x.url, "url", x.url, "API `URL` (default: EMBUDO_URL, or what embudo login stored)")
	fs.StringVar(&x.token, "token", x.token, "API `token` (default: EMBUDO_TOKEN, or what embudo login stored)")
}

// leadingGlobals takes the global flags (--json, --url, --token) from the
// start of args, so they may come before the resource or the verb too.
func (x *session) leadingGlobals(args []string) ([]string, error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" && args[0] != "--" {
		name, val, hasVal := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		switch name {
		case "json":
			x.json = !hasVal || val == "true" || val == "1"
			args = args[1:]
		case "url", "token":
			if !hasVal {
				if len(args) < 2 {
					return nil, fmt.Errorf("flag needs an argument: -%s", name)
				}
				val, args = args[1], args[1:]
			}
			args = args[1:]
			if name == "url" {
				x.url = val
			} else {
				x.token = val
			}
		default:
			return args, nil
		}
	}
	return args, nil
}

// parseInterspersed parses fs from args with flags allowed anywhere among the
// positional arguments, which it returns; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		before := len(args)
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := before - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// resourceHelp lists a resource's verbs.
func (x *session) resourceHelp(w io.Writer, r *resource) {
	fmt.Fprintf(w, "embudo %s: %s\n\nUsage:\n", r.name, r.summary)
	for _, v := range r.verbs {
		fmt.Fprintf(w, "  embudo %s\n      %s\n", strings.TrimSpace(r.name+" "+v.name+" "+v.args),
			strings.ReplaceAll(v.summary, "\n", "\n      "))
	}
	if r.def != "" {
		fmt.Fprintf(w, "\nWithout a command: %s.\n", r.def)
	}
	fmt.Fprintf(w, "\nEvery command takes --json, --url and --token; embudo %s COMMAND -h lists its flags.\n", r.name)
}
