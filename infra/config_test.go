package infra

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/config"
)

// TestEveryFunctionChecksItsConfig: each function's tests check its
// configuration against its own declaration in the template
// (rietest.CheckConfig: the template gives it exactly the variables it
// reads, config.Vars of its needs, each required one set, and a missing or
// malformed one stops it at init).
func TestEveryFunctionChecksItsConfig(t *testing.T) {
	tmpl := loadTemplate(t)
	for id, dir := range functionDirs(t, tmpl) {
		src := readFile(t, filepath.Join("..", dir, "config_test.go"))
		if !strings.Contains(src, `rietest.CheckConfig(t, "`+id+`", `) {
			t.Errorf("%s: %s/config_test.go does not call rietest.CheckConfig(t, %q, ...) with the variables it reads", id, dir, id)
		}
		if main := readFile(t, filepath.Join("..", dir, "main.go")); !strings.Contains(main, "config.Load(os.LookupEnv, needs)") {
			t.Errorf("%s: %s/main.go does not read its configuration with config.Load(os.LookupEnv, needs)", id, dir)
		}
	}
}

// TestURLParameters: the URL parameters' patterns take what the functions
// load (so that a deploy, not a cold start, refuses a bad one) and refuse
// what they would not.
func TestURLParameters(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, c := range []struct {
		param, variable string
		needs           config.Needs
		ok, bad         []string
	}{
		{"AppUrl", "APP_URL", config.Needs{Mail: true}, []string{"", "https://crm.example.com", "http://localhost:5173/", "https://example.com/crm/"},
			[]string{"crm.example.com", "/crm", "ftp://crm.example.com", "https://", "https://crm.example.com/a b"}},
		{"GraphApiUrl", "GRAPH_API_URL", config.Needs{Graph: true}, []string{"https://graph.facebook.com/v21.0", "http://127.0.0.1:4000/v21.0"},
			[]string{"", "graph.facebook.com/v21.0", "https://"}},
	} {
		re := allowedPattern(t, tmpl, c.param)
		if d := asString(parameter(t, tmpl, c.param)["Default"]); !re.MatchString(d) {
			t.Errorf("%s's pattern refuses its default %q", c.param, d)
		}
		for _, v := range c.ok {
			if !re.MatchString(v) {
				t.Errorf("%s's pattern refuses %q", c.param, v)
			}
			env := map[string]string{"TABLE_NAME": "embudo", "SENDER_EMAIL": "no-reply@example.com", c.variable: v}
			if _, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, c.needs); err != nil {
				t.Errorf("%s=%q: the pattern takes it, the functions refuse it: %v", c.variable, v, err)
			}
		}
		for _, v := range c.bad {
			if re.MatchString(v) {
				t.Errorf("%s's pattern takes %q", c.param, v)
			}
		}
	}
}
