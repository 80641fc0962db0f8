package main

// embudo report sources: the source effectiveness report as a table with
// bar charts of won amount and conversion drawn in the terminal, or the
// API's CSV or JSON for scripts.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

func cliReportResource() cliResource {
	return cliResource{name: "report", aliases: []string{"reports"}, summary: "reports", def: "sources",
		verbs: []cliVerb{{name: "sources", args: "[--from YYYY-MM] [--to YYYY-MM] [--csv|--json]",
			summary: "leads, opportunities, won amount, conversion, cost and ROI per source (default: the last 12 months)", setup: cliReportSources}}}
}

// cliBarWidth is the width of the longest bar, in characters.
const cliBarWidth = 40

func cliReportSources(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	from := fs.String("from", "", "first `month`, YYYY-MM (default: 11 months before --to)")
	to := fs.String("to", "", "last `month`, YYYY-MM (default: this month)")
	csv := fs.Bool("csv", false, "print the API's CSV")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		if *csv && x.json {
			return cliUsagef("give --csv or --json, not both")
		}
		q := url.Values{}
		if *from != "" {
			q.Set("from", *from)
		}
		if *to != "" {
			q.Set("to", *to)
		}
		if *csv {
			q.Set("format", "csv")
		}
		res, err := x.do(ctx, http.MethodGet, "/v1/reports/sources", q, nil, nil)
		if err != nil {
			return err
		}
		if *csv {
			_, err := x.stdout.Write(res.Body)
			return err
		}
		return x.reply(res.Body, func(rep cliObj) error {
			var rows []cliObj
			items, _ := rep["items"].([]any)
			for _, it := range items {
				m, _ := it.(map[string]any)
				rows = append(rows, m)
			}
			return cliDrawReport(x.stdout, rep.s("from"), rep.s("to"), rows, rep.o("total"))
		})
	}
}

// cliDrawReport writes the report's table, then its charts.
func cliDrawReport(w io.Writer, from, to string, rows []cliObj, total cliObj) error {
	fmt.Fprintf(w, "Sources, %s to %s\n\n", from, to)
	if len(rows) == 0 {
		fmt.Fprintln(w, "No leads, contacts or opportunities in these months.")
		return nil
	}
	headers := []string{"SOURCE", "LEADS", "CONTACTS", "OPPORTUNITIES", "WON", "LOST", "OPEN", "CONVERSION",
		"WON AMOUNT", "COST", "COST/LEAD", "COST/WON", "ROI", "ID"}
	right := []bool{false, true, true, true, true, true, true, true, true, true, true, true, true, false}
	cells := [][]string{headers}
	line := func(r cliObj) []string {
		return []string{cliCut(r.s("sourceName"), 30), r.s("leads"), r.s("contacts"), r.s("opportunities"), r.s("won"), r.s("lost"), r.s("open"),
			cliOptPct(r, "conversionRate"), cliMoney(r.i("wonAmountCents"), ""), cliMoney(r.i("costCents"), ""),
			cliOptMoney(r, "costPerLeadCents"), cliOptMoney(r, "costPerWonCents"), cliOptPct(r, "roi"), r.s("sourceId")}
	}
	for _, r := range rows {
		cells = append(cells, line(r))
	}
	cells = append(cells, nil, line(total))
	cliAligned(w, cells, right)

	fmt.Fprintln(w, "\nWon amount")
	cliBars(w, rows, func(r cliObj) (float64, string, bool) {
		n := r.i("wonAmountCents")
		return float64(n), cliMoney(n, ""), true
	})
	fmt.Fprintln(w, "\nConversion (won / opportunities)")
	cliBars(w, rows, func(r cliObj) (float64, string, bool) {
		v, ok := r.f("conversionRate")
		if !ok {
			return 0, "– (no opportunities)", false
		}
		return v, cliPct(v), true
	})
	return nil
}

// cliOptMoney writes a nullable amount.
func cliOptMoney(r cliObj, key string) string {
	if _, ok := r.f(key); !ok {
		return "–"
	}
	return cliMoney(r.i(key), "")
}

// cliOptPct writes a nullable ratio as a percentage.
func cliOptPct(r cliObj, key string) string {
	v, ok := r.f(key)
	if !ok {
		return "–"
	}
	return cliPct(v)
}

// cliAligned writes rows of cells in columns, each right- or left-aligned;
// a nil row is a rule.
func cliAligned(w io.Writer, rows [][]string, right []bool) {
	widths := make([]int, len(right))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	total := 0
	for _, n := range widths {
		total += n + 2
	}
	for _, r := range rows {
		if r == nil {
			fmt.Fprintln(w, strings.Repeat("─", total-2))
			continue
		}
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// cliBars draws one horizontal bar per row, scaled so that the largest
// value fills cliBarWidth characters, with the value after it.
func cliBars(w io.Writer, rows []cliObj, value func(cliObj) (float64, string, bool)) {
	nameWidth, top := 0, 0.0
	for _, r := range rows {
		nameWidth = max(nameWidth, utf8.RuneCountInString(cliCut(r.s("sourceName"), 30)))
		if v, _, ok := value(r); ok {
			top = math.Max(top, v)
		}
	}
	for _, r := range rows {
		name := cliCut(r.s("sourceName"), 30)
		v, label, ok := value(r)
		bar := ""
		if ok {
			bar = cliBar(v, top, cliBarWidth)
		}
		fmt.Fprintf(w, "  %s%s  %s%s %s\n", name, strings.Repeat(" ", nameWidth-utf8.RuneCountInString(name)),
			bar, strings.Repeat(" ", cliBarWidth-utf8.RuneCountInString(bar)), label)
	}
}

// cliEighths are the partial blocks of a bar, one to seven eighths wide.
var cliEighths = []rune("▏▎▍▌▋▊▉")

// cliBar is a bar of v out of top, width characters at most: full blocks
// and a partial one for the rest.
func cliBar(v, top float64, width int) string {
	if top <= 0 || v <= 0 {
		return ""
	}
	n := int(math.Round(math.Min(v/top, 1) * float64(width*8)))
	if n == 0 {
		n = 1 // a value that is not zero shows
	}
	bar := strings.Repeat("█", n/8)
	if n%8 > 0 {
		bar += string(cliEighths[n%8-1])
	}
	return bar
}
