package main

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

// cliFieldKind is how a flag's text becomes a JSON value.
type cliFieldKind int

const (
	cliText    cliFieldKind = iota // a string
	cliBool                        // true or false
	cliInt                         // an integer
	cliStrings                     // strings separated by commas
	cliRef                         // a name or ID of a catalog kind, sent as the ID
	cliRefs                        // several of them, separated by commas
)

// cliField is one flag and the API field it writes.
type cliField struct {
	flag  string
	path  string // JSON field, "address.city"
	kind  cliFieldKind
	ref   string // catalog kind for cliRef and cliRefs
	usage string
}

// cliFields is a set of field flags declared on one flag set.
type cliFields struct {
	fs     *flag.FlagSet
	fields []cliField
}

// cliDeclare declares the fields' flags on fs.
func cliDeclare(fs *flag.FlagSet, fields ...cliField) *cliFields {
	for _, f := range fields {
		switch f.kind {
		case cliBool:
			fs.Bool(f.flag, false, f.usage)
		case cliInt:
			fs.Int64(f.flag, 0, f.usage)
		default:
			fs.String(f.flag, "", f.usage)
		}
	}
	return &cliFields{fs: fs, fields: fields}
}

// given says whether the flag was on the command line.
func (c *cliFields) given(name string) bool {
	found := false
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// body builds the JSON object of the flags given (and of none other).
func (c *cliFields) body(ctx context.Context, x *cliSession) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range c.fields {
		if !c.given(f.flag) {
			continue
		}
		text := c.fs.Lookup(f.flag).Value.String()
		var v any
		switch f.kind {
		case cliBool:
			v = text == "true"
		case cliInt:
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return nil, cliUsagef("--%s must be an integer", f.flag)
			}
			v = n
		case cliStrings:
			v = cliSplit(text)
		case cliRef:
			id, err := x.resolve(ctx, f.ref, text)
			if err != nil {
				return nil, err
			}
			v = id
		case cliRefs:
			ids := []string{}
			for _, p := range cliSplit(text) {
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
		cliSet(out, f.path, v)
	}
	return out, nil
}

// cliSet sets a dotted path in a JSON object.
func cliSet(m map[string]any, path string, v any) {
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

// cliSplit splits a comma-separated list, dropping empty parts.
func cliSplit(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cliRepeated is a flag that may be given several times.
type cliRepeated []string

// String returns the values given, for the flag package.
func (r *cliRepeated) String() string { return strings.Join(*r, ", ") }

// Set adds one value.
func (r *cliRepeated) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// cliParent is the one parent a note or a file hangs from: --contact ID,
// --opportunity ID, ...
type cliParent struct {
	flags map[string]*string
	order []string
}

func cliParentFlags(fs *flag.FlagSet, kinds ...string) *cliParent {
	p := &cliParent{flags: map[string]*string{}, order: kinds}
	for _, k := range kinds {
		p.flags[k] = fs.String(k, "", "the "+k+"'s `ID`")
	}
	return p
}

// path returns /v1/<kind>s/<id>; exactly one of the flags must be given.
func (p *cliParent) path() (string, error) {
	var out []string
	for _, k := range p.order {
		if v := *p.flags[k]; v != "" {
			out = append(out, "/v1/"+cliPlural(k)+"/"+cliID(v))
		}
	}
	if len(out) != 1 {
		return "", cliUsagef("give one of --%s", strings.Join(p.order, ", --"))
	}
	return out[0], nil
}

// noArgsPath is path for a command that takes no arguments: a usage
// error first when args are given.
func (p *cliParent) noArgsPath(args []string) (string, error) {
	if err := cliArgs(args, 0, ""); err != nil {
		return "", err
	}
	return p.path()
}

// cliID escapes an ID typed by a person for use in a path.
func cliID(id string) string { return url.PathEscape(strings.TrimSpace(id)) }

// cliPlural is the collection of a kind of thing.
func cliPlural(kind string) string {
	if kind == "opportunity" {
		return "opportunities"
	}
	return kind + "s"
}
