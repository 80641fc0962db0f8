package main

// The admin resources: sources (with their webhook URLs), interests,
// states, agents, users, tokens and notification settings.

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

// cliCatalogResource is a resource with list, show, create, edit and
// delete, whose items may be named by name instead of ID.
func cliCatalogResource(plural, one, summary string, fields []cliField, label func(cliObj) string,
	table func(x *cliSession, ctx context.Context, items []cliObj) error) cliResource {
	path := "/v1/" + plural
	return cliResource{name: plural, aliases: []string{one}, summary: summary, def: "list",
		verbs: []cliVerb{
			{name: "list", summary: "list " + plural, setup: func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
				lo := cliListFlags(fs)
				return func(ctx context.Context, args []string) error {
					if err := cliArgs(args, 0, ""); err != nil {
						return err
					}
					return x.listShow(ctx, path, nil, lo, "No "+plural+".", func(items []cliObj) error { return table(x, ctx, items) })
				}
			}},
			{name: "show", args: "ID|NAME", summary: "show a " + one, setup: cliShow(path, one, plural)},
			{name: "create", args: "--name NAME [...]", summary: "create a " + one, setup: cliCreate(path, one, fields, label)},
			{name: "edit", args: "ID|NAME --field=value ...", summary: "change some fields of a " + one, setup: cliEdit(path, one, plural, fields, label)},
			{name: "delete", args: "ID|NAME", summary: "delete a " + one, setup: cliDelete(path, one, plural)},
		}}
}

func cliName(m cliObj) string { return m.s("name") }

func cliInterestsResource() cliResource {
	return cliCatalogResource("interests", "interest", "products and services contacts are interested in (admins write)",
		[]cliField{
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "observations", path: "observations", usage: "observations"},
		}, cliName, func(x *cliSession, ctx context.Context, items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "NAME", "OBSERVATIONS")
			for _, i := range items {
				t.row(i.s("id"), i.s("name"), cliCut(i.s("observations"), 60))
			}
			return t.flush()
		})
}

func cliStatesResource() cliResource {
	return cliCatalogResource("states", "state", "the pipeline's states (admins write)",
		[]cliField{
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "order", path: "order", kind: cliInt, usage: "position in the pipeline"},
			{flag: "color", path: "color", usage: "color (#rrggbb)"},
			{flag: "default", path: "default", kind: cliBool, usage: "new opportunities start here"},
			{flag: "outcome", path: "outcome", usage: "open, won or lost"},
			{flag: "show-tab", path: "showTab", kind: cliBool, usage: "shown as a tab of the pipeline"},
		}, cliName, func(x *cliSession, ctx context.Context, items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "ORDER", "NAME", "OUTCOME", "DEFAULT", "TAB", "COLOR")
			for _, s := range items {
				t.row(s.s("id"), s.s("order"), s.s("name"), s.s("outcome"), cliYes(s.b("default")), cliYes(s.b("showTab")), s.s("color"))
			}
			return t.flush()
		})
}

// cliYes writes a boolean for people.
func cliYes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func cliAgentsResource() cliResource {
	return cliCatalogResource("agents", "agent", "sales agents (comerciales; admins write)",
		[]cliField{
			{flag: "code", path: "code", usage: "short code"},
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "email", path: "email", usage: "e-mail, where their notifications go"},
			{flag: "active", path: "active", kind: cliBool, usage: "active (--active=false to retire)"},
			{flag: "user", path: "userId", kind: cliRef, ref: "users", usage: "the agent's user `ID or name`"},
		}, cliName, func(x *cliSession, ctx context.Context, items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "CODE", "NAME", "EMAIL", "ACTIVE", "USER")
			for _, a := range items {
				t.row(a.s("id"), a.s("code"), a.s("name"), a.s("email"), cliYes(a.b("active")), x.nameOf(ctx, "users", a.s("userId")))
			}
			return t.flush()
		})
}

func cliUsersResource() cliResource {
	r := cliCatalogResource("users", "user", "who may use the API (admins only)",
		[]cliField{
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "email", path: "email", usage: "e-mail (required to create)"},
			{flag: "role", path: "role", usage: "admin or staff"},
			{flag: "agent", path: "agentId", kind: cliRef, ref: "agents", usage: "the user's agent `name, code or ID`"},
			{flag: "active", path: "active", kind: cliBool, usage: "active"},
			{flag: "lang", path: "lang", usage: "language of their e-mails (es, en)"},
		}, cliName, func(x *cliSession, ctx context.Context, items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "NAME", "EMAIL", "ROLE", "ACTIVE", "AGENT", "LANG")
			for _, u := range items {
				t.row(u.s("id"), u.s("name"), u.s("email"), u.s("role"), cliYes(u.b("active")), x.nameOf(ctx, "agents", u.s("agentId")), u.s("lang"))
			}
			return t.flush()
		})
	for i := range r.verbs {
		if r.verbs[i].name == "delete" {
			r.verbs[i].summary = "deactivate a user: their history stays, their tokens stop working"
		}
	}
	return r
}

