package main

// How the CLI shows things to people: tables, key-value listings, money
// as 1.234,56 €, percentages as 33,3 %, times in the local time zone; and
// the API's JSON, indented, for --json.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// cliObj is one JSON object of the API, decoded with numbers kept exact.
type cliObj map[string]any

// cliDecode decodes a JSON object.
func cliDecode(raw []byte) (cliObj, error) {
	var m cliObj
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	return m, nil
}

// cliDecodeAll decodes a list of JSON objects.
func cliDecodeAll(raws []json.RawMessage) ([]cliObj, error) {
	out := make([]cliObj, 0, len(raws))
	for _, r := range raws {
		m, err := cliDecode(r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// s returns the field as text ("" when absent or null).
func (m cliObj) s(key string) string {
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
func (m cliObj) i(key string) int64 {
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
func (m cliObj) f(key string) (float64, bool) {
	if n, ok := m[key].(json.Number); ok {
		v, err := n.Float64()
		return v, err == nil
	}
	return 0, false
}

// b returns a boolean field.
func (m cliObj) b(key string) bool {
	v, _ := m[key].(bool)
	return v
}

// o returns an object field.
func (m cliObj) o(key string) cliObj {
	v, _ := m[key].(map[string]any)
	return v
}

// list returns a field that is a list of strings.
func (m cliObj) list(key string) []string {
	l, _ := m[key].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// printJSON writes raw JSON indented, with a final newline.
func (x *cliSession) printJSON(raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, bytes.TrimSpace(raw), "", "  "); err != nil {
		return fmt.Errorf("the answer is not JSON: %w", err)
	}
	b.WriteByte('\n')
	_, err := x.stdout.Write(b.Bytes())
	return err
}

// printJSONParts writes one JSON object made of named raw parts, in order.
func (x *cliSession) printJSONParts(parts ...cliPart) error {
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

// cliPart is a named piece of a combined JSON answer.
type cliPart struct {
	name string
	raw  []byte
}

// cliItemsJSON makes a {"items": [...]} list of raw items.
func cliItemsJSON(items []json.RawMessage) []byte {
	if items == nil {
		items = []json.RawMessage{}
	}
	b, _ := json.Marshal(struct {
		Items []json.RawMessage `json:"items"`
	}{items})
	return b
}

// cliTable is a table for people, columns aligned with tabwriter.
type cliTable struct {
	tw *tabwriter.Writer
}

func cliNewTable(w io.Writer, headers ...string) *cliTable {
	t := &cliTable{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.row(headers...)
	return t
}

func (t *cliTable) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *cliTable) flush() error { return t.tw.Flush() }

// cliMoney writes minor units for people: 1.234,56 € (or 1.234,56 USD
// for another currency).
func cliMoney(cents int64, currency string) string {
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

// cliPct writes a ratio as a percentage with one decimal: 0.333 is 33,3 %.
func cliPct(ratio float64) string {
	return strings.Replace(strconv.FormatFloat(ratio*100, 'f', 1, 64), ".", ",", 1) + " %"
}

// cliTime writes an RFC 3339 time in the local time zone, to the minute.
func cliTime(s string) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Local().Format("2006-01-02 15:04")
}

// cliDate writes the local date of an RFC 3339 time.
func cliDate(s string) string {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Local().Format("2006-01-02")
	}
	return s
}

// cliCut shortens s to n characters with an ellipsis.
func cliCut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// cliJoin joins the non-empty parts with sep.
func cliJoin(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// cliKV is one line of a key-value listing.
type cliKV struct{ key, val string }

// cliFlatten lists a JSON object's fields in the API's order, nested
// objects as dotted keys, leaving out empty values.
func cliFlatten(raw []byte) ([]cliKV, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out []cliKV
	if err := cliWalk(dec, "", &out); err != nil {
		return nil, fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	return out, nil
}

// cliWalk reads one JSON value from dec, appending its leaves to out.
func cliWalk(dec *json.Decoder, key string, out *[]cliKV) error {
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
				if err := cliWalk(dec, k, out); err != nil {
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
			case string, json.Number, bool:
				vals = append(vals, fmt.Sprint(e))
			default:
				b, _ := json.Marshal(e)
				vals = append(vals, string(b))
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		if len(vals) > 0 {
			*out = append(*out, cliKV{key, strings.Join(vals, ", ")})
		}
	case nil:
	case string:
		if t != "" {
			*out = append(*out, cliKV{key, t})
		}
	case json.Number:
		*out = append(*out, cliKV{key, t.String()})
	case bool:
		*out = append(*out, cliKV{key, strconv.FormatBool(t)})
	}
	return nil
}

// cliMustJSON marshals a plain value (a string, a number) to JSON.
func cliMustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}
