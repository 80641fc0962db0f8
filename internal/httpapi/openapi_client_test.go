package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The Go client generator the document must feed, as the Makefile pins it
// (make tools installs it into ./bin), and the version of its runtime
// library the generated client is compiled with.
const (
	oapiCodegenPkg = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	oapiRuntimeMod = "github.com/oapi-codegen/runtime"
)

// TestOpenAPIGeneratesAGoClient generates a Go client (types and client)
// from the served GET /openapi.json with oapi-codegen, the common Go
// generator, checks that every operation has its method, and compiles it
// in a module of its own (its one dependency, oapi-codegen's runtime,
// through the module proxy). The generator stops at what it cannot read
// (a `type` list such as [string, integer]), and some of what it reads
// does not compile (two properties named alike, a nullable map value), so
// this is the test that the document feeds it.
func TestOpenAPIGeneratesAGoClient(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	version, runtimeVersion := makeVar(t, root, "OAPI_CODEGEN_VERSION"), makeVar(t, root, "OAPI_RUNTIME_VERSION")
	e := newEnv(t)
	res := e.do("GET", "/openapi.json", "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /openapi.json = %d", res.Status)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("openapi.json", res.Body)

	gen := []string{filepath.Join(root, "bin", "oapi-codegen")}
	if out, err := exec.Command(gen[0], "-version").Output(); err != nil || !strings.Contains(string(out), version) {
		t.Logf("bin/oapi-codegen %s not installed (make tools): go run %s@%s", version, oapiCodegenPkg, version)
		gen = []string{"go", "run", oapiCodegenPkg + "@" + version}
	}
	args := append(gen[1:], "-generate", "types,client", "-package", "embudoclient", "-o", "client.go", "openapi.json")
	runIn(t, dir, gen[0], args...)

	src, err := os.ReadFile(filepath.Join(dir, "client.go"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	ops := 0
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if method == "parameters" || json.Unmarshal(raw, &op) != nil {
				continue
			}
			ops++
			name := []rune(op.OperationID)
			if len(name) == 0 {
				t.Errorf("%s %s has no operationId", method, path)
				continue
			}
			name[0] = unicode.ToUpper(name[0])
			if !regexp.MustCompile(`func \(c \*Client\) ` + string(name) + `(WithBody)?\(`).Match(src) {
				t.Errorf("%s %s (%s): no client method was generated", method, path, op.OperationID)
			}
		}
	}
	if ops < 80 {
		t.Fatalf("the document has %d operations: not the whole API", ops)
	}

	write("go.mod", []byte("module embudo.test/client\n\ngo 1.26\n\nrequire "+oapiRuntimeMod+" "+runtimeVersion+"\n"))
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		write("go.sum", sum) // the sums the repository knows; the rest come from the proxy's checksum database
	}
	runIn(t, dir, "go", "build", "./...")
}

// makeVar returns the value of a `NAME := value` line of the Makefile.
func makeVar(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + name + `\s*:=\s*(\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("the Makefile sets no %s", name)
	}
	return string(m[1])
}

// runIn runs a command in dir in module mode outside any workspace, failing
// the test with its output if it fails.
func runIn(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
}
