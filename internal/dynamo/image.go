package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DecodeImage turns an item image from the change stream into its domain
// value (crm.Contact, crm.Opportunity, crm.Note, crm.Quote, crm.LeadRecord)
// or nil for items the stream does not act on (claims, links, counters,
// the stream's own timeline and markers). Errors: internal.
func DecodeImage(m map[string]types.AttributeValue) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	t, _ := m[attrType].(*types.AttributeValueMemberS)
	if t == nil {
		return nil, nil
	}
	switch t.Value {
	case kindContact:
		return contacts.decode(m)
	case kindOpportunity:
		return opportunities.decode(m)
	case kindNote:
		return notes.decode(m)
	case kindQuote:
		return quotes.decode(m)
	case kindFile:
		return files.decode(m)
	case kindLead:
		it, err := unmarshal[leadItem](m)
		return leadFromItem(it), err
	}
	return nil, nil
}

// StreamTypes are the item types the change stream acts on, for the stream
// function's FilterCriteria and the local feed.
var StreamTypes = []string{kindContact, kindOpportunity, kindNote, kindQuote, kindLead, kindFile}
