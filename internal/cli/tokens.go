package cli

// embudo tokens.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
)

func tokensResource() resource {
	return resource{name: "tokens", aliases: []string{"token"}, summary: "API tokens of users (admins only)",
		verbs: []verb{{name: "create", args: "USER_ID|NAME [--name LABEL]", summary: "issue a token for a user (shown only this once)",
			setup: func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
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
						fmt.Fprintf(x.stdout, "Token for user %s (shown only this once, keep it):\n\n    %s\n\n", t.s("userId"), t.s("token"))
						return nil
					})
				}
			}}}}
}
