package main

// The staff CLI: `embudo <resource> <verb> [flags] [args]` against the REST
// API, locally (`make run`) or deployed. One table of resources and verbs
// (cliResources) drives the dispatch, the help texts and the shell
// completion scripts, so that the three cannot drift apart.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/embudo/embudo/internal/client"
)

// cliVerb is one command of a resource: `embudo contacts list`.
type cliVerb struct {
	name    string // "" for a resource that is its own command (login)
	args    string // synopsis of the positional arguments and main flags
	summary string
	// setup declares the verb's flags on fs and returns what runs it with
	// the positional arguments left after parsing.
	setup func(x *cliSession, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

// cliResource is a word after `embudo` and its verbs.
type cliResource struct {
	name    string
	aliases []string
	summary string
	def     string // the verb run when none is given ("" = a verb is required)
	verbs   []cliVerb
}

// single says whether the resource is a command by itself (embudo login).
func (r cliResource) single() bool { return len(r.verbs) == 1 && r.verbs[0].name == "" }

func (r cliResource) verb(name string) *cliVerb {
	for i := range r.verbs {
		if r.verbs[i].name == name {
			return &r.verbs[i]
		}
	}
	return nil
}

// cliResources is every resource of the CLI, in the order help shows them.
func cliResources() []cliResource {
	return []cliResource{
		cliLoginResource(),
		cliContactsResource(),
		cliOpportunitiesResource(),
		cliNotesResource(),
		cliRemindersResource(),
		cliFilesResource(),
		cliQuotesResource(),
		cliPartyResource("clients", "client", "clients (a converted contact, or created directly with its main contact)"),
		cliPartyResource("suppliers", "supplier", "suppliers (a converted contact, or created directly with its main contact)"),
		cliSourcesResource(),
		cliInterestsResource(),
		cliStatesResource(),
		cliAgentsResource(),
		cliUsersResource(),
		cliTokensResource(),
		cliSettingsResource(),
		cliReportResource(),
		cliCompletionResource(),
	}
}

func cliFindResource(name string) *cliResource {
	for _, r := range cliResources() {
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

// cliSession is one run of a CLI command: where it writes, the global
// flags, and the API client and name lookups it builds on first use.
type cliSession struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	json           bool   // --json: print the API's JSON
	url, token     string // --url, --token: override the configuration
	api            *client.Client
	catalogs       map[string]cliCatalog
}

// cliStdin is where prompts read from; tests replace it.
var cliStdin io.Reader = os.Stdin

// runClient runs the API commands (contacts, opportunities, ...); handled
// is false for a word that is not one of them.
func runClient(ctx context.Context, args []string, stdout, stderr io.Writer) (bool, error) {
	x := &cliSession{stdout: stdout, stderr: stderr, stdin: cliStdin}
	rest, err := x.leadingGlobals(args)
	if err != nil {
		fmt.Fprintln(stderr, "embudo:", err)
		return true, errUsage
	}
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return true, errUsage
	}
	r := cliFindResource(rest[0])
	if r == nil {
		if len(rest) == len(args) {
			return false, nil
		}
		fmt.Fprintf(stderr, "embudo: unknown command %q\n\n%s", rest[0], usage)
		return true, errUsage
	}
	return true, x.runResource(ctx, r, rest[1:])
}

func (x *cliSession) runResource(ctx context.Context, r *cliResource, args []string) error {
	args, err := x.leadingGlobals(args)
	if err != nil {
		fmt.Fprintln(x.stderr, "embudo:", err)
		return errUsage
	}
	var v *cliVerb
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") && !r.single():
		x.resourceHelp(x.stdout, r)
		return nil
	case r.single():
		v = &r.verbs[0]
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		if r.def == "" {
			x.resourceHelp(x.stderr, r)
			return errUsage
		}
		v = r.verb(r.def)
	default:
		if v = r.verb(args[0]); v == nil {
			fmt.Fprintf(x.stderr, "embudo %s: unknown command %q\n\n", r.name, args[0])
			x.resourceHelp(x.stderr, r)
			return errUsage
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
	pos, err := cliParseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return errUsage
	}
	err = runner(ctx, pos)
	var ue cliUsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(x.stderr, "%s: %s\n\n", name, ue.msg)
		fs.Usage()
		return errUsage
	}
	return err
}

// cliUsageError is a command used wrongly: its message, then the usage,
// and exit code 2.
type cliUsageError struct{ msg string }

// Error returns the message.
func (e cliUsageError) Error() string { return e.msg }

// cliUsagef makes a usage error.
func cliUsagef(format string, a ...any) error { return cliUsageError{fmt.Sprintf(format, a...)} }

// cliArgs checks the number of positional arguments.
func cliArgs(args []string, n int, what string) error {
	if len(args) != n {
		if n == 0 {
			return cliUsagef("unexpected argument %q", args[0])
		}
		return cliUsagef("needs %s", what)
	}
	return nil
}

func (x *cliSession) globalFlags(fs *flag.FlagSet) {
	fs.BoolVar(&x.json, "json", x.json, "print the API's JSON instead of tables")
	fs.StringVar(&x.url, "url", x.url, "API `URL` (default: EMBUDO_URL, or what embudo login stored)")
	fs.StringVar(&x.token, "token", x.token, "API `token` (default: EMBUDO_TOKEN, or what embudo login stored)")
}

// leadingGlobals takes the global flags (--json, --url, --token) from the
// start of args, so they may come before the resource or the verb too.
func (x *cliSession) leadingGlobals(args []string) ([]string, error) {
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

// cliParseArgs parses fs from args with flags allowed anywhere among the
// positional arguments, which it returns; "--" ends the flags.
func cliParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
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
func (x *cliSession) resourceHelp(w io.Writer, r *cliResource) {
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

// client returns the API client of the configuration, with the --url and
// --token overrides.
func (x *cliSession) client() (*client.Client, error) {
	if x.api != nil {
		return x.api, nil
	}
	cl, err := cliConfigClient(x.url, x.token)
	if err != nil {
		return nil, err
	}
	x.api = cl
	return x.api, nil
}

// cliConfigClient returns a client of the stored configuration (see
// client.LoadConfig) with apiURL and token, when not "", in its place;
// an error when there is no token.
func cliConfigClient(apiURL, token string) (*client.Client, error) {
	cfg, err := client.LoadConfig()
	if err != nil {
		return nil, err
	}
	if apiURL != "" {
		cfg.URL = apiURL
	}
	if token != "" {
		cfg.Token = token
	}
	if cfg.Token == "" {
		return nil, errors.New("no API token: set EMBUDO_TOKEN, pass --token, or run embudo login")
	}
	return client.New(cfg.URL, cfg.Token), nil
}

// cliSortedKeys returns the keys of m in order.
func cliSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
