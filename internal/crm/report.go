package crm

import (
	"context"
	"slices"
	"strings"
	"time"
)

// SourceReport is one row of the source effectiveness report: a source
// (or, with SourceID "", the leads and contacts that came without one, or
// the total) over a range of months.
type SourceReport struct {
	SourceID       string
	SourceName     string
	Leads          int64
	Contacts       int64
	Opportunities  int64
	Won            int64
	Lost           int64
	Open           int64
	WonAmountCents int64
	CostCents      int64
	// Derived; nil where the division has no meaning (nothing to divide by).
	ConversionRate   *float64 // won / opportunities
	CostPerLeadCents *int64
	CostPerWonCents  *int64
	ROI              *float64 // (won amount − cost) / cost: 2 means 200 %
}

// Report is the source effectiveness report of a range of months.
type Report struct {
	From, To string // YYYY-MM, inclusive
	Rows     []SourceReport
	Total    SourceReport
}

// MonthRange validates and defaults a report's months: from and to as
// YYYY-MM, to not before from, at most 10 years; default the last 12
// months ending this month in the company time zone. Errors: invalid.
func (s *Service) MonthRange(from, to string) (string, string, error) {
	now := s.now().In(s.cfg.TimeZone)
	if to == "" {
		to = now.Format("2006-01")
	}
	t, err := time.Parse("2006-01", to)
	if err != nil {
		return "", "", InvalidField("to", "must be a month like 2026-11")
	}
	if from == "" {
		from = t.AddDate(0, -11, 0).Format("2006-01")
	}
	f, err := time.Parse("2006-01", from)
	if err != nil {
		return "", "", InvalidField("from", "must be a month like 2026-01")
	}
	if f.After(t) {
		return "", "", InvalidField("from", "must not be after to")
	}
	if t.Sub(f) > 10*366*24*time.Hour {
		return "", "", InvalidField("from", "the range may span at most 10 years")
	}
	return from, to, nil
}

// SourceReport builds the report of the months from..to (YYYY-MM) from the
// per-source counters the change stream keeps: one Query of the counters
// and one of the sources, whatever the number of leads. Cost is each
// source's costCents. Errors: invalid (months), internal.
func (s *Service) SourceReport(ctx context.Context, from, to string) (Report, error) {
	from, to, err := s.MonthRange(from, to)
	if err != nil {
		return Report{}, err
	}
	months, err := s.store.Stats(ctx, from, to)
	if err != nil {
		return Report{}, err
	}
	srcs, err := s.store.ListSources(ctx, ListOptions{Limit: 1000})
	if err != nil {
		return Report{}, err
	}
	rows := map[string]*SourceReport{}
	for _, src := range srcs.Items {
		rows[src.ID] = &SourceReport{SourceID: src.ID, SourceName: src.Name, CostCents: src.CostCents}
	}
	for _, m := range months {
		r := rows[m.SourceID]
		if r == nil {
			r = &SourceReport{SourceID: m.SourceID}
			if m.SourceID != "" {
				r.SourceName = "(deleted source)"
			}
			rows[m.SourceID] = r
		}
		r.Leads += m.Leads
		r.Contacts += m.Contacts
		r.Opportunities += m.Opportunities
		r.Won += m.Won
		r.Lost += m.Lost
		r.WonAmountCents += m.WonAmountCents
	}
	rep := Report{From: from, To: to, Total: SourceReport{SourceName: "Total"}}
	for _, r := range rows {
		if r.SourceID == "" && r.SourceName == "" {
			r.SourceName = "(no source)"
		}
		derive(r)
		rep.Rows = append(rep.Rows, *r)
		t := &rep.Total
		t.Leads, t.Contacts, t.Opportunities = t.Leads+r.Leads, t.Contacts+r.Contacts, t.Opportunities+r.Opportunities
		t.Won, t.Lost, t.WonAmountCents, t.CostCents = t.Won+r.Won, t.Lost+r.Lost, t.WonAmountCents+r.WonAmountCents, t.CostCents+r.CostCents
	}
	derive(&rep.Total)
	slices.SortFunc(rep.Rows, func(a, b SourceReport) int {
		if a.WonAmountCents != b.WonAmountCents {
			if a.WonAmountCents > b.WonAmountCents {
				return -1
			}
			return 1
		}
		return strings.Compare(a.SourceName, b.SourceName)
	})
	return rep, nil
}

// derive fills the open count and the ratios of a row.
func derive(r *SourceReport) {
	r.Open = r.Opportunities - r.Won - r.Lost
	if r.Opportunities > 0 {
		v := float64(r.Won) / float64(r.Opportunities)
		r.ConversionRate = &v
	}
	if r.CostCents > 0 {
		if r.Leads > 0 {
			v := divRound(r.CostCents, r.Leads)
			r.CostPerLeadCents = &v
		}
		if r.Won > 0 {
			v := divRound(r.CostCents, r.Won)
			r.CostPerWonCents = &v
		}
		v := float64(r.WonAmountCents-r.CostCents) / float64(r.CostCents)
		r.ROI = &v
	}
}

// divRound divides rounding half away from zero.
func divRound(a, b int64) int64 {
	q, rem := a/b, a%b
	if 2*abs(rem) >= abs(b) {
		if (a < 0) == (b < 0) {
			q++
		} else {
			q--
		}
	}
	return q
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
