package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The staff CLI end to end: `embudo <resource> <verb>` run in this process
// against `embudo serve` running in this process too, through the real
// HTTP API, the change feed and the blob store.

// cliExec runs the embudo command line and returns its exit code and output.
func cliExec(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// cliOK runs a command that must succeed and returns its standard output.
func cliOK(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := cliExec(t, args...)
	if code != 0 {
		t.Fatalf("embudo %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// cliJSON runs a command with --json and decodes what it prints.
func cliJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out := cliOK(t, append(args, "--json")...)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("embudo %s --json printed no JSON object: %v\n%s", strings.Join(args, " "), err, out)
	}
	return m
}

func cliItems(m map[string]any) []map[string]any {
	var out []map[string]any
	l, _ := m["items"].([]any)
	for _, it := range l {
		if o, ok := it.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func cliIDs(m map[string]any) []string {
	var out []string
	for _, it := range cliItems(m) {
		out = append(out, it["id"].(string))
	}
	return out
}

// cliEnv points the CLI at the server and its configuration at a fresh
// directory.
func cliEnv(t *testing.T, s *localServer) {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("EMBUDO_URL", s.url)
	t.Setenv("EMBUDO_TOKEN", effectsToken)
}

func TestCLIAgainstTheLocalRuntime(t *testing.T) {
	s := serveInProcess(t)
	cliEnv(t, s)

	// Admin resources: a source with a webhook (its URL shown once and
	// remembered), an interest, an agent.
	src := cliJSON(t, "sources", "create", "--name", "Google Ads", "--cost-cents", "50000", "--webhook-kind", "form")
	hook, _ := src["webhook"].(map[string]any)
	hookURL, _ := hook["url"].(string)
	if !strings.HasPrefix(hookURL, s.url+"/hooks/whk_") {
		t.Fatalf("the new source's webhook URL: %v", src)
	}
	if out := cliOK(t, "sources", "list"); !strings.Contains(out, hookURL) || !strings.Contains(out, "500,00 €") {
		t.Errorf("sources list does not show the webhook URL and cost:\n%s", out)
	}
	web := cliJSON(t, "sources", "create", "--name", "Web")
	interest := cliJSON(t, "interests", "create", "--name", "Tienda online")
	agent := cliJSON(t, "agents", "create", "--code", "ANA", "--name", "Ana Smith", "--email", "ana@example.com")

	// A contact, its references given by name.
	c := cliJSON(t, "contacts", "create", "--name", "José", "--surname", "Pérez", "--email", "jose@example.com",
		"--phone", "600 12 34 56", "--source", "google ads", "--interests", "TIENDA", "--agent", "ana")
	cid := c["id"].(string)
	if c["sourceId"] != src["id"] || c["agentId"] != agent["id"] || !slices.Equal(cliTestStrings(c["interestIds"]), []string{interest["id"].(string)}) {
		t.Fatalf("names were not resolved to IDs: %v", c)
	}
	other := cliJSON(t, "contacts", "create", "--name", "Marta", "--email", "marta@example.com", "--source", web["id"].(string))
	// An API error: the problem's message and field, exit 1.
	code, _, errOut := cliExec(t, "contacts", "create", "--name", "Otro", "--email", "JOSE@example.com")
	if code != 1 || !strings.Contains(errOut, "409") || !strings.Contains(errOut, "email:") || !strings.Contains(errOut, cid) {
		t.Errorf("a duplicate e-mail: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = cliExec(t, "contacts", "create", "--surname", "Sin nombre")
	if code != 1 || !strings.Contains(errOut, "name: is required") {
		t.Errorf("a contact without a name: exit %d, stderr %q", code, errOut)
	}

	// List and filter.
	if out := cliOK(t, "contacts", "list"); !strings.Contains(out, "José Pérez") || !strings.Contains(out, "Google Ads") || !strings.Contains(out, "Ana Smith") {
		t.Errorf("contacts list:\n%s", out)
	}
	for _, f := range [][]string{{"--q", "jos"}, {"--email", "JOSE@example.com"}, {"--phone", "600123456"}, {"--source", "Google Ads"},
		{"--agent", "ANA"}, {"--interest", "tienda online"}} {
		if ids := cliIDs(cliJSON(t, append([]string{"contacts", "list"}, f...)...)); !slices.Equal(ids, []string{cid}) {
			t.Errorf("contacts list %v: %v", f, ids)
		}
	}
	if got := cliIDs(cliJSON(t, "contacts", "list", "--limit", "1", "--all")); len(got) != 2 {
		t.Errorf("contacts list --all with pages of 1: %v", got)
	}
	if out := cliOK(t, "contacts", "list", "--email", "nadie@example.com"); !strings.Contains(out, "No contacts.") {
		t.Errorf("an empty list: %q", out)
	}

	// Edit (PATCH with If-Match): only the fields given change.
	cliOK(t, "contacts", "edit", cid, "--city", "Madrid", "--company=ACME SL")
	shown := cliJSON(t, "contacts", "show", cid)
	contact := shown["contact"].(map[string]any)
	if contact["company"] != "ACME SL" || contact["address"].(map[string]any)["city"] != "Madrid" || contact["email"] != "jose@example.com" {
		t.Errorf("after the edit: %v", contact)
	}

	// Opportunities: create, move by state name, bulk move, tabs.
	o1 := cliJSON(t, "opportunities", "create", "--contact", cid, "--description", "Tienda online", "--approx-amount-cents", "150000", "--interest", "tienda")
	o2 := cliJSON(t, "opp", "create", "--contact", cid, "--description", "Mantenimiento")
	id1, id2 := o1["id"].(string), o2["id"].(string)
	if out := cliOK(t, "opportunities", "move", id1, "--state", "en negociacion"); !strings.Contains(out, "En negociación") {
		t.Errorf("move: %q", out)
	}
	if ids := cliIDs(cliJSON(t, "opportunities", "list", "--state", "EN NEGOCIACIÓN")); !slices.Equal(ids, []string{id1}) {
		t.Errorf("the En negociación tab: %v", ids)
	}
	if out := cliOK(t, "opportunities", "bulk-move", "--state", "presupuestado", id1, id2); !strings.Contains(out, "Moved 2 opportunities to Presupuestado") {
		t.Errorf("bulk-move: %q", out)
	}
	var presupuestado map[string]any
	tabs := cliItems(cliJSON(t, "opportunities", "tabs"))
	for _, tab := range tabs {
		if tab["name"] == "Presupuestado" {
			presupuestado = tab
		}
	}
	if presupuestado == nil || presupuestado["count"] != float64(2) {
		t.Errorf("the Presupuestado tab %v, want a count of 2; tabs: %v", presupuestado, tabs)
	}
	code, _, errOut = cliExec(t, "opportunities", "move", id2, "--state", "no-such-state")
	if code != 1 || !strings.Contains(errOut, "Presupuestado") {
		t.Errorf("an unknown state: exit %d, %q", code, errOut)
	}
	if out := cliOK(t, "opportunities", "assign", id2, "--agent", "Ana Smith"); !strings.Contains(out, "agent Ana Smith") {
		t.Errorf("assign: %q", out)
	}

	// A note with an aviso, and the reminders.
	note := cliJSON(t, "notes", "add", "--opportunity", id1, "--text", "Llamar para cerrar", "--aviso", "2099-01-05")
	if note["avisoAt"] == nil {
		t.Errorf("the note has no aviso: %v", note)
	}
	if out := cliOK(t, "notes", "list", "--opportunity", id1); !strings.Contains(out, "Llamar para cerrar") {
		t.Errorf("notes list:\n%s", out)
	}
	if ids := cliIDs(cliJSON(t, "reminders")); !slices.Contains(ids, note["id"].(string)) {
		t.Errorf("reminders: %v", ids)
	}
	if out := cliOK(t, "reminders"); !strings.Contains(out, "Llamar para cerrar") {
		t.Errorf("reminders:\n%s", out)
	}
	code, _, _ = cliExec(t, "notes", "add", "--contact", cid, "--opportunity", id1, "--text", "x")
	if code != 2 {
		t.Errorf("a note on two things: exit %d", code)
	}

	// Upload and download a file.
	dir := t.TempDir()
	data := append([]byte("%PDF-1.7 presupuesto\x00\xff"), bytes.Repeat([]byte("abc"), 5000)...)
	src1 := filepath.Join(dir, "oferta.pdf")
	if err := os.WriteFile(src1, data, 0o600); err != nil {
		t.Fatal(err)
	}
	file := cliJSON(t, "files", "upload", "--opportunity", id1, src1)
	if file["status"] != "complete" || file["contentType"] != "application/pdf" || file["name"] != "oferta.pdf" {
		t.Errorf("uploaded: %v", file)
	}
	dest := filepath.Join(dir, "copia.pdf")
	cliOK(t, "files", "download", file["id"].(string), "-o", dest)
	if got, err := os.ReadFile(dest); err != nil || !bytes.Equal(got, data) {
		t.Errorf("downloaded %d bytes (%v), uploaded %d", len(got), err, len(data))
	}
	if code, _, errOut := cliExec(t, "files", "download", file["id"].(string), "-o", dest); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("download over an existing file: exit %d, %q", code, errOut)
	}
	if out := cliOK(t, "files", "list", "--opportunity", id1); !strings.Contains(out, "oferta.pdf") {
		t.Errorf("files list:\n%s", out)
	}

	// A quote, shown and accepted: the opportunity is won.
	q := cliJSON(t, "quotes", "create", "--opportunity", id1, "--line", "Tienda;1;120000;0;21")
	if q["totalCents"] != float64(145200) {
		t.Errorf("the quote: %v", q)
	}
	if out := cliOK(t, "quotes", "show", q["id"].(string)); !strings.Contains(out, "1.452,00 €") || !strings.Contains(out, "Tienda") {
		t.Errorf("quotes show:\n%s", out)
	}
	cliOK(t, "quotes", "accept", q["id"].(string))
	opp := cliJSON(t, "opportunities", "show", id1)["opportunity"].(map[string]any)
	if opp["closedAt"] == nil {
		t.Errorf("accepting the quote did not win the opportunity: %v", opp)
	}

	// Convert, twice: the same supplier.
	first := cliOK(t, "contacts", "convert", other["id"].(string), "--to", "supplier")
	again := cliOK(t, "contacts", "convert", other["id"].(string), "--to", "supplier")
	if !strings.HasPrefix(first, "Converted into supplier") || !strings.HasPrefix(again, "Already converted into supplier") {
		t.Errorf("convert: %q then %q", first, again)
	}
	if ids := cliIDs(cliJSON(t, "contacts", "list", "--kind", "supplier")); !slices.Equal(ids, []string{other["id"].(string)}) {
		t.Errorf("suppliers among contacts: %v", ids)
	}

	// The timeline is written by the change feed: wait for it.
	var out string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out = cliOK(t, "contacts", "show", cid)
		if strings.Contains(out, "converted") && strings.Contains(out, "Tienda online") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the contact's timeline never showed the conversion:\n%s", out)
		}
	}
	for _, want := range []string{"José", "Madrid", "Google Ads", "Timeline", "created", "Opportunities"} {
		if !strings.Contains(out, want) {
			t.Errorf("contacts show lacks %q:\n%s", want, out)
		}
	}
	if tl := cliItems(cliJSON(t, "contacts", "show", cid)["timeline"].(map[string]any)); len(tl) < 3 {
		t.Errorf("the timeline in JSON: %v", tl)
	}

	// The report: counters from the change feed too.
	var rep map[string]any
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		rep = cliJSON(t, "report", "sources")
		if tot, _ := rep["total"].(map[string]any); tot["won"] == float64(1) && tot["contacts"] == float64(2) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the report never counted the won opportunity: %v", rep)
		}
	}
	table := cliOK(t, "report", "sources")
	for _, want := range []string{"SOURCE", "CONVERSION", "ROI", "Google Ads", "Web", "Total", "1.200,00 €", "50,0 %", "Won amount", "Conversion", "█"} {
		if !strings.Contains(table, want) {
			t.Errorf("the report lacks %q:\n%s", want, table)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(cliOK(t, "report", "sources", "--csv"))).ReadAll()
	if err != nil {
		t.Fatalf("report sources --csv: %v", err)
	}
	header := []string{"sourceId", "sourceName", "leads", "contacts", "opportunities", "won", "lost", "open",
		"conversionRate", "wonAmountCents", "costCents", "costPerLeadCents", "costPerWonCents", "roi"}
	if len(rows) < 3 || !slices.Equal(rows[0], header) {
		t.Fatalf("the CSV: %v", rows)
	}
	if total := rows[len(rows)-1]; total[1] != "Total" || total[5] != "1" || total[9] != "120000" || total[10] != "50000" {
		t.Errorf("the CSV's total row: %v", total)
	}
	if code, _, _ := cliExec(t, "report", "sources", "--from", "2026-13"); code != 1 {
		t.Errorf("a bad month: exit %d", code)
	}

	// --json anywhere, and admin lists.
	for _, args := range [][]string{{"--json", "states"}, {"interests", "--json"}, {"agents", "list", "--json"}, {"users", "list", "--json"},
		{"settings", "--json"}, {"clients", "list", "--json"}, {"suppliers", "list", "--json"}, {"opportunities", "list", "--json", "--all"}} {
		out := cliOK(t, args...)
		if !json.Valid([]byte(out)) || len(cliItems(mustObject(t, out))) == 0 {
			t.Errorf("embudo %v: %s", args, out)
		}
	}
	if out := cliOK(t, "settings", "set", "notify-note", "--enabled=false", "--subject-es", "Aviso"); !strings.Contains(out, "off") {
		t.Errorf("settings set: %q", out)
	}
	if out := cliOK(t, "settings", "show", "notify-note"); !strings.Contains(out, "Aviso") || !strings.Contains(out, "false") {
		t.Errorf("settings show:\n%s", out)
	}
	user := cliJSON(t, "users", "create", "--name", "Beto Ruiz", "--email", "beto@example.com")
	tok := cliJSON(t, "tokens", "create", "beto", "--name", "portátil")
	if tok["userId"] != user["id"] || !strings.HasPrefix(tok["token"].(string), "emb_") {
		t.Errorf("the token: %v", tok)
	}
	rotated := cliOK(t, "sources", "rotate", "google ads")
	if !strings.Contains(rotated, "/hooks/whk_") || strings.Contains(rotated, hookURL) {
		t.Errorf("rotate did not issue a new URL: %q", rotated)
	}

	t.Run("login", func(t *testing.T) {
		cfg := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", cfg)
		t.Setenv("HOME", cfg)
		t.Setenv("EMBUDO_URL", "")
		t.Setenv("EMBUDO_TOKEN", "")
		if code, _, errOut := cliExec(t, "login", "--url", s.url, "--token", "not-a-token"); code != 1 || !strings.Contains(errOut, "refused") {
			t.Errorf("a bad token: exit %d, %q", code, errOut)
		}
		out := cliOK(t, "login", "--url", s.url, "--token", effectsToken)
		path := filepath.Join(cfg, "embudo", "config.json")
		if !strings.Contains(out, path) {
			t.Errorf("login did not print where it saved: %q", out)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("the configuration: %v %v", st, err)
		}
		b, _ := os.ReadFile(path)
		if !strings.Contains(string(b), effectsToken) || !strings.Contains(string(b), s.url) {
			t.Errorf("the configuration holds %s", b)
		}
		// The other commands use it.
		if ids := cliIDs(cliJSON(t, "contacts", "list", "--q", "jose")); !slices.Equal(ids, []string{cid}) {
			t.Errorf("after login: %v", ids)
		}
		// Asked on standard input.
		old := stdin
		defer func() { stdin = old }()
		stdin = strings.NewReader(s.url + "\n" + effectsToken + "\n")
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		cliOK(t, "login")
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("login from standard input: %v %v", st, err)
		}
	})
}

func mustObject(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, s)
	}
	return m
}

func cliTestStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// Usage errors exit 2 before any call to the API.
func TestCLIUsage(t *testing.T) {
	t.Setenv("EMBUDO_URL", "http://127.0.0.1:1")
	t.Setenv("EMBUDO_TOKEN", "x")
	for _, args := range [][]string{
		{"contacts", "bogus"},
		{"contacts", "edit"},
		{"contacts", "show", "a", "b"},
		{"opportunities", "bulk-move", "--state", "Ganado"},
		{"quotes", "create"},
		{"quotes", "create", "--opportunity", "X", "--line", "a;b"},
		{"notes", "add", "--text", "sin padre"},
		{"notes", "add", "--contact", "X", "--aviso", "pasado mañana"},
		{"files", "upload", "--contact", "X"},
		{"report", "sources", "--csv", "--json"},
		{"contacts", "list", "--no-such-flag"},
		{"completion", "tcsh"},
		{"no-such-command"},
		{"--json"},
	} {
		if code, out, errOut := cliExec(t, args...); code != 2 || errOut == "" {
			t.Errorf("embudo %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, out, _ := cliExec(t, "contacts", "--help"); code != 0 || !strings.Contains(out, "embudo contacts convert") {
		t.Errorf("contacts --help: %d %q", code, out)
	}
	// An API that cannot be reached is an error, exit 1.
	if code, _, errOut := cliExec(t, "contacts", "list"); code != 1 || errOut == "" {
		t.Errorf("no API: exit %d, %q", code, errOut)
	}
}
