package leads

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/embudo/embudo/internal/crm"
)

const formURLEncoded = "application/x-www-form-urlencoded"

// multipartBody is a browser's multipart/form-data post with a file part.
const multipartBody = "--XyZ\r\n" +
	"Content-Disposition: form-data; name=\"name\"\r\n\r\n" +
	"María José\r\n" +
	"--XyZ\r\n" +
	"Content-Disposition: form-data; name=\"last_name\"\r\n\r\n" +
	"Ñúñez\r\n" +
	"--XyZ\r\n" +
	"Content-Disposition: form-data; name=\"tel\"\r\n\r\n" +
	"+34 600 12 34 56\r\n" +
	"--XyZ\r\n" +
	"Content-Disposition: form-data; name=\"interests[]\"\r\n\r\n" +
	"Reformas\r\n" +
	"--XyZ\r\n" +
	"Content-Disposition: form-data; name=\"interests[]\"\r\n\r\n" +
	"Cocinas\r\n" +
	"--XyZ\r\n" +
	"Content-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\n" +
	"Content-Type: application/pdf\r\n\r\n" +
	"%PDF-1.4 binary \x00\x01\x02 stuff\r\n" +
	"--XyZ\r\n" +
	"Content-Disposition: form-data; name=\"_gotcha\"\r\n\r\n" +
	"\r\n" +
	"--XyZ--\r\n"

