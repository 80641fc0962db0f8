package crm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// catalogTTL is how long lead intake trusts the interests and agents it
// read (to match interests by name and to assign agents in turn).
const catalogTTL = 30 * time.Second

// leadCatalog is what lead intake matches leads against: the interests
// and the active agents in code order.
type leadCatalog struct {
	interests []Interest
	agents    []Agent
}

func (s *Service) catalog(ctx context.Context) ([]Interest, []Agent, error) {
	c, err := s.cat.Load(struct{}{}, func() (leadCatalog, error) {
		ins, err := s.store.ListInterests(ctx, ListOptions{Limit: 1000})
		if err != nil {
			return leadCatalog{}, err
		}
		ags, err := s.store.ListAgents(ctx, ListOptions{Limit: 1000})
		if err != nil {
			return leadCatalog{}, err
		}
		var active []Agent
		for _, a := range ags.Items {
			if a.Active {
				active = append(active, a)
			}
		}
		slices.SortFunc(active, func(a, b Agent) int { return strings.Compare(a.Code, b.Code) })
		return leadCatalog{append([]Interest{}, ins.Items...), active}, nil
	})
	return c.interests, c.agents, err
}

// leadKey is the deduplication key of a delivery that names itself.
func leadKey(src Source, l Lead) string {
	if l.ExternalID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(l.ExternalID))
	return src.ID + "#" + string(l.Format) + "#" + hex.EncodeToString(sum[:16])
}

// IntakeLead stores a lead that arrived through src's webhook, the same way
// for every format: control characters other than tab and newline are
// removed from every field (StripControls); the e-mail and phone are
// normalised; a contact holding either is enriched (empty fields filled,
// nothing overwritten) instead of duplicated; otherwise a contact is
// created with the source; interests are matched by name or ID; an agent
// is assigned as the source says; an opportunity is opened if the source
// says so; and a lead record keeps the source, format, external ID,
// attribution and outcome. A delivery seen
// before (same external ID) returns the first outcome and duplicate true,
// and writes nothing. Test deliveries and honeypot catches are recorded
// without a contact (the spam record keeps none of the sender's data). It
// costs one BatchGetItem and one TransactWriteItems, plus, now and then,
// the reservation of a block of round-robin turns or opportunity numbers
// (numberPool). Errors:
// unprocessable (no name, e-mail nor phone), invalid (a field too long),
// internal (the store failed: nothing was written, the sender retries).
func (s *Service) IntakeLead(ctx context.Context, src Source, l Lead) (LeadRecord, bool, error) {
	cleanLead(&l, s.cfg.PhoneRegion)
	if !l.Spam && !l.IsTest && l.Name == "" && l.Email == "" && l.Phone == "" && l.Mobile == "" {
		return LeadRecord{}, false, &Error{Code: CodeUnprocessable, Message: "a lead needs a name, an e-mail or a phone",
			Fields: map[string]string{"name": "name, email or phone is required"}}
	}
	key := leadKey(src, l)
	for attempt := 0; ; attempt++ {
		rec, dup, err := s.intake(ctx, src, l, key, attempt)
		if err == nil || attempt >= numberRetries {
			return rec, dup, err
		}
		code := ErrorCode(err)
		switch {
		case errors.Is(err, ErrDuplicateLead):
			rec, err := s.store.GetLeadRecord(ctx, key) // the same delivery, at the same moment
			return rec, err == nil, err
		case counterRace(err):
			time.Sleep(time.Duration(rand.IntN(1000*(attempt+1))) * time.Microsecond)
			continue // a concurrent lead took the number: take the next
		case (code == CodeConflict || code == CodePreconditionFailed) && attempt < retries:
			continue // a contact with this e-mail or phone appeared or changed meanwhile: decide again
		}
		return rec, dup, err
	}
}

