package cli

// The verbs many resources share: create, edit, show and delete.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
)

// createVerb makes a create verb: POST the flags given to path.
func createVerb(path, what string, fields []field, label func(obj) string) func(*session, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
		f := declare(fs, fields...)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 0, ""); err != nil {
				return err
			}
			body, err := f.body(ctx, x)
			if err != nil {
				return err
			}
			res, err := x.do(ctx, http.MethodPost, path, nil, body, nil)
			if err != nil {
				return err
			}
			return x.done(res.Body, "Created", what, label)
		}
	}
}

// editVerb makes an edit verb: PATCH the flags given to path/ID (the ID
// may be a name of kind, a catalog, when kind is not "").
func editVerb(path, what, kind string, fields []field, label func(obj) string) func(*session, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
		f := declare(fs, fields...)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 1, "the "+what+"'s ID"); err != nil {
				return err
			}
			body, err := f.body(ctx, x)
			if err != nil {
				return err
			}
			if len(body) == 0 {
				return usagef("give the fields to change, like --%s=value", fields[0].flag)
			}
			id, err := x.idArg(ctx, kind, args[0])
			if err != nil {
				return err
			}
			res, err := x.patch(ctx, path+"/"+id, body)
			if err != nil {
				return err
			}
			return x.done(res.Body, "Updated", what, label)
		}
	}
}

// deleteVerb makes a delete verb.
func deleteVerb(path, what, kind string) func(*session, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			id, err := x.idOf(ctx, args, "the "+what+"'s ID", kind)
			if err != nil {
				return err
			}
			return x.remove(ctx, path+"/"+id, what)
		}
	}
}

// showVerb makes a show verb: GET path/ID.
func showVerb(path, what, kind string) func(*session, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			id, err := x.idOf(ctx, args, "the "+what+"'s ID", kind)
			if err != nil {
				return err
			}
			res, err := x.do(ctx, http.MethodGet, path+"/"+id, nil, nil, nil)
			if err != nil {
				return err
			}
			return x.show(ctx, res.Body)
		}
	}
}

// done reports a write: the JSON, or one line naming what was written.
func (x *session) done(raw []byte, verb, what string, label func(obj) string) error {
	return x.reply(raw, func(m obj) error {
		name := ""
		if label != nil {
			if l := label(m); l != "" {
				name = " (" + l + ")"
			}
		}
		fmt.Fprintf(x.stdout, "%s %s %s%s.\n", verb, what, m.s("id"), name)
		return nil
	})
}

// idArg is the path segment of an ID argument, which may be a name of
// kind (a catalog) when kind is not "".
func (x *session) idArg(ctx context.Context, kind, arg string) (string, error) {
	if kind == "" {
		return pathID(arg), nil
	}
	id, err := x.resolve(ctx, kind, arg)
	return pathID(id), err
}

// idOf is the path segment of the one argument, an ID (or a name of kind,
// see idArg); what names the argument in the usage error.
func (x *session) idOf(ctx context.Context, args []string, what, kind string) (string, error) {
	if err := wantArgs(args, 1, what); err != nil {
		return "", err
	}
	return x.idArg(ctx, kind, args[0])
}
