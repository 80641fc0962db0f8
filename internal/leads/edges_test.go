package leads

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// A Standard Webhooks delivery signed exactly five minutes ago, or five
// minutes ahead, is still inside the tolerance; a second more is not.
func TestStandardWebhookToleranceIsInclusive(t *testing.T) {
	h := swHeaders(swID, swTimestamp, swSignature)
	for _, d := range []int64{-300, 300} {
		if id, err := VerifyStandardWebhook(swSecret, h, []byte(swBody), time.Unix(swTimestamp+d, 0)); err != nil || id != swID {
			t.Errorf("signed %d s from now: %q, %v", -d, id, err)
		}
	}
	for _, d := range []int64{-301, 301} {
		if _, err := VerifyStandardWebhook(swSecret, h, []byte(swBody), time.Unix(swTimestamp+d, 0)); crm.ErrorCode(err) != crm.CodeUnauthorized {
			t.Errorf("signed %d s from now: %v, want unauthorized", -d, err)
		}
	}
}

// Timestamps in lead payloads: Unix seconds, whole or not, or ISO 8601;
// anything an int64 cannot hold, or that is not a time, reads as 0.
func TestUnixSeconds(t *testing.T) {
	for in, want := range map[string]int64{
		"1614265330":               1614265330,
		"1614265330.9":             1614265330,
		"-1.5":                     -1,
		"2024-05-02T10:00:00+0000": 1714644000,
		"2024-05-02T10:00:00Z":     1714644000,
		"9223372036854775807":      9223372036854775807,
		"9223372036854775808":      0, // 2^63: past int64
		"-9223372036854775808.0":   0, // -2^63 as a float: the edge is refused
		"1e300":                    0,
		"NaN":                      0,
		"ayer":                     0,
	} {
		if got := unixSeconds(in); got != want {
			t.Errorf("unixSeconds(%q) = %d, want %d", in, got, want)
		}
	}
}

// A JSON body whose field has the wrong type says which field.
func TestDecodeObjectNamesTheMistypedField(t *testing.T) {
	var v struct {
		Phone int `json:"phone"`
	}
	err := decodeObject([]byte(`{"phone":"seis"}`), &v)
	var e *crm.Error
	if !errors.As(err, &e) || !strings.Contains(e.Fields["body"], `field "phone" has the wrong type (string)`) {
		t.Errorf("err %v, want the body named with the phone field", err)
	}
	err = decodeObject([]byte(`{"phone":1}{`), &v)
	if !errors.As(err, &e) || e.Fields["body"] == "" {
		t.Errorf("trailing bytes: %v", err)
	}
}

