package leads

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// googleLead is the Google Ads lead form webhook body (WebhookLead). IDs
// are int64 on the wire; jsonText keeps them exact whether they arrive as
// numbers or strings. Unknown fields are ignored.
type googleLead struct {
	LeadID         jsonText       `json:"lead_id"`
	UserColumnData []googleColumn `json:"user_column_data"`
	FormID         jsonText       `json:"form_id"`
	CampaignID     jsonText       `json:"campaign_id"`
	AdgroupID      jsonText       `json:"adgroup_id"`
	CreativeID     jsonText       `json:"creative_id"`
	AssetGroupID   jsonText       `json:"asset_group_id"`
	GCLID          jsonText       `json:"gcl_id"`
	IsTest         jsonBool       `json:"is_test"`
	LeadStage      jsonText       `json:"lead_stage"`
	LeadSubmitTime jsonText       `json:"lead_submit_time"`
	GoogleKey      *string        `json:"google_key"`
	GoogleKeyTest  *string        `json:"Google_key"` // Google's test samples spell it so
}

// googleColumn is one answer of a Google Ads lead form.
type googleColumn struct {
	ColumnName  jsonText `json:"column_name"`
	StringValue jsonText `json:"string_value"`
	ColumnID    jsonText `json:"column_id"`
}

// googleColumns maps Google's stable column_id values to lead fields; the
// rank picks FIRST_NAME over FULL_NAME, EMAIL over WORK_EMAIL and so on.
var googleColumns = map[string]alias{
	"FIRST_NAME":            {slotName, 1},
	"FULL_NAME":             {slotName, 2},
	"LAST_NAME":             {slotSurname, 1},
	"EMAIL":                 {slotEmail, 1},
	"WORK_EMAIL":            {slotEmail, 2},
	"PHONE_NUMBER":          {slotPhone, 1},
	"PHONE_NUMBER_VERIFIED": {slotPhone, 2},
	"WORK_PHONE":            {slotPhone, 3},
	"COMPANY_NAME":          {slotCompany, 1},
	"JOB_TITLE":             {slotJobTitle, 1},
	"STREET_ADDRESS":        {slotStreet, 1},
	"POSTAL_CODE":           {slotPostalCode, 1},
	"CITY":                  {slotCity, 1},
	"REGION":                {slotProvince, 1},
	"COUNTRY":               {slotCountry, 1},
}

// ParseGoogleAds reads a Google Ads lead form webhook body into a lead:
// lead_id is the ExternalID; user_column_data is mapped by column_id
// (FULL_NAME, FIRST_NAME, LAST_NAME, EMAIL, WORK_EMAIL, PHONE_NUMBER,
// WORK_PHONE, COMPANY_NAME, JOB_TITLE, CITY, POSTAL_CODE, REGION, COUNTRY,
// STREET_ADDRESS), with fieldMap (keyed by column_id, values standard names
// as for ParseForm) applied first; other columns and custom questions go to
// Extra under their column_name (or column_id when it has none). gcl_id is
// Attribution.GCLID, utm_source and utm_medium are "google" and "cpc";
// campaign_id, adgroup_id, creative_id, form_id, asset_group_id, lead_stage
// and lead_submit_time go to Extra as text (exact, also for 64-bit IDs);
// is_test sets Lead.IsTest. Unknown fields are ignored.
//
// googleKey is the google_key (or Google_key) of the body, for
// GoogleKeyMatches; it is never put in the lead, and it is returned even
// with an error once the body is a JSON object, so the caller can check it
// before reporting problems with the payload.
//
// Errors: invalid (not a JSON object, malformed JSON or a field of the wrong
// type, naming "body"; no lead_id, naming "lead_id").
func ParseGoogleAds(body []byte, fieldMap map[string]string) (lead crm.Lead, googleKey string, err error) {
	var p googleLead
	if err := decodeObject(body, &p); err != nil {
		return crm.Lead{}, "", err
	}
	switch {
	case p.GoogleKey != nil && *p.GoogleKey != "":
		googleKey = *p.GoogleKey
	case p.GoogleKeyTest != nil:
		googleKey = *p.GoogleKeyTest
	}
	lead = crm.Lead{Format: crm.FormatGoogleAds, ExternalID: p.LeadID.String(), IsTest: bool(p.IsTest)}
	if lead.ExternalID == "" {
		return crm.Lead{}, googleKey, crm.InvalidField("lead_id", "is required")
	}
	var b builder
	for _, x := range []struct {
		key string
		v   jsonText
	}{
		{"campaign_id", p.CampaignID}, {"adgroup_id", p.AdgroupID}, {"creative_id", p.CreativeID},
		{"form_id", p.FormID}, {"asset_group_id", p.AssetGroupID},
		{"lead_stage", p.LeadStage}, {"lead_submit_time", p.LeadSubmitTime},
	} {
		b.extra.add(x.key, string(x.v))
	}
	fm := newFieldMap(fieldMap)
	for _, c := range p.UserColumnData {
		id, name := c.ColumnID.String(), c.ColumnName.String()
		value := string(c.StringValue)
		if _, mapped := fm.lookup(id); mapped {
			b.addField(id, []string{value}, fm)
			continue
		}
		if a, ok := googleColumns[strings.ToUpper(id)]; ok {
			b.addSlot(a.slot, a.rank, firstNonEmpty(name, id), value)
			continue
		}
		b.extra.add(firstNonEmpty(name, id, "column"), value)
	}
	b.addSlot(slotGCLID, 1, "gcl_id", string(p.GCLID))
	b.addSlot(slotUTMSource, queryRank, "", "google")
	b.addSlot(slotUTMMedium, queryRank, "", "cpc")
	b.build(&lead)
	return lead, googleKey, nil
}

// firstNonEmpty returns the first argument that is not empty.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// GoogleKeyMatches reports whether the google_key received in a Google Ads
// delivery equals the key configured on the source. It compares SHA-256
// digests of both in constant time, so neither the key's content nor its
// length leaks through timing, and it is false when either is empty (an
// unconfigured source never accepts a key-less delivery). It returns no
// error.
func GoogleKeyMatches(configured, got string) bool {
	if configured == "" || got == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(configured)), sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
