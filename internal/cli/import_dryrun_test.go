package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runImportFile runs `embudo import contacts` on a file of content with
// args and returns its standard output and error.
func runImportFile(t *testing.T, content string, args ...string) (string, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if _, err := Run(context.Background(), append([]string{"import", "contacts", file}, args...), nil, &out, &errOut); err != nil {
		t.Fatalf("import %v: %v\n%s", args, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// --dry-run shows the mapping it will use and warns when no column holds
// an e-mail or a phone (issue 10 item 16).
func TestImportDryRunShowsTheMappingAndWarns(t *testing.T) {
	out, errs := runImportFile(t, "Nombre;Empresa;Etiquetas\nAna;ACME;x\n;Talleres Sur;\n", "--dry-run")
	if !strings.Contains(errs, "warning: no column holds an e-mail, a phone or a mobile") {
		t.Errorf("no warning:\n%s", errs)
	}
	for _, want := range []string{"Nombre", "name", "Empresa", "company", `"Etiquetas"`, "2 rows would be sent"} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run does not show %q:\n%s", want, out)
		}
	}
	google, err := os.ReadFile("../spreadsheet/testdata/google.csv")
	if err != nil {
		t.Fatal(err)
	}
	out, errs = runImportFile(t, string(google), "--dry-run")
	if strings.Contains(errs, "warning") || !strings.Contains(out, "E-mail 2 - Value") || !strings.Contains(out, "Phone 1 - Value") {
		t.Errorf("the dry run of a Google file:\n%s\n%s", out, errs)
	}
	out, _ = runImportFile(t, "Name,Company\nAna,ACME\n", "--dry-run", "--json")
	var rep struct {
		Columns  []struct{ Column, Field string }
		Warnings []string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Columns) != 2 || rep.Columns[1].Field != "company" || len(rep.Warnings) != 1 {
		t.Errorf("--dry-run --json: %v %+v\n%s", err, rep, out)
	}
}
