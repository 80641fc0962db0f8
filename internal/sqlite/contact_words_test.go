package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// TestLoadedContactsAreSearchable: Load (a copy, a conversion) writes each
// contact's search words with it.
func TestLoadedContactsAreSearchable(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	at := time.Now().UTC().Truncate(time.Millisecond)
	c := crm.Contact{ID: crm.NewID(at), Name: "José", Surname: "Pérez Álvarez", Company: "Talleres Pérez",
		CreatedAt: at, UpdatedAt: at, Version: 1}
	if err := s.Load(t.Context(), crm.Snapshot{Contacts: []crm.Contact{c}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"alvarez", "talleres", "jose per"} {
		p, err := s.ListContacts(t.Context(), crm.ContactFilter{Query: q}, crm.ListOptions{Limit: 10})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != c.ID {
			t.Errorf("q=%s after a load: %v %v", q, p.Items, err)
		}
	}
}