func (s *Service) intake(ctx context.Context, src Source, l Lead, key string, attempt int) (LeadRecord, bool, error) {
	now := s.now()
	rec := LeadRecord{ID: NewID(now), SourceID: src.ID, Format: l.Format, ExternalID: l.ExternalID, ReceivedAt: now}
	storeKey := key
	if storeKey == "" {
		storeKey = src.ID + "#id#" + rec.ID
	}
	var phones []string
	for _, p := range []string{l.Phone, l.Mobile} {
		if p != "" && (len(phones) == 0 || phones[0] != p) {
			phones = append(phones, p)
		}
	}
	look, err := s.store.LookupLead(ctx, key, l.Email, phones)
	if err != nil {
		return LeadRecord{}, false, err
	}
	if look.Existing != nil {
		return *look.Existing, true, nil
	}
	b := Batch{TrustRefs: true} // the source, agents and interests: read just now
	defer s.release(&b)         // the pooled numbers of a batch not committed go back
	switch {
	case l.Spam:
		rec.Outcome = OutcomeSpam
	case l.IsTest:
		rec.Outcome, rec.Attribution, rec.Message, rec.Extra, rec.Data = OutcomeTest, l.Attribution, l.Message, l.Extra, leadData(l)
	default:
		rec.Attribution, rec.Message, rec.Extra, rec.Data = l.Attribution, l.Message, l.Extra, leadData(l)
		if err := s.leadContact(ctx, src, l, look, &rec, &b, attempt, now); err != nil {
			return LeadRecord{}, false, err
		}
		if rec.Outcome == OutcomeUnchanged {
			return rec, false, nil // an import row its contact holds already: nothing to write
		}
	}
	b.Leads = []KeyedLead{{Key: storeKey, Record: rec}}
	if err := s.store.Commit(ctx, b); err != nil {
		return LeadRecord{}, false, err
	}
	b.pooled = nil
	return rec, false, nil
}

// leadContact adds to b the contact (new or merged) and the opportunity of
// a real lead.
func (s *Service) leadContact(ctx context.Context, src Source, l Lead, look LeadLookup, rec *LeadRecord, b *Batch, attempt int, now time.Time) error {
	w := src.Webhook
	if w == nil {
		w = &Webhook{Assignment: AssignNone} // an import: no assignment, no opportunity
		src.Webhook = w
	}
	interests, agents, err := s.catalog(ctx)
	if err != nil {
		return err
	}
	interestIDs, unmatched := matchInterests(l.Interests, interests)
	if len(unmatched) > 0 {
		if rec.Extra == nil {
			rec.Extra = map[string]string{}
		}
		rec.Extra["interests (unmatched)"] = strings.Join(unmatched, ", ")
	}
	agentID, err := s.assignAgent(ctx, src, agents, b)
	if err != nil {
		return err
	}
	actor := ActorFrom(ctx).ID // the user running an import; "" for a webhook
	via := ""
	if actor == "" {
		via = src.ID // the webhook the timeline names
	}
	c := Contact{Name: l.Name, Surname: l.Surname, Company: l.Company, JobTitle: l.JobTitle, Email: l.Email,
		Phone: l.Phone, Mobile: l.Mobile, TaxID: l.TaxID, Web: l.Web, Address: l.Address, Observations: l.Message, SourceID: src.ID,
		InterestIDs: interestIDs, AgentID: agentID, MarketingConsent: l.MarketingConsent, Attribution: l.Attribution,
		CreatedBy: actor, UpdatedBy: actor, UpdatedVia: via}
	if c.Name == "" {
		c.Name = firstNonEmpty(c.Surname, c.Email, c.Phone)
		if c.Name == c.Surname {
			c.Surname = ""
		}
	}
	if err := normalizeLeadContact(&c, s.cfg.PhoneRegion, rec); err != nil {
		return err
	}
	named, err := s.namedContact(ctx, l, look)
	if err != nil {
		return err
	}
	m, ok := leadMerge(look, c, interestIDs, attempt, now)
	if named.ID != "" { // an import row naming its contact (no other holds its e-mail or phone)
		if !ok {
			m = ContactMerge{Fill: c, InterestIDs: interestIDs, UpdatedAt: now,
				AddEmail: attempt == 0 && c.Email != "", AddPhone: attempt == 0 && c.Phone != ""}
		}
		m.ContactID, ok = named.ID, true
	}
	if ok {
		m.UpdatedBy, m.Via = actor, via
		if l.Format == FormatImport {
			unchanged, err := s.importUnchanged(ctx, named, &m)
			if err != nil {
				return err
			}
			if unchanged {
				rec.Outcome, rec.ContactID = OutcomeUnchanged, m.ContactID
				return nil
			}
		}
		b.Merges = []ContactMerge{m}
		rec.Outcome, rec.ContactID = OutcomeMerged, m.ContactID
	} else {
		c.ID, c.CreatedAt, c.UpdatedAt, c.Version = NewID(now), now, now, 1
		b.Contacts = []Write[Contact]{{New: c}}
		rec.Outcome, rec.ContactID = OutcomeCreated, c.ID
	}
	if w.CreateOpportunity {
		o, err := s.leadOpportunity(ctx, src, c, rec.ContactID, agentID, interestIDs, now, b)
		if err != nil {
			return err
		}
		b.Opportunities = []Write[Opportunity]{{New: o}}
		b.StateCounts = map[string]int64{o.StateID: 1}
		rec.OpportunityID = o.ID
	}
	return nil
}

