package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/embudo/embudo"

// kind is a package's place in the shape.
type kind int

const (
	domain  kind = iota // internal/crm: the entities, the use cases, the store ports
	core                // the change core and its rules: no AWS, no adapter
	helper              // small pure helpers shared by adapters
	adapter             // one technology behind a port, or one way in
	runtime             // what every Lambda function shares: configuration, logger, SDK setup
	wiring              // builds adapters and starts a program: functions, embudo, local, transfer
	support             // test support: imported by tests and other test support only
	tool                // a developer's program under tools/
)

// rule is one row of the table in docs/architecture.md, "Packages and what
// they may import".
type rule struct {
	pkg  string // the package, relative to the module ("functions/*": each function)
	kind kind
	// may is what the package may import besides the standard library:
	// module packages by their path relative to the module, other modules'
	// packages by an import path prefix; "*" is anything. Only the
	// package's own files count, not its tests'.
	may []string
	// noAWS: nothing it links, directly or not, is AWS code (github.com/aws/...).
	noAWS bool
	// never is what must not be among everything it links, directly or not
	// (same notation as may).
	never []string
	// onlyFrom, if set, are the only packages that may import it.
	onlyFrom []string
}

// The SDK's shared core every AWS adapter imports with its own client.
const (
	awsCore    = "github.com/aws/aws-sdk-go-v2/aws"
	smithy     = "github.com/aws/smithy-go"
	lambdaEvts = "github.com/aws/aws-lambda-go/events"
	sesv2      = "github.com/aws/aws-sdk-go-v2/service/sesv2"
	scheduler  = "github.com/aws/aws-sdk-go-v2/service/scheduler"
	xtext      = "golang.org/x/text"
)

// changeCore is the code of the change-driven e-mails and reminders, which
// only the stream and reminder functions (and embudo serve) run.
var changeCore = []string{"internal/stream", "internal/notify", "internal/mail", "internal/remind"}

