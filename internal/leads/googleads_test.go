package leads

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// googleTestSample has the shape of Google's "Send test data" delivery:
// the key spelled Google_key, is_test, and 0 for adgroup and creative.
const googleTestSample = `{
  "lead_id": "Cj0KCQjwit_8BRCoARIsAIx3Rj7g-AeL6z35IWb6VYiZUygtTfwD3hDlgSGmY",
  "campaign_id": 123456,
  "adgroup_id": 0,
  "creative_id": 0,
  "gcl_id": "Cj0KCQjwit_8BRCoARIsAIx3Rj7g-AeL6z35IWb6VYiZUygtTfwD3hDlgSGmY",
  "user_column_data": [
    {"column_name": "Full Name", "string_value": "FirstName LastName", "column_id": "FULL_NAME"},
    {"column_name": "User Phone", "string_value": "1-650-555-0123", "column_id": "PHONE_NUMBER"},
    {"column_name": "User Email", "string_value": "test@example.com", "column_id": "EMAIL"}
  ],
  "api_version": "1.0",
  "form_id": 123456789,
  "Google_key": "testkey",
  "is_test": true
}`

// googleProduction is a production delivery with 64-bit IDs above 2^53,
// accents, custom questions and a field Google may add one day.
const googleProduction = `{"lead_id":"TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEeFfGgHhIiJjKkLl",
 "user_column_data":[
  {"column_name":"First Name","string_value":"Begoña","column_id":"FIRST_NAME"},
  {"column_name":"Last Name","string_value":" Lázaro Íñiguez ","column_id":"LAST_NAME"},
  {"column_name":"Full Name","string_value":"Begoña Lázaro Íñiguez","column_id":"FULL_NAME"},
  {"column_name":"Work Email","string_value":"B.LAZARO@EMPRESA.ES","column_id":"WORK_EMAIL"},
  {"column_name":"User Phone","string_value":"+34 600 12 34 56","column_id":"PHONE_NUMBER"},
  {"column_name":"Company Name","string_value":"Construcciones Begoña S.A.","column_id":"COMPANY_NAME"},
  {"column_name":"Job Title","string_value":"Directora","column_id":"JOB_TITLE"},
  {"column_name":"Street Address","string_value":"Av. de la Constitución 3","column_id":"STREET_ADDRESS"},
  {"column_name":"City","string_value":"Logroño","column_id":"CITY"},
  {"column_name":"Region","string_value":"La Rioja","column_id":"REGION"},
  {"column_name":"Postal Code","string_value":"26001","column_id":"POSTAL_CODE"},
  {"column_name":"Country","string_value":"ES","column_id":"COUNTRY"},
  {"column_name":"Company Size","string_value":"11-50","column_id":"COMPANY_SIZE"},
  {"column_name":"¿Qué servicio le interesa?","string_value":"Reforma integral","column_id":"qué_servicio"},
  {"column_name":"Presupuesto","string_value":"20.000 €","column_id":"budget_q"},
  {"string_value":"sin etiqueta","column_id":"NO_LABEL"}
 ],
 "api_version":"1.0","form_id":9007199254740993,"campaign_id":9223372036854775807,
 "adgroup_id":"9007199254740995","creative_id":555,"asset_group_id":42,
 "google_key":"s3cr3t-kéy","is_test":false,"gcl_id":"EAIaIQobChMI","lead_stage":"NEW",
 "lead_submit_time":"2024-09-26T12:30:00Z","future_field":{"nested":[1,2,3]}}`