// leadMerge decides whether a lead's contact c enriches an existing contact
// instead of being created: the owner of its e-mail, else the owner of one
// of its phones; false when neither is anyone's. The merge fills the
// owner's empty fields with c's and adds the matched interests. It also
// claims the lead's e-mail for the owner when no contact holds it (the
// owner was found by phone), and its phone when no contact holds it; a
// second try after a failed conditional merge (attempt > 0) claims
// neither: the contact has its own by then.
func leadMerge(look LeadLookup, c Contact, interestIDs []string, attempt int, now time.Time) (ContactMerge, bool) {
	owner := firstNonEmpty(look.EmailOwner, look.PhoneOwner)
	if owner == "" {
		return ContactMerge{}, false
	}
	return ContactMerge{ContactID: owner, Fill: c, InterestIDs: interestIDs, UpdatedAt: now,
		AddEmail: attempt == 0 && c.Email != "" && look.EmailOwner == "",
		AddPhone: attempt == 0 && c.Phone != "" && look.PhoneOwner == "" && (look.EmailOwner == "" || look.EmailOwner == owner)}, true
}

// leadOpportunity opens the opportunity of a lead.
func (s *Service) leadOpportunity(ctx context.Context, src Source, c Contact, contactID, agentID string, interestIDs []string, now time.Time, b *Batch) (Opportunity, error) {
	states, err := s.pipelineStates(ctx)
	if err != nil {
		return Opportunity{}, err
	}
	st, err := defaultState(states)
	if configured, ok := stateByID(states, src.Webhook.OpportunityStateID); ok {
		st = configured // a state deleted since falls back to the default one
	} else if err != nil {
		return Opportunity{}, err
	}
	n, err := s.takePooled(ctx, b, opportunityCounter)
	if err != nil {
		return Opportunity{}, err
	}
	desc := "Lead: " + src.Name
	if c.Observations != "" {
		desc = truncate(desc+": "+c.Observations, 500)
	}
	o := Opportunity{ID: NewID(now), Number: n, ContactID: contactID, Description: desc, AgentID: agentID,
		SourceID: src.ID, Currency: DefaultCurrency, CreatedAt: now, UpdatedAt: now, Version: 1}
	if len(interestIDs) > 0 {
		o.InterestID = interestIDs[0]
	}
	o.ApplyState(st, now)
	return o, nil
}

// assignAgent picks the agent of a new lead as the source says: none, its
// fixed agent, or the active agents in turn: the source's turn numbers,
// taken from the instance's pool (numberPool), each given once, so the
// agents get the same share to within a turn per instance.
func (s *Service) assignAgent(ctx context.Context, src Source, agents []Agent, b *Batch) (string, error) {
	switch src.Webhook.Assignment {
	case AssignFixed:
		// An agent deleted or deactivated since the webhook was set up leaves
		// the lead unassigned rather than refused (a refused lead is lost).
		for _, a := range agents {
			if a.ID == src.Webhook.DefaultAgentID {
				return a.ID, nil
			}
		}
		return "", nil
	case AssignRoundRobin:
		if len(agents) == 0 {
			return "", nil
		}
		n, err := s.takePooled(ctx, b, RoundRobinCounter(src.ID))
		if err != nil {
			return "", err
		}
		return agents[(n-1)%int64(len(agents))].ID, nil
	}
	return "", nil
}

