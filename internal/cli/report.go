package cli

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

	"github.com/embudo/embudo/internal/spreadsheet"
)

func reportResource() resource {
	return resource{name: "report", aliases: []string{"reports"}, summary: "reports", def: "sources",
		verbs: []verb{{name: "sources", args: "[--from YYYY-MM] [--to YYYY-MM] [--csv [--excel]|--json]",
			summary: "leads, opportunities, won amount, conversion, cost and ROI per source (default: the last 12 months)", setup: reportSources}}}
}

// barWidth is the width of the longest bar, in characters.
const barWidth = 40

func reportSources(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	from := fs.String("from", "", "first `month`, YYYY-MM (default: 11 months before --to)")
	to := fs.String("to", "", "last `month`, YYYY-MM (default: this month)")
	csv := fs.Bool("csv", false, "print the API's CSV")
	excel := fs.Bool("excel", false, "with --csv: CSV for Excel set to Spanish (UTF-8 with a byte order mark, \";\" between columns, \",\" before decimals)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		if *csv && x.json {
			return usagef("give --csv or --json, not both")
		}
		if *excel && !*csv {
			return usagef("--excel goes with --csv")
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
		if *excel {
			return spreadsheet.Reformat(x.stdout, res.Body, spreadsheet.Excel)
		}
		if *csv {
			_, err := x.stdout.Write(res.Body)
			return err
		}
		return x.reply(res.Body, func(rep obj) error {
			var rows []obj
			items, _ := rep["items"].([]any)
			for _, it := range items {
				m, _ := it.(map[string]any)
				rows = append(rows, m)
			}
			return drawReport(x.stdout, rep.s("from"), rep.s("to"), rows, rep.o("total"))
		})
	}
}

// drawReport writes the report's table, then its charts.
func drawReport(w io.Writer, from, to string, rows []obj, total obj) error {
	fmt.Fprintf(w, "Sources, %s to %s\n\n", from, to)
	if len(rows) == 0 {
		fmt.Fprintln(w, "No leads, contacts or opportunities in these months.")
		return nil
	}
	headers := []string{"SOURCE", "LEADS", "CONTACTS", "OPPORTUNITIES", "WON", "LOST", "OPEN", "CONVERSION",
		"WON AMOUNT", "COST", "COST/LEAD", "COST/WON", "ROI", "ID"}
	right := []bool{false, true, true, true, true, true, true, true, true, true, true, true, true, false}
	cells := [][]string{headers}
	line := func(r obj) []string {
		return []string{cut(r.s("sourceName"), 30), r.s("leads"), r.s("contacts"), r.s("opportunities"), r.s("won"), r.s("lost"), r.s("open"),
			optPct(r, "conversionRate"), money(r.i("wonAmountCents"), ""), money(r.i("costCents"), ""),
			optMoney(r, "costPerLeadCents"), optMoney(r, "costPerWonCents"), optPct(r, "roi"), r.s("sourceId")}
	}
	for _, r := range rows {
		cells = append(cells, line(r))
	}
	cells = append(cells, nil, line(total))
	aligned(w, cells, right)

	fmt.Fprintln(w, "\nWon amount")
	bars(w, rows, func(r obj) (float64, string, bool) {
		n := r.i("wonAmountCents")
		return float64(n), money(n, ""), true
	})
	fmt.Fprintln(w, "\nConversion (won / opportunities)")
	bars(w, rows, func(r obj) (float64, string, bool) {
		v, ok := r.f("conversionRate")
		if !ok {
			return 0, "– (no opportunities)", false
		}
		return v, pct(v), true
	})
	return nil
}

// optMoney writes a nullable amount.
func optMoney(r obj, key string) string {
	if _, ok := r.f(key); !ok {
		return "–"
	}
	return money(r.i(key), "")
}

// optPct writes a nullable ratio as a percentage.
func optPct(r obj, key string) string {
	v, ok := r.f(key)
	if !ok {
		return "–"
	}
	return pct(v)
}

// aligned writes rows of cells in columns, each right- or left-aligned;
// a nil row is a rule.
func aligned(w io.Writer, rows [][]string, right []bool) {
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

// bars draws one horizontal bar per row, scaled so that the largest
// value fills barWidth characters, with the value after it.
func bars(w io.Writer, rows []obj, value func(obj) (float64, string, bool)) {
	nameWidth, top := 0, 0.0
	for _, r := range rows {
		nameWidth = max(nameWidth, utf8.RuneCountInString(cut(r.s("sourceName"), 30)))
		if v, _, ok := value(r); ok {
			top = math.Max(top, v)
		}
	}
	for _, r := range rows {
		name := cut(r.s("sourceName"), 30)
		v, label, ok := value(r)
		bar := ""
		if ok {
			bar = barOf(v, top, barWidth)
		}
		fmt.Fprintf(w, "  %s%s  %s%s %s\n", name, strings.Repeat(" ", nameWidth-utf8.RuneCountInString(name)),
			bar, strings.Repeat(" ", barWidth-utf8.RuneCountInString(bar)), label)
	}
}

// eighths are the partial blocks of a bar, one to seven eighths wide.
var eighths = []rune("▏▎▍▌▋▊▉")

// barOf is a bar of v out of top, width characters at most: full blocks
// and a partial one for the rest.
func barOf(v, top float64, width int) string {
	if top <= 0 || v <= 0 {
		return ""
	}
	n := int(math.Round(math.Min(v/top, 1) * float64(width*8)))
	if n == 0 {
		n = 1 // a value that is not zero shows
	}
	bar := strings.Repeat("█", n/8)
	if n%8 > 0 {
		bar += string(eighths[n%8-1])
	}
	return bar
}