func TestParseGoogleAds(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		fieldMap map[string]string
		want     crm.Lead
		wantKey  string
	}{
		{
			name: "Google's test sample",
			body: googleTestSample,
			want: crm.Lead{
				Format: crm.FormatGoogleAds, ExternalID: "Cj0KCQjwit_8BRCoARIsAIx3Rj7g-AeL6z35IWb6VYiZUygtTfwD3hDlgSGmY",
				Name: "FirstName LastName", Email: "test@example.com", Phone: "1-650-555-0123", IsTest: true,
				Attribution: crm.Attribution{UTMSource: "google", UTMMedium: "cpc", GCLID: "Cj0KCQjwit_8BRCoARIsAIx3Rj7g-AeL6z35IWb6VYiZUygtTfwD3hDlgSGmY"},
				Extra:       map[string]string{"campaign_id": "123456", "adgroup_id": "0", "creative_id": "0", "form_id": "123456789"},
			},
			wantKey: "testkey",
		},
		{
			name:     "production delivery with custom questions",
			body:     googleProduction,
			fieldMap: map[string]string{"qué_servicio": "interests", "COMPANY_SIZE": "tamaño_empresa"},
			want: crm.Lead{
				Format: crm.FormatGoogleAds, ExternalID: "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz-0123456789-AaBbCcDdEeFfGgHhIiJjKkLl",
				Name: "Begoña", Surname: "Lázaro Íñiguez", Email: "B.LAZARO@EMPRESA.ES", Phone: "+34 600 12 34 56",
				Company: "Construcciones Begoña S.A.", JobTitle: "Directora", Interests: []string{"Reforma integral"},
				Address:     crm.Address{Street: "Av. de la Constitución 3", PostalCode: "26001", City: "Logroño", Province: "La Rioja", Country: "ES"},
				Attribution: crm.Attribution{UTMSource: "google", UTMMedium: "cpc", GCLID: "EAIaIQobChMI"},
				Extra: map[string]string{
					"campaign_id": "9223372036854775807", "adgroup_id": "9007199254740995", "creative_id": "555",
					"form_id": "9007199254740993", "asset_group_id": "42", "lead_stage": "NEW",
					"lead_submit_time": "2024-09-26T12:30:00Z", "Full Name": "Begoña Lázaro Íñiguez",
					"tamaño_empresa": "11-50", "Presupuesto": "20.000 €", "NO_LABEL": "sin etiqueta",
				},
			},
			wantKey: "s3cr3t-kéy",
		},
		{
			name: "work e-mail and phone when the personal ones are missing; minimal body",
			body: `{"lead_id":"L1","user_column_data":[{"column_id":"WORK_EMAIL","string_value":"ana@empresa.es"},{"column_id":"WORK_PHONE","string_value":"910000000"},{"column_id":"EMAIL","string_value":""}]}`,
			want: crm.Lead{Format: crm.FormatGoogleAds, ExternalID: "L1", Email: "ana@empresa.es", Phone: "910000000",
				Attribution: crm.Attribution{UTMSource: "google", UTMMedium: "cpc"}},
		},
		{
			name: "numeric lead_id, string is_test, both key spellings",
			body: `{"lead_id":12345678901234567890,"is_test":"true","google_key":"a","Google_key":"b"}`,
			want: crm.Lead{Format: crm.FormatGoogleAds, ExternalID: "12345678901234567890", IsTest: true,
				Attribution: crm.Attribution{UTMSource: "google", UTMMedium: "cpc"}},
			wantKey: "a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lead, key, err := ParseGoogleAds([]byte(tt.body), tt.fieldMap)
			if err != nil {
				t.Fatal(err)
			}
			sameLead(t, lead, tt.want)
			if key != tt.wantKey {
				t.Errorf("key %q, want %q", key, tt.wantKey)
			}
			for k, v := range lead.Extra {
				if v == tt.wantKey && tt.wantKey != "" || k == "google_key" || k == "Google_key" {
					t.Errorf("the key is in the lead: %s=%s", k, v)
				}
			}
		})
	}
}

func TestParseGoogleAdsErrors(t *testing.T) {
	tests := []struct {
		name, body, field, key string
	}{
		{"published sample's trailing comma", `{"lead_id":"x","google_key":"k",}`, "body", ""},
		{"not JSON", `lead_id=x`, "body", ""},
		{"array", `[{"lead_id":"x"}]`, "body", ""},
		{"null", `null`, "body", ""},
		{"empty", ``, "body", ""},
		{"no lead_id, key still returned", `{"google_key":"k","user_column_data":[]}`, "lead_id", "k"},
		{"blank lead_id", `{"lead_id":"  ","Google_key":"k"}`, "lead_id", "k"},
		{"lead_id object", `{"lead_id":{"x":1}}`, "body", ""},
		{"columns not a list", `{"lead_id":"x","user_column_data":{"column_id":"EMAIL"}}`, "body", ""},
		{"float key", `{"lead_id":"x","google_key":12}`, "body", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, key, err := ParseGoogleAds([]byte(tt.body), nil)
			wantInvalid(t, err, tt.field)
			if key != tt.key {
				t.Errorf("key %q, want %q", key, tt.key)
			}
		})
	}
}

func TestGoogleKeyMatches(t *testing.T) {
	tests := []struct {
		configured, got string
		want            bool
	}{
		{"testkey", "testkey", true},
		{"s3cr3t-kéy", "s3cr3t-kéy", true},
		{"testkey", "testkey2", false},
		{"testkey", "TESTKEY", false},
		{"testkey", "", false},
		{"", "", false},
		{"", "x", false},
		{"a-much-longer-configured-key", "a", false},
	}
	for _, tt := range tests {
		if got := GoogleKeyMatches(tt.configured, tt.got); got != tt.want {
			t.Errorf("GoogleKeyMatches(%q, %q) = %v, want %v", tt.configured, tt.got, got, tt.want)
		}
	}
}
