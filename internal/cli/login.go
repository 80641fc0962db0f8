package cli

// embudo login: ask for the API URL and a token (or take --url and
// --token), check both against the API, and store them for the other
// commands in the user's configuration directory, readable by the user only.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"

	"github.com/embudo/embudo/internal/client"
)

func loginResource() resource {
	return resource{name: "login", summary: "store the API URL and token for the other commands",
		verbs: []verb{{args: "[--url URL] [--token TOKEN]",
			summary: "Checks the URL and the token against the API and stores them (mode 0600) in the user's configuration\n" +
				"directory; without --url or --token, asks for them. EMBUDO_URL and EMBUDO_TOKEN still win over the file.",
			setup: login}}}
}

func login(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		cfg, err := client.LoadConfig()
		if err != nil {
			cfg = client.Config{URL: "http://127.0.0.1:3000"}
		}
		in := bufio.NewReader(x.stdin)
		ask := func(prompt string) (string, error) {
			fmt.Fprint(x.stderr, prompt)
			line, err := in.ReadString('\n')
			if err != nil && line == "" {
				return "", errors.New("no answer on standard input: give --url and --token")
			}
			return strings.TrimSpace(line), nil
		}
		u, token := x.url, x.token
		if u == "" {
			if u, err = ask(fmt.Sprintf("API URL [%s]: ", cfg.URL)); err != nil {
				return err
			}
			if u == "" {
				u = cfg.URL
			}
		}
		if token == "" {
			if token, err = ask("API token: "); err != nil {
				return err
			}
			if token == "" {
				return errors.New("no token given")
			}
		}
		u = strings.TrimRight(u, "/")
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return fmt.Errorf("%q is not an http:// or https:// URL", u)
		}
		api := client.New(u, token)
		if _, err := api.Do(ctx, http.MethodGet, "/healthz", nil, nil, nil); err != nil {
			return fmt.Errorf("%s does not answer as an Embudo API: %w", u, err)
		}
		if _, err := api.Do(ctx, http.MethodGet, "/v1/reminders", nil, nil, nil); err != nil {
			return fmt.Errorf("the API refused the token: %w", err)
		}
		path, err := client.SaveConfig(client.Config{URL: u, Token: token})
		if err != nil {
			return err
		}
		if x.json {
			return x.printJSONParts(part{"url", mustJSON(u)}, part{"config", mustJSON(path)})
		}
		fmt.Fprintf(x.stdout, "Logged in to %s. Saved to %s.\n", u, path)
		return nil
	}
}
