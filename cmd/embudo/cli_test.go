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

// cliScenario is the staff CLI's scenario against the local runtime: what
// its steps make, in the order they run.
type cliScenario struct {
	s                         *localServer
	src, web, interest, agent map[string]any
	hookURL                   string // the first source's webhook URL
	cid                       string // José's contact
	other                     map[string]any
	id1, id2                  string // José's opportunities
}

// cliStep is one step of a scenario; later steps build on what earlier
// ones made.
type cliStep struct {
	name string
	run  func(*testing.T)
}

// runSteps runs steps in order, each as a subtest. A step that stops
// (t.Fatal) stops the scenario; one that reports errors lets the next ones
// run.
func runSteps(t *testing.T, steps []cliStep) {
	t.Helper()
	for _, s := range steps {
		finished := false
		ok := t.Run(s.name, func(t *testing.T) {
			s.run(t)
			finished = true
		})
		if !finished { // stopped, or left out by -run: the next steps need it
			if !ok {
				t.FailNow()
			}
			return
		}
	}
}

// cliPrints runs a command that must succeed and requires each of want in
// what it prints; it returns the output.
func cliPrints(t *testing.T, args []string, want ...string) string {
	t.Helper()
	out := cliOK(t, args...)
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("embudo %s prints no %q:\n%s", strings.Join(args, " "), w, out)
		}
	}
	return out
}

// cliFails runs a command that must exit with code and say each of want on
// stderr.
func cliFails(t *testing.T, code int, args []string, want ...string) {
	t.Helper()
	got, _, errOut := cliExec(t, args...)
	if got != code {
		t.Errorf("embudo %s: exit %d, want %d; stderr %q", strings.Join(args, " "), got, code, errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("embudo %s: stderr %q lacks %q", strings.Join(args, " "), errOut, w)
		}
	}
}

func TestCLIAgainstTheLocalRuntime(t *testing.T) {
	r := &cliScenario{s: serveInProcess(t)}
	cliEnv(t, r.s)
	runSteps(t, []cliStep{
		{"admin resources", r.adminResources},
		{"contacts create", r.createContacts},
		{"contacts list", r.listContacts},
		{"contacts edit", r.editContact},
		{"opportunities", r.opportunities},
		{"notes and reminders", r.notes},
		{"files", r.files},
		{"quotes", r.quotes},
		{"convert", r.convert},
		{"timeline", r.timeline},
		{"report", r.report},
		{"admin lists and settings", r.adminLists},
		{"login", r.login},
	})
}

// adminResources: a source with a webhook (its URL shown once and
// remembered), an interest, an agent.
func (r *cliScenario) adminResources(t *testing.T) {
	r.src = cliJSON(t, "sources", "create", "--name", "Google Ads", "--cost-cents", "50000", "--webhook-kind", "form")
	hook, _ := r.src["webhook"].(map[string]any)
	r.hookURL, _ = hook["url"].(string)
	if !strings.HasPrefix(r.hookURL, r.s.url+"/hooks/whk_") {
		t.Fatalf("the new source's webhook URL: %v", r.src)
	}
	cliPrints(t, []string{"sources", "list"}, r.hookURL, "500,00 €")
	r.web = cliJSON(t, "sources", "create", "--name", "Web")
	r.interest = cliJSON(t, "interests", "create", "--name", "Tienda online")
	r.agent = cliJSON(t, "agents", "create", "--code", "ANA", "--name", "Ana Smith", "--email", "ana@example.com")
}

// createContacts: a contact, its references given by name; API errors are
// the problem's message and field, exit 1.
func (r *cliScenario) createContacts(t *testing.T) {
	c := cliJSON(t, "contacts", "create", "--name", "José", "--surname", "Pérez", "--email", "jose@example.com",
		"--phone", "600 12 34 56", "--source", "google ads", "--interests", "TIENDA", "--agent", "ana")
	r.cid = c["id"].(string)
	if c["sourceId"] != r.src["id"] || c["agentId"] != r.agent["id"] || !slices.Equal(cliTestStrings(c["interestIds"]), []string{r.interest["id"].(string)}) {
		t.Fatalf("names were not resolved to IDs: %v", c)
	}
	r.other = cliJSON(t, "contacts", "create", "--name", "Marta", "--email", "marta@example.com", "--source", r.web["id"].(string))
	for _, k := range []struct {
		args []string
		want []string
	}{
		{[]string{"contacts", "create", "--name", "Otro", "--email", "JOSE@example.com"}, []string{"409", "email:", r.cid}}, // a duplicate e-mail
		{[]string{"contacts", "create", "--surname", "Sin nombre"}, []string{"name: is required"}},
	} {
		cliFails(t, 1, k.args, k.want...)
	}
}

