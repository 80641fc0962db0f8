package webapp

import (
	"strconv"
)

// The source report's bar charts, drawn by the server as inline SVG: no
// script, no library, no request. Each chart is a group per source (its
// name, then one horizontal bar per series, with the figure after it), so
// that it reads the same on a 360 px phone and on a desktop: the SVG
// scales to the width it is given (viewBox), and bars never need more
// room across. Colours come from app.css (the bar's class), since the
// CSP allows no inline style.

// Geometry of a chart, in the viewBox's units.
const (
	chartWidth     = 320 // the viewBox's width: about a phone's, where the text is drawn at its size
	chartLabel     = 18  // the line of a group's name
	chartBar       = 11  // a bar's height
	chartBarGap    = 3   // between the bars of a group
	chartGroupGap  = 12  // after a group
	chartLegend    = 26  // the legend's line
	chartValueRoom = 96  // room kept right of the longest bar for its figure
	chartMaxRows   = 20  // groups drawn at most (the table has every row)
)

// chartSeries is one kind of bar: its CSS class, its legend and the
// value of a row, with the text written after the bar.
type chartSeries struct {
	Class, Label string
	value        func(reportRow) int64
	text         func(reportRow) string
}

// chart is one SVG chart, ready for the template.
type chart struct {
	ID            string // the prefix of its title's and description's IDs
	Title, Desc   string
	Width, Height int
	Capped        bool // rows were left out past chartMaxRows
	Legend        []chartLegendItem
	Groups        []chartGroup
}

// chartLegendItem is one series in the legend line.
type chartLegendItem struct {
	Class, Label string
	X, TextX     int
}

// chartGroup is one source: its name and its bars.
type chartGroup struct {
	Label  string
	LabelY int
	Bars   []chartBarShape
}

// chartBarShape is one bar: where it is, how long, and its figure.
type chartBarShape struct {
	Class        string
	Y, W         int
	Text         string
	TextX, TextY int
}

// newChart lays out rows as groups of the series' bars under a label
// (label(row)), on one scale: the largest value of any series spans the
// width left after the figures' room. A row whose every value is zero is
// left out (the table has it); of the others, the first chartMaxRows are
// drawn. A value of zero draws no bar, only its figure.
func newChart(id, title, desc string, rows []reportRow, label func(reportRow) string, series []chartSeries) chart {
	var drawn []reportRow
	for _, r := range rows {
		for _, s := range series {
			if s.value(r) != 0 {
				drawn = append(drawn, r)
				break
			}
		}
	}
	c := chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Capped: len(drawn) > chartMaxRows}
	rows = drawn[:min(len(drawn), chartMaxRows)]
	x := 0
	for _, s := range series {
		c.Legend = append(c.Legend, chartLegendItem{Class: s.Class, Label: s.Label, X: x, TextX: x + 14})
		x += 14 + 8*len([]rune(s.Label)) + 16 // a rough width of the label, for the next one
	}
	var top int64
	for _, r := range rows {
		for _, s := range series {
			top = max(top, s.value(r))
		}
	}
	span := int64(chartWidth - chartValueRoom)
	y := chartLegend
	for _, r := range rows {
		g := chartGroup{Label: label(r), LabelY: y + 13}
		y += chartLabel
		for _, s := range series {
			w := 0
			if v := s.value(r); v > 0 && top > 0 {
				w = max(1, int(v*span/top))
			}
			g.Bars = append(g.Bars, chartBarShape{Class: s.Class, Y: y, W: w, Text: s.text(r), TextX: w + 4, TextY: y + chartBar - 1})
			y += chartBar + chartBarGap
		}
		y += chartGroupGap
		c.Groups = append(c.Groups, g)
	}
	c.Height = y
	return c
}

// count writes a count for a chart's figure.
func count(n int64) string { return strconv.FormatInt(n, 10) }
