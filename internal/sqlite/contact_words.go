package sqlite

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// contactWords moves a contact's rows of contact_words, one per search
// word (crm.Contact.SearchWords) keyed by the word, '#' and the contact's
// ID, from old's words to next's; a zero contact has none (old of a
// creation, next of a deletion). Errors: internal.
func contactWords(t *wtx, old, next crm.Contact) error {
	id := next.ID
	if id == "" {
		id = old.ID
	}
	was, is := old.SearchWords(), next.SearchWords()
	for _, w := range was {
		if !slices.Contains(is, w) {
			if err := t.exec("DELETE FROM contact_words WHERE sk = ?", w+"#"+id); err != nil {
				return err
			}
		}
	}
	for _, w := range is {
		if !slices.Contains(was, w) {
			if err := t.exec("INSERT INTO contact_words (sk, contact_id) VALUES (?, ?)", w+"#"+id, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// wordListing is the access path of the name search by term: the range
// of contact_words starting with it, in word order, each contact under the
// first of its words in that range only (so a contact with two such words
// is listed once). The filter's other terms are checked on what it reads
// (crm.ContactFilter.Matches). Its cursors name the term.
func wordListing(term string) listing {
	return listing{path: "contacts-name:" + term, from: "contact_words w JOIN contacts c ON c.id = w.contact_id", doc: "c.doc",
		key: "w.sk", asc: true,
		where: "w.sk >= ? AND w.sk < ? AND NOT EXISTS (SELECT 1 FROM contact_words o INDEXED BY contact_words_by_contact " +
			"WHERE o.contact_id = w.contact_id AND o.sk >= ? AND o.sk < w.sk)",
		args: []any{term, prefixEnd(term), term}}
}

// listByWords lists the contacts of the name search: the words of its
// search term (crm's SearchTermBy: the rarest of the query's words,
// counted up to crm.SearchCountLimit each when it has several, or the one
// the cursor names), the whole filter applied to their contacts.
// Errors: invalid (cursor), unavailable, internal.
func (s *Store) listByWords(ctx context.Context, f crm.ContactFilter, o crm.ListOptions) (crm.Page[crm.Contact], error) {
	given, _ := strings.CutPrefix(cursorPath(o.Cursor), "contacts-name:")
	term, err := f.SearchTermBy(given, func(t string) (int, error) {
		var n int
		err := s.reads.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM contact_words WHERE sk >= ? AND sk < ? LIMIT ?)",
			t, prefixEnd(t), crm.SearchCountLimit).Scan(&n)
		return n, s.fail(err)
	})
	if err != nil {
		return crm.Page[crm.Contact]{}, err
	}
	return page(ctx, s, wordListing(term), o, contacts.decode, f.Matches)
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