func cliTokensResource() cliResource {
	return cliResource{name: "tokens", aliases: []string{"token"}, summary: "API tokens of users (admins only)",
		verbs: []cliVerb{{name: "create", args: "USER_ID|NAME [--name LABEL]", summary: "issue a token for a user (shown only this once)",
			setup: func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
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
					return x.reply(res.Body, func(t cliObj) error {
						fmt.Fprintf(x.stdout, "Token for user %s (shown only this once, keep it):\n\n    %s\n\n", t.s("userId"), t.s("token"))
						return nil
					})
				}
			}}}}
}

// cliSourceFields are the flags of sources create and edit.
var cliSourceFields = []cliField{
	{flag: "name", path: "name", usage: "name (required to create)"},
	{flag: "observations", path: "observations", usage: "observations"},
	{flag: "cost-cents", path: "costCents", kind: cliInt, usage: "campaign spend in `cents`, for the report's ROI"},
	{flag: "webhook-kind", path: "webhook.kind", usage: "give the source a lead webhook: form, json, google-ads or meta"},
	{flag: "secret", path: "webhook.secret", usage: "webhook secret (Google Ads key, signing secret, Meta app secret)"},
	{flag: "verify-token", path: "webhook.verifyToken", usage: "Meta's verification token"},
	{flag: "access-token", path: "webhook.accessToken", usage: "Meta page access token"},
	{flag: "redirect-url", path: "webhook.redirectUrl", usage: "where a browser goes after posting a form"},
	{flag: "honeypot", path: "webhook.honeypot", usage: "honeypot field name (default _gotcha)"},
	{flag: "default-agent", path: "webhook.defaultAgentId", kind: cliRef, ref: "agents", usage: "agent `name, code or ID` new leads get"},
	{flag: "assignment", path: "webhook.assignment", usage: "none, fixed (the default agent) or round_robin"},
	{flag: "create-opportunity", path: "webhook.createOpportunity", kind: cliBool, usage: "each lead also opens an opportunity"},
	{flag: "opportunity-state", path: "webhook.opportunityStateId", kind: cliRef, ref: "states", usage: "the state `name or ID` those opportunities start in"},
}

func cliSourcesResource() cliResource {
	return cliResource{name: "sources", aliases: []string{"source"}, summary: "where leads come from, with their webhook URLs (admins write)", def: "list",
		verbs: []cliVerb{
			{name: "list", summary: "list sources, with the webhook URLs this computer was shown", setup: cliSourcesList},
			{name: "show", args: "ID|NAME", summary: "show a source and its webhook", setup: cliSourcesShow},
			{name: "create", args: "--name NAME [--cost-cents N] [--webhook-kind form|json|google-ads|meta] [...]",
				summary: "create a source; with a webhook flag, its webhook (the URL is shown once)", setup: cliSourcesWrite(false)},
			{name: "edit", args: "ID|NAME --field=value ... [--field-map FROM=TO]... [--allowed-origin URL]... [--no-webhook]",
				summary: "change a source or its webhook", setup: cliSourcesWrite(true)},
			{name: "rotate", args: "ID|NAME", summary: "give the source's webhook a new URL (the old one stops working)", setup: cliSourcesRotate},
			{name: "delete", args: "ID|NAME", summary: "delete a source", setup: cliDelete("/v1/sources", "source", "sources")},
		}}
}

