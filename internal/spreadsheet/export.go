package spreadsheet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/embudo/embudo/internal/csvsafe"
)

// Items calls yield with each object of a list, in order, and stops at the
// first error (of yield's or its own), which it returns; client.Client.Each
// is one.
type Items func(yield func(item json.RawMessage) error) error

// WriteJSONLines writes each item on its own line, compacted, and returns
// how many it wrote.
func WriteJSONLines(w io.Writer, items Items) (int, error) {
	n := 0
	var buf bytes.Buffer
	err := items(func(item json.RawMessage) error {
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

// WriteCSV writes the items, JSON objects, as CSV in format f and returns
// how many it wrote. The header is every column any item has, in
// the order the items' fields come: a nested object's fields as
// prefix.field (address.city), a list as its values joined with "|", null
// as empty. Text cells go through csvsafe.Text, so that no value runs as a
// formula in a spreadsheet; a JSON number is written as it is. The items are therefore kept in a temporary file until the last
// is in, and only then written. Errors: an item is not an object, the
// temporary file, w's.
func WriteCSV(w io.Writer, f Format, items Items) (int, error) {
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
	err = items(func(item json.RawMessage) error {
		if err := flatten(item, "", func(col, _ string, _ bool) {
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
	cw, err := f.writer(w)
	if err != nil {
		return 0, err
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	rd := bufio.NewReaderSize(spool, 64<<10)
	row := make([]string, len(header))
	for {
		line, err := rd.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			clear(row)
			if err := flatten(line, "", func(col, v string, number bool) {
				if number {
					v = f.number(v)
				}
				row[index[col]] = v
			}); err != nil {
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

// flatten calls emit with every cell of the JSON object raw in the order
// of its fields: a nested object's fields as prefix.field, a list as its
// values joined with "|", null as empty, anything else as its text. A
// string or a list is a text cell, made safe with csvsafe.Text; numbers
// and booleans are not; number says which cells are JSON numbers.
func flatten(raw []byte, prefix string, emit func(col, value string, number bool)) error {
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
			if err := flatten(v, col+".", emit); err != nil {
				return err
			}
		case '[':
			var elems []json.RawMessage
			if err := json.Unmarshal(v, &elems); err != nil {
				return err
			}
			parts := make([]string, len(elems))
			for i, e := range elems {
				parts[i] = scalar(e)
			}
			emit(col, csvsafe.Text(strings.Join(parts, "|")), false)
		case '"':
			emit(col, csvsafe.Text(scalar(v)), false)
		default:
			emit(col, scalar(v), v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
		}
	}
	return nil
}

// scalar is the text of a JSON value in a CSV cell: a string unquoted,
// null empty, anything else as written.
func scalar(v json.RawMessage) string {
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
