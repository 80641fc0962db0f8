package webapp

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// catalogLists are the lists pages name things by and filter with: the
// agents, sources and interests (a company has tens of each), read at
// most every catalogTTL per instance.
type catalogLists struct {
	Agents    []crm.Agent
	Sources   []crm.Source
	Interests []crm.Interest
}

// catalogTTL is how long an instance trusts the lists it read: an admin's
// new source shows in the filters within it.
const catalogTTL = 10 * time.Second

// AgentName, SourceName and InterestName name an ID ("" for none or
// unknown), for templates.
func (c catalogLists) AgentName(id string) string {
	if i := slices.IndexFunc(c.Agents, func(a crm.Agent) bool { return a.ID == id }); i >= 0 {
		return c.Agents[i].Name
	}
	return ""
}

// SourceName names a source by its ID.
func (c catalogLists) SourceName(id string) string {
	if i := slices.IndexFunc(c.Sources, func(s crm.Source) bool { return s.ID == id }); i >= 0 {
		return c.Sources[i].Name
	}
	return ""
}

// InterestName names an interest by its ID.
func (c catalogLists) InterestName(id string) string {
	if i := slices.IndexFunc(c.Interests, func(s crm.Interest) bool { return s.ID == id }); i >= 0 {
		return c.Interests[i].Name
	}
	return ""
}

// lists returns the catalog lists, from the cache while fresh. Errors:
// internal.
func (a *app) lists(ctx context.Context) (catalogLists, error) {
	return a.catalog.Load(struct{}{}, func() (catalogLists, error) {
		var c catalogLists
		o := crm.ListOptions{Limit: crm.MaxLimit}
		ags, err := a.svc.ListAgents(ctx, o)
		if err != nil {
			return c, err
		}
		srcs, err := a.svc.ListSources(ctx, o)
		if err != nil {
			return c, err
		}
		ins, err := a.svc.ListInterests(ctx, o)
		if err != nil {
			return c, err
		}
		c.Agents, c.Sources, c.Interests = ags.Items, srcs.Items, ins.Items
		slices.SortFunc(c.Agents, func(x, y crm.Agent) int { return strings.Compare(x.Name, y.Name) })
		slices.SortFunc(c.Sources, func(x, y crm.Source) int { return strings.Compare(x.Name, y.Name) })
		slices.SortFunc(c.Interests, func(x, y crm.Interest) int { return strings.Compare(x.Name, y.Name) })
		return c, nil
	})
}

// contactReads is how many contacts a page reads at once.
const contactReads = 8

// contacts reads the contacts of ids (repeats read once), a few at a time,
// by ID; one that is gone is absent from the map. Errors: internal.
func (a *app) contacts(ctx context.Context, ids []string) (map[string]crm.Contact, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make(map[string]crm.Contact, len(ids))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, contactReads)
	for _, id := range ids {
		if id == "" {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := a.svc.GetContact(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			switch crm.ErrorCode(err) {
			case "":
				out[id] = c
			case crm.CodeNotFound:
			default:
				if first == nil {
					first = err
				}
			}
		})
	}
	wg.Wait()
	return out, first
}
