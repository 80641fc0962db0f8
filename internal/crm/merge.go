package crm

import (
	"reflect"
	"slices"
)

// Apply returns old enriched by the merge, as the stores write it: each
// field of Fill that is set only where old has none (the name never
// changes), the e-mail and phone only when AddEmail / AddPhone, interests
// added, marketing consent only turned on, UpdatedBy and UpdatedVia set.
// Version and UpdatedAt are left to the caller.
func (m ContactMerge) Apply(old Contact) Contact {
	f, next := m.Fill, old
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&next.Surname, f.Surname)
	fill(&next.Company, f.Company)
	fill(&next.JobTitle, f.JobTitle)
	fill(&next.TaxID, f.TaxID)
	fill(&next.Web, f.Web)
	fill(&next.Observations, f.Observations)
	fill(&next.SourceID, f.SourceID)
	fill(&next.AgentID, f.AgentID)
	if m.AddEmail {
		fill(&next.Email, f.Email)
	}
	if m.AddPhone {
		fill(&next.Phone, f.Phone)
	}
	if next.Address == (Address{}) {
		next.Address = f.Address
	}
	if next.Attribution == (Attribution{}) {
		next.Attribution = f.Attribution
	}
	next.MarketingConsent = old.MarketingConsent || f.MarketingConsent
	next.InterestIDs = slices.Clone(old.InterestIDs)
	for _, id := range m.InterestIDs {
		if !slices.Contains(next.InterestIDs, id) {
			next.InterestIDs = append(next.InterestIDs, id)
		}
	}
	next.UpdatedBy, next.UpdatedVia = m.UpdatedBy, m.Via
	return next
}

// changes reports whether the merge would change old's data (not counting
// who changed it, when, or its version).
func (m ContactMerge) changes(old Contact) bool {
	next := m.Apply(old)
	next.UpdatedBy, next.UpdatedVia = old.UpdatedBy, old.UpdatedVia
	if len(next.InterestIDs) != len(old.InterestIDs) {
		return true
	}
	next.InterestIDs = old.InterestIDs
	return !equalContacts(next, old)
}

// equalContacts compares two contacts field by field (InterestIDs in
// order).
func equalContacts(a, b Contact) bool {
	ai, bi := a.InterestIDs, b.InterestIDs
	a.InterestIDs, b.InterestIDs = nil, nil
	return reflect.DeepEqual(a, b) && slices.Equal(ai, bi)
}
