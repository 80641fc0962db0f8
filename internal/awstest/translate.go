package awstest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Template is a CloudFormation template as decoded JSON.
type Template map[string]any

// Resources returns the template's resources by logical ID, each its
// decoded object (Type, Properties, ...).
func (tp Template) Resources() map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := tp["Resources"].(map[string]any)
	for id, r := range rs {
		if m, ok := r.(map[string]any); ok {
			out[id] = m
		}
	}
	return out
}

// OfType returns the logical IDs of the resources of type typ.
func (tp Template) OfType(typ string) []string {
	var ids []string
	for id, r := range tp.Resources() {
		if r["Type"] == typ {
			ids = append(ids, id)
		}
	}
	return ids
}

// Properties returns the properties of the resource id (nil if it has
// none).
func (tp Template) Properties(id string) map[string]any {
	p, _ := tp.Resources()[id]["Properties"].(map[string]any)
	return p
}

// Translate turns the SAM template at root/template.yaml into plain
// CloudFormation with infra/samtranslate.py (aws-sam-translator), the
// functions' code expected in codeBucket under <CodeUri>.zip. It skips t
// (fails it under CI=true) where python3 has no aws-sam-translator.
func Translate(t testing.TB, root, codeBucket string) Template {
	t.Helper()
	py := lookPython(t)
	cmd := exec.Command(py, filepath.Join(root, "infra", "samtranslate.py"), filepath.Join(root, "template.yaml"),
		"--code-bucket", codeBucket, "--region", Region)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("awstest: infra/samtranslate.py: %v\n%s", err, stderr.String())
	}
	var tp Template
	if err := json.Unmarshal(out, &tp); err != nil {
		t.Fatalf("awstest: infra/samtranslate.py wrote no template: %v", err)
	}
	return tp
}

// codeDir returns the directory of a function's code in the repository:
// its Code.S3Key without ".zip" (samtranslate.py names the key after the
// CodeUri).
func codeDir(props map[string]any) string {
	code, _ := props["Code"].(map[string]any)
	key, _ := code["S3Key"].(string)
	return strings.TrimSuffix(key, ".zip")
}
