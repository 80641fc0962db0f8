// Command mutants completes a gremlins (github.com/go-gremlins/gremlins
// v0.6.0) report of one package, where the tool's own figures mislead, and
// prints the package's figures for docs/testing.md with every mutant that
// survived or was not run.
//
// gremlins decides that a mutant is covered when its position lies in a
// block of the coverage profile. The conditions of a switch's cases lie
// between blocks, and so do the values of package-level constants and
// variables, so it never runs their mutants and calls them "not covered",
// even where every test evaluates them. It also reads a mutant that does
// not compile (a string "+" made "-") as killed, since go test exits 1 on
// a build failure as on a failing test. This command runs every mutant in
// a case condition of a switch the tests reach and in a package-level
// const or var, with the same token swap gremlins makes, through
// `go test -overlay` (the source files are never written), and builds
// every killed arithmetic mutant to tell a compile error from a failing
// test.
//
// Usage, from the module root, after
// `gremlins unleash -o report.json ./internal/X`:
//
//	go run ./tools/mutants -report report.json ./internal/X
//
// A run stopped before its end writes no JSON report; its text output
// (-report gremlins.log) gives what it measured.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// report is the part of gremlins' JSON output this command reads.
type report struct {
	Files []struct {
		FileName  string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// mutant is one mutation and what became of it.
type mutant struct {
	File         string // relative to the package directory
	Line, Column int
	Type         string
	Status       string // KILLED, LIVED, NOT COVERED, TIMED OUT, NOT VIABLE
	By           string // "gremlins" or "mutants" (this command)
}

// swaps are gremlins' token swaps (internal/engine/mappings.go), as text.
var swaps = map[string]map[string]string{
	"ARITHMETIC_BASE":       {"+": "-", "*": "/", "/": "*", "%": "*", "-": "+"},
	"CONDITIONALS_BOUNDARY": {">=": ">", ">": ">=", "<=": "<", "<": "<="},
	"CONDITIONALS_NEGATION": {"==": "!=", ">=": "<", ">": "<=", "<=": ">", "<": ">=", "!=": "=="},
	"INCREMENT_DECREMENT":   {"--": "++", "++": "--"},
	"INVERT_NEGATIVES":      {"-": "+"},
}

func main() {
	reportPath := flag.String("report", "", "gremlins' JSON report (-o) of the package, or its text output (a .log file)")
	timeout := flag.Duration("timeout", 0, "time limit of one mutant's tests (default: 3 × the unmutated run + 10 s)")
	flag.Parse()
	if *reportPath == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./tools/mutants -report report.json ./internal/X")
		os.Exit(2)
	}
	if err := run(*reportPath, flag.Arg(0), *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

func run(reportPath, pkg string, timeout time.Duration) error {
	b, err := os.ReadFile(reportPath)
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(pkg)
	if err != nil {
		return err
	}
	var ms []*mutant
	if strings.HasSuffix(reportPath, ".json") {
		var rep report
		if err := json.Unmarshal(b, &rep); err != nil {
			return fmt.Errorf("%s: %w", reportPath, err)
		}
		for _, f := range rep.Files {
			for _, m := range f.Mutations {
				ms = append(ms, &mutant{File: f.FileName, Line: m.Line, Column: m.Column, Type: m.Type, Status: m.Status, By: "gremlins"})
			}
		}
	} else if ms, err = readLog(b); err != nil {
		return fmt.Errorf("%s: %w", reportPath, err)
	}
	if len(ms) == 0 {
		return errors.New("the report holds no mutants")
	}

	// The coverage of the package's own tests, and how long they take to
	// run once built (the limit of a mutant's run, as gremlins'
	// --timeout-coefficient 3; building is not timed, as a loaded machine
	// may take long to link).
	tmp, err := os.MkdirTemp("", "mutants")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	prof := filepath.Join(tmp, "cover.out")
	bin := filepath.Join(tmp, "unmutated.test")
	if out, err := exec.Command("go", "test", "-c", "-cover", "-o", bin, pkg).CombinedOutput(); err != nil {
		return fmt.Errorf("the unmutated tests do not build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-test.count=1", "-test.coverprofile", prof)
	cmd.Dir = dir
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("the unmutated tests fail: %v\n%s", err, out)
	}
	if timeout == 0 {
		timeout = 3*time.Since(start) + 10*time.Second
	}
	reached, err := reachedBetweenBlocks(dir, prof)
	if err != nil {
		return err
	}

	for _, m := range ms {
		switch {
		case m.Status == "NOT COVERED" && reached[m.File] != nil && reached[m.File](m.Line, m.Column):
			m.Status, m.By = test(dir, pkg, m, timeout), "mutants"
		case m.Status == "KILLED" && m.Type == "ARITHMETIC_BASE":
			if !builds(dir, pkg, m) {
				m.Status, m.By = "NOT VIABLE", "mutants"
			}
		}
	}
	summarise(pkg, dir, ms)
	return nil
}

// readLog reads the mutants of gremlins' text output, one a line
// ("      KILLED CONDITIONALS_NEGATION at rules.go:44:30"): what a run
// stopped before its end (so without its JSON report) measured.
func readLog(b []byte) ([]*mutant, error) {
	var ms []*mutant
	for _, line := range strings.Split(string(b), "\n") {
		before, where, ok := strings.Cut(strings.TrimSpace(line), " at ")
		if !ok {
			continue
		}
		i := strings.LastIndexByte(before, ' ')
		if i < 0 {
			continue
		}
		status, typ := before[:i], before[i+1:]
		if _, known := swaps[typ]; !known {
			continue
		}
		m := &mutant{Type: typ, Status: status, By: "gremlins"}
		parts := strings.Split(where, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("line %q", line)
		}
		m.File = parts[0]
		if _, err := fmt.Sscanf(parts[1]+" "+parts[2], "%d %d", &m.Line, &m.Column); err != nil {
			return nil, fmt.Errorf("line %q: %w", line, err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// reachedBetweenBlocks returns, per file of dir, whether a position lies
// in code the tests run but no block of the profile holds: a case
// condition of a switch statement the tests reach (its switch keyword is
// in a block the profile counts as run), or the value of a package-level
// const or var (evaluated when the package loads).
func reachedBetweenBlocks(dir, profile string) (map[string]func(line, col int) bool, error) {
	blocks, err := runBlocks(profile)
	if err != nil {
		return nil, err
	}
	out := map[string]func(int, int) bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			return nil, err
		}
		type span struct{ from, to token.Position }
		var spans []span
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && (g.Tok == token.CONST || g.Tok == token.VAR) {
				for _, sp := range g.Specs {
					for _, v := range sp.(*ast.ValueSpec).Values {
						spans = append(spans, span{fset.Position(v.Pos()), fset.Position(v.End())})
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sw, ok := n.(*ast.SwitchStmt)
			if !ok || !inBlock(blocks[name], fset.Position(sw.Switch)) {
				return true
			}
			for _, s := range sw.Body.List {
				for _, x := range s.(*ast.CaseClause).List {
					spans = append(spans, span{fset.Position(x.Pos()), fset.Position(x.End())})
				}
			}
			return true
		})
		out[name] = func(line, col int) bool {
			for _, s := range spans {
				after := line > s.from.Line || (line == s.from.Line && col >= s.from.Column)
				before := line < s.to.Line || (line == s.to.Line && col < s.to.Column)
				if after && before {
					return true
				}
			}
			return false
		}
	}
	return out, nil
}

// block is a run block of a coverage profile.
type block struct{ startLine, startCol, endLine, endCol int }

// runBlocks reads the blocks run at least once, per file name.
func runBlocks(profile string) (map[string][]block, error) {
	b, err := os.ReadFile(profile)
	if err != nil {
		return nil, err
	}
	out := map[string][]block{}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		// name.go:12.3,14.5 2 1
		var file string
		var bl block
		var stmts, count int
		colon := strings.LastIndex(line, ":")
		if colon < 0 {
			continue
		}
		file = filepath.Base(line[:colon])
		if _, err := fmt.Sscanf(line[colon+1:], "%d.%d,%d.%d %d %d", &bl.startLine, &bl.startCol, &bl.endLine, &bl.endCol, &stmts, &count); err != nil {
			return nil, fmt.Errorf("coverage line %q: %w", line, err)
		}
		if count > 0 {
			out[file] = append(out[file], bl)
		}
	}
	return out, nil
}

// inBlock reports whether pos lies in one of the blocks.
func inBlock(blocks []block, pos token.Position) bool {
	for _, b := range blocks {
		after := pos.Line > b.startLine || (pos.Line == b.startLine && pos.Column >= b.startCol)
		before := pos.Line < b.endLine || (pos.Line == b.endLine && pos.Column <= b.endCol)
		if after && before {
			return true
		}
	}
	return false
}

// overlay writes the mutated file and the overlay naming it, returning the
// go flag that uses it and a function that removes both.
func overlay(dir string, m *mutant) (string, func(), error) {
	path := filepath.Join(dir, m.File)
	src, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	lines := bytes.SplitAfter(src, []byte("\n"))
	if m.Line < 1 || m.Line > len(lines) {
		return "", nil, fmt.Errorf("%s:%d: no such line", m.File, m.Line)
	}
	off := m.Column - 1
	for _, l := range lines[:m.Line-1] {
		off += len(l)
	}
	var from, to string
	for op, repl := range swaps[m.Type] { // the longest operator at the position
		if bytes.HasPrefix(src[off:], []byte(op)) && len(op) > len(from) {
			from, to = op, repl
		}
	}
	if from == "" {
		return "", nil, fmt.Errorf("%s:%d:%d: no %s operator there", m.File, m.Line, m.Column, m.Type)
	}
	mutated := append(append(append([]byte{}, src[:off]...), to...), src[off+len(from):]...)
	tmp, err := os.MkdirTemp("", "mutants")
	if err != nil {
		return "", nil, err
	}
	done := func() { os.RemoveAll(tmp) }
	file := filepath.Join(tmp, m.File)
	ov := filepath.Join(tmp, "overlay.json")
	j, _ := json.Marshal(map[string]map[string]string{"Replace": {path: file}})
	if err := os.WriteFile(file, mutated, 0o600); err != nil {
		done()
		return "", nil, err
	}
	if err := os.WriteFile(ov, j, 0o600); err != nil {
		done()
		return "", nil, err
	}
	return "-overlay=" + ov, done, nil
}

// builds reports whether the package compiles with the mutation.
func builds(dir, pkg string, m *mutant) bool {
	ov, done, err := overlay(dir, m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return true
	}
	defer done()
	return exec.Command("go", "build", ov, "-o", os.DevNull, pkg).Run() == nil
}

// test runs the package's tests with the mutation: KILLED when they fail,
// LIVED when they pass, TIMED OUT past the limit, NOT VIABLE when the
// mutant does not compile.
func test(dir, pkg string, m *mutant, timeout time.Duration) string {
	if !builds(dir, pkg, m) {
		return "NOT VIABLE"
	}
	ov, done, err := overlay(dir, m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return "NOT COVERED"
	}
	defer done()
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("mutants-%d.test", os.Getpid()))
	defer os.Remove(bin)
	if exec.Command("go", "test", "-c", ov, "-o", bin, pkg).Run() != nil {
		return "NOT VIABLE" // the package builds, but a test file does not with the mutant
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.count=1", "-test.failfast")
	cmd.Dir = dir
	err = cmd.Run()
	switch {
	case ctx.Err() != nil:
		return "TIMED OUT"
	case err != nil:
		return "KILLED"
	}
	return "LIVED"
}

// summarise writes the package's figures as a table row of docs/testing.md and
// lists the mutants that lived, were not covered or did not compile, each
// with its line.
func summarise(pkg, dir string, ms []*mutant) {
	n := map[string]int{}
	for _, m := range ms {
		n[m.Status]++
	}
	killed, lived, uncovered := n["KILLED"], n["LIVED"], n["NOT COVERED"]
	pct := func(a, b int) string {
		if b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f %%", 100*float64(a)/float64(b))
	}
	fmt.Printf("| %s | %d | %d | %d | %d | %d | %s | %s |\n", strings.TrimPrefix(pkg, "./"), killed, lived, uncovered,
		n["NOT VIABLE"], n["TIMED OUT"], pct(killed, killed+lived), pct(killed+lived, killed+lived+uncovered))
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].File != ms[j].File {
			return ms[i].File < ms[j].File
		}
		if ms[i].Line != ms[j].Line {
			return ms[i].Line < ms[j].Line
		}
		return ms[i].Column < ms[j].Column
	})
	for _, m := range ms {
		if m.Status == "KILLED" {
			continue
		}
		src, _ := os.ReadFile(filepath.Join(dir, m.File))
		line := ""
		if ls := strings.Split(string(src), "\n"); m.Line <= len(ls) {
			line = strings.TrimSpace(ls[m.Line-1])
		}
		fmt.Printf("  %-11s %-21s %s:%d:%d (%s)  %s\n", m.Status, m.Type, m.File, m.Line, m.Column, m.By, line)
	}
}
