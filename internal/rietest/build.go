package rietest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Build compiles the main package in pkgDir (relative to the test's working
// directory, or absolute) for the host platform with CGO_ENABLED=0 and the
// lambda.norpc tag, as a file named bootstrap in a temporary directory that
// is removed when the test ends, and returns the binary's absolute path.
func Build(t testing.TB, pkgDir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, ".")
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rietest: build %s: %v\n%s", pkgDir, err, b)
	}
	return out
}
