package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// TestEveryListPathReadsAnIndexRange checks SQLite's plan of every list's
// statement: each reads an index in the list's order (no sort of the
// matching rows, no scan of a whole table to filter it), so that a page
// costs the same however many rows the table holds.
func TestEveryListPathReadsAnIndexRange(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	id := crm.NewID(time.Now())
	paths := map[string]listing{
		"contacts":             contactListing(crm.ContactFilter{}),
		"contacts of a kind":   contactListing(crm.ContactFilter{Kind: crm.KindClient}),
		"suppliers":            contactListing(crm.ContactFilter{Kind: crm.KindSupplier}),
		"contacts of no kind":  contactListing(crm.ContactFilter{Kind: crm.KindNone}),
		"contacts by interest": contactListing(crm.ContactFilter{InterestID: id, Kind: crm.KindClient}),
		"contacts by name":     contactListing(crm.ContactFilter{Query: "jose", AgentID: id}),
		"contacts by agent":    contactListing(crm.ContactFilter{AgentID: id, SourceID: id}),
		"contacts by source":   contactListing(crm.ContactFilter{SourceID: id}),
		"opportunities":        opportunityListing(crm.OpportunityFilter{}),
		"notes":                noteListing(crm.ParentContact, id),
		"files":                fileListing(crm.ParentOpportunity, id),
		"timeline":             timelineListing(id),
		"a contact's leads":    contactLeadsListing(id),
		"reminders":            reminderListing("PENDING", time.Time{}),
		"reminders due":        reminderListing("PENDING", time.Now()),
		"my reminders":         reminderListing(id, time.Time{}),
		"my reminders due":     reminderListing("ALL", time.Now()),
		"clients":              clients.listing(false),
		"users":                users.listing(true),
		"a user's tokens":      tokenListing(id),
	}
	for _, f := range []crm.OpportunityFilter{{ContactID: id}, {AssigneeID: id}, {StateID: id, AgentID: id},
		{AgentID: id}, {InterestID: id}, {SourceID: id}} {
		l := opportunityListing(f)
		paths[l.path] = l
	}
	for name, l := range paths {
		for _, after := range []string{"", "z"} {
			q, args := l.query(after, 51)
			plan := explain(t, s, q, args...)
			for _, line := range plan {
				if strings.Contains(line, "TEMP B-TREE") || (strings.HasPrefix(line, "SCAN") && !strings.Contains(line, "USING")) {
					t.Errorf("%s (after %q): the plan sorts or scans a table:\n%s\n%s", name, after, q, strings.Join(plan, "\n"))
				}
			}
		}
	}
	for _, q := range []string{
		"SELECT count(*) FROM contacts WHERE agent_id = ?", "SELECT count(*) FROM contacts WHERE source_id = ?",
		"SELECT count(*) FROM contact_interests WHERE interest_id = ?", "SELECT count(*) FROM opportunities WHERE contact_id = ?",
	} {
		for _, line := range explain(t, s, q, id) {
			if !strings.HasPrefix(line, "SEARCH") {
				t.Errorf("%s: %s", q, line)
			}
		}
	}
}

// explain returns the lines of the plan of q.
func explain(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return out
}
