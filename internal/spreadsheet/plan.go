package spreadsheet

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// Result is what happened to one line: the import endpoint's answer for a
// row, or a rejection decided before sending.
type Result struct {
	Line      int               `json:"line"`
	Outcome   string            `json:"outcome"`
	ContactID string            `json:"contactId,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	// Previous is, for an unchanged row, what importing it did the first
	// time (created or merged).
	Previous string `json:"previous,omitempty"`
}

// Plan turns the sheet's records into the rows to send and the lines
// rejected already: the ones that cannot be right (a consent that is not
// yes or no, more cells than columns) and the ones repeating the e-mail or
// phone of an earlier line of the file, so that those write nothing
// whatever batch they fall in. Like the server, a row it finds wrong claims
// no e-mail nor phone. Phone numbers without a prefix are of region. Blank
// records are skipped.
func Plan(s *Sheet, m *ColumnMap, region string) (send []Row, rejected []Result) {
	seen := map[string]int{}
	for _, rec := range s.Records {
		if Blank(rec.Cells) {
			continue
		}
		row, fields := m.Row(rec, len(s.Header))
		if len(fields) == 0 {
			if rep, k := repeatedLine(row, region, seen); rep > 0 {
				fields = map[string]string{"row": fmt.Sprintf("repeats line %d (%s)", rep, k)}
			}
		}
		if len(fields) > 0 {
			rejected = append(rejected, Result{Line: rec.Line, Outcome: string(crm.ImportRejected), Fields: fields, Reason: Reason(fields)})
			continue
		}
		send = append(send, row)
	}
	return send, rejected
}

// repeatedLine returns the earlier line holding row's e-mail, phone or
// mobile (a phone of one line equal to the mobile of another is the same
// number), and that value; otherwise it records row's as seen and returns
// 0. It normalises as the server does, and a row the server will reject
// for its name, e-mail or numbers claims nothing.
func repeatedLine(row Row, region string, seen map[string]int) (int, string) {
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

// Reason joins a row's problems, by field, into one sentence, the row-wide
// one first, as the server words them.
func Reason(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
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
		parts[i] = k + " " + fields[k]
	}
	return strings.Join(parts, "; ")
}

// Batches splits rows into batches of size rows (the last one shorter).
func Batches(rows []Row, size int) [][]Row {
	var out [][]Row
	for i := 0; i < len(rows); i += size {
		out = append(out, rows[i:min(i+size, len(rows))])
	}
	return out
}
