package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

const kindLead = "LEAD"

// leadItem is a lead record as stored, under LEAD#<key>: the key is the
// delivery's deduplication key, so a second delivery cannot store another.
type leadItem struct {
	keys
	ID            string            `dynamodbav:"id"`
	SourceID      string            `dynamodbav:"sourceId"`
	Format        string            `dynamodbav:"format"`
	ExternalID    string            `dynamodbav:"externalId,omitempty"`
	Outcome       string            `dynamodbav:"outcome"`
	ContactID     string            `dynamodbav:"contactId,omitempty"`
	OpportunityID string            `dynamodbav:"opportunityId,omitempty"`
	Attribution   *attributionItem  `dynamodbav:"attribution,omitempty"`
	Message       string            `dynamodbav:"message,omitempty"`
	Extra         map[string]string `dynamodbav:"extra,omitempty"`
	Data          *leadDataItem     `dynamodbav:"data,omitempty"`
	ReceivedAt    time.Time         `dynamodbav:"receivedAt"`
}

// leadDataItem is what a lead posted for its contact.
type leadDataItem struct {
	Name             string       `dynamodbav:"name,omitempty"`
	Surname          string       `dynamodbav:"surname,omitempty"`
	Email            string       `dynamodbav:"email,omitempty"`
	Phone            string       `dynamodbav:"phone,omitempty"`
	Mobile           string       `dynamodbav:"mobile,omitempty"`
	TaxID            string       `dynamodbav:"taxId,omitempty"`
	Company          string       `dynamodbav:"company,omitempty"`
	JobTitle         string       `dynamodbav:"jobTitle,omitempty"`
	Web              string       `dynamodbav:"web,omitempty"`
	Address          *addressItem `dynamodbav:"address,omitempty"`
	Interests        []string     `dynamodbav:"interests,omitempty"`
	MarketingConsent bool         `dynamodbav:"marketingConsent,omitempty"`
}

// contactLeads is the GSI2 partition of a contact's lead records, sorted
// by record ID (newest last).
func contactLeads(contactID string) string { return kindLead + "#CONTACT#" + contactID }

func leadKeyOf(k string) map[string]types.AttributeValue { return key(kindLead+"#"+k, kindLead) }

func leadToItem(k string, r crm.LeadRecord) leadItem {
	it := leadItem{
		keys: keys{PK: kindLead + "#" + k, SK: kindLead, Type: kindLead},
		ID:   r.ID, SourceID: r.SourceID, Format: string(r.Format), ExternalID: r.ExternalID, Outcome: string(r.Outcome),
		ContactID: r.ContactID, OpportunityID: r.OpportunityID, Message: r.Message, ReceivedAt: r.ReceivedAt,
	}
	if a := r.Attribution; a != (crm.Attribution{}) {
		it.Attribution = &attributionItem{a.UTMSource, a.UTMMedium, a.UTMCampaign, a.UTMTerm, a.UTMContent, a.GCLID, a.FBCLID, a.LandingPage, a.Referrer}
	}
	if len(r.Extra) > 0 {
		it.Extra = r.Extra
	}
	if rejectedEmail(r) {
		it.GSI1PK, it.GSI1SK = rejectedEmails, r.ID
	}
	if r.ContactID != "" {
		it.GSI2PK, it.GSI2SK = contactLeads(r.ContactID), r.ID
	}
	if d := r.Data; !d.IsZero() {
		it.Data = &leadDataItem{Name: d.Name, Surname: d.Surname, Email: d.Email, Phone: d.Phone, Mobile: d.Mobile, TaxID: d.TaxID,
			Company: d.Company, JobTitle: d.JobTitle, Web: d.Web, Interests: d.Interests, MarketingConsent: d.MarketingConsent}
		if a := d.Address; a != (crm.Address{}) {
			it.Data.Address = &addressItem{a.Street, a.PostalCode, a.City, a.Province, a.Country}
		}
	}
	return it
}

