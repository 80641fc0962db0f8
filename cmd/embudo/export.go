package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/embudo/embudo/internal/client"
)

const exportUsage = `Usage: embudo export contacts|opportunities [flags]

Writes every contact or opportunity (or those the filters select) as CSV or
as JSON Lines, following the API's pages to the end.

CSV has a header row naming the API's fields; nested objects are flattened
into columns such as address.city or attribution.utmSource, and lists are
joined with "|". A contacts CSV imports back with embudo import contacts.
JSON Lines has one API object per line, as the API gives it.

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
		return errUsage
	}
	resource := args[0]
	var f exportFlags
	fs := exportFlagSet(resource, &f, stderr)
	rest, err := parseTransferArgs(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "embudo export %s: unexpected %q (the output file goes with -o)\n", resource, rest[0])
		return errUsage
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
		return errUsage
	}
	delim, ok := transferDelimiter(f.delimiter)
	if !ok {
		fmt.Fprintf(stderr, "embudo export %s: --delimiter %q: give one character, or tab\n", resource, f.delimiter)
		return errUsage
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
	var n int
	if format == "jsonl" {
		n, err = exportJSONL(ctx, cl, "/v1/"+resource, query, bw)
	} else {
		n, err = exportCSV(ctx, cl, "/v1/"+resource, query, bw, delim)
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
	quiet                     bool
	filters                   map[string]string
	api                       transferAPI
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

// exportJSONL writes each item of the list at path on its own line.
func exportJSONL(ctx context.Context, cl *client.Client, path string, query url.Values, w io.Writer) (int, error) {
	n := 0
	var buf bytes.Buffer
	err := cl.Each(ctx, path, query, func(item json.RawMessage) error {
		buf.Reset()
		if err := json.Compact(&buf, item); err != nil {
			return err
		}
		buf.WriteByte('\n')
		n++
		_, err := w.Write(buf.Bytes())
		return err
	})
	return n, err
}

// exportCSV writes the list at path as CSV. The header is every column
// any item has, in the API's order, so the items are first kept in a
// temporary file and written once all are in.
func exportCSV(ctx context.Context, cl *client.Client, path string, query url.Values, w io.Writer, delim rune) (int, error) {
	spool, err := os.CreateTemp("", "embudo-export-*.jsonl")
	if err != nil {
		return 0, err
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	sw := bufio.NewWriterSize(spool, 64<<10)
	var header []string
	index := map[string]int{}
	n := 0
	var buf bytes.Buffer
	err = cl.Each(ctx, path, query, func(item json.RawMessage) error {
		if err := exportFlatten(item, "", func(col, _ string) {
			if _, ok := index[col]; !ok {
				index[col] = len(header)
				header = append(header, col)
			}
		}); err != nil {
			return err
		}
		buf.Reset()
		if err := json.Compact(&buf, item); err != nil {
			return err
		}
		buf.WriteByte('\n')
		n++
		_, err := sw.Write(buf.Bytes())
		return err
	})
	if err == nil {
		err = sw.Flush()
	}
	if err != nil {
		return 0, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = delim
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	rd := bufio.NewReaderSize(spool, 64<<10)
	row := make([]string, len(header))
	for {
		line, err := rd.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			clear(row)
			if err := exportFlatten(line, "", func(col, v string) { row[index[col]] = v }); err != nil {
				return 0, err
			}
			if err := cw.Write(row); err != nil {
				return 0, err
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	cw.Flush()
	return n, cw.Error()
}

// exportFlatten calls emit with every column of the JSON object raw in the
// order of its fields: a nested object's fields as prefix.field, a list as
// its values joined with "|", null as empty, anything else as its text.
func exportFlatten(raw []byte, prefix string, emit func(col, value string)) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("the API gave %.40q where an object was expected", raw)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		col := prefix + key
		switch v[0] {
		case '{':
			if err := exportFlatten(v, col+".", emit); err != nil {
				return err
			}
		case '[':
			var elems []json.RawMessage
			if err := json.Unmarshal(v, &elems); err != nil {
				return err
			}
			parts := make([]string, len(elems))
			for i, e := range elems {
				parts[i] = exportScalar(e)
			}
			emit(col, strings.Join(parts, "|"))
		default:
			emit(col, exportScalar(v))
		}
	}
	return nil
}

// exportScalar is the text of a JSON value in a CSV cell: a string
// unquoted, null empty, anything else as written.
func exportScalar(v json.RawMessage) string {
	switch {
	case len(v) == 0 || string(v) == "null":
		return ""
	case v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	case v[0] == '{' || v[0] == '[':
		var b bytes.Buffer
		if json.Compact(&b, v) == nil {
			return b.String()
		}
	}
	return string(v)
}

// transferJSON writes v as indented JSON.
func transferJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
