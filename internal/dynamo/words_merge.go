package dynamo

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// mergeWords adds to t the word items of the surname and company a merge
// fills, and returns the condition that makes the merge's UpdateItem fail
// where it would not write them: the contact has another surname or
// company (a merge writes a field only where the contact has none; one
// equal to the fill's already has those words). Commit then merges again
// without that field (retryHeld). A field's words depend on that field
// alone (crm.FieldWords), so they need not read the contact.
func mergeWords(t *tx, m crm.ContactMerge, names map[string]string, vals map[string]types.AttributeValue) string {
	cond := ""
	var words []string
	for _, f := range []struct{ name, attr, value string }{
		{"#wsn", "surname", m.Fill.Surname}, {"#wco", "company", m.Fill.Company},
	} {
		if f.value == "" {
			continue
		}
		v := ":w" + f.name[2:]
		names[f.name], vals[v] = f.attr, str(f.value)
		cond += " AND (attribute_not_exists(" + f.name + ") OR " + f.name + " = " + v + ")"
		for _, w := range crm.FieldWords(f.value) {
			if !slices.Contains(words, w) {
				words = append(words, w)
			}
		}
	}
	for _, w := range words {
		t.put(wordItem(w, m.ContactID), "", nil, nil)
	}
	return cond
}

// heldFills is the failure of a merge into a contact that has a surname
// or company of its own, other than the one the merge would fill.
type heldFills struct {
	contactID        string
	surname, company bool
}

func (h *heldFills) Error() string {
	return "contact " + h.contactID + " holds the fields the merge fills"
}

// mergeFailed tells why a merge's UpdateItem failed, reading the contact:
// heldFills when it has another surname or company than the merge fills,
// else stale (it is gone, or has an e-mail or phone of its own by now: the
// service merges again without ours).
func (s *Store) mergeFailed(ctx context.Context, m crm.ContactMerge) error {
	c, err := contacts.get(ctx, s, m.ContactID)
	if err != nil {
		return crm.Stale("contact")
	}
	h := &heldFills{contactID: m.ContactID,
		surname: m.Fill.Surname != "" && c.Surname != "" && c.Surname != m.Fill.Surname,
		company: m.Fill.Company != "" && c.Company != "" && c.Company != m.Fill.Company}
	if h.surname || h.company {
		return h
	}
	return crm.Stale("contact")
}

// retryHeld commits b again when err is a merge's heldFills, without the
// fields the contact holds (which the merge would not have written); at
// most twice for a merge, each time with one field fewer. Other errors
// are returned as they are.
func (s *Store) retryHeld(ctx context.Context, b crm.Batch, err error) error {
	h, ok := errors.AsType[*heldFills](err)
	if !ok {
		return err
	}
	b.Merges = slices.Clone(b.Merges)
	for i, m := range b.Merges {
		if m.ContactID != h.contactID {
			continue
		}
		if h.surname {
			m.Fill.Surname = ""
		}
		if h.company {
			m.Fill.Company = ""
		}
		b.Merges[i] = m
	}
	return s.Commit(ctx, b)
}