func cliSourcesList(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	lo := cliListFlags(fs)
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		l, err := x.list(ctx, "/v1/sources", nil, lo)
		if err != nil {
			return err
		}
		known := x.webhookURLs()
		return x.showList(l, "No sources.", func(items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "NAME", "COST", "WEBHOOK", "ASSIGNMENT", "URL")
			unknown := false
			for _, s := range items {
				kind, assign, u := "", "", ""
				if w := s.o("webhook"); w != nil {
					kind, assign = w.s("kind"), w.s("assignment")
					if u = cliOr(w.s("url"), known[s.s("id")]); u == "" {
						u, unknown = "?", true
					}
				}
				t.row(s.s("id"), s.s("name"), cliMoney(s.i("costCents"), ""), kind, assign, u)
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

func cliSourcesShow(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
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

func cliSourcesWrite(edit bool) func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
		f := cliDeclare(fs, cliSourceFields...)
		var fieldMap, origins cliRepeated
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
			if err := cliArgs(args, want, "the source's ID or name"); err != nil {
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
						return cliUsagef("--field-map %q must be FROM=TO", fm)
					}
					m[strings.TrimSpace(from)] = strings.TrimSpace(to)
				}
				cliSet(body, "webhook.fieldMap", m)
			}
			if len(origins) > 0 {
				cliSet(body, "webhook.allowedOrigins", []string(origins))
			}
			if noWebhook != nil && *noWebhook {
				body["webhook"] = nil
			}
			var res *client.Response
			if edit {
				if len(body) == 0 {
					return cliUsagef("give the fields to change, like --name=value")
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

func cliSourcesRotate(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
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
func (x *cliSession) sourceDone(raw []byte, verb string) error {
	s, err := cliDecode(raw)
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

// cliWebhooksPath is where the CLI keeps the webhook URLs it was shown, by
// API URL and source ID, next to the configuration (mode 0600: the URL
// token lets anyone post leads).
func cliWebhooksPath() (string, error) {
	p, err := client.ConfigPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(p), "webhooks.json"), nil
}

func (x *cliSession) apiURL() string {
	if api, err := x.client(); err == nil {
		return api.BaseURL
	}
	return ""
}

// webhookURLs are the URLs remembered for this API, by source ID.
func (x *cliSession) webhookURLs() map[string]string {
	all := map[string]map[string]string{}
	if p, err := cliWebhooksPath(); err == nil {
		if b, err := os.ReadFile(p); err == nil {
			_ = json.Unmarshal(b, &all)
		}
	}
	if m := all[x.apiURL()]; m != nil {
		return m
	}
	return map[string]string{}
}

func (x *cliSession) rememberWebhook(sourceID, u string) error {
	p, err := cliWebhooksPath()
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

func cliSettingsResource() cliResource {
	return cliResource{name: "settings", aliases: []string{"setting", "notification-settings"}, summary: "the six notification e-mails: on or off, and their texts (admins only)", def: "list",
		verbs: []cliVerb{
			{name: "list", summary: "list the notification settings", setup: func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
				return func(ctx context.Context, args []string) error {
					if err := cliArgs(args, 0, ""); err != nil {
						return err
					}
					return x.listShow(ctx, "/v1/notification-settings", nil, nil, "No settings.", func(items []cliObj) error {
						t := cliNewTable(x.stdout, "KEY", "ENABLED", "OWN TEXTS")
						for _, s := range items {
							t.row(s.s("key"), cliOr(cliYes(s.b("enabled")), "no"), strings.Join(cliSortedKeys(s.o("overrides")), ", "))
						}
						return t.flush()
					})
				}
			}},
			{name: "show", args: "KEY", summary: "show a notification setting", setup: cliShow("/v1/notification-settings", "setting", "")},
			{name: "set", args: "KEY [--enabled=true|false] [--subject-es S] [--body-es B] [--subject-en S] [--body-en B]",
				summary: "turn a notification on or off, or give it your own subject and body per language (\"\" for the default)", setup: cliSettingsSet},
		}}
}

func cliSettingsSet(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	enabled := fs.Bool("enabled", true, "send this notification")
	texts := map[string]*string{}
	for _, lang := range []string{"es", "en"} {
		texts["subject-"+lang] = fs.String("subject-"+lang, "", "subject of the e-mail in "+lang)
		texts["body-"+lang] = fs.String("body-"+lang, "", "body of the e-mail in "+lang)
	}
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the setting's KEY"); err != nil {
			return err
		}
		path := "/v1/notification-settings/" + cliID(args[0])
		body := map[string]any{}
		changed := false
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "enabled" {
				body["enabled"] = *enabled
			}
			if _, ok := texts[f.Name]; ok {
				changed = true
			}
		})
		if changed {
			_, cur, err := x.get(ctx, path)
			if err != nil {
				return err
			}
			overrides := map[string]map[string]string{}
			for lang, o := range cur.o("overrides") {
				m, _ := o.(map[string]any)
				overrides[lang] = map[string]string{"subject": cliObj(m).s("subject"), "body": cliObj(m).s("body")}
			}
			fs.Visit(func(f *flag.Flag) {
				part, lang, ok := strings.Cut(f.Name, "-")
				if _, isText := texts[f.Name]; !isText || !ok {
					return
				}
				if overrides[lang] == nil {
					overrides[lang] = map[string]string{"subject": "", "body": ""}
				}
				overrides[lang][part] = *texts[f.Name]
			})
			// An override with neither subject nor body goes back to the
			// built-in texts (the API drops it).
			body["overrides"] = overrides
		}
		if len(body) == 0 {
			return cliUsagef("give --enabled or a text to change")
		}
		res, err := x.patch(ctx, path, body)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(s cliObj) error {
			state := "off"
			if s.b("enabled") {
				state = "on"
			}
			fmt.Fprintf(x.stdout, "Notification %s is %s.\n", s.s("key"), state)
			return nil
		})
	}
}
