package cli

// embudo quotes.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

func quotesResource() resource {
	return resource{name: "quotes", aliases: []string{"quote"}, summary: "quotes (presupuestos) of opportunities",
		verbs: []verb{
			{name: "list", args: "--opportunity ID", summary: "list an opportunity's quotes", setup: quotesList},
			{name: "create", args: "--opportunity ID [--line \"desc;qty;unitPriceCents;discountPct;taxPct\"]... [--valid-until DATE]",
				summary: "make a quote for an opportunity (without lines: from its interest and approximate amount)", setup: quotesCreate},
			{name: "show", args: "ID", summary: "show a quote with its lines and totals", setup: quotesShow},
			{name: "edit", args: "ID [--status draft|sent|rejected] [--valid-until DATE] [--line ...]...",
				summary: "change a quote (lines given replace all of them)", setup: quotesEdit},
			{name: "accept", args: "ID", summary: "accept a quote: the opportunity is won and the contact becomes a client", setup: quotesAccept},
		}}
}

func quotesList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	opp := fs.String("opportunity", "", "the opportunity's `ID`")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		if *opp == "" {
			return usagef("give --opportunity ID")
		}
		return x.listShow(ctx, "/v1/opportunities/"+pathID(*opp)+"/quotes", nil, nil, "No quotes.", func(items []obj) error { return x.quoteTable(items, false) })
	}
}

// quoteTable draws quotes.
func (x *session) quoteTable(items []obj, indent bool) error {
	in := ""
	if indent {
		in = "  "
	}
	t := newTable(x.stdout, in+"ID", "NUMBER", "STATUS", "TOTAL", "VALID UNTIL", "CREATED")
	for _, q := range items {
		t.row(in+q.s("id"), q.s("number"), q.s("status"), money(q.i("totalCents"), q.s("currency")), q.s("validUntil"), localDate(q.s("createdAt")))
	}
	return t.flush()
}

// decimalRE is a plain decimal number: 2, 1.5 or 1,5.
var decimalRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// quoteLine reads "description;quantity;unitPriceCents;discountPct;taxPct"
// (all but the description optional) into a quote line.
func quoteLine(s string) (map[string]any, error) {
	parts := strings.Split(s, ";")
	if len(parts) > 5 {
		return nil, usagef("--line %q has more than 5 parts: description;quantity;unitPriceCents;discountPct;taxPct", s)
	}
	line := map[string]any{"description": strings.TrimSpace(parts[0])}
	for i, name := range []string{"", "quantity", "unitPriceCents", "discountPct", "taxPct"} {
		if i == 0 || i >= len(parts) {
			continue
		}
		v := strings.ReplaceAll(strings.TrimSpace(parts[i]), ",", ".")
		if v == "" {
			continue
		}
		if name == "unitPriceCents" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, usagef("--line %q: the unit price is in cents, a whole number", s)
			}
			line[name] = n
			continue
		}
		if !decimalRE.MatchString(v) {
			return nil, usagef("--line %q: %s must be a number", s, name)
		}
		line[name] = json.Number(v)
	}
	return line, nil
}

// quoteBody builds the body of a quote create or edit.
func quoteBody(lines []string, validUntil string, status string) (map[string]any, error) {
	body := map[string]any{}
	if len(lines) > 0 {
		var ls []map[string]any
		for _, l := range lines {
			line, err := quoteLine(l)
			if err != nil {
				return nil, err
			}
			ls = append(ls, line)
		}
		body["lines"] = ls
	}
	if validUntil != "" {
		body["validUntil"] = validUntil
	}
	if status != "" {
		body["status"] = status
	}
	return body, nil
}

func quotesCreate(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	opp := fs.String("opportunity", "", "the opportunity's `ID`")
	var lines repeated
	fs.Var(&lines, "line", "a line: `\"description;quantity;unitPriceCents;discountPct;taxPct\"` (repeatable; all but the description optional)")
	valid := fs.String("valid-until", "", "valid until this `date` (YYYY-MM-DD)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		if *opp == "" {
			return usagef("give --opportunity ID")
		}
		body, err := quoteBody(lines, *valid, "")
		if err != nil {
			return err
		}
		var send any
		if len(body) > 0 {
			send = body
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/opportunities/"+pathID(*opp)+"/quotes", nil, send, nil)
		if err != nil {
			return err
		}
		return x.showQuote(res.Body)
	}
}

func quotesEdit(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	var lines repeated
	fs.Var(&lines, "line", "a line: `\"description;quantity;unitPriceCents;discountPct;taxPct\"` (repeatable; replaces every line)")
	valid := fs.String("valid-until", "", "valid until this `date` (YYYY-MM-DD)")
	status := fs.String("status", "", "draft, sent or rejected (accept with quotes accept)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the quote's ID"); err != nil {
			return err
		}
		body, err := quoteBody(lines, *valid, *status)
		if err != nil {
			return err
		}
		if len(body) == 0 {
			return usagef("give --status, --valid-until or --line")
		}
		res, err := x.patch(ctx, "/v1/quotes/"+pathID(args[0]), body)
		if err != nil {
			return err
		}
		return x.showQuote(res.Body)
	}
}

func quotesShow(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the quote's ID", "")
		if err != nil {
			return err
		}
		res, err := x.do(ctx, http.MethodGet, "/v1/quotes/"+id, nil, nil, nil)
		if err != nil {
			return err
		}
		return x.showQuote(res.Body)
	}
}

func quotesAccept(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the quote's ID", "")
		if err != nil {
			return err
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/quotes/"+id+"/accept", nil, nil, nil)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(q obj) error {
			fmt.Fprintf(x.stdout, "Accepted quote %s (%s): opportunity %s won, contact %s a client.\n",
				q.s("number"), money(q.i("totalCents"), q.s("currency")), q.s("opportunityId"), q.s("contactId"))
			return nil
		})
	}
}

// showQuote prints a quote: its JSON, or its header, lines and totals.
func (x *session) showQuote(raw []byte) error {
	return x.reply(raw, func(q obj) error {
		cur := q.s("currency")
		h := newTable(x.stdout)
		h.row("Quote", join(" ", q.s("number"), "("+q.s("status")+")"))
		h.row("ID", q.s("id"))
		h.row("Opportunity", q.s("opportunityId"))
		h.row("Contact", q.s("contactId"))
		if v := q.s("validUntil"); v != "" {
			h.row("Valid until", v)
		}
		h.row("Created", localTime(q.s("createdAt")))
		if err := h.flush(); err != nil {
			return err
		}
		fmt.Fprintln(x.stdout)
		t := newTable(x.stdout, "DESCRIPTION", "QTY", "UNIT PRICE", "DISCOUNT", "TAX", "NET", "TOTAL")
		lines, _ := q["lines"].([]any)
		for _, l := range lines {
			m, _ := l.(map[string]any)
			line := obj(m)
			t.row(cut(line.s("description"), 50), decimal(line.s("quantity")), money(line.i("unitPriceCents"), cur),
				decimal(line.s("discountPct"))+" %", decimal(line.s("taxPct"))+" %", money(line.i("netCents"), cur), money(line.i("totalCents"), cur))
		}
		t.row("", "", "", "", "Subtotal", "", money(q.i("subtotalCents"), cur))
		t.row("", "", "", "", "Tax", "", money(q.i("taxCents"), cur))
		t.row("", "", "", "", "Total", "", money(q.i("totalCents"), cur))
		return t.flush()
	})
}