func TestParseForm(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		query       string
		fieldMap    map[string]string
		honeypot    string
		want        crm.Lead
		wantCtl     Control
	}{
		{
			name:        "Spanish HTML form with attribution in the query",
			contentType: formURLEncoded + "; charset=UTF-8",
			body: "nombre=Jos%C3%A9&apellidos=P%C3%A9rez+N%C3%BA%C3%B1ez&email=+JOSE.PEREZ%40EXAMPLE.ES+" +
				"&telefono=%2B34+600+12+34+56&empresa=Ca%C3%B1as+S.L.&cargo=Gerente" +
				"&mensaje=Hola%2C+%C2%BFtienen+precio%3F&interests=Web%2C+SEO&interests=SEO" +
				"&marketing_consent=s%C3%AD&ciudad=C%C3%A1diz&codigo_postal=11001&provincia=C%C3%A1diz&pais=ES" +
				"&direccion=C%2F+Ancha+1&website=https%3A%2F%2Fcanas.example&utm_source=newsletter" +
				"&_gotcha=&_next=https%3A%2F%2Fcanas.example%2Fgracias&_subject=Nuevo&_idempotency_key=k-123" +
				"&color_favorito=azul&Presupuesto+aproximado=5.000+%E2%82%AC",
			query: "utm_source=ignored&utm_medium=cpc&gclid=EAIaIQ&landingPage=https%3A%2F%2Fcanas.example%2Fofertas&foo=bar",
			want: crm.Lead{
				Format: crm.FormatForm, Name: "José", Surname: "Pérez Núñez", Email: "JOSE.PEREZ@EXAMPLE.ES",
				Phone: "+34 600 12 34 56", Company: "Cañas S.L.", JobTitle: "Gerente", Web: "https://canas.example",
				Message: "Hola, ¿tienen precio?", Interests: []string{"Web", "SEO"}, MarketingConsent: true,
				Address:     crm.Address{Street: "C/ Ancha 1", PostalCode: "11001", City: "Cádiz", Province: "Cádiz", Country: "ES"},
				Attribution: crm.Attribution{UTMSource: "newsletter", UTMMedium: "cpc", GCLID: "EAIaIQ", LandingPage: "https://canas.example/ofertas"},
				Extra:       map[string]string{"color_favorito": "azul", "Presupuesto aproximado": "5.000 €"},
			},
			wantCtl: Control{Next: "https://canas.example/gracias", IdempotencyKey: "k-123"},
		},
		{
			name:        "standard names, first_name beats full_name, phone beats mobile",
			contentType: formURLEncoded,
			body:        "full_name=Ana+Garc%C3%ADa&first_name=Ana&last_name=Garc%C3%ADa&mobile=611223344&phone=%2B34+600+12+34+56&comments=Llamadme&marketingConsent=on&_redirect=%2Fthanks",
			want: crm.Lead{
				Format: crm.FormatForm, Name: "Ana", Surname: "García", Phone: "+34 600 12 34 56", Message: "Llamadme",
				MarketingConsent: true, Extra: map[string]string{"full_name": "Ana García", "mobile": "611223344"},
			},
			wantCtl: Control{Next: "/thanks"},
		},
		{
			name:        "mobile fills an empty phone; consent after a hidden 0",
			contentType: formURLEncoded,
			body:        "name=Luis&phone=&mobile=611223344&marketing_consent=0&marketing_consent=1",
			want:        crm.Lead{Format: crm.FormatForm, Name: "Luis", Phone: "611223344", MarketingConsent: true},
		},
		{
			name:        "consent refused",
			contentType: formURLEncoded,
			body:        "name=Luis&marketing_consent=no",
			want:        crm.Lead{Format: crm.FormatForm, Name: "Luis"},
		},
		{
			name:        "field map first, renames and drops",
			contentType: formURLEncoded,
			body:        "Nombre=Pilar&tlf=600123456&name=ignored-by-rank&ref=abc&g-recaptcha-response=TOKEN&Tipo+de+obra=Ba%C3%B1o",
			fieldMap:    map[string]string{"nombre": "name", "tlf": "phone", "ref": "referencia_interna", "g-recaptcha-response": ""},
			want: crm.Lead{
				Format: crm.FormatForm, Name: "Pilar", Phone: "600123456",
				Extra: map[string]string{"name": "ignored-by-rank", "referencia_interna": "abc", "Tipo de obra": "Baño"},
			},
		},
		{
			name:        "default honeypot filled",
			contentType: formURLEncoded,
			body:        "name=Bot&email=bot%40spam.example&_gotcha=http%3A%2F%2Fspam.example",
			want:        crm.Lead{Format: crm.FormatForm, Name: "Bot", Email: "bot@spam.example", Spam: true},
			wantCtl:     Control{Honeypot: true},
		},
		{
			name:        "configured honeypot filled",
			contentType: formURLEncoded,
			body:        "name=Bot&kf_website=x&_gotcha=",
			honeypot:    "kf_website",
			want:        crm.Lead{Format: crm.FormatForm, Name: "Bot", Spam: true},
			wantCtl:     Control{Honeypot: true},
		},
		{
			name:        "configured honeypot empty",
			contentType: formURLEncoded,
			body:        "name=Ana&kf_website=",
			honeypot:    "kf_website",
			want:        crm.Lead{Format: crm.FormatForm, Name: "Ana"},
		},
		{
			name:        "multipart with a file part",
			contentType: `multipart/form-data; boundary=XyZ`,
			body:        multipartBody,
			want: crm.Lead{
				Format: crm.FormatForm, Name: "María José", Surname: "Ñúñez", Phone: "+34 600 12 34 56",
				Interests: []string{"Reformas", "Cocinas"},
			},
		},
		{
			name:        "JSON with arrays, numbers, booleans and nulls",
			contentType: "application/json; charset=utf-8",
			body: `{"name":"Íñigo","surname":"Ortiz","email":"INIGO@EXAMPLE.COM","phone":600123456,` +
				`"interests":["Fontanería","Electricidad",7],"marketingConsent":true,"company":null,` +
				`"utm_campaign":"primavera","landing_page":"https://x.example/?a=1","rating":4.5,"tags":["a","b"],` +
				`"huge_id":123456789012345678901234567890,"_idempotency_key":"5b0c","_next":"https://x.example/ok"}`,
			query: "utm_campaign=query-loses&utm_content=banner",
			want: crm.Lead{
				Format: crm.FormatJSON, Name: "Íñigo", Surname: "Ortiz", Email: "INIGO@EXAMPLE.COM", Phone: "600123456",
				Interests: []string{"Fontanería", "Electricidad", "7"}, MarketingConsent: true,
				Attribution: crm.Attribution{UTMCampaign: "primavera", UTMContent: "banner", LandingPage: "https://x.example/?a=1"},
				Extra:       map[string]string{"rating": "4.5", "tags": "a, b", "huge_id": "123456789012345678901234567890"},
			},
			wantCtl: Control{IdempotencyKey: "5b0c", Next: "https://x.example/ok"},
		},
		{
			name:        "JSON sent by fetch as text/plain",
			contentType: "text/plain;charset=UTF-8",
			body:        ` {"full_name":"Zoë Martín","telefono":"+34 600 12 34 56"}`,
			want:        crm.Lead{Format: crm.FormatJSON, Name: "Zoë Martín", Phone: "+34 600 12 34 56"},
		},
		{
			name:        "vendor +json type, case and separators in names",
			contentType: "application/vnd.zapier+json",
			body:        `{"First Name":"Eva","LAST-NAME":"Ruiz","E-mail":"Eva@Example.org","Job Title":"CTO","Post Code":"28001"}`,
			want: crm.Lead{Format: crm.FormatJSON, Name: "Eva", Surname: "Ruiz", Email: "Eva@Example.org", JobTitle: "CTO",
				Address: crm.Address{PostalCode: "28001"}},
		},
		{
			name:        "Latin-1 form from an old page",
			contentType: formURLEncoded,
			body:        "name=Jos%E9&city=C%E1diz",
			want:        crm.Lead{Format: crm.FormatForm, Name: "José", Address: crm.Address{City: "Cádiz"}},
		},
		{
			name:        "empty body",
			contentType: formURLEncoded,
			body:        "",
			want:        crm.Lead{Format: crm.FormatForm},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			lead, ctl, err := ParseForm(tt.contentType, []byte(tt.body), q, tt.fieldMap, tt.honeypot)
			if err != nil {
				t.Fatal(err)
			}
			sameLead(t, lead, tt.want)
			if ctl != tt.wantCtl {
				t.Errorf("control %+v, want %+v", ctl, tt.wantCtl)
			}
		})
	}
}

func TestParseFormExtraBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("name=Ana")
	for i := range 60 {
		fmt.Fprintf(&b, "&campo_%02d=v%d", i, i)
	}
	long := strings.Repeat("ñ", 1500)
	lead, _, err := ParseForm(formURLEncoded, []byte("long="+url.QueryEscape(long)+"&"+b.String()+"&"+strings.Repeat("k", 300)+"=v"), nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(lead.Extra) != MaxExtraFields {
		t.Errorf("%d extra fields, want %d", len(lead.Extra), MaxExtraFields)
	}
	if n := utf8.RuneCountInString(lead.Extra["long"]); n != MaxExtraValueLen {
		t.Errorf("long value has %d characters, want %d", n, MaxExtraValueLen)
	}
	if _, ok := lead.Extra["campo_48"]; !ok {
		t.Error("the first fields are not kept")
	}
	if _, ok := lead.Extra["campo_49"]; ok {
		t.Error("a field beyond the bound is kept")
	}
	for k := range lead.Extra {
		if utf8.RuneCountInString(k) > MaxExtraKeyLen {
			t.Errorf("key of %d characters", utf8.RuneCountInString(k))
		}
	}
	// Repeated values are joined and still bounded.
	lead, _, err = ParseForm(formURLEncoded, []byte(strings.Repeat("x=abcdef&", 1000)), nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(lead.Extra["x"]); n > MaxExtraValueLen || !strings.HasPrefix(lead.Extra["x"], "abcdef, abcdef") {
		t.Errorf("joined value of %d characters: %.40q", n, lead.Extra["x"])
	}
}

func TestParseFormErrors(t *testing.T) {
	tests := []struct {
		name, contentType, body, field string
	}{
		{"no content type", "", "name=x", "Content-Type"},
		{"malformed content type", "text/", "name=x", "Content-Type"},
		{"unsupported content type", "text/html", "<p>", "Content-Type"},
		{"text/plain that is not JSON", "text/plain", "name=x", "Content-Type"},
		{"multipart without boundary", "multipart/form-data", multipartBody, "Content-Type"},
		{"multipart with another boundary", "multipart/form-data; boundary=other", multipartBody, "body"},
		{"truncated multipart", "multipart/form-data; boundary=XyZ", multipartBody[:60], "body"},
		{"bad percent escape", formURLEncoded, "name=%zz", "body"},
		{"JSON array", "application/json", `[{"name":"x"}]`, "body"},
		{"JSON string", "application/json", `"x"`, "body"},
		{"JSON null", "application/json", `null`, "body"},
		{"JSON nested object", "application/json", `{"name":"x","address":{"city":"Madrid"}}`, "body"},
		{"JSON nested array", "application/json", `{"interests":[["a"]]}`, "body"},
		{"JSON array of objects", "application/json", `{"interests":[{"a":1}]}`, "body"},
		{"JSON truncated", "application/json", `{"name":"x"`, "body"},
		{"JSON trailing data", "application/json", `{"name":"x"} {"name":"y"}`, "body"},
		{"JSON bad syntax", "application/json", `{"name":x}`, "body"},
		{"empty JSON body", "application/json", ``, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseForm(tt.contentType, []byte(tt.body), nil, nil, "")
			wantInvalid(t, err, tt.field)
		})
	}
}

func TestAliasesAreUnambiguous(t *testing.T) {
	// Every alias must land in exactly one lead field, or the table's
	// result would depend on map order.
	seen := map[string]slot{}
	for s, names := range aliasNames {
		for _, n := range names {
			if prev, dup := seen[canonical(n)]; dup && prev != s {
				t.Errorf("%q is a name of two lead fields", n)
			}
			seen[canonical(n)] = s
		}
	}
	for _, name := range []string{"name", "surname", "last_name", "lastname", "apellidos", "first_name", "full_name", "email",
		"phone", "tel", "telefono", "mobile", "company", "empresa", "job_title", "message", "mensaje", "comments", "interests",
		"marketingConsent", "marketing_consent", "web", "website", "city", "postal_code", "province", "country", "address",
		"street", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "landing_page",
		"landingPage", "referrer"} {
		if _, ok := aliases[canonical(name)]; !ok {
			t.Errorf("standard name %q is not recognised", name)
		}
	}
}
