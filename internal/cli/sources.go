package cli

// embudo sources, with the webhook URLs this computer was shown.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/embudo/embudo/internal/client"
)

// sourceFields are the flags of sources create and edit.
var sourceFields = []field{
	{flag: "name", path: "name", usage: "name (required to create)"},
	{flag: "observations", path: "observations", usage: "observations"},
	{flag: "cost-cents", path: "costCents", kind: intField, usage: "campaign spend in `cents`, for the report's ROI"},
	{flag: "webhook-kind", path: "webhook.kind", usage: "give the source a lead webhook: form, json, google-ads or meta"},
	{flag: "secret", path: "webhook.secret", usage: "webhook secret (Google Ads key, signing secret, Meta app secret)"},
	{flag: "verify-token", path: "webhook.verifyToken", usage: "Meta's verification token"},
	{flag: "access-token", path: "webhook.accessToken", usage: "Meta page access token"},
	{flag: "redirect-url", path: "webhook.redirectUrl", usage: "where a browser goes after posting a form"},
	{flag: "honeypot", path: "webhook.honeypot", usage: "honeypot field name (default _gotcha)"},
	{flag: "default-agent", path: "webhook.defaultAgentId", kind: refField, ref: "agents", usage: "agent `name, code or ID` new leads get"},
	{flag: "assignment", path: "webhook.assignment", usage: "none, fixed (the default agent) or round_robin"},
	{flag: "create-opportunity", path: "webhook.createOpportunity", kind: boolField, usage: "each lead also opens an opportunity"},
	{flag: "opportunity-state", path: "webhook.opportunityStateId", kind: refField, ref: "states", usage: "the state `name or ID` those opportunities start in"},
}

func sourcesResource() resource {
	return resource{name: "sources", aliases: []string{"source"}, summary: "where leads come from, with their webhook URLs (admins write)", def: "list",
		verbs: []verb{
			{name: "list", summary: "list sources, with the webhook URLs this computer was shown", setup: sourcesList},
			{name: "show", args: "ID|NAME", summary: "show a source and its webhook", setup: sourcesShow},
			{name: "create", args: "--name NAME [--cost-cents N] [--webhook-kind form|json|google-ads|meta] [...]",
				summary: "create a source; with a webhook flag, its webhook (the URL is shown once)", setup: sourcesWrite(false)},
			{name: "edit", args: "ID|NAME --field=value ... [--field-map FROM=TO]... [--allowed-origin URL]... [--no-webhook]",
				summary: "change a source or its webhook", setup: sourcesWrite(true)},
			{name: "rotate", args: "ID|NAME", summary: "give the source's webhook a new URL (the old one stops working)", setup: sourcesRotate},
			{name: "delete", args: "ID|NAME", summary: "delete a source", setup: deleteVerb("/v1/sources", "source", "sources")},
		}}
}

func sourcesList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	lo := listFlags(fs)
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		l, err := x.list(ctx, "/v1/sources", nil, lo)
		if err != nil {
			return err
		}
		known := x.webhookURLs()
		return x.showList(l, "No sources.", func(items []obj) error {
			t := newTable(x.stdout, "ID", "NAME", "COST", "WEBHOOK", "ASSIGNMENT", "URL")
			unknown := false
			for _, s := range items {
				kind, assign, u := "", "", ""
				if w := s.o("webhook"); w != nil {
					kind, assign = w.s("kind"), w.s("assignment")
					if u = orNone(w.s("url"), known[s.s("id")]); u == "" {
						u, unknown = "?", true
					}
				}
				t.row(s.s("id"), s.s("name"), money(s.i("costCents"), ""), kind, assign, u)
			}
			if err := t.flush(); err != nil {
				return err
			}
			if unknown {
				fmt.Fprintln(x.stdout, "\n? The API shows a webhook URL only when it issues it; embudo sources rotate ID issues a new one.")
			}
			return nil
		})
	}
}

func sourcesShow(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the source's ID or name", "sources")
		if err != nil {
			return err
		}
		res, s, err := x.get(ctx, "/v1/sources/"+id)
		if err != nil {
			return err
		}
		if err := x.show(ctx, res.Body); err != nil || x.json {
			return err
		}
		if w := s.o("webhook"); w != nil && w.s("url") == "" {
			if u := x.webhookURLs()[s.s("id")]; u != "" {
				fmt.Fprintf(x.stdout, "webhook URL  %s (as this computer was shown it)\n", u)
			}
		}
		return nil
	}
}

