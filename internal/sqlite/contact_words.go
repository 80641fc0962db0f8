package sqlite

import (
	"slices"

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

// wordListing is the access path of the name search: the range of
// contact_words starting with the filter's search term, in word order,
// each contact under the first of its words in that range only (so a
// contact with two such words is listed once). The filter's other terms
// are checked on what it reads (crm.ContactFilter.Matches).
func wordListing(f crm.ContactFilter) listing {
	term := f.SearchTerm()
	return listing{path: "contacts-name", from: "contact_words w JOIN contacts c ON c.id = w.contact_id", doc: "c.doc",
		key: "w.sk", asc: true,
		where: "w.sk >= ? AND w.sk < ? AND NOT EXISTS (SELECT 1 FROM contact_words o INDEXED BY contact_words_by_contact " +
			"WHERE o.contact_id = w.contact_id AND o.sk >= ? AND o.sk < w.sk)",
		args: []any{term, prefixEnd(term), term}}
}
