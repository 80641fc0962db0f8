package notify

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/embudo/embudo/internal/crm"
)

// A template set that lacks one key's subject, text or HTML stops the
// program at start with a message naming the language and the template:
// Render can then never meet a missing template.
func TestParseSetsNamesAMissingTemplate(t *testing.T) {
	key := crm.NotifyNewContactAgent
	for _, tc := range []struct {
		file, define, want string
	}{
		{"templates/es.txt.tmpl", key + ".subject", "notify: template es/" + key + ".subject is missing"},
		{"templates/en.txt.tmpl", key + ".text", "notify: template en/" + key + ".text is missing"},
		{"templates/en.html.tmpl", key + ".html", "notify: template en/" + key + ".html is missing"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			fsys := fstest.MapFS{}
			err := fs.WalkDir(templateFS, ".", func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(templateFS, path)
				if path == tc.file {
					renamed := strings.ReplaceAll(string(b), `{{define "`+tc.define+`"}}`, `{{define "unused-`+tc.define+`"}}`)
					if renamed == string(b) {
						t.Fatalf("%s does not define %s", path, tc.define)
					}
					b = []byte(renamed)
				}
				fsys[path] = &fstest.MapFile{Data: b}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if got := recover(); got != tc.want {
					t.Errorf("panic %v, want %q", got, tc.want)
				}
			}()
			parseSets(fsys)
		})
	}
	// The embedded set itself passed the same check when the package
	// loaded, for both languages.
	for _, lang := range []string{crm.LangES, crm.LangEN} {
		if sets[lang].text == nil || sets[lang].html == nil {
			t.Errorf("no templates for %s", lang)
		}
	}
}

// Only an absolute http or https link becomes an anchor in the HTML part;
// any other scheme, or a link without a host, stays escaped text.
func TestTextToHTMLLinks(t *testing.T) {
	for _, tc := range []struct {
		link   string
		anchor bool
	}{
		{"https://crm.example.com/contacts/01JABC", true},
		{"http://127.0.0.1:3000/contacts/01JABC", true},
		{"ftp://crm.example.com/contacts/01JABC", false},
		{"javascript:alert(1)", false},
		{"https:///contacts/01JABC", false},
		{"/contacts/01JABC", false},
	} {
		text := "Línea 1 & <2>\nVer: " + tc.link
		got := string(textToHTML(text, tc.link))
		want := "Línea 1 &amp; &lt;2&gt;<br>\nVer: " + htmlEscaped(tc.link)
		if tc.anchor {
			want = "Línea 1 &amp; &lt;2&gt;<br>\nVer: <a href=\"" + htmlEscaped(tc.link) + "\">" + htmlEscaped(tc.link) + "</a>"
		}
		if got != want {
			t.Errorf("textToHTML(%q):\n got %q\nwant %q", tc.link, got, want)
		}
	}
}

// htmlEscaped is what html/template's HTMLEscapeString makes of the links
// above: only their "&", "<", ">", quotes and NUL would change.
func htmlEscaped(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