// rules mirrors the tables of docs/architecture.md ("Packages and what they
// may import", and the change core's under "Shape"): a change to one is a
// change to the other. Every package of the module has a row.
var rules = []rule{
	// The domain and the change core.
	{pkg: "internal/crm", kind: domain, noAWS: true,
		may: []string{"github.com/oklog/ulid/v2", "github.com/nyaruka/phonenumbers", xtext}},
	{pkg: "internal/notify", kind: core, noAWS: true, may: []string{"internal/crm"}},
	{pkg: "internal/remind", kind: core, noAWS: true, may: []string{"internal/crm"}},
	{pkg: "internal/stream", kind: core, noAWS: true, may: []string{"internal/crm", "internal/notify", "internal/remind"}},

	// Helpers.
	{pkg: "internal/jsonutf8", kind: helper, noAWS: true},
	{pkg: "internal/csvsafe", kind: helper, noAWS: true},
	{pkg: "internal/reportcsv", kind: helper, noAWS: true, may: []string{"internal/crm", "internal/csvsafe"}},

	// Adapters: each imports the domain, helpers and its own technology;
	// never another adapter but for the exceptions in adapterImports.
	{pkg: "internal/dynamo", kind: adapter,
		may: []string{"internal/crm", awsCore, "github.com/aws/aws-sdk-go-v2/service/dynamodb",
			"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue", smithy, lambdaEvts}},
	{pkg: "internal/sqlite", kind: adapter, noAWS: true, may: []string{"internal/crm", "modernc.org/sqlite"}},
	{pkg: "internal/mail", kind: adapter, may: []string{"internal/crm", "internal/mail/envelope", awsCore, sesv2, smithy}},
	{pkg: "internal/mail/envelope", kind: helper, noAWS: true, may: []string{"internal/crm"}},
	{pkg: "internal/mail/seshttp", kind: adapter, may: []string{"internal/crm", "internal/mail/envelope", awsCore}, never: []string{sesv2}},
	{pkg: "internal/remind/eventbridge", kind: adapter, may: []string{"internal/crm", "internal/remind", awsCore, scheduler}},
	// The S3 adapter signs its requests itself: the SDK's SigV4 signer, no S3 client.
	{pkg: "internal/blob", kind: adapter, may: []string{"internal/crm", awsCore}, never: []string{"github.com/aws/aws-sdk-go-v2/service"}},
	{pkg: "internal/graph", kind: adapter, noAWS: true, may: []string{"internal/crm"}},
	{pkg: "internal/leads", kind: adapter, noAWS: true, may: []string{"internal/crm", "internal/jsonutf8", xtext}},
	{pkg: "internal/httpapi", kind: adapter, noAWS: true,
		may: []string{"internal/crm", "internal/leads", "internal/jsonutf8", "internal/csvsafe", "internal/reportcsv"}},
	{pkg: "internal/inbound", kind: adapter,
		may: []string{"internal/crm", "internal/inbound/reply", "github.com/emersion/go-message", "golang.org/x/net/html", lambdaEvts}},
	{pkg: "internal/inbound/reply", kind: adapter, noAWS: true, may: []string{"internal/crm", "github.com/oklog/ulid/v2"}},
	{pkg: "internal/client", kind: adapter, noAWS: true},
	{pkg: "internal/webapp", kind: adapter, noAWS: true, may: []string{"internal/crm", xtext, "internal/reportcsv"}},
	{pkg: "internal/spreadsheet", kind: adapter, noAWS: true, may: []string{"internal/crm", xtext, "internal/csvsafe"}},
	{pkg: "internal/cli", kind: adapter, noAWS: true, onlyFrom: []string{"cmd/embudo"},
		may: []string{"internal/client", "internal/spreadsheet", "internal/crm"}},

	// What the Lambda functions share: no adapter.
	{pkg: "internal/config", kind: runtime, noAWS: true},
	{pkg: "internal/awsenv", kind: runtime,
		may: []string{"internal/config", awsCore, "github.com/aws/aws-sdk-go-v2/credentials",
			"github.com/aws/aws-sdk-go-v2/service/dynamodb", "github.com/aws/aws-lambda-go"}},
	{pkg: "infra", kind: runtime, may: []string{"github.com/aws/aws-sdk-go-v2", "github.com/awslabs/goformation/v7"}},

	// Wiring. Each function links only what its main builds.
	{pkg: "functions/webhook", kind: wiring, may: []string{"*"},
		never: append([]string{sesv2, scheduler, "internal/blob", "internal/inbound"}, changeCore...)},
	{pkg: "functions/api", kind: wiring, may: []string{"*"}, // mail/seshttp: the web app's sign-in links, without the SDK's SES client
		never: []string{sesv2, scheduler, "internal/graph", "internal/inbound", "internal/stream", "internal/notify", "internal/remind"}},
	{pkg: "functions/reminder", kind: wiring, may: []string{"*"},
		never: []string{scheduler, "internal/remind/eventbridge", "internal/graph", "internal/blob", "internal/httpapi"}},
	{pkg: "functions/stream", kind: wiring, may: []string{"*"},
		never: []string{"internal/graph", "internal/blob", "internal/httpapi"}},
	{pkg: "functions/inbound", kind: wiring, may: []string{"*"},
		never: append([]string{sesv2, scheduler, "internal/graph", "internal/httpapi"}, changeCore...)},
	{pkg: "functions/*", kind: wiring, may: []string{"*"}, never: []string{"internal/cli", "internal/local", "internal/transfer"}},
	{pkg: "internal/local", kind: wiring, onlyFrom: []string{"cmd/embudo"},
		may: []string{"internal/crm", "internal/blob", "internal/dynamo", "internal/graph", "internal/httpapi", "internal/inbound",
			"internal/inbound/reply", "internal/mail", "internal/remind", "internal/sqlite", "internal/stream", "internal/webapp", "infra",
			"github.com/aws/aws-sdk-go-v2", "github.com/emersion/go-smtp"}},
	{pkg: "internal/transfer", kind: wiring, onlyFrom: []string{"cmd/embudo"},
		may: []string{"internal/crm", "internal/sqlite", "internal/dynamo", "internal/blob"}},
	{pkg: "cmd/embudo", kind: wiring, may: []string{"*"}},

	// Test support and tools.
	{pkg: "internal/storetest", kind: support, noAWS: true, may: []string{"internal/crm"}},
	{pkg: "internal/dynamotest", kind: support, may: []string{"*"}},
	{pkg: "internal/rietest", kind: support, may: []string{"*"}},
	{pkg: "internal/emulate", kind: support, may: []string{"*"}},
	{pkg: "internal/awstest", kind: support, may: []string{"*"}},
	{pkg: "internal/perf", kind: support, may: []string{"*"}},
	{pkg: "internal/dynamo/leadcost", kind: support, may: []string{"*"}},
	{pkg: "internal/inbound/inboundtest", kind: support, may: []string{"internal/crm"}},
	{pkg: "internal/webapp/webtest", kind: support, may: []string{"*"}},
	{pkg: "internal/archtest", kind: support},
	{pkg: "tools/mutants", kind: tool},
}

// adapterImports are the only adapters an adapter may import
// (docs/architecture.md: "Adapters never import each other", and its
// exceptions): the API parses leads with the pure functions of leads, the CLI
// talks through the API client and reads and writes spreadsheets, and the
// e-mail intake uses the reply tokens it puts into notifications.
var adapterImports = map[string][]string{
	"internal/httpapi": {"internal/leads"},
	"internal/cli":     {"internal/client", "internal/spreadsheet"},
	"internal/inbound": {"internal/inbound/reply"},
}

