package cli

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestImportProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := newImportProgress(&buf, 1000, true, false)
	p.add(500)
	p.add(500)
	p.done()
	got := buf.String()
	if !strings.Contains(got, "\r[===============               ] 500/1000  50%") || !strings.Contains(got, " 1000/1000 100%") || !strings.HasSuffix(got, "\n") {
		t.Errorf("progress bar: %q", got)
	}
}

func TestImportArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		pos  []string
		json bool
	}{
		{[]string{"a.csv", "--json"}, []string{"a.csv"}, true},
		{[]string{"--json", "a.csv"}, []string{"a.csv"}, true},
		{[]string{"-", "--batch", "3"}, []string{"-"}, false},
		{[]string{"--", "--json"}, []string{"--json"}, false},
		{[]string{"a.csv", "--", "--json", "b"}, []string{"a.csv", "--json", "b"}, false},
	} {
		var f importFlags
		pos, err := parseInterspersed(importFlagSet(&f, io.Discard), c.args)
		if err != nil || !slices.Equal(pos, c.pos) || f.json != c.json {
			t.Errorf("%q: %q json=%v %v, want %q json=%v", c.args, pos, f.json, err, c.pos, c.json)
		}
	}
}