// listContacts: list and filter.
func (r *cliScenario) listContacts(t *testing.T) {
	cliPrints(t, []string{"contacts", "list"}, "José Pérez", "Google Ads", "Ana Smith")
	for _, f := range [][]string{{"--q", "jos"}, {"--email", "JOSE@example.com"}, {"--phone", "600123456"}, {"--source", "Google Ads"},
		{"--agent", "ANA"}, {"--interest", "tienda online"}} {
		if ids := cliIDs(cliJSON(t, append([]string{"contacts", "list"}, f...)...)); !slices.Equal(ids, []string{r.cid}) {
			t.Errorf("contacts list %v: %v", f, ids)
		}
	}
	if got := cliIDs(cliJSON(t, "contacts", "list", "--limit", "1", "--all")); len(got) != 2 {
		t.Errorf("contacts list --all with pages of 1: %v", got)
	}
	cliPrints(t, []string{"contacts", "list", "--email", "nadie@example.com"}, "No contacts.")
}

// editContact: PATCH with If-Match; only the fields given change.
func (r *cliScenario) editContact(t *testing.T) {
	cliOK(t, "contacts", "edit", r.cid, "--city", "Madrid", "--company=ACME SL")
	contact := cliJSON(t, "contacts", "show", r.cid)["contact"].(map[string]any)
	if contact["company"] != "ACME SL" || contact["address"].(map[string]any)["city"] != "Madrid" || contact["email"] != "jose@example.com" {
		t.Errorf("after the edit: %v", contact)
	}
}

// opportunities: create, move by state name, bulk move, tabs, assign.
func (r *cliScenario) opportunities(t *testing.T) {
	o1 := cliJSON(t, "opportunities", "create", "--contact", r.cid, "--description", "Tienda online", "--approx-amount-cents", "150000", "--interest", "tienda")
	o2 := cliJSON(t, "opp", "create", "--contact", r.cid, "--description", "Mantenimiento")
	r.id1, r.id2 = o1["id"].(string), o2["id"].(string)
	cliPrints(t, []string{"opportunities", "move", r.id1, "--state", "en negociacion"}, "En negociación")
	if ids := cliIDs(cliJSON(t, "opportunities", "list", "--state", "EN NEGOCIACIÓN")); !slices.Equal(ids, []string{r.id1}) {
		t.Errorf("the En negociación tab: %v", ids)
	}
	cliPrints(t, []string{"opportunities", "bulk-move", "--state", "presupuestado", r.id1, r.id2}, "Moved 2 opportunities to Presupuestado")
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
	cliFails(t, 1, []string{"opportunities", "move", r.id2, "--state", "no-such-state"}, "Presupuestado") // an unknown state
	cliPrints(t, []string{"opportunities", "assign", r.id2, "--agent", "Ana Smith"}, "agent Ana Smith")
}

// notes: a note with an aviso, and the reminders.
func (r *cliScenario) notes(t *testing.T) {
	note := cliJSON(t, "notes", "add", "--opportunity", r.id1, "--text", "Llamar para cerrar", "--aviso", "2099-01-05")
	if note["avisoAt"] == nil {
		t.Errorf("the note has no aviso: %v", note)
	}
	cliPrints(t, []string{"notes", "list", "--opportunity", r.id1}, "Llamar para cerrar")
	if ids := cliIDs(cliJSON(t, "reminders")); !slices.Contains(ids, note["id"].(string)) {
		t.Errorf("reminders: %v", ids)
	}
	cliPrints(t, []string{"reminders"}, "Llamar para cerrar")
	cliFails(t, 2, []string{"notes", "add", "--contact", r.cid, "--opportunity", r.id1, "--text", "x"}) // a note on two things
}

// files: upload and download a file.
func (r *cliScenario) files(t *testing.T) {
	dir := t.TempDir()
	data := append([]byte("%PDF-1.7 presupuesto\x00\xff"), bytes.Repeat([]byte("abc"), 5000)...)
	src1 := filepath.Join(dir, "oferta.pdf")
	if err := os.WriteFile(src1, data, 0o600); err != nil {
		t.Fatal(err)
	}
	file := cliJSON(t, "files", "upload", "--opportunity", r.id1, src1)
	if file["status"] != "complete" || file["contentType"] != "application/pdf" || file["name"] != "oferta.pdf" {
		t.Errorf("uploaded: %v", file)
	}
	dest := filepath.Join(dir, "copia.pdf")
	cliOK(t, "files", "download", file["id"].(string), "-o", dest)
	if got, err := os.ReadFile(dest); err != nil || !bytes.Equal(got, data) {
		t.Errorf("downloaded %d bytes (%v), uploaded %d", len(got), err, len(data))
	}
	cliFails(t, 1, []string{"files", "download", file["id"].(string), "-o", dest}, "--force") // over an existing file
	cliPrints(t, []string{"files", "list", "--opportunity", r.id1}, "oferta.pdf")
}