// pkg is what `go list -json` says of a package.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Error      *struct{ Err string }
}

// listModule lists every package of the module, built as the functions are
// (lambda.norpc), with its imports and everything it links.
func listModule(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-tags", "lambda.norpc", "-json=ImportPath,Imports,Deps,Error", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("%s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs[rel(p.ImportPath)] = &p
	}
	if len(pkgs) == 0 {
		t.Fatal("go list listed no package")
	}
	return pkgs
}

// rel is an import path relative to the module, or the path itself when it
// is another module's.
func rel(path string) string {
	if path == module {
		return "."
	}
	return strings.TrimPrefix(path, module+"/")
}

// standard reports whether an import path is the standard library's (its
// first element has no dot; vendor/ is the standard library's own copy).
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// matches reports whether the import path p (relative to the module when it
// is the module's) is the pattern or below it.
func matches(p, pattern string) bool {
	return pattern == "*" || p == pattern || strings.HasPrefix(p, pattern+"/")
}

func matchesAny(p string, patterns []string) bool {
	return slices.ContainsFunc(patterns, func(pat string) bool { return matches(p, pat) })
}

// rulesOf are the rows that apply to a package: its own, and "functions/*"
// for a function.
func rulesOf(p string) []rule {
	var out []rule
	for _, r := range rules {
		if r.pkg == p || (strings.HasSuffix(r.pkg, "/*") && strings.HasPrefix(p, strings.TrimSuffix(r.pkg, "*")) &&
			!strings.Contains(strings.TrimPrefix(p, strings.TrimSuffix(r.pkg, "*")), "/")) {
			out = append(out, r)
		}
	}
	return out
}

func kindOf(p string) (kind, bool) {
	for _, r := range rulesOf(p) {
		return r.kind, true
	}
	return 0, false
}

// TestImportRules checks the module's packages against the table of rules.
func TestImportRules(t *testing.T) {
	t.Parallel()
	pkgs := listModule(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for p := range pkgs {
			if !yield(p) {
				return
			}
		}
	})
	for _, r := range rules {
		if !strings.HasSuffix(r.pkg, "/*") && pkgs[r.pkg] == nil {
			// A row may come before its package does (another change in flight);
			// it is said, not failed.
			t.Logf("the rule of %s names no package of the module", r.pkg)
		}
	}
	for _, name := range names {
		p := pkgs[name]
		rs := rulesOf(name)
		if len(rs) == 0 {
			t.Errorf("%s has no row in the import rules: add it to internal/archtest and docs/architecture.md", name)
			continue
		}
		k := rs[0].kind
		for _, imp := range p.Imports {
			if standard(imp) {
				continue
			}
			ri := rel(imp)
			for _, r := range rs {
				if !matchesAny(ri, r.may) {
					t.Errorf("%s imports %s, which its row does not allow (may import: %s)", name, ri, allowed(r))
				}
			}
			// Adapters do not import each other.
			if ik, ok := kindOf(ri); ok && k == adapter && ik == adapter && !slices.Contains(adapterImports[name], ri) {
				t.Errorf("adapter %s imports adapter %s: adapters never import each other", name, ri)
			}
			// Test support is for tests.
			if ik, ok := kindOf(ri); ok && ik == support && k != support {
				t.Errorf("%s imports %s, which is test support", name, ri)
			}
			// Wiring that only its command imports.
			for _, r := range rulesOf(ri) {
				if r.onlyFrom != nil && !slices.Contains(r.onlyFrom, name) {
					t.Errorf("%s imports %s, which only %s may import", name, ri, strings.Join(r.onlyFrom, ", "))
				}
			}
		}
		for _, r := range rs {
			if r.noAWS {
				if aws := linked(p, "github.com/aws"); len(aws) > 0 {
					t.Errorf("%s links AWS code (%s); it must link none", name, summary(aws))
				}
			}
			for _, never := range r.never {
				if l := linked(p, never); len(l) == 1 && l[0] == never {
					t.Errorf("%s links %s, which it does not wire", name, never)
				} else if len(l) > 0 {
					t.Errorf("%s links %s, which it does not wire (%s)", name, never, summary(l))
				}
			}
		}
	}
}

func allowed(r rule) string {
	if len(r.may) == 0 {
		return "the standard library only"
	}
	return "the standard library, " + strings.Join(r.may, ", ")
}

// linked are the packages p links, directly or not, that match pattern.
func linked(p *pkg, pattern string) []string {
	var out []string
	for _, dep := range p.Deps {
		if d := rel(dep); matches(d, pattern) {
			out = append(out, d)
		}
	}
	return out
}

// summary names the first of a list of packages and how many there are.
func summary(l []string) string {
	if len(l) == 1 {
		return l[0]
	}
	return fmt.Sprintf("%s and %d more", l[0], len(l)-1)
}
