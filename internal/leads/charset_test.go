package leads

import (
	"net/url"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

func TestFormText(t *testing.T) {
	for in, want := range map[string]string{
		"&#321;ukasz":               "Łukasz",
		"Nowak &#128512;":           "Nowak 😀",
		"&#x141;&#X142;":            "Łł",
		"Jos\xe9 &#321;":            "José Ł", // Windows-1252 with a reference
		"5 &#; &#x; &#12a; &# 321;": "5 &#; &#x; &#12a; &# 321;",
		"&#0; &#55296; &#1114112;":  "&#0; &#55296; &#1114112;", // NUL, a surrogate, past Unicode
		"&amp;#321; &#38;":          "&amp;#321; &",
		"&#&#321;":                  "&#Ł",
		"plain ñ":                   "plain ñ",
		"&#999999999999;":           "&#999999999999;",
	} {
		if got := formText(in); got != want {
			t.Errorf("formText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A form on a page that is not UTF-8, as a browser posts it: Windows-1252
// bytes, and references for what Windows-1252 lacks.
func TestParseFormCharRefs(t *testing.T) {
	body := "name=%26%23321%3Bukasz&surname=Nowak+%26%23128512%3B&city=M%E1laga+%26%23x141%3Bod%26%23378%3B&email=lukasz%40example.pl"
	for _, ct := range []string{formURLEncoded, formURLEncoded + "; charset=windows-1252"} {
		l, _, err := ParseForm(ct, []byte(body), nil, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if l.Name != "Łukasz" || l.Surname != "Nowak 😀" || l.Address.City != "Málaga Łodź" {
			t.Errorf("%s: lead %+v", ct, l)
		}
	}
	mp := "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n&#321;ukasz \xe9\r\n--b--\r\n"
	l, _, err := ParseForm("multipart/form-data; boundary=b", []byte(mp), nil, nil, "")
	if err != nil || l.Name != "Łukasz é" {
		t.Errorf("multipart: %+v, %v", l, err)
	}
	// JSON senders write no references: their text is kept as sent.
	l, _, err = ParseForm("application/json", []byte(`{"name":"&#321;ukasz"}`), url.Values{}, nil, "")
	if err != nil || l.Name != "&#321;ukasz" {
		t.Errorf("JSON: %+v, %v", l, err)
	}
}

// JSON must be UTF-8: a sender's JSON in another encoding is refused naming
// the field, not stored as U+FFFD.
func TestJSONNotUTF8(t *testing.T) {
	_, _, err := ParseForm("application/json", []byte("{\"email\":\"a@example.com\",\"name\":\"Jos\xe9\"}"), nil, nil, "")
	if got := crm.FieldsOf(err)["name"]; got != "is not valid UTF-8" {
		t.Errorf("form JSON: %v", err)
	}
	_, _, err = ParseForm("text/plain", []byte(`{"name":"\udc00"}`), nil, nil, "")
	if got := crm.FieldsOf(err)["name"]; got != "is not valid UTF-8" {
		t.Errorf("form JSON as text/plain: %v", err)
	}
	g := "{\"lead_id\":\"1\",\"google_key\":\"k\",\"user_column_data\":[{\"column_id\":\"FULL_NAME\",\"string_value\":\"Jos\xe9\"}]}"
	_, _, err = ParseGoogleAds([]byte(g), nil)
	if got := crm.FieldsOf(err)["user_column_data[0].string_value"]; got != "is not valid UTF-8" {
		t.Errorf("Google Ads: %v", err)
	}
}