// quotes: a quote, shown and accepted: the opportunity is won.
func (r *cliScenario) quotes(t *testing.T) {
	q := cliJSON(t, "quotes", "create", "--opportunity", r.id1, "--line", "Tienda;1;120000;0;21")
	if q["totalCents"] != float64(145200) {
		t.Errorf("the quote: %v", q)
	}
	cliPrints(t, []string{"quotes", "show", q["id"].(string)}, "1.452,00 €", "Tienda")
	cliOK(t, "quotes", "accept", q["id"].(string))
	opp := cliJSON(t, "opportunities", "show", r.id1)["opportunity"].(map[string]any)
	if opp["closedAt"] == nil {
		t.Errorf("accepting the quote did not win the opportunity: %v", opp)
	}
}

// convert, twice: the same supplier.
func (r *cliScenario) convert(t *testing.T) {
	id := r.other["id"].(string)
	first := cliOK(t, "contacts", "convert", id, "--to", "supplier")
	again := cliOK(t, "contacts", "convert", id, "--to", "supplier")
	if !strings.HasPrefix(first, "Converted into supplier") || !strings.HasPrefix(again, "Already converted into supplier") {
		t.Errorf("convert: %q then %q", first, again)
	}
	if ids := cliIDs(cliJSON(t, "contacts", "list", "--kind", "supplier")); !slices.Equal(ids, []string{id}) {
		t.Errorf("suppliers among contacts: %v", ids)
	}
}

// timeline: the change feed writes it: wait for it.
func (r *cliScenario) timeline(t *testing.T) {
	var out string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out = cliOK(t, "contacts", "show", r.cid)
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
	if tl := cliItems(cliJSON(t, "contacts", "show", r.cid)["timeline"].(map[string]any)); len(tl) < 3 {
		t.Errorf("the timeline in JSON: %v", tl)
	}
}

// report: counters from the change feed too.
func (r *cliScenario) report(t *testing.T) {
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
	cliPrints(t, []string{"report", "sources"},
		"SOURCE", "CONVERSION", "ROI", "Google Ads", "Web", "Total", "1.200,00 €", "50,0 %", "Won amount", "Conversion", "█")
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
	cliFails(t, 1, []string{"report", "sources", "--from", "2026-13"}) // a bad month
}

// adminLists: --json anywhere, the admin lists, settings, users and
// tokens, a webhook URL rotated.
func (r *cliScenario) adminLists(t *testing.T) {
	for _, args := range [][]string{{"--json", "states"}, {"interests", "--json"}, {"agents", "list", "--json"}, {"users", "list", "--json"},
		{"settings", "--json"}, {"clients", "list", "--json"}, {"suppliers", "list", "--json"}, {"opportunities", "list", "--json", "--all"}} {
		out := cliOK(t, args...)
		if !json.Valid([]byte(out)) || len(cliItems(mustObject(t, out))) == 0 {
			t.Errorf("embudo %v: %s", args, out)
		}
	}
	cliPrints(t, []string{"settings", "set", "notify-note", "--enabled=false", "--subject-es", "Aviso"}, "off")
	cliPrints(t, []string{"settings", "show", "notify-note"}, "Aviso", "false")
	user := cliJSON(t, "users", "create", "--name", "Beto Ruiz", "--email", "beto@example.com")
	tok := cliJSON(t, "tokens", "create", "beto", "--name", "portátil")
	if tok["userId"] != user["id"] || !strings.HasPrefix(tok["token"].(string), "emb_") {
		t.Errorf("the token: %v", tok)
	}
	rotated := cliOK(t, "sources", "rotate", "google ads")
	if !strings.Contains(rotated, "/hooks/whk_") || strings.Contains(rotated, r.hookURL) {
		t.Errorf("rotate did not issue a new URL: %q", rotated)
	}
}

// login: embudo login checks the token and keeps the URL and token where
// the other commands find them; asked on standard input without flags.
func (r *cliScenario) login(t *testing.T) {
	s := r.s
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("EMBUDO_URL", "")
	t.Setenv("EMBUDO_TOKEN", "")
	cliFails(t, 1, []string{"login", "--url", s.url, "--token", "not-a-token"}, "refused")
	path := filepath.Join(cfg, "embudo", "config.json")
	cliPrints(t, []string{"login", "--url", s.url, "--token", effectsToken}, path) // it says where it saved
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the configuration: %v %v", st, err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), effectsToken) || !strings.Contains(string(b), s.url) {
		t.Errorf("the configuration holds %s", b)
	}
	// The other commands use it.
	if ids := cliIDs(cliJSON(t, "contacts", "list", "--q", "jose")); !slices.Equal(ids, []string{r.cid}) {
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
