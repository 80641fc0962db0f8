package cli

// embudo tokens.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

func tokensResource() resource {
	return resource{name: "tokens", aliases: []string{"token"}, summary: "API tokens of users (admins only)",
		verbs: []verb{
			{name: "create", args: "USER_ID|NAME [--name LABEL]", summary: "issue a token for a user (shown only this once)", setup: tokensCreate},
			{name: "list", args: "USER_ID|NAME", summary: "a user's tokens, oldest first: prefix, created, last used (to the hour)", setup: tokensList},
			{name: "revoke", args: "USER_ID|NAME TOKEN_ID|PREFIX|LABEL", summary: "revoke one token of a user: it stops working at once", setup: tokensRevoke},
		}}
}

func tokensCreate(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	name := fs.String("name", "", "a label for the token (where it is used)")
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the user's ID", "users")
		if err != nil {
			return err
		}
		var body any
		if *name != "" {
			body = map[string]string{"name": *name}
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/users/"+id+"/tokens", nil, body, nil)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(t obj) error {
			fmt.Fprintf(x.stdout, "Token %s for user %s (shown only this once, keep it):\n\n    %s\n\n", t.s("id"), t.s("userId"), t.s("token"))
			return nil
		})
	}
}

func tokensList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	lo := listFlags(fs)
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the user's ID or name", "users")
		if err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/users/"+id+"/tokens", nil, lo, "No tokens.", func(items []obj) error {
			t := newTable(x.stdout, "ID", "NAME", "PREFIX", "CREATED", "LAST USED")
			for _, tk := range items {
				used := localTime(tk.s("lastUsedAt"))
				if used == "" {
					used = "never"
				}
				t.row(tk.s("id"), tk.s("name"), tk.s("prefix"), localTime(tk.s("createdAt")), used)
			}
			return t.flush()
		})
	}
}

func tokensRevoke(x *session, _ *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 2, "the user's ID or name and the token's ID, prefix or label"); err != nil {
			return err
		}
		user, err := x.idArg(ctx, "users", args[0])
		if err != nil {
			return err
		}
		tk, err := x.tokenOf(ctx, user, args[1])
		if err != nil {
			return err
		}
		if _, err := x.do(ctx, http.MethodDelete, "/v1/users/"+user+"/tokens/"+pathID(tk), nil, nil, nil); err != nil {
			return err
		}
		if !x.json {
			fmt.Fprintf(x.stdout, "Revoked token %s: it no longer works.\n", tk)
		}
		return nil
	}
}

// tokenOf finds the ID of the user's token v names: its ID, or the one
// token whose prefix or label it is.
func (x *session) tokenOf(ctx context.Context, user, v string) (string, error) {
	v = strings.TrimSpace(v)
	if crm.ValidID(v) {
		return v, nil
	}
	l, err := x.list(ctx, "/v1/users/"+user+"/tokens", nil, &listOpts{all: true})
	if err != nil {
		return "", err
	}
	var ids []string
	for _, tk := range l.items {
		if tk.s("prefix") == v || tk.s("name") == v {
			ids = append(ids, tk.s("id"))
		}
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("the user has no token with the ID, prefix or label %q (embudo tokens list shows them)", v)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%d tokens of the user have the prefix or label %q: give the ID of one (%s)", len(ids), v, strings.Join(ids, ", "))
}
