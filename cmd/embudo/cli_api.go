package main

// The CLI's calls to the API: lists (one page, or all of them with --all),
// reads with their ETag, PATCH with If-Match, and names: state, source,
// interest, agent and user names resolved to IDs and IDs shown with names.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/client"
	"github.com/embudo/embudo/internal/crm"
)

// do sends a request to the API.
func (x *cliSession) do(ctx context.Context, method, path string, q url.Values, body any, headers map[string]string) (*client.Response, error) {
	api, err := x.client()
	if err != nil {
		return nil, err
	}
	return api.Do(ctx, method, path, q, body, headers)
}

// get reads one resource: its JSON and decoded.
func (x *cliSession) get(ctx context.Context, path string) (*client.Response, cliObj, error) {
	res, err := x.do(ctx, http.MethodGet, path, nil, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	m, err := cliDecode(res.Body)
	return res, m, err
}

// patch changes a resource: it reads it for its ETag, then sends body with
// If-Match, so that a change made in between is not overwritten (412).
func (x *cliSession) patch(ctx context.Context, path string, body any) (*client.Response, error) {
	cur, err := x.do(ctx, http.MethodGet, path, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	h := map[string]string{}
	if et := cur.Header.Get("ETag"); et != "" {
		h["If-Match"] = et
	}
	return x.do(ctx, http.MethodPatch, path, nil, body, h)
}

// remove deletes a resource.
func (x *cliSession) remove(ctx context.Context, path, what string) error {
	if _, err := x.do(ctx, http.MethodDelete, path, nil, nil, nil); err != nil {
		return err
	}
	if !x.json {
		fmt.Fprintf(x.stdout, "Deleted %s %s.\n", what, path[strings.LastIndexByte(path, '/')+1:])
	}
	return nil
}

// cliListOpts are the paging flags of a list.
type cliListOpts struct {
	limit  int
	cursor string
	all    bool
}

func cliListFlags(fs *flag.FlagSet) *cliListOpts {
	o := &cliListOpts{}
	fs.IntVar(&o.limit, "limit", 0, "items per page (1 to 200; default the API's, 50)")
	fs.StringVar(&o.cursor, "cursor", "", "start at this `cursor` (the nextCursor of a previous page)")
	fs.BoolVar(&o.all, "all", false, "list every page, not just the first")
	return o
}

// cliList is a list as the API answered it.
type cliList struct {
	raw   []byte // the answer (with --all, every item in one {"items": [...]})
	items []cliObj
	next  string
}

// list reads a list: one page, or with o.all every page.
func (x *cliSession) list(ctx context.Context, path string, q url.Values, o *cliListOpts) (*cliList, error) {
	if q == nil {
		q = url.Values{}
	}
	if o != nil && o.limit != 0 {
		q.Set("limit", strconv.Itoa(o.limit))
	}
	if o != nil && o.cursor != "" {
		q.Set("cursor", o.cursor)
	}
	if o != nil && o.all {
		api, err := x.client()
		if err != nil {
			return nil, err
		}
		var raws []json.RawMessage
		if err := api.Each(ctx, path, q, func(r json.RawMessage) error {
			raws = append(raws, r)
			return nil
		}); err != nil {
			return nil, err
		}
		items, err := cliDecodeAll(raws)
		if err != nil {
			return nil, err
		}
		return &cliList{raw: cliItemsJSON(raws), items: items}, nil
	}
	res, err := x.do(ctx, http.MethodGet, path, q, nil, nil)
	if err != nil {
		return nil, err
	}
	var page struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor string            `json:"nextCursor"`
	}
	if err := json.Unmarshal(res.Body, &page); err != nil {
		return nil, fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	items, err := cliDecodeAll(page.Items)
	if err != nil {
		return nil, err
	}
	return &cliList{raw: res.Body, items: items, next: page.NextCursor}, nil
}

// showList prints a list: its JSON with --json, else the table render
// draws, and a hint when there are more pages.
func (x *cliSession) showList(l *cliList, empty string, render func([]cliObj) error) error {
	if x.json {
		return x.printJSON(l.raw)
	}
	if len(l.items) == 0 {
		fmt.Fprintln(x.stdout, empty)
	} else if err := render(l.items); err != nil {
		return err
	}
	if l.next != "" {
		fmt.Fprintf(x.stderr, "(more: add --all, or --cursor %s for the next page)\n", l.next)
	}
	return nil
}

// listShow reads a list (see list) and prints it (see showList).
func (x *cliSession) listShow(ctx context.Context, path string, q url.Values, o *cliListOpts, empty string, render func([]cliObj) error) error {
	l, err := x.list(ctx, path, q, o)
	if err != nil {
		return err
	}
	return x.showList(l, empty, render)
}

// reply prints what the API answered: its JSON with --json, else what say
// writes of the decoded object.
func (x *cliSession) reply(raw []byte, say func(cliObj) error) error {
	if x.json {
		return x.printJSON(raw)
	}
	m, err := cliDecode(raw)
	if err != nil {
		return err
	}
	return say(m)
}

// cliFilter is one query parameter of a list, from a flag; kind, when not
// "", is the catalog a name given for it is resolved in.
type cliFilter struct{ param, val, kind string }

// filters makes the query of the filters given, names resolved to IDs.
func (x *cliSession) filters(ctx context.Context, fs []cliFilter) (url.Values, error) {
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

// cliRefKinds says which catalog an ID field points to.
var cliRefKinds = map[string]string{
	"sourceId": "sources", "agentId": "agents", "interestId": "interests", "interestIds": "interests",
	"stateId": "states", "assigneeId": "users", "createdBy": "users", "uploadedBy": "users", "userId": "users",
	"defaultAgentId": "agents", "opportunityStateId": "states", "actor": "users",
}

// showObject prints one resource as "key  value" lines in the API's
// order: money and times for people, IDs of named things with their names.
func (x *cliSession) showObject(ctx context.Context, raw []byte) error {
	kvs, err := cliFlatten(raw)
	if err != nil {
		return err
	}
	currency := ""
	for _, kv := range kvs {
		if kv.key == "currency" {
			currency = kv.val
		}
	}
	tw := cliNewTable(x.stdout)
	for _, kv := range kvs {
		key, val := kv.key, kv.val
		last := key[strings.LastIndexByte(key, '.')+1:]
		switch {
		case strings.HasSuffix(last, "Cents"):
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				key, val = strings.TrimSuffix(key, "Cents"), cliMoney(n, currency)
			}
		case strings.HasSuffix(last, "At"):
			val = cliTime(val)
		case cliRefKinds[last] != "":
			var named []string
			for _, id := range strings.Split(val, ", ") {
				if n := x.nameOf(ctx, cliRefKinds[last], id); n != id {
					id += " (" + n + ")"
				}
				named = append(named, id)
			}
			val = strings.Join(named, ", ")
		}
		tw.row(key, val)
	}
	return tw.flush()
}

// show prints a resource read from the API: JSON, or key-value lines.
func (x *cliSession) show(ctx context.Context, raw []byte) error {
	if x.json {
		return x.printJSON(raw)
	}
	return x.showObject(ctx, raw)
}

// cliCatalog is one list of named things, read once per command.
type cliCatalog struct {
	items []cliObj
	err   error
}

// catalog reads every item of a small collection (sources, interests,
// agents, states, users).
func (x *cliSession) catalog(ctx context.Context, kind string) ([]cliObj, error) {
	if c, ok := x.catalogs[kind]; ok {
		return c.items, c.err
	}
	if x.catalogs == nil {
		x.catalogs = map[string]cliCatalog{}
	}
	var c cliCatalog
	l, err := x.list(ctx, "/v1/"+kind, nil, &cliListOpts{all: true})
	if err != nil {
		c.err = err
	} else {
		c.items = l.items
	}
	x.catalogs[kind] = c
	return c.items, c.err
}

// cliNames are the fields a thing of each kind is known by.
var cliNames = map[string][]string{
	"sources": {"name"}, "interests": {"name"}, "states": {"name"}, "agents": {"name", "code", "email"},
	"users": {"name", "email"},
}

// cliSingular names one thing of a kind.
var cliSingular = map[string]string{
	"sources": "source", "interests": "interest", "states": "state", "agents": "agent", "users": "user",
}

// resolve turns a name (in any case, with or without accents, or a unique
// beginning of it) or an ID into an ID; "" stays "".
func (x *cliSession) resolve(ctx context.Context, kind, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || crm.ValidID(v) {
		return v, nil
	}
	items, err := x.catalog(ctx, kind)
	if err != nil {
		return "", fmt.Errorf("finding the %s %q: %w", cliSingular[kind], v, err)
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
		var found []cliObj
		for _, it := range items {
			for _, f := range cliNames[kind] {
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
		return "", fmt.Errorf("%q could be more than one %s: %s; give its ID", v, cliSingular[kind], strings.Join(ids, ", "))
	}
	return "", fmt.Errorf("no %s is called %q (there are: %s)", cliSingular[kind], v, strings.Join(names, ", "))
}

// nameOf returns the name of the thing with this ID, or the ID when it
// cannot be found (a deleted one, or a list the caller may not read).
func (x *cliSession) nameOf(ctx context.Context, kind, id string) string {
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
