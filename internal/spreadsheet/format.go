package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// Format is how a CSV file is written: its separator and, for a
// spreadsheet that reads numbers the Spanish way, decimal commas and a
// byte order mark.
type Format struct {
	Comma        rune // the column separator
	BOM          bool // start with the UTF-8 byte order mark, by which Excel knows the file is UTF-8
	DecimalComma bool // write 1.5 as 1,5
}

// Excel is the format Excel set to Spanish opens as it is, by a double
// click: UTF-8 with a byte order mark (without it Excel reads the accents
// as Windows-1252), ";" between columns (its list separator there) and ","
// before decimals.
var Excel = Format{Comma: ';', BOM: true, DecimalComma: true}

// writer starts a CSV file in format f on w: the byte order mark, if any,
// then a csv.Writer with f's separator.
func (f Format) writer(w io.Writer) (*csv.Writer, error) {
	if f.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, err
		}
	}
	cw := csv.NewWriter(w)
	cw.Comma = f.Comma
	return cw, nil
}

// number writes a number cell in format f: with a decimal comma when f
// asks for it.
func (f Format) number(v string) string {
	if f.DecimalComma {
		return strings.Replace(v, ".", ",", 1)
	}
	return v
}

// Reformat writes the CSV file data (separated by ",", as the API writes
// it) again in format f; a cell that is a number is written as f writes
// numbers, any other as it is (the API has already made its text cells
// safe; see csvsafe).
func Reformat(w io.Writer, data []byte, f Format) error {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	cw, err := f.writer(w)
	if err != nil {
		return err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for i, c := range rec {
			if _, err := strconv.ParseFloat(c, 64); err == nil {
				rec[i] = f.number(c)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
