package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/client"
	"github.com/embudo/embudo/internal/crm"
)

const importUsage = `Usage: embudo import contacts [flags] FILE.csv

Imports contacts from a CSV file (separated by ";" or ",", UTF-8 with or
without BOM; Windows-1252 and UTF-16 files are read too). The header row
names the columns, in Spanish or English, in any case and with or without
accents: nombre/name, apellidos/surname, email/correo, teléfono/phone,
móvil/mobile, empresa/company, cargo/puesto/job title, nif/cif/tax id,
web/website, observaciones/notas/notes, dirección/address, cp/código
postal/zip, ciudad/población/city, provincia/province, país/country (a
two-letter code; common names such as España are converted, others are
rejected), fuente/source (a source's name or ID), intereses/interests
(several separated by "," ";" or "|") and acepta marketing/marketing
consent (sí/no, yes/no, 1/0). Other columns are ignored, and said so.

Rows are taken in like webhook leads: e-mail and phone normalised, a contact
with the same e-mail or phone gets its empty fields filled (nothing is
overwritten). A row is rejected, and nothing is written for it, when its
e-mail, phone or mobile is invalid, its name is empty, its source, an
interest or its country is unknown, or it repeats the e-mail, phone or
mobile of an earlier line of the file (whatever batch that line went in).
Importing the same file again creates nothing: its rows come back unchanged.

The summary counts created, merged, unchanged and rejected rows and lists
every rejected line with its reason.

Exit status: 0 when the file was processed, even if some rows were rejected;
1 when the file cannot be read or the API cannot be reached or fails (rows
sent before the failure stay imported: run the same command again to
finish); 2 for a wrong command line.

Flags:
`

// importFlags are the flags of `embudo import contacts`.
type importFlags struct {
	maps      []string // "Column=field"
	ignores   []string
	delimiter string
	region    string
	batch     int
	parallel  int
	progress  bool
	quiet     bool
	json      bool
	dryRun    bool
	api       transferAPI
}

// runImport runs `embudo import`.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "contacts" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, importUsage)
			importFlagSet(&importFlags{}, stdout).PrintDefaults()
			return nil
		}
		fmt.Fprintln(stderr, "embudo import: what to import? Only contacts can be: embudo import contacts FILE.csv")
		return errUsage
	}
	var f importFlags
	fs := importFlagSet(&f, stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage)
		fs.PrintDefaults()
	}
	files, err := parseTransferArgs(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "embudo import contacts: give one file (- reads standard input)")
		fs.Usage()
		return errUsage
	}
	if f.batch < 1 || f.batch > crm.MaxImportRows {
		fmt.Fprintf(stderr, "embudo import contacts: --batch must be between 1 and %d\n", crm.MaxImportRows)
		return errUsage
	}
	if f.parallel < 1 || f.parallel > 16 {
		fmt.Fprintln(stderr, "embudo import contacts: --parallel must be between 1 and 16")
		return errUsage
	}
	var delim rune
	if f.delimiter != "" {
		d, ok := transferDelimiter(f.delimiter)
		if !ok {
			fmt.Fprintf(stderr, "embudo import contacts: --delimiter %q: give one character, or tab\n", f.delimiter)
			return errUsage
		}
		delim = d
	}
	overrides, err := importParseMaps(f.maps)
	if err != nil {
		fmt.Fprintln(stderr, "embudo import contacts:", err)
		return errUsage
	}

	data, err := readImportFile(files[0])
	if err != nil {
		return err
	}
	text, note, err := importDecodeText(data)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	if note != "" {
		fmt.Fprintf(stderr, "%s: %s\n", files[0], note)
	}
	sheet, err := importParseSheet(text, delim)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	m, err := importMapColumns(sheet.header, overrides, f.ignores)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	if !f.quiet {
		fmt.Fprintf(stderr, "columns: %s\n", m.describe(sheet.header))
		if len(m.unknown) > 0 {
			fmt.Fprintf(stderr, "ignored columns: %s (read one with --map \"COLUMN=field\")\n", importQuoteAll(m.unknown))
		}
		for _, s := range m.shadowed {
			fmt.Fprintf(stderr, "ignored column %s\n", s)
		}
	}

	plan := planImport(sheet, m, f.region)
	if f.dryRun {
		rep := importReport{Results: plan.local, IgnoredColumns: m.ignored}
		rep.count()
		if f.json {
			return transferJSON(stdout, rep)
		}
		fmt.Fprintf(stdout, "%d rows would be sent; %d rejected before sending.\n", len(plan.send), rep.Rejected)
		rep.printRejected(stdout)
		return nil
	}

	cl, err := f.api.client()
	if err != nil {
		return err
	}
	prog := newImportProgress(stderr, len(plan.send), f.progress, f.quiet)
	results, err := importSend(ctx, cl, plan.send, f.batch, f.parallel, prog.add)
	prog.done()
	if err != nil {
		return err
	}
	rep := importReport{Results: append(plan.local, results...), IgnoredColumns: m.ignored}
	rep.count()
	if f.json {
		return transferJSON(stdout, rep)
	}
	rep.print(stdout)
	return nil
}

