package cli

// How the CLI shows things to people: tables, key-value listings, money
// as 1.234,56 €, percentages as 33,3 %, times in the local time zone
// (reminder times in the company's, named), text
// with its control characters made visible; and the API's JSON, indented,
// for --json.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // the company time zone, also where the system has no zone files
	"unicode"
	"unicode/utf8"

	"github.com/embudo/embudo/internal/crm"
)

// obj is one JSON object of the API, decoded for people: numbers kept
// exact, every text made visible (see visible).
type obj map[string]any

// decode decodes a JSON object, its texts made visible at any depth.
func decode(raw []byte) (obj, error) {
	var m obj
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	for k, v := range m {
		m[k] = visibleAll(v)
	}
	return m, nil
}

// visibleAll is v, a decoded JSON value, with every string in it made
// visible.
func visibleAll(v any) any {
	switch t := v.(type) {
	case string:
		return visible(t)
	case map[string]any:
		for k, e := range t {
			t[k] = visibleAll(e)
		}
	case []any:
		for i, e := range t {
			t[i] = visibleAll(e)
		}
	}
	return v
}

// visible writes the control characters of s but tab and newline as
// escapes (ESC as \x1b, BEL as \x07, DEL as \x7f, a C1 character as
// \u009b), so that text stored before the API refused them (a lead named
// "\x1b]0;PWNED\x07") shows what it holds instead of driving the
// terminal.
func visible(s string) string {
	if !strings.ContainsFunc(s, escaped) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !escaped(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// escaped reports whether visible writes r as an escape: a control
// character (C0, DEL, C1) other than tab and newline.
func escaped(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' }

// decodeAll decodes a list of JSON objects.
func decodeAll(raws []json.RawMessage) ([]obj, error) {
	out := make([]obj, 0, len(raws))
	for _, r := range raws {
		m, err := decode(r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// s returns the field as text ("" when absent or null).
func (m obj) s(key string) string {
	switch v := m[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			parts = append(parts, fmt.Sprint(e))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(m[key])
}

// i returns an integer field (0 when absent).
func (m obj) i(key string) int64 {
	if n, ok := m[key].(json.Number); ok {
		v, err := n.Int64()
		if err == nil {
			return v
		}
		f, _ := n.Float64()
		return int64(f)
	}
	return 0
}

// f returns a number field, and false when it is absent or null.
func (m obj) f(key string) (float64, bool) {
	if n, ok := m[key].(json.Number); ok {
		v, err := n.Float64()
		return v, err == nil
	}
	return 0, false
}

// b returns a boolean field.
func (m obj) b(key string) bool {
	v, _ := m[key].(bool)
	return v
}

// o returns an object field.
func (m obj) o(key string) obj {
	v, _ := m[key].(map[string]any)
	return v
}

// printJSON writes raw JSON indented, with a final newline.
func (x *session) printJSON(raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, bytes.TrimSpace(raw), "", "  "); err != nil {
		return fmt.Errorf("the answer is not JSON: %w", err)
	}
	b.WriteByte('\n')
	_, err := x.stdout.Write(b.Bytes())
	return err
}

// printJSONParts writes one JSON object made of named raw parts, in order.
func (x *session) printJSONParts(parts ...part) error {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.name)
		b.Write(k)
		b.WriteByte(':')
		if len(bytes.TrimSpace(p.raw)) == 0 {
			b.WriteString("null")
		} else {
			b.Write(p.raw)
		}
	}
	b.WriteByte('}')
	return x.printJSON(b.Bytes())
}

// part is a named piece of a combined JSON answer.
type part struct {
	name string
	raw  []byte
}

// itemsJSON makes a {"items": [...]} list of raw items.
func itemsJSON(items []json.RawMessage) []byte {
	if items == nil {
		items = []json.RawMessage{}
	}
	b, _ := json.Marshal(struct {
		Items []json.RawMessage `json:"items"`
	}{items})
	return b
}

// table is a table for people, columns aligned with tabwriter.
type table struct {
	tw *tabwriter.Writer
}

// newTable starts a table with a row of headers, if any.
func newTable(w io.Writer, headers ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	if len(headers) > 0 {
		t.row(headers...)
	}
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// money writes minor units for people: 1.234,56 € (or 1.234,56 USD
// for another currency).
func money(cents int64, currency string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	units := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	fmt.Fprintf(&b, ",%02d", cents%100)
	switch currency {
	case "", "EUR":
		b.WriteString(" €")
	default:
		b.WriteString(" " + currency)
	}
	return b.String()
}

// pct writes a ratio as a percentage with one decimal: 0.333 is 33,3 %.
func pct(ratio float64) string {
	return strings.Replace(strconv.FormatFloat(ratio*100, 'f', 1, 64), ".", ",", 1) + " %"
}

// localTime writes an RFC 3339 time in the local time zone, to the minute.
func localTime(s string) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Local().Format("2006-01-02 15:04")
}

// zonedTime writes an RFC 3339 time to the minute in the time zone called
// zone (an IANA name, as the API gives the company's), with the zone's
// abbreviation and name: "2026-12-01 09:00 (CET, Europe/Madrid)"; in this
// computer's zone, labelled the same way, when zone is "" or unknown.
func zonedTime(s, zone string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	loc := time.Local
	if l, err := time.LoadLocation(zone); err == nil && zone != "" {
		loc = l
	}
	t = t.In(loc)
	return t.Format("2006-01-02 15:04") + " (" + crm.ZoneLabel(t) + ")"
}

// avisoTime writes note n's reminder time in the company time zone (see
// zonedTime); "" when it has none.
func avisoTime(n obj) string {
	if n.s("avisoAt") == "" {
		return ""
	}
	return zonedTime(n.s("avisoAt"), n.s("timeZone"))
}

// localDate writes the local date of an RFC 3339 time.
func localDate(s string) string {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Local().Format("2006-01-02")
	}
	return s
}

// cut shortens s to n characters with an ellipsis.
func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// join joins the non-empty parts with sep.
func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// kv is one line of a key-value listing.
type kv struct{ key, val string }

// flatten lists a JSON object's fields in the API's order, nested
// objects as dotted keys, leaving out empty values.
func flatten(raw []byte) ([]kv, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out []kv
	if err := walk(dec, "", &out); err != nil {
		return nil, fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	return out, nil
}

// walk reads one JSON value from dec, appending its leaves to out.
func walk(dec *json.Decoder, key string, out *[]kv) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if key != "" {
					k = key + "." + k
				}
				if err := walk(dec, k, out); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		var vals []string
		for dec.More() {
			var v any
			if err := dec.Decode(&v); err != nil {
				return err
			}
			switch e := v.(type) {
			case string:
				vals = append(vals, visible(e))
			case json.Number, bool:
				vals = append(vals, fmt.Sprint(e))
			default:
				b, _ := json.Marshal(e)
				vals = append(vals, visible(string(b)))
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		if len(vals) > 0 {
			*out = append(*out, kv{key, strings.Join(vals, ", ")})
		}
	case nil:
	case string:
		if t != "" {
			*out = append(*out, kv{key, visible(t)})
		}
	case json.Number:
		*out = append(*out, kv{key, t.String()})
	case bool:
		*out = append(*out, kv{key, strconv.FormatBool(t)})
	}
	return nil
}

// mustJSON marshals a plain value (a string, a number) to JSON.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}

// orNone is s, or def when s is empty.
func orNone(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// yes writes a boolean for people.
func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// decimal writes a decimal for people: 1.500 is 1,5.
func decimal(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.Replace(s, ".", ",", 1)
}

// byteSize writes a size in bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".", ",", 1) + " MiB"
	case n >= 1<<10:
		return strings.Replace(strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64), ".", ",", 1) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
