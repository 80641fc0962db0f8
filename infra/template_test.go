package infra

import (
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/config"
)

// maxBinaryBytes is the size limit of a stripped linux/arm64 bootstrap:
// MAX_BINARY_MB of the Makefile, where the number and its reason are
// stated, in MB of 1,048,576 bytes (as `make build` prints sizes).
func maxBinaryBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^MAX_BINARY_MB\s*:=\s*([0-9]+)\s*$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile sets no MAX_BINARY_MB := <number>")
	}
	mb, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil || mb <= 0 {
		t.Fatalf("MAX_BINARY_MB = %s, want a positive number of MB", m[1])
	}
	return mb << 20
}

// functionDirs maps each AWS::Serverless::Function to its CodeUri, relative
// to the repository root.
func functionDirs(t *testing.T, tmpl cfnTemplate) map[string]string {
	t.Helper()
	dirs := map[string]string{}
	for name, fn := range tmpl.resources("AWS::Serverless::Function") {
		uri := asString(lookup(fn, "Properties", "CodeUri"))
		if uri == "" {
			t.Errorf("%s: CodeUri must be a local directory", name)
			continue
		}
		dirs[name] = filepath.Clean(uri)
	}
	if len(dirs) == 0 {
		t.Fatal("template declares no AWS::Serverless::Function")
	}
	return dirs
}

func TestTemplateGlobals(t *testing.T) {
	g := lookup(loadTemplate(t), "Globals", "Function")
	if got := asString(lookup(g, "Runtime")); got != "provided.al2023" {
		t.Errorf("Globals.Function.Runtime = %q, want provided.al2023", got)
	}
	if got := asString(lookup(g, "Handler")); got != "bootstrap" {
		t.Errorf("Globals.Function.Handler = %q, want bootstrap", got)
	}
	if got := asList(lookup(g, "Architectures")); len(got) != 1 || got[0] != "arm64" {
		t.Errorf("Globals.Function.Architectures = %v, want [arm64] (the Makefile builds arm64)", got)
	}
	vars, ok := lookup(g, "Environment", "Variables").(map[string]any)
	if !ok {
		t.Fatal("Globals.Function.Environment is missing")
	}
	// Exactly the core every function reads; each adds its own.
	var core []string
	for _, v := range config.Vars(config.Needs{}) {
		if !v.ByLambda {
			core = append(core, v.Name)
		}
	}
	sort.Strings(core)
	if got := sortedKeys(vars); !slices.Equal(got, core) {
		t.Errorf("Globals.Function.Environment has %v, want the variables every function reads: %v", got, core)
	}
}

// TestTemplateDeclaresEveryFunction fails when a functions/<name>/ directory
// is not deployed by the template.
func TestTemplateDeclaresEveryFunction(t *testing.T) {
	declared := map[string]bool{}
	for _, dir := range functionDirs(t, loadTemplate(t)) {
		declared[dir] = true
	}
	entries, err := os.ReadDir("../functions")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		dir := filepath.Join("functions", e.Name())
		if e.IsDir() && !declared[dir] {
			t.Errorf("%s/ has no AWS::Serverless::Function in template.yaml", dir)
		}
	}
}

// TestTemplateFunctionsBuild builds every function the template deploys
// the way sam build does (BuildMethod makefile: `make build-<LogicalId>`
// with ARTIFACTS_DIR set, run from a scratch copy of the CodeUri) and checks
// that the artefact is what `make build` measures: linux/arm64, static,
// built with lambda.norpc and -trimpath, stripped (-s -w), under the size
// limit.
func TestTemplateFunctionsBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles every function; skipped with -short")
	}
	tmpl := loadTemplate(t)
	dirs := functionDirs(t, tmpl)
	names := make([]string, 0, len(dirs))
	for name := range dirs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		dir := dirs[name]
		t.Run(name, func(t *testing.T) {
			meta := lookup(tmpl.resource(t, name), "Metadata")
			if bm := asString(lookup(meta, "BuildMethod")); bm != "makefile" {
				t.Errorf("Metadata.BuildMethod = %q, want makefile (the go1.x builder does not strip)", bm)
			}
			ctxPath := asString(lookup(meta, "ContextPath"))
			if filepath.Clean(ctxPath) != "." {
				t.Errorf("Metadata.ContextPath = %q, want . (the Makefile at the root)", ctxPath)
			}
			makefile, err := filepath.Abs(filepath.Join("..", ctxPath, "Makefile"))
			if err != nil {
				t.Fatal(err)
			}
			scratch := t.TempDir()
			if err := os.CopyFS(scratch, os.DirFS(filepath.Join("..", dir))); err != nil {
				t.Fatalf("copy CodeUri %s: %v", dir, err)
			}
			artifacts := t.TempDir()
			cmd := exec.Command("make", "--no-print-directory", "--makefile", makefile, "build-"+name)
			cmd.Dir = scratch
			cmd.Env = append(os.Environ(), "ARTIFACTS_DIR="+artifacts)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s: %v\n%s", name, err, b)
			}
			checkLambdaBinary(t, filepath.Join(artifacts, "bootstrap"), "./"+filepath.ToSlash(dir))
		})
	}
}

// checkLambdaBinary fails unless path is a stripped, static linux/arm64
// build of pkg with the lambda.norpc tag and -trimpath, under the limit.
func checkLambdaBinary(t *testing.T, path, pkg string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if max := maxBinaryBytes(t); st.Size() > max {
		t.Errorf("bootstrap is %d bytes (%.1f MB), over the Makefile's MAX_BINARY_MB (%d MB)", st.Size(), float64(st.Size())/(1<<20), max>>20)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("machine %v, want arm64 (the template's Architectures)", f.Machine)
	}
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			t.Errorf("section %s: the binary is not stripped (-ldflags='-s -w')", s.Name)
		}
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Path != strings.TrimPrefix(pkg, "./") && !strings.HasSuffix(info.Path, strings.TrimPrefix(pkg, ".")) {
		t.Errorf("built %s, want %s", info.Path, pkg)
	}
	want := map[string]string{"-tags": "lambda.norpc", "-trimpath": "true", "CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "arm64"}
	for _, s := range info.Settings {
		if v, ok := want[s.Key]; ok {
			if s.Value != v {
				t.Errorf("build setting %s=%s, want %s", s.Key, s.Value, v)
			}
			delete(want, s.Key)
		}
	}
	for k, v := range want {
		t.Errorf("build setting %s missing, want %s", k, v)
	}
}