func leadFromItem(it leadItem) crm.LeadRecord {
	r := crm.LeadRecord{ID: it.ID, SourceID: it.SourceID, Format: crm.LeadFormat(it.Format), ExternalID: it.ExternalID,
		Outcome: crm.LeadOutcome(it.Outcome), ContactID: it.ContactID, OpportunityID: it.OpportunityID,
		Message: it.Message, Extra: it.Extra, ReceivedAt: it.ReceivedAt}
	if a := it.Attribution; a != nil {
		r.Attribution = crm.Attribution{UTMSource: a.UTMSource, UTMMedium: a.UTMMedium, UTMCampaign: a.UTMCampaign,
			UTMTerm: a.UTMTerm, UTMContent: a.UTMContent, GCLID: a.GCLID, FBCLID: a.FBCLID, LandingPage: a.LandingPage, Referrer: a.Referrer}
	}
	if d := it.Data; d != nil {
		r.Data = crm.LeadData{Name: d.Name, Surname: d.Surname, Email: d.Email, Phone: d.Phone, Mobile: d.Mobile, TaxID: d.TaxID,
			Company: d.Company, JobTitle: d.JobTitle, Web: d.Web, Interests: d.Interests, MarketingConsent: d.MarketingConsent}
		if a := d.Address; a != nil {
			r.Data.Address = crm.Address{Street: a.Street, PostalCode: a.PostalCode, City: a.City, Province: a.Province, Country: a.Country}
		}
	}
	return r
}

// ListContactLeads implements crm.LeadStore: a Query of GSI2 under the
// contact's partition, newest first.
func (s *Store) ListContactLeads(ctx context.Context, contactID string, o crm.ListOptions) (crm.Page[crm.LeadRecord], error) {
	decode := func(m map[string]types.AttributeValue) (crm.LeadRecord, error) {
		it, err := unmarshal[leadItem](m)
		return leadFromItem(it), err
	}
	return page(ctx, s, query{index: gsi2, pk: contactLeads(contactID)}, "leads:"+contactID, o, nil, decode, nil)
}

// rejectedEmails is the GSI1 partition of refused inbound e-mail, the
// only lead records in GSI1 (no list reads the others there, and a lead
// writes one index entry less).
const rejectedEmails = kindLead + "#REJECTED"

// rejectedEmail reports whether a lead record is of refused inbound e-mail.
func rejectedEmail(r crm.LeadRecord) bool {
	return r.Format == crm.FormatEmail && r.Outcome == crm.OutcomeRejected
}

// ListRejectedEmails implements crm.LeadStore: a Query of GSI1 under
// LEAD#REJECTED, newest first.
func (s *Store) ListRejectedEmails(ctx context.Context, o crm.ListOptions) (crm.Page[crm.LeadRecord], error) {
	decode := func(m map[string]types.AttributeValue) (crm.LeadRecord, error) {
		it, err := unmarshal[leadItem](m)
		return leadFromItem(it), err
	}
	return page(ctx, s, query{index: gsi1, pk: rejectedEmails}, "rejected", o, nil, decode, nil)
}

// LookupLead implements crm.LeadStore with one BatchGetItem.
func (s *Store) LookupLead(ctx context.Context, k, email string, phones []string) (crm.LeadLookup, error) {
	var ks []map[string]types.AttributeValue
	if k != "" {
		ks = append(ks, leadKeyOf(k))
	}
	if email != "" {
		ks = append(ks, uniqueKey(scopeEmail, email))
	}
	for _, p := range phones {
		ks = append(ks, uniqueKey(scopePhone, p))
	}
	var out crm.LeadLookup
	if len(ks) == 0 {
		return out, nil
	}
	req := map[string]types.KeysAndAttributes{s.table: {Keys: ks, ConsistentRead: aws.Bool(true)}}
	for len(req) > 0 {
		got, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return out, crm.Internal(err)
		}
		for _, m := range got.Responses[s.table] {
			pk := m[attrPK].(*types.AttributeValueMemberS).Value
			switch {
			case k != "" && pk == kindLead+"#"+k:
				it, err := unmarshal[leadItem](m)
				if err != nil {
					return out, err
				}
				r := leadFromItem(it)
				out.Existing = &r
			case pk == kindUnique+"#"+scopeEmail+"#"+email:
				u, _ := unmarshal[uniqueItem](m)
				out.EmailOwner = u.Owner
			default:
				if u, err := unmarshal[uniqueItem](m); err == nil && out.PhoneOwner == "" {
					out.PhoneOwner = u.Owner
				}
			}
		}
		req = got.UnprocessedKeys
	}
	return out, nil
}

// GetLeadRecord implements crm.LeadStore with one GetItem.
func (s *Store) GetLeadRecord(ctx context.Context, k string) (crm.LeadRecord, error) {
	it, err := get[leadItem](ctx, s, leadKeyOf(k), "lead")
	if err != nil {
		return crm.LeadRecord{}, err
	}
	return leadFromItem(it), nil
}

