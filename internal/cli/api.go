package cli

// The CLI's calls to the API: lists (one page, or all of them with --all),
// reads with their ETag, PATCH with If-Match.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/client"
)

// client returns the API client of the configuration, with the --url and
// --token overrides.
func (x *session) client() (*client.Client, error) {
	if x.api != nil {
		return x.api, nil
	}
	cl, err := configClient(x.url, x.token)
	if err != nil {
		return nil, err
	}
	x.api = cl
	return x.api, nil
}

// configClient returns a client of the stored configuration (see
// client.LoadConfig) with apiURL and token, when not "", in its place;
// an error when there is no token.
func configClient(apiURL, token string) (*client.Client, error) {
	cfg, err := client.LoadConfig()
	if err != nil {
		return nil, err
	}
	if apiURL != "" {
		cfg.URL = apiURL
	}
	if token != "" {
		cfg.Token = token
	}
	if cfg.Token == "" {
		return nil, errors.New("no API token: set EMBUDO_TOKEN, pass --token, or run embudo login")
	}
	return client.New(cfg.URL, cfg.Token), nil
}

// do sends a request to the API.
func (x *session) do(ctx context.Context, method, path string, q url.Values, body any, headers map[string]string) (*client.Response, error) {
	api, err := x.client()
	if err != nil {
		return nil, err
	}
	return api.Do(ctx, method, path, q, body, headers)
}

// get reads one resource: its JSON and decoded.
func (x *session) get(ctx context.Context, path string) (*client.Response, obj, error) {
	res, err := x.do(ctx, http.MethodGet, path, nil, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	m, err := decode(res.Body)
	return res, m, err
}

// patch changes a resource: it reads it for its ETag, then sends body with
// If-Match, so that a change made in between is not overwritten (412).
func (x *session) patch(ctx context.Context, path string, body any) (*client.Response, error) {
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
func (x *session) remove(ctx context.Context, path, what string) error {
	if _, err := x.do(ctx, http.MethodDelete, path, nil, nil, nil); err != nil {
		return err
	}
	if !x.json {
		fmt.Fprintf(x.stdout, "Deleted %s %s.\n", what, path[strings.LastIndexByte(path, '/')+1:])
	}
	return nil
}

// listOpts are the paging flags of a list.
type listOpts struct {
	limit  int
	cursor string
	all    bool
}

func listFlags(fs *flag.FlagSet) *listOpts {
	o := &listOpts{}
	fs.IntVar(&o.limit, "limit", 0, "items per page (1 to 200; default the API's, 50)")
	fs.StringVar(&o.cursor, "cursor", "", "start at this `cursor` (the nextCursor of a previous page)")
	fs.BoolVar(&o.all, "all", false, "list every page, not just the first")
	return o
}

// listing is a list as the API answered it.
type listing struct {
	raw   []byte // the answer (with --all, every item in one {"items": [...]})
	items []obj
	next  string
}

// list reads a list: one page, or with o.all every page.
func (x *session) list(ctx context.Context, path string, q url.Values, o *listOpts) (*listing, error) {
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
		items, err := decodeAll(raws)
		if err != nil {
			return nil, err
		}
		return &listing{raw: itemsJSON(raws), items: items}, nil
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
	items, err := decodeAll(page.Items)
	if err != nil {
		return nil, err
	}
	return &listing{raw: res.Body, items: items, next: page.NextCursor}, nil
}

// showList prints a list: its JSON with --json, else the table render
// draws, and a hint when there are more pages.
func (x *session) showList(l *listing, empty string, render func([]obj) error) error {
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
func (x *session) listShow(ctx context.Context, path string, q url.Values, o *listOpts, empty string, render func([]obj) error) error {
	l, err := x.list(ctx, path, q, o)
	if err != nil {
		return err
	}
	return x.showList(l, empty, render)
}

// reply prints what the API answered: its JSON with --json, else what say
// writes of the decoded object.
func (x *session) reply(raw []byte, say func(obj) error) error {
	if x.json {
		return x.printJSON(raw)
	}
	m, err := decode(raw)
	if err != nil {
		return err
	}
	return say(m)
}

// show prints a resource read from the API: JSON, or key-value lines.
func (x *session) show(ctx context.Context, raw []byte) error {
	if x.json {
		return x.printJSON(raw)
	}
	return x.showObject(ctx, raw)
}

// showObject prints one resource as "key  value" lines in the API's
// order: money and times for people (a note's reminder time in the company
// time zone it names), IDs of named things with their names.
func (x *session) showObject(ctx context.Context, raw []byte) error {
	kvs, err := flatten(raw)
	if err != nil {
		return err
	}
	currency, zone := "", ""
	for _, kv := range kvs {
		switch kv.key {
		case "currency":
			currency = kv.val
		case "timeZone":
			zone = kv.val
		}
	}
	tw := newTable(x.stdout)
	for _, kv := range kvs {
		key, val := kv.key, kv.val
		last := key[strings.LastIndexByte(key, '.')+1:]
		switch {
		case strings.HasSuffix(last, "Cents"):
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				key, val = strings.TrimSuffix(key, "Cents"), money(n, currency)
			}
		case key == "avisoAt" && zone != "":
			val = zonedTime(val, zone)
		case strings.HasSuffix(last, "At"):
			val = localTime(val)
		case refKinds[last] != "":
			var named []string
			for _, id := range strings.Split(val, ", ") {
				if n := x.nameOf(ctx, refKinds[last], id); n != id {
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
