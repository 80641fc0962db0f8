package cli

// Names: state, source, interest, agent and user names resolved to IDs,
// and IDs shown with names.

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// filter is one query parameter of a list, from a flag; kind, when not
// "", is the catalog a name given for it is resolved in.
type filter struct{ param, val, kind string }

// filters makes the query of the filters given, names resolved to IDs.
func (x *session) filters(ctx context.Context, fs []filter) (url.Values, error) {
	v := url.Values{}
	for _, f := range fs {
		val := f.val
		if val == "" {
			continue
		}
		if f.kind != "" {
			id, err := x.resolve(ctx, f.kind, val)
			if err != nil {
				return nil, err
			}
			val = id
		}
		v.Set(f.param, val)
	}
	return v, nil
}

// refKinds says which catalog an ID field points to.
var refKinds = map[string]string{
	"sourceId": "sources", "agentId": "agents", "interestId": "interests", "interestIds": "interests",
	"stateId": "states", "assigneeId": "users", "createdBy": "users", "uploadedBy": "users", "userId": "users",
	"defaultAgentId": "agents", "opportunityStateId": "states", "actor": "users",
}

// catalogEntry is one list of named things, read once per command.
type catalogEntry struct {
	items []obj
	err   error
}

// catalog reads every item of a small collection (sources, interests,
// agents, states, users).
func (x *session) catalog(ctx context.Context, kind string) ([]obj, error) {
	if c, ok := x.catalogs[kind]; ok {
		return c.items, c.err
	}
	if x.catalogs == nil {
		x.catalogs = map[string]catalogEntry{}
	}
	var c catalogEntry
	l, err := x.list(ctx, "/v1/"+kind, nil, &listOpts{all: true})
	if err != nil {
		c.err = err
	} else {
		c.items = l.items
	}
	x.catalogs[kind] = c
	return c.items, c.err
}

// nameFields are the fields a thing of each kind is known by.
var nameFields = map[string][]string{
	"sources": {"name"}, "interests": {"name"}, "states": {"name"}, "agents": {"name", "code", "email"},
	"users": {"name", "email"},
}

// singular names one thing of a kind.
var singular = map[string]string{
	"sources": "source", "interests": "interest", "states": "state", "agents": "agent", "users": "user",
}

// resolve turns a name (in any case, with or without accents, or a unique
// beginning of it) or an ID into an ID; "" stays "".
func (x *session) resolve(ctx context.Context, kind, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || crm.ValidID(v) {
		return v, nil
	}
	items, err := x.catalog(ctx, kind)
	if err != nil {
		return "", fmt.Errorf("finding the %s %q: %w", singular[kind], v, err)
	}
	// The same name first, then one that begins so, then one that has it.
	want := crm.Fold(v)
	var names []string
	for _, it := range items {
		names = append(names, it.s("name"))
	}
	for _, match := range []func(n string) bool{
		func(n string) bool { return n == want },
		func(n string) bool { return strings.HasPrefix(n, want) },
		func(n string) bool { return strings.Contains(n, want) },
	} {
		var found []obj
		for _, it := range items {
			for _, f := range nameFields[kind] {
				if n := crm.Fold(it.s(f)); n != "" && match(n) {
					found = append(found, it)
					break
				}
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0].s("id"), nil
		}
		var ids []string
		for _, it := range found {
			ids = append(ids, it.s("name")+" "+it.s("id"))
		}
		return "", fmt.Errorf("%q could be more than one %s: %s; give its ID", v, singular[kind], strings.Join(ids, ", "))
	}
	return "", fmt.Errorf("no %s is called %q (there are: %s)", singular[kind], v, strings.Join(names, ", "))
}

// nameOf returns the name of the thing with this ID, or the ID when it
// cannot be found (a deleted one, or a list the caller may not read).
func (x *session) nameOf(ctx context.Context, kind, id string) string {
	if id == "" {
		return ""
	}
	items, _ := x.catalog(ctx, kind)
	for _, it := range items {
		if it.s("id") == id {
			if n := it.s("name"); n != "" {
				return n
			}
		}
	}
	return id
}
