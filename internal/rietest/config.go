package rietest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/emulate"
)

// initTimeout bounds a bootstrap run by CheckConfig: it must fail its
// configuration at once.
const initTimeout = 10 * time.Second

// CheckConfig checks the configuration of the function in the test's
// working directory, which template.yaml deploys as logicalID and which
// reads vars (config.Vars of its needs):
//
//   - the template gives the function every variable of vars but those
//     Lambda sets, each required one not as "", and no variable that is not
//     in vars;
//   - its bootstrap, run with valid less one required variable, or with
//     valid and one variable of malformed, exits at init with status 1 and
//     one JSON line at level ERROR naming the variable.
func CheckConfig(t *testing.T, logicalID string, vars []config.Var, valid, malformed map[string]string) {
	t.Helper()
	root, err := emulate.RepoRoot()
	if err != nil {
		t.Fatalf("rietest: %v", err)
	}
	given, err := infra.FunctionEnvironment(filepath.Join(root, "template.yaml"), logicalID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("template", func(t *testing.T) {
		for _, p := range templateProblems(given, vars) {
			t.Errorf("template.yaml, %s: %s", logicalID, p)
		}
	})

	bootstrap := Build(t, ".")
	for _, v := range vars {
		if !v.Required {
			continue
		}
		t.Run("missing "+v.Name, func(t *testing.T) {
			env := maps.Clone(valid)
			delete(env, v.Name)
			exitsAtInit(t, bootstrap, env, v.Name)
		})
	}
	for _, name := range slices.Sorted(maps.Keys(malformed)) {
		t.Run("malformed "+name, func(t *testing.T) {
			env := maps.Clone(valid)
			env[name] = malformed[name]
			exitsAtInit(t, bootstrap, env, name)
		})
	}
}

// templateProblems says where the environment given differs from what a
// function that reads vars needs.
func templateProblems(given map[string]any, vars []config.Var) []string {
	var out []string
	read := map[string]bool{}
	for _, v := range vars {
		read[v.Name] = true
		g, ok := given[v.Name]
		switch {
		case v.ByLambda && ok:
			out = append(out, v.Name+" is set by Lambda; the template must not set it")
		case v.ByLambda:
		case !ok:
			out = append(out, fmt.Sprintf("the function reads %s, which the template does not give it", v.Name))
		case v.Required && g == "":
			out = append(out, fmt.Sprintf("the function requires %s, which the template sets to \"\"", v.Name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(given)) {
		if !read[name] {
			out = append(out, fmt.Sprintf("the template gives %s, which the function does not read", name))
		}
	}
	return out
}

// exitsAtInit runs the bootstrap directly with env (over the variables
// Start gives every function): no emulator is needed, since a function
// that cannot start exits before it asks for an event.
func exitsAtInit(t *testing.T, bootstrap string, env map[string]string, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), initTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bootstrap)
	var extra []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		extra = append(extra, k+"="+env[k])
	}
	cmd.Env = environment(extra)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("the bootstrap ended with %v, want exit status 1; output:\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var line struct{ Level, Message, Err string }
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &line) != nil || line.Level != "ERROR" || line.Message != "configuration" ||
		!strings.Contains(line.Err, name) {
		t.Errorf("the bootstrap wrote\n%s\nwant one JSON line at level ERROR, message configuration, naming %s", out, name)
	}
}
