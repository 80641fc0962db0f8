// Package spreadsheet reads and writes the files people move between Embudo
// and their spreadsheets: the CSV files of an import of contacts (their
// encoding, separator, Spanish or English headers, and which column fills
// which field of a row) and the CSV or JSON Lines files of an export (API
// objects flattened into columns). It does no I/O but on the readers and
// writers it is given, and knows nothing of HTTP: the CLI (internal/cli)
// sends what it reads and gives it what the API lists.
package spreadsheet

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Decode returns data as UTF-8 text without a byte order mark. UTF-16
// (with its BOM, as Excel's "Unicode text") and Windows-1252 (any file that
// is not valid UTF-8, as Excel's "CSV" on Windows) are converted; note says
// so. The five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
// 0x9D) become U+FFFD.
func Decode(data []byte) (text, note string, err error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		big := data[0] == 0xFE
		data = data[2:]
		if len(data)%2 != 0 {
			return "", "", errors.New("the file starts as UTF-16 but has an odd number of bytes")
		}
		u := make([]uint16, len(data)/2)
		for i := range u {
			if big {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return string(utf16.Decode(u)), "read as UTF-16", nil
	}
	if utf8.Valid(data) {
		return string(data), "", nil
	}
	b, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", err
	}
	return string(b), "not UTF-8: read as Windows-1252", nil
}
