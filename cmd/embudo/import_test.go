package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// `embudo import contacts` driven in-process against `embudo serve` running
// in-process, as a user runs them.

// cliAgainst starts a local runtime and points the CLI at it.
func cliAgainst(t *testing.T) *localServer {
	t.Helper()
	s := serveInProcess(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no stored `embudo login`
	t.Setenv("EMBUDO_URL", s.url)
	t.Setenv("EMBUDO_TOKEN", effectsToken)
	return s
}

// cliRun runs the embudo command line and returns its exit code and output.
func cliRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// cliMustRun runs the command line and requires exit status 0.
func cliMustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	code, out, errs := cliRun(t, args...)
	if code != 0 {
		t.Fatalf("embudo %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out, errs
}

// writeTemp writes content to a new file called name and returns its path.
func writeTemp(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// listAll follows the pages of a list of the API.
func (s *localServer) listAll(t *testing.T, path string, query url.Values) []map[string]any {
	t.Helper()
	q := url.Values{"limit": {"200"}}
	for k, v := range query {
		q[k] = v
	}
	var all []map[string]any
	for {
		m := s.must(t, effectsToken, "GET", path+"?"+q.Encode(), nil, 200)
		for _, it := range items(m) {
			all = append(all, it.(map[string]any))
		}
		next, _ := m["nextCursor"].(string)
		if next == "" {
			return all
		}
		q.Set("cursor", next)
	}
}

// byEmail indexes contacts by e-mail.
func byEmail(cs []map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, c := range cs {
		if e, _ := c["email"].(string); e != "" {
			out[e] = c
		}
	}
	return out
}

// importReport is what `embudo import contacts --json` prints.
type importReport struct {
	Created, Merged, Unchanged, Rejected int
	Results                              []struct {
		Line      int
		Outcome   string
		ContactID string
		Reason    string
	}
}

// importJSON runs an import with --json and decodes its report.
func importJSON(t *testing.T, args ...string) importReport {
	t.Helper()
	out, _ := cliMustRun(t, append([]string{"import", "contacts", "--json"}, args...)...)
	var rep importReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json printed no report: %v\n%s", err, out)
	}
	return rep
}

func TestImportSpanishFileThenReRunCreatesNothing(t *testing.T) {
	s := cliAgainst(t)
	src := s.must(t, effectsToken, "POST", "/v1/sources", map[string]any{"name": "Feria 2026"}, 201)
	tienda := s.must(t, effectsToken, "POST", "/v1/interests", map[string]any{"name": "Tienda online"}, 201)
	redes := s.must(t, effectsToken, "POST", "/v1/interests", map[string]any{"name": "Redes sociales"}, 201)

	file := writeTemp(t, "contactos.csv", []byte("\uFEFF"+
		"Nombre;Apellidos;Correo electrónico;Teléfono;Móvil;EMPRESA;Puesto;Dirección;C.P.;Población;Provincia;País;Fuente;Intereses;Acepta marketing;Observaciones;Columna rara\r\n"+
		"José;Pérez Núñez;Jose@Example.com;600 12 34 56;;Panadería Ñandú;Gerente;Calle Larios 5;29001;Málaga;Málaga;España;feria 2026;tienda online | Redes Sociales;Sí;\"Llamar\r\npor la tarde\";x\r\n"+
		"Lucía;Fernández;;;+34 611 22 33 44;;;;;Sevilla;;;FERIA 2026;;no;;y\r\n"+
		";;;;;;;;;;;;;;;;\r\n"))

	out, errs := cliMustRun(t, "import", "contacts", file)
	for _, want := range []string{"created    2", "merged     0", "unchanged  0", "rejected   0"} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, `"Columna rara"`) || strings.Count(errs, "Columna rara") != 1 {
		t.Errorf("the unknown column is not reported once as ignored:\n%s", errs)
	}
	if !strings.Contains(errs, "Correo electrónico→email") || !strings.Contains(errs, "C.P.→address.postalCode") {
		t.Errorf("the columns read are not shown:\n%s", errs)
	}

	cs := s.listAll(t, "/v1/contacts", nil)
	if len(cs) != 2 {
		t.Fatalf("%d contacts, want 2: %v", len(cs), cs)
	}
	jose := byEmail(cs)["jose@example.com"]
	if jose == nil {
		t.Fatalf("no contact with the e-mail normalised: %v", cs)
	}
	addr, _ := jose["address"].(map[string]any)
	ids, _ := jose["interestIds"].([]any)
	if jose["name"] != "José" || jose["surname"] != "Pérez Núñez" || jose["phone"] != "+34600123456" ||
		jose["company"] != "Panadería Ñandú" || jose["jobTitle"] != "Gerente" || jose["sourceId"] != src["id"] ||
		jose["marketingConsent"] != true || addr["city"] != "Málaga" || addr["postalCode"] != "29001" ||
		addr["street"] != "Calle Larios 5" || addr["country"] != "ES" ||
		!strings.Contains(fmt.Sprint(jose["observations"]), "por la tarde") ||
		!slices.Contains(ids, tienda["id"]) || !slices.Contains(ids, redes["id"]) {
		t.Errorf("José as imported: %v", jose)
	}
	var lucia map[string]any
	for _, c := range cs {
		if c["name"] == "Lucía" {
			lucia = c
		}
	}
	if lucia == nil || lucia["mobile"] != "+34611223344" || lucia["marketingConsent"] != false || lucia["sourceId"] != src["id"] {
		t.Errorf("Lucía (a mobile only, no e-mail) as imported: %v", lucia)
	}

	// The same file again: nothing new, every row unchanged, same contacts.
	rep := importJSON(t, file)
	if rep.Created != 0 || rep.Merged != 0 || rep.Unchanged != 2 || rep.Rejected != 0 || len(rep.Results) != 2 {
		t.Fatalf("re-running the file: %+v", rep)
	}
	if rep.Results[0].Line != 2 || rep.Results[1].Line != 4 || rep.Results[0].ContactID != jose["id"] {
		t.Errorf("lines and contacts of the re-run (the quoted line break makes Lucía line 4): %+v", rep.Results)
	}
	if n := len(s.listAll(t, "/v1/contacts", nil)); n != 2 {
		t.Errorf("after a re-run there are %d contacts, want 2", n)
	}
}

func TestImportRejectsBadRowsByLineAndWritesNothingForThem(t *testing.T) {
	s := cliAgainst(t)
	s.must(t, effectsToken, "POST", "/v1/sources", map[string]any{"name": "Web"}, 201)
	s.must(t, effectsToken, "POST", "/v1/interests", map[string]any{"name": "Fibra"}, 201)

	file := writeTemp(t, "bad.csv", []byte(`name,last name,email,phone,source,interests,marketing consent,mobile,country
Ana,Ok,ana@example.com,,Web,Fibra,yes
Bad,Email,not-an-email,,,,
,Noname,noname@example.com,,,,
Src,Unknown,src@example.com,,Nowhere,,
Ana,Again,ANA@EXAMPLE.COM,,,,
Ben,Ok,ben@example.com,+34 611 22 33 44,,,
Ben,Phone,benphone@example.com,611223344,,,
Int,Unknown,int@example.com,,,Nada,
Carla,Ok,carla@example.com,,,,no
Con,Sent,consent@example.com,,,,maybe
Bad,Phone,badphone@example.com,12,,,
Dani,Ok,dani@example.com,,,,
Carla,Twice,carla@example.com,,,,
Eva,Mobile,eva@example.com,,,,,611 22 33 44
Fran,Country,fran@example.com,,,,,,Narnia
Gil,Ok,gil@example.com,,,,,,España
`))
	wantRejected := map[int]string{
		3:  "email is not a valid e-mail address",
		4:  "name is required",
		5:  "no source is called Nowhere",
		6:  "repeats line 2 (ana@example.com)",
		8:  "repeats line 7 (+34611223344)",
		9:  "no interest is called Nada",
		11: "marketingConsent is not yes or no",
		12: "phone is not a valid phone number",
		14: "repeats line 10 (carla@example.com)",
		15: "repeats line 7 (+34611223344)", // a mobile repeating a phone, in another batch
		16: "address.country",
	}
	code, out, errs := cliRun(t, "import", "contacts", "--batch", "2", file)
	if code != 0 {
		t.Fatalf("a file with rejected rows must exit 0, got %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "created    5") || !strings.Contains(out, "rejected   11") {
		t.Errorf("summary:\n%s", out)
	}
	for line, reason := range wantRejected {
		want := fmt.Sprintf("line %d: ", line)
		i := strings.Index(out, want)
		if i < 0 {
			t.Errorf("line %d is not reported:\n%s", line, out)
			continue
		}
		if got := out[i:]; !strings.Contains(got[:strings.IndexByte(got, '\n')], reason) {
			t.Errorf("line %d: want a reason with %q, got %q", line, reason, got[:strings.IndexByte(got, '\n')])
		}
	}

	cs := s.listAll(t, "/v1/contacts", nil)
	var names []string
	for _, c := range cs {
		names = append(names, fmt.Sprint(c["name"], " ", c["surname"]))
	}
	slices.Sort(names)
	if want := []string{"Ana Ok", "Ben Ok", "Carla Ok", "Dani Ok", "Gil Ok"}; !slices.Equal(names, want) {
		t.Errorf("the contacts are %v, want only %v", names, want)
	}
	if c := byEmail(cs)["ana@example.com"]; c["surname"] != "Ok" {
		t.Errorf("the repeated line changed Ana: %v", c)
	}
	if c := byEmail(cs)["gil@example.com"]; c["address"].(map[string]any)["country"] != "ES" {
		t.Errorf("España is not ES: %v", c)
	}

	// Again with --json: the same lines, the same reasons, nothing new.
	rep := importJSON(t, "--batch", "2", file)
	if rep.Created != 0 || rep.Unchanged != 5 || rep.Rejected != 11 {
		t.Errorf("re-run: %+v", rep)
	}
	for _, r := range rep.Results {
		if reason, bad := wantRejected[r.Line]; bad != (r.Outcome == "rejected") || (bad && !strings.Contains(r.Reason, reason)) {
			t.Errorf("line %d: %+v", r.Line, r)
		}
	}
	if n := len(s.listAll(t, "/v1/contacts", nil)); n != 5 {
		t.Errorf("after the re-run: %d contacts", n)
	}
}

func TestImportMergesIntoTheContactWithTheEmail(t *testing.T) {
	s := cliAgainst(t)
	marta := s.must(t, effectsToken, "POST", "/v1/contacts", map[string]any{"name": "Marta", "surname": "Gil", "email": "marta@example.com"}, 201)
	file := writeTemp(t, "merge.csv", []byte("nombre;apellidos;correo;empresa;cargo\nMarta Otra;Gil Sanz;MARTA@example.com;Acme SL;Directora\n"))
	rep := importJSON(t, file)
	if rep.Merged != 1 || rep.Created != 0 || rep.Results[0].ContactID != marta["id"] {
		t.Fatalf("import onto an existing e-mail: %+v", rep)
	}
	c := s.must(t, effectsToken, "GET", fmt.Sprintf("/v1/contacts/%s", marta["id"]), nil, 200)
	if c["name"] != "Marta" || c["surname"] != "Gil" || c["company"] != "Acme SL" || c["jobTitle"] != "Directora" {
		t.Errorf("after merging: %v (want the name kept and the empty company and job title filled)", c)
	}
	if n := len(s.listAll(t, "/v1/contacts", nil)); n != 1 {
		t.Errorf("%d contacts after a merge, want 1", n)
	}
}

func TestImportMappingOverridesAndEncodings(t *testing.T) {
	cliAgainst(t)
	// Windows-1252 (as Excel writes CSV on Windows), columns only --map
	// reads, one ignored on purpose, and one mapped away from its own name.
	cp := []byte("Persona,Buzon,Tel,Apellidos,Columna rara\nJos\xe9,jose@example.com,600123456,P\xe9rez,x\n")
	file := writeTemp(t, "raro.csv", cp)
	code, _, errs := cliRun(t, "import", "contacts", "--dry-run", file)
	if code != 1 || !strings.Contains(errs, "no column holds the name") {
		t.Errorf("no name column: exit %d, %s", code, errs)
	}
	out, errs := cliMustRun(t, "import", "contacts", file, "--map", "persona=name", "--map", "Buzon=correo", "--map", "Tel=mobile",
		"--ignore", "columna rara", "--json")
	if !strings.Contains(errs, "Windows-1252") || strings.Contains(errs, "ignored columns") {
		t.Errorf("stderr: %s", errs)
	}
	var rep importReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Created != 1 {
		t.Fatalf("import with --map: %v %s", err, out)
	}
	c := cliContact(t, rep.Results[0].ContactID)
	if c["name"] != "José" || c["surname"] != "Pérez" || c["email"] != "jose@example.com" || c["mobile"] != "+34600123456" {
		t.Errorf("imported through --map from Windows-1252: %v", c)
	}

	for _, bad := range [][]string{
		{"import", "contacts", file, "--map", "Persona=nonsense"},
		{"import", "contacts", file, "--map", "NoSuchColumn=name"},
		{"import", "contacts"},
		{"import", "contacts", file, "--batch", "501"},
		{"import", "opportunities", file},
	} {
		if code, _, _ := cliRun(t, bad...); code == 0 {
			t.Errorf("%v: exit 0", bad)
		}
	}
	if code, _, _ := cliRun(t, "import", "contacts", filepath.Join(t.TempDir(), "missing.csv")); code != 1 {
		t.Errorf("a missing file: exit %d, want 1", code)
	}
	// --token wins over EMBUDO_TOKEN; a token refused stops the import at once.
	t.Setenv("EMBUDO_TOKEN", "not-a-token")
	if code, _, errs := cliRun(t, "import", "contacts", file, "--map", "persona=name"); code != 1 || !strings.Contains(errs, "401") {
		t.Errorf("a wrong token: exit %d, %s", code, errs)
	}
	if rep := importJSON(t, file, "--map", "persona=name", "--map", "Buzon=correo", "--map", "Tel=mobile", "--ignore", "columna rara",
		"--token", effectsToken); rep.Unchanged != 1 {
		t.Errorf("with --token: %+v", rep)
	}
	t.Setenv("EMBUDO_URL", "http://127.0.0.1:1")
	t.Setenv("EMBUDO_TOKEN", effectsToken)
	if code, _, errs := cliRun(t, "import", "contacts", file, "--map", "persona=name"); code != 1 || !strings.Contains(errs, "run the same command again") {
		t.Errorf("an unreachable API: exit %d, %s", code, errs)
	}
}

// cliContact reads a contact through the API the CLI is pointed at.
func cliContact(t *testing.T, id string) map[string]any {
	t.Helper()
	s := &localServer{url: os.Getenv("EMBUDO_URL")}
	return s.must(t, effectsToken, "GET", "/v1/contacts/"+id, nil, 200)
}

func TestImport10000Rows(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 rows")
	}
	t.Parallel() // the API named by flags, not by the environment
	s := serveInProcess(t)
	const n = 10000
	var b strings.Builder
	b.WriteString("nombre;apellidos;email;móvil;empresa;ciudad\n")
	for i := range n {
		fmt.Fprintf(&b, "Persona %d;Apellido %d;persona%d@example.com;+34 6%08d;Empresa %d;Ciudad %d\n", i, i, i, i, i%97, i%13)
	}
	file := writeTemp(t, "diez-mil.csv", []byte(b.String()))
	out, errs := cliMustRun(t, "import", "contacts", file, "--url", s.url, "--token", effectsToken)
	if !strings.Contains(out, fmt.Sprintf("created    %d", n)) || !strings.Contains(out, "rejected   0") {
		t.Fatalf("summary:\n%s\n%s", out, errs)
	}
	if !strings.Contains(errs, fmt.Sprintf("imported %d of %d rows", n, n)) {
		t.Errorf("no progress line on a non-terminal stderr:\n%s", errs)
	}
	cs := s.listAll(t, "/v1/contacts", nil)
	if len(cs) != n {
		t.Fatalf("%d contacts listed, want %d", len(cs), n)
	}
	emails := byEmail(cs)
	for _, i := range []int{0, 4999, n - 1} {
		if c := emails[fmt.Sprintf("persona%d@example.com", i)]; c == nil || c["mobile"] != fmt.Sprintf("+346%08d", i) {
			t.Errorf("row %d: %v", i, c)
		}
	}
}
