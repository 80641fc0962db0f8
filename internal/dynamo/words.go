package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// kindWord is the type of a contact's word items: one per search word
// (crm.Contact.SearchWords), PK WORD#<the word's first letter>, SK
// <word>#<contact ID>, and nothing else, written and deleted with the
// contact in its own transaction like its interest links. The name search
// is one Query of a partition with begins_with on the term, and a
// BatchGetItem of the contacts it names.
const kindWord = "WORD"

// wordPartition is the partition of the word items of words starting
// with w's first letter: the name search's partitions are as many as the
// initials in use, not one.
func wordPartition(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	if r == utf8.RuneError && n <= 1 {
		return kindWord + "#"
	}
	return kindWord + "#" + w[:n]
}

// wordKey is the key of the item of word w of a contact.
func wordKey(w, contactID string) map[string]types.AttributeValue {
	return key(wordPartition(w), w+"#"+contactID)
}

// wordItem is the item of word w of a contact: its key and type only.
func wordItem(w, contactID string) map[string]types.AttributeValue {
	return marshal(keys{PK: wordPartition(w), SK: w + "#" + contactID, Type: kindWord})
}

// wordItems are the word items of a contact (for a copy).
func wordItems(c crm.Contact) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, w := range c.SearchWords() {
		out = append(out, wordItem(w, c.ID))
	}
	return out
}

// moveWords adds to t the deletion of the word items of old's words that
// next has not and the items of next's new words; a zero contact has none
// (old of a creation, next of a deletion). A new contact's word items are
// written just before the transaction (tx.putBefore).
func moveWords(t *tx, old, next crm.Contact) {
	id := next.ID
	if id == "" {
		id = old.ID
	}
	was, is := old.SearchWords(), next.SearchWords()
	for _, w := range was {
		if !slices.Contains(is, w) {
			t.del(wordKey(w, id), "", nil, nil)
		}
	}
	for _, w := range is {
		switch {
		case slices.Contains(was, w):
		case old.ID == "":
			t.putBefore(wordItem(w, id)) // a new contact's: nothing else writes them
		default:
			t.put(wordItem(w, id), "", nil, nil)
		}
	}
}

// listByWords lists the contacts of the name search: a Query of the word
// items starting with the filter's search term (crm's SearchTermBy: the
// rarest of its words, counted with one Query of at most
// crm.SearchCountLimit keys each when it has several), in word order,
// each resolved to its contact with one BatchGetItem (resolveWords), and
// the rest of the filter (its other terms too) applied to what it reads.
// The cursor names the term, so every page reads the same range.
func (s *Store) listByWords(ctx context.Context, f crm.ContactFilter, o crm.ListOptions) (crm.Page[crm.Contact], error) {
	given, _ := strings.CutPrefix(cursorPath(o.Cursor), "name:")
	term, err := f.SearchTermBy(given, func(t string) (int, error) {
		return s.countUpTo(ctx, query{pk: wordPartition(t), prefix: t}, crm.SearchCountLimit)
	})
	if err != nil {
		return crm.Page[crm.Contact]{}, err
	}
	q := query{pk: wordPartition(term), prefix: term, forward: true}
	return page(ctx, s, q, "name:"+term, o, s.resolveWords(term), contacts.decode, f.Matches)
}

// countUpTo counts the items of q, reading at most limit of them (keys
// only): one Query.
func (s *Store) countUpTo(ctx context.Context, q query, limit int32) (int, error) {
	in := s.queryInput(q, limit, nil)
	in.Select = types.SelectCount
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return 0, crm.Internal(err)
	}
	return int(out.Count), nil
}

// cursorPath returns the access path a cursor names, "" for none or one
// that does not decode (which page then refuses).
func cursorPath(c string) string {
	var cur cursor
	if b, err := base64.RawURLEncoding.DecodeString(c); err == nil && json.Unmarshal(b, &cur) == nil {
		return cur.Path
	}
	return ""
}

// resolveWords returns the resolver of word items into their contacts
// (one BatchGetItem), keeping a contact only under the first of its words
// that starts with term, so that a contact with two such words is listed
// once; nil for the others, and where a contact is gone or its words
// changed meanwhile.
func (s *Store) resolveWords(term string) func(context.Context, []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	return func(ctx context.Context, items []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
		words, ids := make([]string, len(items)), make([]string, len(items))
		for i, m := range items {
			k, err := unmarshal[keys](m)
			if err != nil {
				return nil, err
			}
			if cut := strings.LastIndexByte(k.SK, '#'); cut > 0 {
				words[i], ids[i] = k.SK[:cut], k.SK[cut+1:]
			}
		}
		got, err := s.batchGet(ctx, kindContact, ids)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]map[string]types.AttributeValue, len(got))
		for _, m := range got {
			if id, ok := m["id"].(*types.AttributeValueMemberS); ok {
				byID[id.Value] = m
			}
		}
		out := make([]map[string]types.AttributeValue, len(items))
		for i, id := range ids {
			m := byID[id]
			if m == nil {
				continue
			}
			c, err := contacts.decode(m)
			if err != nil {
				return nil, err
			}
			if crm.FirstWordWith(c.SearchWords(), term) == words[i] {
				out[i] = m
			}
		}
		return out, nil
	}
}
