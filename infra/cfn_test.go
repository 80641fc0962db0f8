package infra

import (
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// cfnTemplate is template.yaml as parsed JSON, with its intrinsic functions
// kept as written (!Ref X is {"Ref": "X"}, !Sub s is {"Fn::Sub": s}), for
// the tests that check what the template declares. goformation's typed
// parse refuses the template (its AWS::Serverless::Function lacks
// LoggingConfig), and the checks want the intrinsics anyway.
type cfnTemplate map[string]any

// loadTemplate reads ../template.yaml.
func loadTemplate(t testing.TB) cfnTemplate {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	js, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatalf("parse %s: %v", templatePath, err)
	}
	var c cfnTemplate
	if err := json.Unmarshal(js, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// resources returns the resources of type typ by logical ID.
func (c cfnTemplate) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	all, _ := c["Resources"].(map[string]any)
	for id, r := range all {
		if m, ok := r.(map[string]any); ok && m["Type"] == typ {
			out[id] = m
		}
	}
	return out
}

// resource returns the resource id, failing the test when there is none.
func (c cfnTemplate) resource(t testing.TB, id string) map[string]any {
	t.Helper()
	m, ok := lookup(c, "Resources", id).(map[string]any)
	if !ok {
		t.Fatalf("template.yaml has no resource %s", id)
	}
	return m
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// lookup follows path (map keys as strings, list indexes as ints) from v,
// and returns nil where a step is missing.
func lookup(v any, path ...any) any {
	if c, ok := v.(cfnTemplate); ok {
		v = map[string]any(c)
	}
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			return nil
		}
	}
	return v
}

// asString returns v if it is a string, else "".
func asString(v any) string {
	s, _ := v.(string)
	return s
}

// asList returns v as a list: a list as it is, a single value as a list of
// one (IAM and CloudFormation take either), nil as nothing.
func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}