// NUL characters are removed from every value, also from the first place.
func TestParseFormDropsNUL(t *testing.T) {
	lead, _, err := ParseForm(formURLEncoded, []byte("nombre=%00Ana%00&empresa=Acme%00+S.L."), nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if lead.Name != "Ana" || lead.Company != "Acme S.L." {
		t.Errorf("name %q, company %q", lead.Name, lead.Company)
	}
}

// An empty multipart body is an empty form, not a malformed one; a body
// without the boundary is malformed.
func TestParseFormEmptyMultipart(t *testing.T) {
	for _, body := range []string{"", " \r\n"} {
		if _, _, err := ParseForm("multipart/form-data; boundary=XyZ", []byte(body), nil, nil, ""); err != nil {
			t.Errorf("body %q: %v", body, err)
		}
	}
	_, _, err := ParseForm("multipart/form-data; boundary=XyZ", []byte("name=Ana"), nil, nil, "")
	wantInvalid(t, err, "body")
}

// The query string of a form post gives only attribution, and a body field
// wins over the query's; field names match whatever their case.
func TestParseFormQueryAndNames(t *testing.T) {
	q := url.Values{"utm_source": {"google"}, "referrer": {"https://buscador.example/"}, "utm_medium": {"cpc"}, "name": {"Eve"}}
	lead, _, err := ParseForm(formURLEncoded, []byte("name=Ana&utm_medium=email&ZIP=28001&EMAIL=ana%40example.es"), q, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	a := lead.Attribution
	if a.UTMSource != "google" || a.Referrer != "https://buscador.example/" || a.UTMMedium != "email" {
		t.Errorf("attribution %+v: want utm_source and referrer from the query, utm_medium from the body", a)
	}
	if lead.Name != "Ana" || lead.Address.PostalCode != "28001" || lead.Email != "ana@example.es" {
		t.Errorf("lead %+v", lead)
	}
	if len(lead.Extra) != 0 {
		t.Errorf("extra %v: the query's losing values are not kept", lead.Extra)
	}
	// Accents do not matter either, even in a name of accented capitals
	// only: "ÇṔ" is "cp", the postal code.
	lead, _, err = ParseForm(formURLEncoded, []byte("%C3%87%E1%B9%94=11001"), nil, nil, "")
	if err != nil || lead.Address.PostalCode != "11001" || len(lead.Extra) != 0 {
		t.Errorf("ÇṔ: %+v, %v", lead, err)
	}
}

// A source's field map wins over the standard names, and among several
// fields it maps to one lead field, the better standard name wins.
func TestParseFormFieldMapPrecedence(t *testing.T) {
	fm := map[string]string{"contacto": "email", "prenom": "first_name", "nom": "name"}
	lead, _, err := ParseForm(formURLEncoded, []byte("email=b%40example.es&contacto=a%40example.es&prenom=Bea&nom=Ana"), nil, fm, "")
	if err != nil {
		t.Fatal(err)
	}
	if lead.Email != "a@example.es" || lead.Name != "Ana" {
		t.Errorf("email %q (want the mapped a@example.es), name %q (want Ana, mapped to name)", lead.Email, lead.Name)
	}
	if lead.Extra["email"] != "b@example.es" || lead.Extra["prenom"] != "Bea" {
		t.Errorf("extra %v: the losing values are kept under their own names", lead.Extra)
	}
}

// A numeric character reference (&#233; or &#xE9;, as a browser writes a
// character its form's charset lacks) is read only when whole: at most 8
// digits of its base, a ";", a valid character that is not NUL.
func TestCharRef(t *testing.T) {
	for _, tc := range []struct {
		in   string
		r    rune
		size int
	}{
		{"&#233;", 'é', 6}, {"&#233;más", 'é', 6}, {"&#xE9;", 'é', 6}, {"&#XE9;", 'é', 6}, {"&#xe9;", 'é', 6},
		{"&#x1F600;", '😀', 9}, {"&#00000233;", 'é', 11}, {"&#x0000E9;", 'é', 10}, {"&#x10FFFF;", 0x10FFFF, 10},
		{"&#", 0, 0}, {"&#x", 0, 0}, {"&#;", 0, 0}, {"&#x;", 0, 0}, {"&#233", 0, 0}, {"&#xE9", 0, 0}, {"&#233x", 0, 0},
		{"&#000000233;", 0, 0}, {"&#0;", 0, 0}, {"&#1114112;", 0, 0}, {"&#xD800;", 0, 0}, {"&#x11FFFF;", 0, 0},
		{"&#xG;", 0, 0}, {"&#x@;", 0, 0}, {"&#x`;", 0, 0}, {"&#xg;", 0, 0}, {"&#/;", 0, 0}, {"&#:;", 0, 0}, {"&#e9;", 0, 0},
		{"&#x0;", 0, 0}, {"&#xAF;", 0xAF, 6}, {"&#x9A;", 0x9A, 6}, {"&#xFa;", 0xFA, 6}, {"&#xff;", 0xFF, 6}, {"&#09;", 9, 5},
	} {
		r, n := charRef(tc.in)
		if r != tc.r || n != tc.size {
			t.Errorf("charRef(%q) = %q, %d; want %q, %d", tc.in, r, n, tc.r, tc.size)
		}
	}
}
