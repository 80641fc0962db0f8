package cli

// embudo import contacts: a CSV file read by internal/spreadsheet, its rows
// sent in batches to the import endpoint.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/client"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/spreadsheet"
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

Exports of Google Contacts (current and legacy layouts), Outlook, HubSpot
and embudo export contacts are read as they are: a numbered column of
Google's ("E-mail 2 - Value") and Outlook's several phones fill the field
when the first is empty, and otherwise go to the observations, as do the
values after the first in a cell such as "a@x.es ::: b@y.es"; a "Name"
column beside a "Given Name" holds the whole name, read only when the
given name is empty; a row without a name takes its company's. --dry-run
shows which column fills which field, and warns when no column holds an
e-mail or a phone.

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
	api       apiFlags
}

// runImport runs `embudo import`.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "contacts" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, importUsage)
			importFlagSet(&importFlags{}, stdout).PrintDefaults()
			return nil
		}
		fmt.Fprintln(stderr, "embudo import: what to import? Only contacts can be: embudo import contacts FILE.csv")
		return ErrUsage
	}
	var f importFlags
	fs := importFlagSet(&f, stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return ErrUsage
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "embudo import contacts: give one file (- reads standard input)")
		fs.Usage()
		return ErrUsage
	}
	if f.batch < 1 || f.batch > crm.MaxImportRows {
		fmt.Fprintf(stderr, "embudo import contacts: --batch must be between 1 and %d\n", crm.MaxImportRows)
		return ErrUsage
	}
	if f.parallel < 1 || f.parallel > 16 {
		fmt.Fprintln(stderr, "embudo import contacts: --parallel must be between 1 and 16")
		return ErrUsage
	}
	var delim rune
	if f.delimiter != "" {
		d, ok := spreadsheet.ParseDelimiter(f.delimiter)
		if !ok {
			fmt.Fprintf(stderr, "embudo import contacts: --delimiter %q: give one character, or tab\n", f.delimiter)
			return ErrUsage
		}
		delim = d
	}
	overrides, err := spreadsheet.ParseOverrides(f.maps)
	if err != nil {
		fmt.Fprintln(stderr, "embudo import contacts:", err)
		return ErrUsage
	}

	data, err := readImportFile(files[0], stdin)
	if err != nil {
		return err
	}
	text, note, err := spreadsheet.Decode(data)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	if note != "" {
		fmt.Fprintf(stderr, "%s: %s\n", files[0], note)
	}
	sheet, err := spreadsheet.Parse(text, delim)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	m, err := spreadsheet.MapColumns(sheet.Header, overrides, f.ignores)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	var warnings []string
	if !m.Reachable() {
		warnings = append(warnings, "no column holds an e-mail, a phone or a mobile: no row can be matched with a contact already "+
			"in the CRM, so each one creates a contact; read such a column with --map \"COLUMN=email\" (or phone, mobile)")
	}
	if !f.quiet && !f.dryRun {
		fmt.Fprintf(stderr, "columns: %s\n", m.Describe(sheet.Header))
		if len(m.Unknown) > 0 {
			fmt.Fprintf(stderr, "ignored columns: %s (read one with --map \"COLUMN=field\")\n", spreadsheet.QuoteAll(m.Unknown))
		}
		for _, s := range m.Shadowed {
			fmt.Fprintf(stderr, "ignored column %s\n", s)
		}
	}
	if !f.quiet || f.dryRun {
		for _, w := range warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
	}

	send, rejected := spreadsheet.Plan(sheet, m, f.region)
	if f.dryRun {
		rep := importReport{Results: rejected, IgnoredColumns: m.Ignored, Columns: m.Uses(), Warnings: warnings}
		rep.count()
		if f.json {
			return transferJSON(stdout, rep)
		}
		printMapping(stdout, m)
		fmt.Fprintf(stdout, "\n%d rows would be sent; %d rejected before sending.\n", len(send), rep.Rejected)
		rep.printRejected(stdout)
		return nil
	}

	cl, err := f.api.client()
	if err != nil {
		return err
	}
	prog := newImportProgress(stderr, len(send), f.progress, f.quiet)
	results, err := importSend(ctx, cl, send, f.batch, f.parallel, prog.add)
	prog.done()
	if err != nil {
		return err
	}
	rep := importReport{Results: append(rejected, results...), IgnoredColumns: m.Ignored, Columns: m.Uses(), Warnings: warnings}
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

// readImportFile reads name, or stdin for "-".
func readImportFile(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}

// importAnswer is the endpoint's answer to one batch.
type importAnswer struct {
	Results []spreadsheet.Result `json:"results"`
}

// importSend sends rows in batches of size, parallel requests at a time,
// calling progress with the rows of each batch answered. A batch failing
// for the network or the server is sent again (the endpoint recognises
// rows it already took); the first batch that still fails stops the
// import and is the error.
func importSend(ctx context.Context, cl *client.Client, rows []spreadsheet.Row, size, parallel int, progress func(int)) ([]spreadsheet.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := spreadsheet.Batches(rows, size)
	out := make([][]spreadsheet.Result, len(batches))
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
	var all []spreadsheet.Result
	for _, r := range out {
		all = append(all, r...)
	}
	return all, nil
}

// importSendBatch posts one batch, trying again a few times when the network or
// the server fails (not when the API refuses the request).
func importSendBatch(ctx context.Context, cl *client.Client, rows []spreadsheet.Row) ([]spreadsheet.Result, error) {
	body := struct {
		Rows []spreadsheet.Row `json:"rows"`
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
	Created        int                     `json:"created"`
	Merged         int                     `json:"merged"`
	Unchanged      int                     `json:"unchanged"`
	Rejected       int                     `json:"rejected"`
	Results        []spreadsheet.Result    `json:"results"`
	IgnoredColumns []string                `json:"ignoredColumns,omitempty"`
	Columns        []spreadsheet.ColumnUse `json:"columns,omitempty"`
	Warnings       []string                `json:"warnings,omitempty"`
}

// printMapping writes which column fills which field, and the columns not
// read and why: what a dry run will use.
func printMapping(w io.Writer, m *spreadsheet.ColumnMap) {
	fmt.Fprintln(w, "Columns read:")
	t := newTable(w)
	for _, u := range m.Uses() {
		field := u.Field
		switch {
		case u.More:
			field += " (another: used when the earlier ones are empty, else added to observations)"
		case u.Field == "fullName":
			field = "name, when the row's name is empty (the whole name)"
		}
		t.row("  "+visible(u.Column), field)
	}
	t.flush()
	if len(m.Unknown) > 0 {
		fmt.Fprintf(w, "Columns not read: %s (read one with --map \"COLUMN=field\")\n", visible(spreadsheet.QuoteAll(m.Unknown)))
	}
	for _, s := range m.Shadowed {
		fmt.Fprintf(w, "Column not read: %s\n", visible(s))
	}
}

// count sorts the results by line and counts the outcomes.
func (r *importReport) count() {
	sort.SliceStable(r.Results, func(i, j int) bool { return r.Results[i].Line < r.Results[j].Line })
	if r.Results == nil {
		r.Results = []spreadsheet.Result{}
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
			reason = spreadsheet.Reason(x.Fields)
		}
		fmt.Fprintf(w, "  line %d: %s\n", x.Line, visible(reason))
	}
}

// transferJSON writes v as indented JSON.
func transferJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
