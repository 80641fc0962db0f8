package cli

// embudo export contacts|opportunities: every page of a list, written by
// internal/spreadsheet as CSV or JSON Lines.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/embudo/embudo/internal/spreadsheet"
)

const exportUsage = `Usage: embudo export contacts|opportunities [flags]

Writes every contact or opportunity (or those the filters select) as CSV or
as JSON Lines, following the API's pages to the end.

CSV has a header row naming the API's fields; nested objects are flattened
into columns such as address.city or attribution.utmSource, and lists are
joined with "|". A contacts CSV imports back with embudo import contacts.
JSON Lines has one API object per line, as the API gives it.

Text cells that a spreadsheet would run as a formula (starting with =, +,
-, @, tab or CR) are written with a single quote before them; the import
takes it off again. Numbers are written as they are.

With --excel the CSV opens right in Excel set to Spanish by a double click:
UTF-8 with a byte order mark, ";" between columns, "," before decimals.

With -o FILE the file is written whole or not at all: it appears only once
the last page is in.

Flags:
`

// exportFilters are the list filters each resource takes: flag → query
// parameter of its list endpoint.
var exportFilters = map[string][][2]string{
	"contacts": {{"source", "sourceId"}, {"agent", "agentId"}, {"interest", "interestId"}, {"kind", "kind"},
		{"email", "email"}, {"phone", "phone"}, {"q", "q"}},
	"opportunities": {{"source", "sourceId"}, {"agent", "agentId"}, {"interest", "interestId"}, {"state", "stateId"},
		{"assignee", "assigneeId"}, {"contact", "contactId"}},
}

// exportFilterHelp describes the filter flags.
var exportFilterHelp = map[string]string{
	"source": "only those of this source `ID`", "agent": "only those of this agent `ID`",
	"interest": "only those with this interest `ID`", "kind": "only contacts of this `kind` (lead, client, supplier)",
	"email": "only the contact with this e-mail `address`", "phone": "only the contact with this phone `number`",
	"q": "only contacts matching this `text`", "state": "only opportunities in this state `ID`",
	"assignee": "only opportunities assigned to this user `ID`", "contact": "only opportunities of this contact `ID`",
}

// runExport runs `embudo export`.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || exportFilters[args[0]] == nil {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, exportUsage)
			exportFlagSet("contacts", new(exportFlags), stdout).PrintDefaults()
			fmt.Fprintln(stdout, "\nOpportunities take --source, --agent, --interest, --state, --assignee and --contact instead.")
			return nil
		}
		fmt.Fprintln(stderr, "embudo export: what to export? embudo export contacts|opportunities [flags]")
		return ErrUsage
	}
	resource := args[0]
	var f exportFlags
	fs := exportFlagSet(resource, &f, stderr)
	rest, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return ErrUsage
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "embudo export %s: unexpected %q (the output file goes with -o)\n", resource, rest[0])
		return ErrUsage
	}
	format := strings.ToLower(f.format)
	if format == "" {
		format = "csv"
		switch strings.ToLower(filepath.Ext(f.output)) {
		case ".jsonl", ".ndjson":
			format = "jsonl"
		}
	}
	if format == "ndjson" {
		format = "jsonl"
	}
	if format != "csv" && format != "jsonl" {
		fmt.Fprintf(stderr, "embudo export %s: --format is csv or jsonl, not %q\n", resource, f.format)
		return ErrUsage
	}
	delim, ok := spreadsheet.ParseDelimiter(f.delimiter)
	if !ok {
		fmt.Fprintf(stderr, "embudo export %s: --delimiter %q: give one character, or tab\n", resource, f.delimiter)
		return ErrUsage
	}
	csvFormat := spreadsheet.Format{Comma: delim}
	if f.excel {
		if format != "csv" {
			fmt.Fprintf(stderr, "embudo export %s: --excel writes CSV, not %s\n", resource, format)
			return ErrUsage
		}
		csvFormat = spreadsheet.Excel
		fs.Visit(func(fl *flag.Flag) {
			if fl.Name == "delimiter" {
				csvFormat.Comma = delim
			}
		})
	}

	query := url.Values{"limit": {"200"}}
	for _, p := range exportFilters[resource] {
		if v := f.filters[p[0]]; v != "" {
			query.Set(p[1], v)
		}
	}
	cl, err := f.api.client()
	if err != nil {
		return err
	}

	out, commit, abort, err := exportOpen(f.output, stdout)
	if err != nil {
		return err
	}
	defer abort()
	bw := bufio.NewWriterSize(out, 64<<10)
	items := func(yield func(json.RawMessage) error) error { return cl.Each(ctx, "/v1/"+resource, query, yield) }
	var n int
	if format == "jsonl" {
		n, err = spreadsheet.WriteJSONLines(bw, items)
	} else {
		n, err = spreadsheet.WriteCSV(bw, csvFormat, items)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	if f.output != "" && f.output != "-" && !f.quiet {
		fmt.Fprintf(stderr, "exported %d %s to %s\n", n, resource, f.output)
	}
	return nil
}

// exportFlags are the flags of `embudo export`.
type exportFlags struct {
	format, output, delimiter string
	quiet, excel              bool
	filters                   map[string]string
	api                       apiFlags
}

// exportFlagSet declares the flags of `embudo export resource` into f.
func exportFlagSet(resource string, f *exportFlags, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("embudo export "+resource, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), exportUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.format, "format", "", "csv or jsonl (default: jsonl for an -o file ending in .jsonl or .ndjson, csv otherwise)")
	fs.StringVar(&f.output, "o", "", "write to this `file` instead of standard output")
	fs.StringVar(&f.output, "output", "", "the same as -o")
	fs.StringVar(&f.delimiter, "delimiter", ",", "the CSV column separator (\";\" suits a spreadsheet set to Spanish)")
	fs.BoolVar(&f.excel, "excel", false, "CSV for Excel set to Spanish: UTF-8 with a byte order mark, \";\" between columns (unless --delimiter says otherwise), \",\" before decimals")
	fs.BoolVar(&f.quiet, "quiet", false, "print nothing on standard error")
	f.api.flags(fs)
	f.filters = map[string]string{}
	for _, p := range exportFilters[resource] {
		name := p[0]
		fs.Func(name, exportFilterHelp[name], func(v string) error {
			f.filters[name] = v
			return nil
		})
	}
	return fs
}

// exportOpen returns where to write: stdout for "" or "-", otherwise a
// temporary file next to path that commit renames to path (abort, after a
// commit, does nothing).
func exportOpen(path string, stdout io.Writer) (w io.Writer, commit func() error, abort func(), err error) {
	if path == "" || path == "-" {
		return stdout, func() error { return nil }, func() {}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return nil, nil, nil, err
	}
	done := false
	commit = func() error {
		done = true
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return nil
	}
	abort = func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}
	return tmp, commit, abort, nil
}
