package crm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// MaxImportRows is how many rows one import request takes.
const MaxImportRows = 500

// ImportRow is one row of a contacts import, in the file's own words.
type ImportRow struct {
	Line int // the row's line in the file, for the report
	// ID is the contact the row is, when the file is an export (its id
	// column): the row merges into that contact if it exists here, and is
	// matched by e-mail or phone otherwise.
	ID               string
	Name             string
	Surname          string
	Email            string
	Phone            string
	Mobile           string
	Company          string
	JobTitle         string
	TaxID            string
	Web              string
	Observations     string
	Address          Address
	Source           string   // a source's name (any case or accents) or ID
	Interests        []string // names or IDs
	MarketingConsent bool
}

// ImportOutcome is what an import did with a row.
type ImportOutcome string

// The outcomes of an import row.
const (
	ImportCreated   ImportOutcome = "created"   // a new contact
	ImportMerged    ImportOutcome = "merged"    // an existing contact (same e-mail or phone) got the row's empty fields filled
	ImportUnchanged ImportOutcome = "unchanged" // the same row was imported before, or its contact holds all its data already: nothing written
	ImportRejected  ImportOutcome = "rejected"  // refused, nothing written (Reason and Fields say why)
)

// ImportResult is the outcome of one row.
type ImportResult struct {
	Line      int
	Outcome   ImportOutcome
	ContactID string
	Reason    string
	Fields    map[string]string
	// Previous is, for a row unchanged because it was imported before, what
	// importing it did the first time (created or merged), so that a
	// client retrying a batch whose answer it lost can count it; "" for a
	// row whose contact already held all its data.
	Previous ImportOutcome
}

// ImportContacts imports rows the way webhook leads are taken in (the same
// normalisation, the same merging into the contact holding the e-mail or
// phone, nothing overwritten), but strictly: a row with an invalid e-mail
// or phone, no name, an unknown source or interest, or the same e-mail or
// phone as an earlier row of the request is rejected with its reason and
// writes nothing. Each row is keyed by its content, so importing the same
// file again changes nothing; a row whose contact (the one its id names,
// else the holder of its e-mail or phone) already holds all its data is
// unchanged and writes nothing either, so that importing an export of the
// same data bumps no version and writes no record. A row naming a contact
// by id whose e-mail or phone is another contact's is rejected. Rows run
// concurrently; the results keep the request's order. Errors: invalid (no
// rows, too many), internal (the store failed; rows already done stay
// done).
func (s *Service) ImportContacts(ctx context.Context, rows []ImportRow) ([]ImportResult, error) {
	if len(rows) == 0 || len(rows) > MaxImportRows {
		return nil, InvalidField("rows", fmt.Sprintf("must hold 1 to %d rows", MaxImportRows))
	}
	srcs, err := s.store.ListSources(ctx, ListOptions{Limit: 1000})
	if err != nil {
		return nil, err
	}
	interests, _, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	results := make([]ImportResult, len(rows))
	leads := make([]*Lead, len(rows))
	sources := make([]Source, len(rows))
	seen := map[string]int{}
	for i, r := range rows {
		res := &results[i]
		res.Line = r.Line
		l, src, fields := s.importLead(r, srcs.Items, interests)
		for _, k := range []string{l.Email, l.Phone, l.Mobile} {
			if k == "" || len(fields) > 0 {
				continue
			}
			if first, dup := seen[k]; dup {
				fields = map[string]string{"row": fmt.Sprintf("repeats line %d (%s)", first, k)}
				break
			}
		}
		if len(fields) > 0 {
			res.Outcome, res.Fields, res.Reason = ImportRejected, fields, describe(fields)
			continue
		}
		for _, k := range []string{l.Email, l.Phone, l.Mobile} {
			if k != "" {
				seen[k] = r.Line
			}
		}
		leads[i], sources[i] = &l, src
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				rec, dup, err := s.IntakeLead(ctx, sources[i], *leads[i])
				res := &results[i]
				switch {
				case ErrorCode(err) == CodeInvalid || ErrorCode(err) == CodeUnprocessable || ErrorCode(err) == CodeConflict:
					var e *Error
					errors.As(err, &e) // the codes above come only from *Error
					res.Outcome, res.Reason, res.Fields = ImportRejected, describe(e.Fields), e.Fields
				case err != nil:
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				case rec.Outcome == OutcomeUnchanged:
					res.Outcome, res.ContactID = ImportUnchanged, rec.ContactID
				case dup:
					res.Outcome, res.ContactID, res.Previous = ImportUnchanged, rec.ContactID, ImportCreated
					if rec.Outcome == OutcomeMerged {
						res.Previous = ImportMerged
					}
				case rec.Outcome == OutcomeMerged:
					res.Outcome, res.ContactID = ImportMerged, rec.ContactID
				default:
					res.Outcome, res.ContactID = ImportCreated, rec.ContactID
				}
			}
		}()
	}
	for i := range rows {
		if leads[i] != nil {
			work <- i
		}
	}
	close(work)
	wg.Wait()
	return results, firstErr
}