// leadOps adds a new lead record, failing the batch with a conflict naming
// "lead" if the delivery was stored before.
func (s *Store) leadOps(t *tx, l crm.KeyedLead) {
	t.putNew(marshal(leadToItem(l.Key, l.Record)), func(context.Context) error {
		return crm.DuplicateLead()
	})
}

// mergeOps enriches a contact with one UpdateItem that writes each field
// only where the contact has none (if_not_exists), adds interests to its
// set and links, claims the e-mail and phone it is given, and adds the
// word items of the surname and company it fills (mergeWords).
func (s *Store) mergeOps(t *tx, m crm.ContactMerge) {
	c := m.Fill
	names := map[string]string{"#v": "version", "#u": "updatedAt", "#ub": "updatedBy", "#uv": "updatedVia"}
	vals := map[string]types.AttributeValue{":one": num("1"), ":u": str(m.UpdatedAt.UTC().Format(time.RFC3339Nano)),
		":ub": str(m.UpdatedBy), ":uv": str(m.Via)} // "" for none: an empty string reads back as no value
	set := []string{"#v = #v + :one", "#u = :u", "#ub = :ub", "#uv = :uv"}
	n := 0
	fill := func(attr string, v types.AttributeValue) {
		n++
		an, vn := fmt.Sprintf("#f%d", n), fmt.Sprintf(":f%d", n)
		names[an], vals[vn] = attr, v
		set = append(set, fmt.Sprintf("%s = if_not_exists(%s, %s)", an, an, vn))
	}
	it := contactToItem(crm.Contact{ID: m.ContactID, Name: c.Name, Surname: c.Surname, SourceID: c.SourceID, AgentID: c.AgentID})
	for attr, v := range map[string]string{"surname": c.Surname, "company": c.Company, "jobTitle": c.JobTitle, "taxId": c.TaxID,
		"web": c.Web, "observations": c.Observations, "sourceId": c.SourceID, "agentId": c.AgentID} {
		if v != "" {
			fill(attr, str(v))
		}
	}
	if c.SourceID != "" {
		fill("GSI3PK", str(it.GSI3PK))
		fill("GSI3SK", str(it.GSI3SK))
	}
	if c.AgentID != "" {
		fill("GSI2PK", str(it.GSI2PK))
		fill("GSI2SK", str(it.GSI2SK))
	}
	full := contactToItem(c)
	if full.Address != nil {
		fill("address", marshal(struct {
			A *addressItem `dynamodbav:"a"`
		}{full.Address})["a"])
	}
	if full.Attribution != nil {
		fill("attribution", marshal(struct {
			A *attributionItem `dynamodbav:"a"`
		}{full.Attribution})["a"])
	}
	if c.MarketingConsent {
		names["#mc"], vals[":mc"] = "marketingConsent", &types.AttributeValueMemberBOOL{Value: true}
		set = append(set, "#mc = :mc")
	}
	cond := "attribute_exists(PK)"
	if m.AddEmail {
		fill("email", str(c.Email))
		names["#em"] = "email"
		cond += " AND attribute_not_exists(#em)"
	}
	if m.AddPhone {
		fill("phone", str(c.Phone))
		names["#ph"] = "phone"
		cond += " AND attribute_not_exists(#ph)"
	}
	cond += mergeWords(t, m, names, vals)
	expr := "SET " + strings.Join(set, ", ")
	if len(m.InterestIDs) > 0 {
		names["#in"], vals[":in"] = "interestIds", &types.AttributeValueMemberSS{Value: m.InterestIDs}
		expr += " ADD #in :in"
	}
	k := entityKey(kindContact, m.ContactID)
	t.touch(k)
	t.ops = append(t.ops, op{
		item: types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.table), Key: k,
			UpdateExpression: aws.String(expr), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals}},
		onFail: func(ctx context.Context) error { return s.mergeFailed(ctx, m) },
	})
	if m.AddEmail {
		t.claim(scopeEmail, c.Email, m.ContactID, s.failTaken(scopeEmail, c.Email, "email", "another contact has this email"))
	}
	if m.AddPhone {
		t.claim(scopePhone, c.Phone, m.ContactID, s.failTaken(scopePhone, c.Phone, "phone", "another contact has this phone"))
	}
	for _, iid := range m.InterestIDs {
		lk := linkKey(iid, m.ContactID)
		t.put(marshal(linkItem{keys: keys{PK: lk[attrPK].(*types.AttributeValueMemberS).Value, SK: lk[attrSK].(*types.AttributeValueMemberS).Value, Type: kindLink},
			InterestID: iid, ContactID: m.ContactID}), "", nil, nil)
	}
}
