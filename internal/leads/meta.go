package leads

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// MetaLeadRef is one leadgen change of a Meta webhook notification: the
// IDs of a lead to fetch from the Graph API. IDs are decimal text exactly
// as sent (Meta's IDs exceed 2^53); AdID and AdgroupID are empty or "0" for
// organic, preview and test leads. CreatedTime is Unix seconds (0 when
// absent).
type MetaLeadRef struct {
	LeadgenID, PageID, FormID, AdID, AdgroupID string
	CreatedTime                                int64
}

// metaNotification is a Meta webhook POST body.
type metaNotification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      jsonText `json:"id"`
		Changes []struct {
			Field string          `json:"field"`
			Value json.RawMessage `json:"value"` // decoded only for leadgen
		} `json:"changes"`
	} `json:"entry"`
}

// metaLeadgen is the value of a leadgen change.
type metaLeadgen struct {
	LeadgenID   jsonText `json:"leadgen_id"`
	PageID      jsonText `json:"page_id"`
	FormID      jsonText `json:"form_id"`
	AdID        jsonText `json:"ad_id"`
	AdgroupID   jsonText `json:"adgroup_id"`
	CreatedTime jsonUnix `json:"created_time"`
}

// ParseMetaNotification reads a Meta webhook POST for the page object and
// returns one MetaLeadRef per leadgen change, across every entry and every
// change, in order; changes to other fields are ignored, so the result may
// be empty. IDs may be JSON numbers or strings. A leadgen change without a
// page_id takes the entry's id.
//
// Errors: invalid (not a JSON object or malformed, naming "body"; object
// other than "page", naming "object"; a leadgen change whose value is not
// an object of IDs, naming "entry[i].changes[j].value", or has no
// leadgen_id, naming "entry[i].changes[j].value.leadgen_id"). One bad change
// refuses the whole notification: Meta never sends one, so it is a forgery
// or a bug worth a 4xx.
func ParseMetaNotification(body []byte) ([]MetaLeadRef, error) {
	var n metaNotification
	if err := decodeObject(body, &n); err != nil {
		return nil, err
	}
	if n.Object != "page" {
		return nil, crm.InvalidField("object", "must be page (subscribe the Page's leadgen field)")
	}
	var refs []MetaLeadRef
	for i, e := range n.Entry {
		for j, c := range e.Changes {
			if c.Field != "leadgen" {
				continue
			}
			path := fmt.Sprintf("entry[%d].changes[%d].value", i, j)
			var v metaLeadgen
			if err := decodeObject(c.Value, &v); err != nil {
				return nil, crm.InvalidField(path, "must be a leadgen object with string or number IDs")
			}
			if v.LeadgenID.String() == "" {
				return nil, crm.InvalidField(path+".leadgen_id", "is required")
			}
			refs = append(refs, MetaLeadRef{
				LeadgenID:   v.LeadgenID.String(),
				PageID:      firstNonEmpty(v.PageID.String(), e.ID.String()),
				FormID:      v.FormID.String(),
				AdID:        v.AdID.String(),
				AdgroupID:   v.AdgroupID.String(),
				CreatedTime: int64(v.CreatedTime),
			})
		}
	}
	return refs, nil
}

// metaLead is the Graph API lead object.
type metaLead struct {
	ID           jsonText `json:"id"`
	CreatedTime  jsonText `json:"created_time"`
	AdID         jsonText `json:"ad_id"`
	AdName       jsonText `json:"ad_name"`
	AdsetID      jsonText `json:"adset_id"`
	AdsetName    jsonText `json:"adset_name"`
	CampaignID   jsonText `json:"campaign_id"`
	CampaignName jsonText `json:"campaign_name"`
	FormID       jsonText `json:"form_id"`
	FieldData    []struct {
		Name   jsonText   `json:"name"`
		Values []jsonText `json:"values"`
	} `json:"field_data"`
	IsOrganic   jsonBool `json:"is_organic"`
	Platform    jsonText `json:"platform"`
	PartnerName jsonText `json:"partner_name"`
}

// ParseMetaLead reads a lead object fetched from the Graph API (see
// graph.Client.FetchLead) into a lead: ExternalID is its id; field_data
// goes through fieldMap and the standard names and aliases as in ParseForm
// (full_name, first_name, last_name, email, phone_number, company_name,
// job_title, street_address, city, post_code, zip_code, state, province,
// country, ...), a field with several values (a multiple-choice question)
// keeping them all in Extra or in Interests; the rest goes to Extra by its
// name. utm_source is "facebook" or "instagram" by platform (fb, ig; another
// platform as sent), utm_medium "paid_social" unless is_organic;
// campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name, form_id,
// created_time and partner_name go to Extra.
//
// Errors: invalid (not a JSON object, malformed or a field of the wrong
// type, naming "body"; no id, naming "id": a Graph error object is not a
// lead).
func ParseMetaLead(body []byte, fieldMap map[string]string) (crm.Lead, error) {
	var m metaLead
	if err := decodeObject(body, &m); err != nil {
		return crm.Lead{}, err
	}
	lead := crm.Lead{Format: crm.FormatMeta, ExternalID: m.ID.String()}
	if lead.ExternalID == "" {
		return crm.Lead{}, crm.InvalidField("id", "is required")
	}
	var b builder
	for _, x := range []struct {
		key string
		v   jsonText
	}{
		{"campaign_id", m.CampaignID}, {"campaign_name", m.CampaignName}, {"adset_id", m.AdsetID},
		{"adset_name", m.AdsetName}, {"ad_id", m.AdID}, {"ad_name", m.AdName}, {"form_id", m.FormID},
		{"created_time", m.CreatedTime}, {"partner_name", m.PartnerName},
	} {
		b.extra.add(x.key, string(x.v))
	}
	fm := newFieldMap(fieldMap)
	for i, f := range m.FieldData {
		values := make([]string, len(f.Values))
		for k, v := range f.Values {
			values[k] = string(v)
		}
		name := f.Name.String()
		if name == "" {
			name = "field_" + strconv.Itoa(i)
		}
		b.addField(name, values, fm)
	}
	switch p := strings.ToLower(m.Platform.String()); p {
	case "", "fb", "facebook":
		b.addSlot(slotUTMSource, queryRank, "", "facebook")
	case "ig", "instagram":
		b.addSlot(slotUTMSource, queryRank, "", "instagram")
	default:
		b.addSlot(slotUTMSource, queryRank, "", p)
	}
	if !m.IsOrganic {
		b.addSlot(slotUTMMedium, queryRank, "", "paid_social")
	}
	b.build(&lead)
	return lead, nil
}