// importLead checks and converts a row; fields names what is wrong.
func (s *Service) importLead(r ImportRow, srcs []Source, interests []Interest) (Lead, Source, map[string]string) {
	f := fieldErrors{}
	l := Lead{Format: FormatImport, Name: strings.TrimSpace(r.Name), Surname: r.Surname, Company: r.Company, TaxID: r.TaxID,
		JobTitle: r.JobTitle, Web: r.Web, Address: r.Address, Message: r.Observations, MarketingConsent: r.MarketingConsent}
	if l.Name == "" {
		f.add("name", "is required")
	}
	if l.ContactID = strings.TrimSpace(r.ID); l.ContactID != "" && !ValidID(l.ContactID) {
		f.add("id", "is not an ID")
	}
	if e, ok := NormalizeEmail(r.Email); ok {
		l.Email = e
	} else {
		f.add("email", "is not a valid e-mail address: "+r.Email)
	}
	for _, ph := range []struct {
		name, in string
		out      *string
	}{{"phone", r.Phone, &l.Phone}, {"mobile", r.Mobile, &l.Mobile}} {
		if p, ok := NormalizePhone(ph.in, s.cfg.PhoneRegion); ok {
			*ph.out = p
		} else {
			f.add(ph.name, "is not a valid phone number: "+strings.TrimSpace(ph.in))
		}
	}
	if a := r.Address; a.Country != "" {
		probe := Contact{Name: "x", Address: a}
		for k, v := range FieldsOf(probe.Normalize(s.cfg.PhoneRegion)) {
			f.add(k, v)
		}
	}
	var src Source
	if name := strings.TrimSpace(r.Source); name != "" {
		found := false
		for _, x := range srcs {
			if x.ID == name || Fold(x.Name) == Fold(name) {
				src, found = x, true
				break
			}
		}
		if !found {
			f.add("source", "no source is called "+name)
		}
	}
	src.Webhook = nil // an import assigns no agent and opens no opportunity
	ids, unmatched := matchInterests(r.Interests, interests)
	if len(unmatched) > 0 {
		f.add("interests", "no interest is called "+strings.Join(unmatched, ", "))
	}
	_ = ids
	l.Interests = r.Interests
	// The row's content is its identity: the same row again is recognised.
	content := []string{src.ID, l.Name, l.Surname, l.Email, l.Phone, l.Mobile, l.TaxID, l.Company, l.JobTitle, l.Web, l.Message, strings.Join(r.Interests, "|")}
	if l.ContactID != "" {
		content = append(content, l.ContactID) // rows without an id keep the key they always had
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%q", content)))
	l.ExternalID = "row-" + hex.EncodeToString(sum[:])
	if len(f) > 0 {
		return l, src, f
	}
	return l, src, nil
}

// describe joins field problems into one sentence.
func describe(f map[string]string) string {
	var parts []string
	for _, k := range []string{"row", "name", "email", "phone", "source", "interests"} {
		if v, ok := f[k]; ok {
			parts = append(parts, k+" "+v)
		}
	}
	for k, v := range f {
		switch k {
		case "row", "name", "email", "phone", "source", "interests":
		default:
			parts = append(parts, k+" "+v)
		}
	}
	return strings.Join(parts, "; ")
}
