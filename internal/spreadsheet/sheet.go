package spreadsheet

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// Sheet is a CSV file read: its header and its records.
type Sheet struct {
	Header  []string
	Records []Record
}

// Record is one record and the line of the file it starts on.
type Record struct {
	Line  int
	Cells []string
}

// Parse reads text as CSV separated by delim, or by the separator the
// header line uses most (";", "," or tab) when delim is 0. Blank lines
// before the header are skipped; the header is the first line with a cell.
// Errors: text is not CSV, or has no header.
func Parse(text string, delim rune) (*Sheet, error) {
	if delim == 0 {
		delim = DetectDelimiter(text)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	s := &Sheet{}
	for {
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if s.Header == nil {
			if Blank(cells) {
				continue
			}
			s.Header = cells
			continue
		}
		s.Records = append(s.Records, Record{Line: line, Cells: cells})
	}
	if s.Header == nil {
		return nil, errors.New("the file is empty: it needs a header line naming the columns")
	}
	return s, nil
}

// DetectDelimiter picks the separator of text's first line: the most
// frequent of ";", "," and tab outside quotes (a comma when none is).
func DetectDelimiter(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range text {
		if c == '\n' && !quoted {
			break
		}
		switch c {
		case '"':
			quoted = !quoted
		case ';', ',', '\t':
			if !quoted {
				counts[c]++
			}
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// ParseDelimiter reads a separator given by a person: one character, or
// "tab" / "\t"; false for anything else (a quote or a line break cannot
// separate columns).
func ParseDelimiter(s string) (rune, bool) {
	switch strings.ToLower(s) {
	case "tab", `\t`:
		return '\t', true
	}
	if utf8.RuneCountInString(s) != 1 {
		return 0, false
	}
	c, _ := utf8.DecodeRuneInString(s)
	if c == '"' || c == '\r' || c == '\n' || c == utf8.RuneError {
		return 0, false
	}
	return c, true
}

// Blank is true for a record with nothing in any cell (spreadsheets write
// such lines at the end).
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
