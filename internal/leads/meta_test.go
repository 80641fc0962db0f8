package leads

import (
	"reflect"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// metaNotificationBody carries two entries with several changes: numeric
// IDs above 2^53 (a float64 would round 9007199254740993 to ...992), string
// IDs, a change of another field with a value of another shape, and an
// organic lead without ad IDs.
const metaNotificationBody = `{
  "object": "page",
  "entry": [
    {"id": 153125381133, "time": 1438292065, "changes": [
      {"field": "leadgen", "value": {"leadgen_id": 9007199254740993, "page_id": 153125381133,
        "form_id": 12312312312, "adgroup_id": 12312312313, "ad_id": 12312312314, "created_time": 1440120384}},
      {"field": "feed", "value": {"item": "status", "from": {"id": "1", "name": "Página"}, "message": "¡Hola!"}},
      {"field": "leadgen", "value": {"leadgen_id": "18446744073709551615", "page_id": "153125381133",
        "form_id": "98765", "created_time": "1440120999"}}
    ]},
    {"id": "999999999999999999", "time": 1438292099, "changes": [
      {"field": "leadgen", "value": {"leadgen_id": 1234, "form_id": 1, "ad_id": 0, "adgroup_id": 0,
        "created_time": "2015-11-12T15:27:06+0000"}}
    ]},
    {"id": "5", "changes": []}
  ]
}`

func TestParseMetaNotification(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []MetaLeadRef
	}{
		{
			name: "several entries and changes",
			body: metaNotificationBody,
			want: []MetaLeadRef{
				{LeadgenID: "9007199254740993", PageID: "153125381133", FormID: "12312312312", AdgroupID: "12312312313", AdID: "12312312314", CreatedTime: 1440120384},
				{LeadgenID: "18446744073709551615", PageID: "153125381133", FormID: "98765", CreatedTime: 1440120999},
				{LeadgenID: "1234", PageID: "999999999999999999", FormID: "1", AdID: "0", AdgroupID: "0", CreatedTime: 1447342026},
			},
		},
		{
			name: "Meta's documented sample",
			body: `{"object":"page","entry":[{"id":153125381133,"time":1438292065,"changes":[{"field":"leadgen","value":{"leadgen_id":123123123123,"page_id":123123123,"form_id":12312312312,"adgroup_id":12312312312,"ad_id":12312312312,"created_time":1440120384}}]}]}`,
			want: []MetaLeadRef{{LeadgenID: "123123123123", PageID: "123123123", FormID: "12312312312", AdgroupID: "12312312312", AdID: "12312312312", CreatedTime: 1440120384}},
		},
		{
			name: "only other fields",
			body: `{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":"anything"}]}],"extra":true}`,
		},
		{
			name: "no entries",
			body: `{"object":"page"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMetaNotification([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("refs\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseMetaNotificationErrors(t *testing.T) {
	tests := []struct {
		name, body, field string
	}{
		{"malformed", `{"object":"page","entry":[`, "body"},
		{"not an object", `[]`, "body"},
		{"empty", ``, "body"},
		{"another object", `{"object":"user","entry":[]}`, "object"},
		{"no object", `{"entry":[]}`, "object"},
		{"leadgen without leadgen_id", `{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{"page_id":1}}]}]}`, "entry[0].changes[0].value.leadgen_id"},
		{"leadgen value not an object", `{"object":"page","entry":[{"id":"1","changes":[{"field":"feed"},{"field":"leadgen","value":"x"}]}]}`, "entry[0].changes[1].value"},
		{"leadgen value missing", `{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen"}]}]}`, "entry[0].changes[0].value"},
		{"entry not a list", `{"object":"page","entry":{}}`, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMetaNotification([]byte(tt.body))
			wantInvalid(t, err, tt.field)
		})
	}
}

