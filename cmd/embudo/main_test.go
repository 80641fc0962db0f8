package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// TestMain gives `embudo serve` run in this process its first admin's token
// through the environment once (EMBUDO_BOOTSTRAP_TOKEN), so that tests need
// no t.Setenv for it and may run in parallel; the processes start() runs get
// the environment they are given. It removes the binary binary() built.
func TestMain(m *testing.M) {
	if err := os.Setenv("EMBUDO_BOOTSTRAP_TOKEN", effectsToken); err != nil {
		panic(err)
	}
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built is the embudo binary, built once for the tests that run it as a
// process.
var built struct {
	once     sync.Once
	dir, bin string
	out      []byte
	err      error
}

// binary builds embudo once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "embudo-test-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "embudo")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("build embudo: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// environ is this process's environment without EMBUDO_BOOTSTRAP_TOKEN
// (TestMain's), plus env.
func environ(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if len(kv) < len("EMBUDO_BOOTSTRAP_TOKEN=") || kv[:len("EMBUDO_BOOTSTRAP_TOKEN=")] != "EMBUDO_BOOTSTRAP_TOKEN=" {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}