// matchInterests resolves interest names (case- and accent-insensitive) or
// IDs to IDs, returning the names that match nothing.
func matchInterests(want []string, all []Interest) (ids, unmatched []string) {
	for _, w := range want {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		i := slices.IndexFunc(all, func(in Interest) bool { return in.ID == w || Fold(in.Name) == Fold(w) })
		if i < 0 {
			unmatched = append(unmatched, w)
			continue
		}
		if !slices.Contains(ids, all[i].ID) && len(ids) < MaxInterests {
			ids = append(ids, all[i].ID)
		}
	}
	return ids, unmatched
}

// cleanLead removes the lead's control characters (but tab and newline),
// trims it, normalises its e-mail and phone, and moves an e-mail or phone
// that is not valid into Extra rather than losing the lead.
func cleanLead(l *Lead, region string) {
	stripLeadControls(l)
	for _, p := range []*string{&l.Name, &l.Surname, &l.Email, &l.Phone, &l.Company, &l.JobTitle, &l.Web, &l.Message} {
		*p = strings.TrimSpace(*p)
	}
	keep := func(k, v string) {
		if l.Extra == nil {
			l.Extra = map[string]string{}
		}
		l.Extra[k] = v
	}
	if e, ok := NormalizeEmail(l.Email); ok {
		l.Email = e
	} else {
		keep("email (not valid)", l.Email)
		l.Email = ""
	}
	for _, ph := range []struct {
		name string
		v    *string
	}{{"phone", &l.Phone}, {"mobile", &l.Mobile}} {
		if p, ok := NormalizePhone(*ph.v, region); ok {
			*ph.v = p
		} else {
			keep(ph.name+" (not valid)", *ph.v)
			*ph.v = ""
		}
	}
	if l.Web != "" && !strings.Contains(l.Web, "://") {
		l.Web = "https://" + l.Web
	}
	l.Message = truncate(l.Message, MaxObservationLen)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// String describes a lead record for logs (no personal data).
func (r LeadRecord) String() string {
	return fmt.Sprintf("lead %s source %s %s %s contact %s", r.ID, r.SourceID, r.Format, r.Outcome, r.ContactID)
}

// normalizeLeadContact normalises a contact made from a lead. A lead is
// not refused for a field the sender filled oddly (a country written out,
// a web address that is not one): the field's value moves to the lead
// record's Extra and the contact goes without it. Only a contact that is
// still invalid after that (no name) fails. Errors: invalid.
func normalizeLeadContact(c *Contact, region string, rec *LeadRecord) error {
	err := c.Normalize(region)
	var e *Error
	if err == nil || !errors.As(err, &e) || e.Code != CodeInvalid {
		return err
	}
	fields := map[string]*string{
		"surname": &c.Surname, "company": &c.Company, "jobTitle": &c.JobTitle, "web": &c.Web,
		"observations": &c.Observations, "address.street": &c.Address.Street, "address.postalCode": &c.Address.PostalCode,
		"address.city": &c.Address.City, "address.province": &c.Address.Province, "address.country": &c.Address.Country,
		"attribution.landingPage": &c.Attribution.LandingPage, "attribution.referrer": &c.Attribution.Referrer,
		"attribution.utmSource": &c.Attribution.UTMSource, "attribution.utmMedium": &c.Attribution.UTMMedium,
		"attribution.utmCampaign": &c.Attribution.UTMCampaign, "attribution.utmTerm": &c.Attribution.UTMTerm,
		"attribution.utmContent": &c.Attribution.UTMContent, "attribution.gclid": &c.Attribution.GCLID,
		"attribution.fbclid": &c.Attribution.FBCLID,
	}
	for name := range e.Fields {
		if p, ok := fields[name]; ok {
			if rec.Extra == nil {
				rec.Extra = map[string]string{}
			}
			rec.Extra[name+" (not valid)"] = truncate(*p, 1000)
			*p = ""
		}
	}
	if c.Name != "" && len([]rune(c.Name)) > MaxNameLen {
		c.Name = truncate(c.Name, MaxNameLen)
	}
	return c.Normalize(region)
}