func sourcesWrite(edit bool) func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
		f := declare(fs, sourceFields...)
		var fieldMap, origins repeated
		fs.Var(&fieldMap, "field-map", "map a sender's field to a standard one: `FROM=TO` (repeatable)")
		fs.Var(&origins, "allowed-origin", "an origin allowed to post the form, like `https://www.example.com` (repeatable; replaces the list)")
		var noWebhook *bool
		if edit {
			noWebhook = fs.Bool("no-webhook", false, "remove the source's webhook")
		}
		return func(ctx context.Context, args []string) error {
			want := 0
			if edit {
				want = 1
			}
			if err := wantArgs(args, want, "the source's ID or name"); err != nil {
				return err
			}
			body, err := f.body(ctx, x)
			if err != nil {
				return err
			}
			if len(fieldMap) > 0 {
				m := map[string]string{}
				for _, fm := range fieldMap {
					from, to, ok := strings.Cut(fm, "=")
					if !ok {
						return usagef("--field-map %q must be FROM=TO", fm)
					}
					m[strings.TrimSpace(from)] = strings.TrimSpace(to)
				}
				setPath(body, "webhook.fieldMap", m)
			}
			if len(origins) > 0 {
				setPath(body, "webhook.allowedOrigins", []string(origins))
			}
			if noWebhook != nil && *noWebhook {
				body["webhook"] = nil
			}
			var res *client.Response
			if edit {
				if len(body) == 0 {
					return usagef("give the fields to change, like --name=value")
				}
				id, err := x.idArg(ctx, "sources", args[0])
				if err != nil {
					return err
				}
				res, err = x.patch(ctx, "/v1/sources/"+id, body)
				if err != nil {
					return err
				}
				return x.sourceDone(res.Body, "Updated")
			}
			res, err = x.do(ctx, http.MethodPost, "/v1/sources", nil, body, nil)
			if err != nil {
				return err
			}
			return x.sourceDone(res.Body, "Created")
		}
	}
}

func sourcesRotate(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the source's ID or name", "sources")
		if err != nil {
			return err
		}
		res, err := x.patch(ctx, "/v1/sources/"+id, map[string]any{"webhook": map[string]any{"rotateToken": true}})
		if err != nil {
			return err
		}
		return x.sourceDone(res.Body, "Rotated the webhook URL of")
	}
}

// sourceDone reports a source written, remembering and printing a webhook
// URL the API issued (it shows it only this once).
func (x *session) sourceDone(raw []byte, verb string) error {
	s, err := decode(raw)
	if err != nil {
		return err
	}
	u := ""
	if w := s.o("webhook"); w != nil {
		u = w.s("url")
	}
	if u != "" {
		if err := x.rememberWebhook(s.s("id"), u); err != nil {
			fmt.Fprintln(x.stderr, "embudo: could not remember the webhook URL:", err)
		}
	}
	if x.json {
		return x.printJSON(raw)
	}
	fmt.Fprintf(x.stdout, "%s source %s (%s).\n", verb, s.s("id"), s.s("name"))
	if u != "" {
		fmt.Fprintf(x.stdout, "Webhook URL (%s): %s\n", s.o("webhook").s("kind"), u)
	}
	return nil
}

// webhooksPath is where the CLI keeps the webhook URLs it was shown, by
// API URL and source ID, next to the configuration (mode 0600: the URL
// token lets anyone post leads).
func webhooksPath() (string, error) {
	p, err := client.ConfigPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(p), "webhooks.json"), nil
}

func (x *session) apiURL() string {
	if api, err := x.client(); err == nil {
		return api.BaseURL
	}
	return ""
}

// webhookURLs are the URLs remembered for this API, by source ID.
func (x *session) webhookURLs() map[string]string {
	all := map[string]map[string]string{}
	if p, err := webhooksPath(); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(b, &all)
		}
	}
	if m := all[x.apiURL()]; m != nil {
		return m
	}
	return map[string]string{}
}

func (x *session) rememberWebhook(sourceID, u string) error {
	p, err := webhooksPath()
	if err != nil {
		return err
	}
	all := map[string]map[string]string{}
	if b, err := os.ReadFile(p); err == nil {
		_ = json.Unmarshal(b, &all)
	}
	api := x.apiURL()
	if all[api] == nil {
		all[api] = map[string]string{}
	}
	all[api][sourceID] = u
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(all, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
