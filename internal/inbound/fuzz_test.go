package inbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: no message, however broken, makes the parser, the text
// trimming or the forward detection panic or pass a limit; the corpus is
// the seed, with the committed seeds in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	lim := Limits{MaxMessageBytes: 64 << 10, MaxAttachments: 3, MaxAttachmentBytes: 16 << 10, MaxParts: 20}
	f.Fuzz(func(t *testing.T, raw []byte) {
		head := peek(raw)
		if head.MessageID == "" {
			t.Fatal("no message ID, not even the hash")
		}
		m, err := Parse(raw, lim)
		if err != nil {
			return
		}
		if len(m.Attachments) > lim.MaxAttachments {
			t.Fatalf("%d attachments past the limit", len(m.Attachments))
		}
		for _, a := range m.Attachments {
			if int64(len(a.Data)) > lim.MaxAttachmentBytes {
				t.Fatalf("attachment of %d bytes past the limit", len(a.Data))
			}
			if n := fileName(a.Name); n == "" || strings.ContainsAny(n, "/\\\x00") {
				t.Fatalf("file name %q", n)
			}
		}
		own := ownText(m.Text)
		if utf8.ValidString(m.Text) && !utf8.ValidString(own) {
			t.Fatalf("trimming made invalid UTF-8 of %q", m.Text)
		}
		findForward(m.Text, m.Subject)
		private(m.Subject)
	})
}
