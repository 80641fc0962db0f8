package cli

// embudo settings: the notification e-mails.

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
)

func settingsResource() resource {
	return resource{name: "settings", aliases: []string{"setting", "notification-settings"}, summary: "the six notification e-mails: on or off, and their texts (admins only)", def: "list",
		verbs: []verb{
			{name: "list", summary: "list the notification settings", setup: func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
				return func(ctx context.Context, args []string) error {
					if err := wantArgs(args, 0, ""); err != nil {
						return err
					}
					return x.listShow(ctx, "/v1/notification-settings", nil, nil, "No settings.", func(items []obj) error {
						t := newTable(x.stdout, "KEY", "ENABLED", "OWN TEXTS")
						for _, s := range items {
							t.row(s.s("key"), orNone(yes(s.b("enabled")), "no"), strings.Join(sortedKeys(s.o("overrides")), ", "))
						}
						return t.flush()
					})
				}
			}},
			{name: "show", args: "KEY", summary: "show a notification setting", setup: showVerb("/v1/notification-settings", "setting", "")},
			{name: "set", args: "KEY [--enabled=true|false] [--subject-es S] [--body-es B] [--subject-en S] [--body-en B]",
				summary: "turn a notification on or off, or give it your own subject and body per language (\"\" for the default)", setup: settingsSet},
		}}
}

func settingsSet(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	enabled := fs.Bool("enabled", true, "send this notification")
	texts := map[string]*string{}
	for _, lang := range []string{"es", "en"} {
		texts["subject-"+lang] = fs.String("subject-"+lang, "", "subject of the e-mail in "+lang)
		texts["body-"+lang] = fs.String("body-"+lang, "", "body of the e-mail in "+lang)
	}
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the setting's KEY"); err != nil {
			return err
		}
		path := "/v1/notification-settings/" + pathID(args[0])
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
				overrides[lang] = map[string]string{"subject": obj(m).s("subject"), "body": obj(m).s("body")}
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
			return usagef("give --enabled or a text to change")
		}
		res, err := x.patch(ctx, path, body)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(s obj) error {
			state := "off"
			if s.b("enabled") {
				state = "on"
			}
			fmt.Fprintf(x.stdout, "Notification %s is %s.\n", s.s("key"), state)
			return nil
		})
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
