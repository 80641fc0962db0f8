package leads

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/embudo/embudo/internal/crm"
)

// checkErr fails unless err is nil or a *crm.Error with the given code.
func checkErr(t *testing.T, err error, code crm.Code) {
	t.Helper()
	if err == nil {
		return
	}
	var e *crm.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err %#v, want a *crm.Error with code %s", err, code)
	}
}

// checkLead fails when a parsed lead holds invalid UTF-8 or breaks the
// Extra bounds.
func checkLead(t *testing.T, l crm.Lead) {
	t.Helper()
	for _, s := range []string{l.ExternalID, l.Name, l.Surname, l.Email, l.Phone, l.Company, l.JobTitle, l.Web, l.Message,
		l.Address.Street, l.Address.City, l.Address.PostalCode, l.Address.Province, l.Address.Country,
		l.Attribution.UTMSource, l.Attribution.GCLID, l.Attribution.LandingPage} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 %q in %+v", s, l)
		}
	}
	if len(l.Extra) > MaxExtraFields {
		t.Fatalf("%d extra fields", len(l.Extra))
	}
	for k, v := range l.Extra {
		if utf8.RuneCountInString(k) > MaxExtraKeyLen || utf8.RuneCountInString(v) > MaxExtraValueLen || !utf8.ValidString(k) || !utf8.ValidString(v) {
			t.Fatalf("extra %q=%q out of bounds", k, v)
		}
	}
}

func FuzzParseForm(f *testing.F) {
	f.Add(formURLEncoded, []byte("nombre=Jos%C3%A9&email=A%40B.ES&telefono=%2B34+600+12+34+56&interests=a,b&_gotcha=&_next=%2Fok"), "utm_source=x&gclid=y", "kf_website")
	f.Add("multipart/form-data; boundary=XyZ", []byte(multipartBody), "", "")
	f.Add("application/json", []byte(`{"name":"Ana","interests":["x","y"],"phone":600123456,"marketingConsent":true,"n":null}`), "utm_medium=cpc", "")
	f.Add("text/plain", []byte(`{"full_name":"Zoë"}`), "", "")
	f.Add("application/json", []byte(`{"a":{"b":1}}`), "", "")
	f.Add(formURLEncoded, []byte("name=Jos%E9&%zz"), "%%", "")
	f.Add("multipart/form-data; boundary=\"a b\"", []byte("--a b\r\nContent-Disposition: form-data; name=x\r\n\r\ny\r\n--a b--"), "", "")
	f.Fuzz(func(t *testing.T, contentType string, body []byte, rawQuery, honeypot string) {
		q, _ := url.ParseQuery(rawQuery)
		lead, _, err := ParseForm(contentType, body, q, map[string]string{"nombre": "name", "x": "", "y": "custom"}, honeypot)
		checkErr(t, err, crm.CodeInvalid)
		if err == nil {
			checkLead(t, lead)
		}
	})
}

func FuzzParseGoogleAds(f *testing.F) {
	f.Add([]byte(googleTestSample))
	f.Add([]byte(googleProduction))
	f.Add([]byte(`{"lead_id":1e400,"is_test":"yes","user_column_data":[{"column_id":null}]}`))
	f.Add([]byte(`{"lead_id":"x","google_key":"k",}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		lead, _, err := ParseGoogleAds(body, map[string]string{"qué_servicio": "interests"})
		checkErr(t, err, crm.CodeInvalid)
		if err == nil {
			checkLead(t, lead)
			if lead.ExternalID == "" {
				t.Fatal("a lead without lead_id")
			}
		}
	})
}

func FuzzParseMetaNotification(f *testing.F) {
	f.Add([]byte(metaNotificationBody))
	f.Add([]byte(metaSignedBody))
	f.Add([]byte(`{"object":"page","entry":[{"changes":[{"field":"leadgen","value":{"leadgen_id":1,"created_time":-1e308}}]}]}`))
	f.Add([]byte(`{"object":"page","entry":[{"id":{},"changes":[{"field":"leadgen","value":[]}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, err := ParseMetaNotification(body)
		checkErr(t, err, crm.CodeInvalid)
		for _, r := range refs {
			if r.LeadgenID == "" {
				t.Fatal("a ref without leadgen_id")
			}
		}
	})
}

func FuzzParseMetaLead(f *testing.F) {
	f.Add([]byte(`{"id":"555971704561545","field_data":[{"name":"full_name","values":["James Oak"]},{"name":"email","values":["a@b.c"]}],"platform":"ig","is_organic":"false"}`))
	f.Add([]byte(`{"id":1,"field_data":[{"name":"interests","values":["a,b",2,true,null]}]}`))
	f.Add([]byte(`{"error":{"code":190}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		lead, err := ParseMetaLead(body, map[string]string{"q1": "interests"})
		checkErr(t, err, crm.CodeInvalid)
		if err == nil {
			checkLead(t, lead)
		}
	})
}

func FuzzVerifyStandardWebhook(f *testing.F) {
	f.Add(swSecret, swID, "1614265330", swSignature, []byte(swBody))
	f.Add(swRawSecret, swRawID, "1674087231", swRawSignature+" v1,xx", []byte(swRawBody))
	f.Add("whsec_", "", "-9223372036854775808", "v1,", []byte{})
	f.Add("whsec_!!", "id", "99999999999999999999", "v1a,abc v1,=", []byte("x"))
	f.Add("whsec_"+base64.RawStdEncoding.EncodeToString([]byte("k")), "msg.1 ñ", "0", "", []byte("\xff"))
	f.Add("k", "m", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, secret, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		got, err := VerifyStandardWebhook(secret, h, body, time.Unix(1614265330, 0))
		checkErr(t, err, crm.CodeUnauthorized)
		if err == nil && got == "" {
			t.Fatal("verified without an id")
		}
		// A message signed now with the same secret verifies a second later
		// and gives back its id, whenever the secret is usable and the id is
		// one a header carries as it is (not blank, no surrounding space);
		// with any other secret, it does not verify.
		signed := SignStandardWebhook(secret, id, time.Unix(1614265330, 0), body)
		got, err = VerifyStandardWebhook(secret, signed, body, time.Unix(1614265331, 0))
		switch {
		case !usableSecret(secret):
			if err == nil {
				t.Fatalf("the unusable secret %q verified a message", secret)
			}
		case id != "" && strings.TrimSpace(id) == id:
			if err != nil || got != id {
				t.Fatalf("a fresh message %q signed with %q: id %q, %v", id, secret, got, err)
			}
		}
	})
}

// usableSecret says, as the Standard Webhooks specification does, whether a
// secret gives a key: "whsec_" and the base64 of a non-empty key, or
// otherwise any non-empty string used as it is.
func usableSecret(secret string) bool {
	rest, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return secret != ""
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if key, err := enc.DecodeString(rest); err == nil && len(key) > 0 {
			return true
		}
	}
	return false
}