func TestParseMetaLead(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		fieldMap map[string]string
		want     crm.Lead
	}{
		{
			name: "Graph's documented sample",
			body: `{"created_time":"2015-11-12T15:27:06+0000","id":"555971704561545","ad_id":"6045417498512","form_id":"1407011489543935",` +
				`"field_data":[{"name":"full_name","values":["James Oak"]},{"name":"email","values":["james.oak@example.org"]},{"name":"phone_number","values":["+15555550100"]}],` +
				`"is_organic":false,"platform":"fb"}`,
			want: crm.Lead{
				Format: crm.FormatMeta, ExternalID: "555971704561545", Name: "James Oak", Email: "james.oak@example.org", Phone: "+15555550100",
				Attribution: crm.Attribution{UTMSource: "facebook", UTMMedium: "paid_social"},
				Extra:       map[string]string{"ad_id": "6045417498512", "form_id": "1407011489543935", "created_time": "2015-11-12T15:27:06+0000"},
			},
		},
		{
			name: "Instagram lead with custom questions and a field map",
			body: `{"id":"1234567890123456789","created_time":"2024-05-02T10:00:00+0000","campaign_id":"120200000000000001","form_id":"9007199254740993",` +
				`"field_data":[` +
				`{"name":"first_name","values":["Mª Ángeles"]},{"name":"last_name","values":["Gómez"]},` +
				`{"name":"email","values":["MANGELES@EXAMPLE.ES"]},{"name":"phone_number","values":["+34 600 12 34 56"]},` +
				`{"name":"company_name","values":["Clínica Dental Sonrisa"]},{"name":"job_title","values":["Dueña"]},` +
				`{"name":"city","values":["Sevilla"]},{"name":"post_code","values":["41001"]},{"name":"country","values":["ES"]},` +
				`{"name":"street_address","values":["C/ Sierpes 10"]},{"name":"state","values":["Sevilla"]},` +
				`{"name":"¿qué_tratamientos_le_interesan?","values":["ortodoncia","implantes"]},` +
				`{"name":"cuándo_quiere_empezar","values":["en_1_mes"]},{"name":"date_of_birth","values":["1980-01-31"]}],` +
				`"is_organic":false,"platform":"ig","unknown":{"x":1}}`,
			fieldMap: map[string]string{"¿qué_tratamientos_le_interesan?": "interests"},
			want: crm.Lead{
				Format: crm.FormatMeta, ExternalID: "1234567890123456789", Name: "Mª Ángeles", Surname: "Gómez",
				Email: "MANGELES@EXAMPLE.ES", Phone: "+34 600 12 34 56", Company: "Clínica Dental Sonrisa", JobTitle: "Dueña",
				Address:     crm.Address{Street: "C/ Sierpes 10", PostalCode: "41001", City: "Sevilla", Province: "Sevilla", Country: "ES"},
				Interests:   []string{"ortodoncia", "implantes"},
				Attribution: crm.Attribution{UTMSource: "instagram", UTMMedium: "paid_social"},
				Extra: map[string]string{
					"campaign_id": "120200000000000001", "form_id": "9007199254740993", "created_time": "2024-05-02T10:00:00+0000",
					"cuándo_quiere_empezar": "en_1_mes", "date_of_birth": "1980-01-31",
				},
			},
		},
		{
			name: "organic lead with numeric IDs, zip and a multi-value unknown field",
			body: `{"id":555971704561546,"form_id":1407011489543935,"is_organic":true,"platform":"fb",` +
				`"field_data":[{"name":"FULL_NAME","values":["Ana"]},{"name":"zip","values":["08001"]},{"name":"servicios","values":["a","b"]},{"name":"","values":["sin nombre"]},{"name":"vacío","values":[]}]}`,
			want: crm.Lead{
				Format: crm.FormatMeta, ExternalID: "555971704561546", Name: "Ana", Address: crm.Address{PostalCode: "08001"},
				Attribution: crm.Attribution{UTMSource: "facebook"},
				Extra:       map[string]string{"form_id": "1407011489543935", "servicios": "a, b", "field_3": "sin nombre"},
			},
		},
		{
			name: "another platform",
			body: `{"id":"1","platform":"messenger"}`,
			want: crm.Lead{Format: crm.FormatMeta, ExternalID: "1", Attribution: crm.Attribution{UTMSource: "messenger", UTMMedium: "paid_social"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lead, err := ParseMetaLead([]byte(tt.body), tt.fieldMap)
			if err != nil {
				t.Fatal(err)
			}
			sameLead(t, lead, tt.want)
		})
	}
}

func TestParseMetaLeadErrors(t *testing.T) {
	tests := []struct {
		name, body, field string
	}{
		{"Graph error object", `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100}}`, "id"},
		{"malformed", `{"id":"1",`, "body"},
		{"not an object", `"x"`, "body"},
		{"field_data not a list", `{"id":"1","field_data":{"name":"email"}}`, "body"},
		{"values not a list", `{"id":"1","field_data":[{"name":"email","values":"a@b.c"}]}`, "body"},
		{"value an object", `{"id":"1","field_data":[{"name":"email","values":[{"v":1}]}]}`, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMetaLead([]byte(tt.body), nil)
			wantInvalid(t, err, tt.field)
		})
	}
}