// importFlagSet declares the flags of `embudo import contacts` into f.
func importFlagSet(f *importFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("embudo import contacts", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Func("map", "read a column as a field, written `COLUMN=field`; the fields are name, surname, email, phone,\n"+
		"mobile, company, jobTitle, taxId, web, observations, street, postalCode, city, province, country, source,\n"+
		"interests and marketingConsent (or their Spanish names); repeatable", func(s string) error {
		f.maps = append(f.maps, s)
		return nil
	})
	fs.Func("ignore", "do not read this `COLUMN`; repeatable", func(s string) error {
		f.ignores = append(f.ignores, s)
		return nil
	})
	fs.StringVar(&f.delimiter, "delimiter", "", "the column separator (default: detected from the header: ; , or tab)")
	fs.StringVar(&f.region, "region", "ES", "country of phone numbers written without a prefix, to find repeated lines (as the server's --phone-region)")
	fs.IntVar(&f.batch, "batch", crm.MaxImportRows, "rows per request")
	fs.IntVar(&f.parallel, "parallel", 2, "requests sent at the same time")
	fs.BoolVar(&f.progress, "progress", false, "draw the progress bar even when standard error is not a terminal")
	fs.BoolVar(&f.quiet, "quiet", false, "print no columns nor progress on standard error")
	fs.BoolVar(&f.json, "json", false, "print the outcome of every row as JSON")
	fs.BoolVar(&f.dryRun, "dry-run", false, "read and check the file, send nothing")
	f.api.flags(fs)
	return fs
}

// parseTransferArgs parses fs from args allowing flags after the positional
// arguments (`embudo import contacts file.csv --json`), which it returns.
func parseTransferArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil // after "--" nothing is a flag
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// readImportFile reads name, or standard input for "-".
func readImportFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

// importRow is one row as the import endpoint takes it.
type importRow struct {
	Line             int           `json:"line"`
	Name             string        `json:"name"`
	Surname          string        `json:"surname"`
	Email            string        `json:"email"`
	Phone            string        `json:"phone"`
	Mobile           string        `json:"mobile"`
	Company          string        `json:"company"`
	JobTitle         string        `json:"jobTitle"`
	TaxID            string        `json:"taxId"`
	Web              string        `json:"web"`
	Observations     string        `json:"observations"`
	Address          importAddress `json:"address"`
	Source           string        `json:"source"`
	Interests        []string      `json:"interests"`
	MarketingConsent bool          `json:"marketingConsent"`
}

// importAddress is the postal address of an import row.
type importAddress struct {
	Street     string `json:"street"`
	PostalCode string `json:"postalCode"`
	City       string `json:"city"`
	Province   string `json:"province"`
	Country    string `json:"country"`
}

// importResult is what happened to one line: the endpoint's answer for a
// row, or a rejection decided before sending.
type importResult struct {
	Line      int               `json:"line"`
	Outcome   string            `json:"outcome"`
	ContactID string            `json:"contactId,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	// Previous is, for an unchanged row, what importing it did the first
	// time (created or merged).
	Previous string `json:"previous,omitempty"`
}

// importPlan is a file read and checked: the rows to send and the lines
// already rejected.
type importPlan struct {
	send  []importRow
	local []importResult
}

// planImport turns the sheet's records into rows, rejecting the ones that
// cannot be right (a consent that is not yes or no, more cells than
// columns) and the ones repeating the e-mail or phone of an earlier line of
// the file, so that those write nothing whatever batch they fall in. Like
// the server, a row it finds wrong claims no e-mail nor phone.
func planImport(s *importSheet, m *importColumnMap, region string) importPlan {
	var p importPlan
	seen := map[string]int{}
	for _, rec := range s.records {
		if importBlank(rec.cells) {
			continue
		}
		row, fields := m.row(rec, len(s.header))
		if len(fields) == 0 {
			if rep, key := importRepeatedLine(row, region, seen); rep > 0 {
				fields = map[string]string{"row": fmt.Sprintf("repeats line %d (%s)", rep, key)}
			}
		}
		if len(fields) > 0 {
			p.local = append(p.local, importResult{Line: rec.line, Outcome: string(crm.ImportRejected), Fields: fields, Reason: importDescribe(fields)})
			continue
		}
		p.send = append(p.send, row)
	}
	return p
}

// importRepeatedLine returns the earlier line holding row's e-mail, phone
// or mobile (a phone of one line equal to the mobile of another is the same
// number), and that value; otherwise it records row's as seen and returns
// 0. It normalises as the server does, and a row the server will reject for
// its name, e-mail or numbers claims nothing.
func importRepeatedLine(row importRow, region string, seen map[string]int) (int, string) {
	if strings.TrimSpace(row.Name) == "" {
		return 0, ""
	}
	email, ok := crm.NormalizeEmail(row.Email)
	if !ok {
		return 0, ""
	}
	var keys []string
	if email != "" {
		keys = append(keys, "email "+email)
	}
	for _, n := range []string{row.Phone, row.Mobile} {
		phone, ok := crm.NormalizePhone(n, region)
		if !ok {
			return 0, ""
		}
		if phone != "" && !slices.Contains(keys, "phone "+phone) {
			keys = append(keys, "phone "+phone)
		}
	}
	for _, k := range keys {
		if first, dup := seen[k]; dup {
			return first, k[strings.IndexByte(k, ' ')+1:]
		}
	}
	for _, k := range keys {
		seen[k] = row.Line
	}
	return 0, ""
}

// importDescribe joins a row's problems into one sentence, the row-wide
// one first, as the server words them.
func importDescribe(f map[string]string) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "row") != (keys[j] == "row") {
			return keys[i] == "row"
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + f[k]
	}
	return strings.Join(parts, "; ")
}

// importAnswer is the endpoint's answer to one batch.
type importAnswer struct {
	Results []importResult `json:"results"`
}

// importSend sends rows in batches of size, parallel requests at a time,
// calling progress with the rows of each batch answered. A batch failing
// for the network or the server is sent again (the endpoint recognises
// rows it already took); the first batch that still fails stops the
// import and is the error.
func importSend(ctx context.Context, cl *client.Client, rows []importRow, size, parallel int, progress func(int)) ([]importResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var batches [][]importRow
	for i := 0; i < len(rows); i += size {
		batches = append(batches, rows[i:min(i+size, len(rows))])
	}
	out := make([][]importResult, len(batches))
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range min(parallel, len(batches)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				res, err := importSendBatch(ctx, cl, batches[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					b := batches[i]
					firstErr = fmt.Errorf("importing lines %d to %d: %w\n(rows answered before stay imported: run the same command again to finish, they come back unchanged)",
						b[0].Line, b[len(b)-1].Line, err)
					cancel()
				}
				mu.Unlock()
				if err == nil {
					out[i] = res
					progress(len(batches[i]))
				}
			}
		}()
	}
feed:
	for i := range batches {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all []importResult
	for _, r := range out {
		all = append(all, r...)
	}
	return all, nil
}

// importSendBatch posts one batch, trying again a few times when the network or
// the server fails (not when the API refuses the request).
func importSendBatch(ctx context.Context, cl *client.Client, rows []importRow) ([]importResult, error) {
	body := struct {
		Rows []importRow `json:"rows"`
	}{rows}
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 250 * time.Millisecond):
			}
		}
		var ans importAnswer
		_, err = cl.JSON(ctx, http.MethodPost, "/v1/contacts:import", nil, body, &ans, nil)
		if err == nil {
			if len(ans.Results) != len(rows) {
				return nil, fmt.Errorf("the API answered %d results for %d rows", len(ans.Results), len(rows))
			}
			if attempt > 0 {
				// The attempt that failed may have been carried out: a row it
				// took comes back unchanged now, and counts as what it did then.
				for i, r := range ans.Results {
					if r.Outcome == "unchanged" && r.Previous != "" {
						ans.Results[i].Outcome = r.Previous
					}
				}
			}
			return ans.Results, nil
		}
		var p *client.Problem
		if ctx.Err() != nil || (errors.As(err, &p) && p.Status < 500 && p.Status != http.StatusTooManyRequests) {
			return nil, err
		}
	}
	return nil, err
}

// importReport is the outcome of an import: the counts and every line's result.
type importReport struct {
	Created        int            `json:"created"`
	Merged         int            `json:"merged"`
	Unchanged      int            `json:"unchanged"`
	Rejected       int            `json:"rejected"`
	Results        []importResult `json:"results"`
	IgnoredColumns []string       `json:"ignoredColumns,omitempty"`
}

// count sorts the results by line and counts the outcomes.
func (r *importReport) count() {
	sort.SliceStable(r.Results, func(i, j int) bool { return r.Results[i].Line < r.Results[j].Line })
	if r.Results == nil {
		r.Results = []importResult{}
	}
	r.Created, r.Merged, r.Unchanged, r.Rejected = 0, 0, 0, 0
	for _, x := range r.Results {
		switch crm.ImportOutcome(x.Outcome) {
		case crm.ImportCreated:
			r.Created++
		case crm.ImportMerged:
			r.Merged++
		case crm.ImportUnchanged:
			r.Unchanged++
		default:
			r.Rejected++
		}
	}
}

// print writes the summary for a person.
func (r *importReport) print(w io.Writer) {
	fmt.Fprintf(w, "created    %d\nmerged     %d\nunchanged  %d\nrejected   %d\n", r.Created, r.Merged, r.Unchanged, r.Rejected)
	r.printRejected(w)
}

// printRejected lists the rejected lines with their reasons.
func (r *importReport) printRejected(w io.Writer) {
	first := true
	for _, x := range r.Results {
		if crm.ImportOutcome(x.Outcome) != crm.ImportRejected {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nRejected lines (nothing was written for them):")
			first = false
		}
		reason := x.Reason
		if reason == "" {
			reason = importDescribe(x.Fields)
		}
		fmt.Fprintf(w, "  line %d: %s\n", x.Line, reason)
	}
}

// transferAPI is where import and export find the API: --url and --token,
// or else EMBUDO_URL and EMBUDO_TOKEN, or else what embudo login stored.
type transferAPI struct{ url, token string }

// flags declares --url and --token.
func (a *transferAPI) flags(fs *flag.FlagSet) {
	fs.StringVar(&a.url, "url", "", "API `URL` (default: EMBUDO_URL, or what embudo login stored)")
	fs.StringVar(&a.token, "token", "", "API `token` (default: EMBUDO_TOKEN, or what embudo login stored)")
}

// client returns the API client; an error when there is no token.
func (a *transferAPI) client() (*client.Client, error) {
	cl, err := cliConfigClient(a.url, a.token)
	if err != nil {
		return nil, err
	}
	cl.HTTP.Timeout = 10 * time.Minute // a batch of 500 new rows can take a while on the local store
	return cl, nil
}
