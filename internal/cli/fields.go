package cli

// Flags that become the JSON body of a create or an edit: each flag names
// one API field (dotted for nested ones), and only the flags given are
// sent, so that an edit changes just what was asked.

import (
	"context"
	"flag"
	"net/url"
	"strconv"
	"strings"
)

// fieldKind is how a flag's text becomes a JSON value.
type fieldKind int

const (
	textField    fieldKind = iota // a string
	boolField                     // true or false
	intField                      // an integer
	stringsField                  // strings separated by commas
	refField                      // a name or ID of a catalog kind, sent as the ID
	refsField                     // several of them, separated by commas
)

// field is one flag and the API field it writes.
type field struct {
	flag  string
	path  string // JSON field, "address.city"
	kind  fieldKind
	ref   string // catalog kind for refField and refsField
	usage string
}

// fieldSet is a set of field flags declared on one flag set.
type fieldSet struct {
	fs     *flag.FlagSet
	fields []field
}

// declare declares the fields' flags on fs.
func declare(fs *flag.FlagSet, fields ...field) *fieldSet {
	for _, f := range fields {
		switch f.kind {
		case boolField:
			fs.Bool(f.flag, false, f.usage)
		case intField:
			fs.Int64(f.flag, 0, f.usage)
		default:
			fs.String(f.flag, "", f.usage)
		}
	}
	return &fieldSet{fs: fs, fields: fields}
}

// given says whether the flag was on the command line.
func (c *fieldSet) given(name string) bool {
	found := false
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// body builds the JSON object of the flags given (and of none other).
func (c *fieldSet) body(ctx context.Context, x *session) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range c.fields {
		if !c.given(f.flag) {
			continue
		}
		text := c.fs.Lookup(f.flag).Value.String()
		var v any
		switch f.kind {
		case boolField:
			v = text == "true"
		case intField:
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return nil, usagef("--%s must be an integer", f.flag)
			}
			v = n
		case stringsField:
			v = splitList(text)
		case refField:
			id, err := x.resolve(ctx, f.ref, text)
			if err != nil {
				return nil, err
			}
			v = id
		case refsField:
			ids := []string{}
			for _, p := range splitList(text) {
				id, err := x.resolve(ctx, f.ref, p)
				if err != nil {
					return nil, err
				}
				ids = append(ids, id)
			}
			v = ids
		default:
			v = text
		}
		setPath(out, f.path, v)
	}
	return out, nil
}

// setPath sets a dotted path in a JSON object.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = v
}

// splitList splits a comma-separated list, dropping empty parts.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// repeated is a flag that may be given several times.
type repeated []string

// String returns the values given, for the flag package.
func (r *repeated) String() string { return strings.Join(*r, ", ") }

// Set adds one value.
func (r *repeated) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// parent is the one parent a note or a file hangs from: --contact ID,
// --opportunity ID, ...
type parent struct {
	flags map[string]*string
	order []string
}

func parentFlags(fs *flag.FlagSet, kinds ...string) *parent {
	p := &parent{flags: map[string]*string{}, order: kinds}
	for _, k := range kinds {
		p.flags[k] = fs.String(k, "", "the "+k+"'s `ID`")
	}
	return p
}

// path returns /v1/<kind>s/<id>; exactly one of the flags must be given.
func (p *parent) path() (string, error) {
	var out []string
	for _, k := range p.order {
		if v := *p.flags[k]; v != "" {
			out = append(out, "/v1/"+collection(k)+"/"+pathID(v))
		}
	}
	if len(out) != 1 {
		return "", usagef("give one of --%s", strings.Join(p.order, ", --"))
	}
	return out[0], nil
}

// noArgsPath is path for a command that takes no arguments: a usage
// error first when args are given.
func (p *parent) noArgsPath(args []string) (string, error) {
	if err := wantArgs(args, 0, ""); err != nil {
		return "", err
	}
	return p.path()
}

// pathID escapes an ID typed by a person for use in a path.
func pathID(id string) string { return url.PathEscape(strings.TrimSpace(id)) }

// collection is the collection of a kind of thing.
func collection(kind string) string {
	if kind == "opportunity" {
		return "opportunities"
	}
	return kind + "s"
}
