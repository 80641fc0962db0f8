package inbound

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// htmlText turns an HTML body into plain text: blocks and <br> become
// line breaks, a <blockquote> becomes lines quoted with "> " (as mail
// clients quote), and scripts, styles and the head are dropped.
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	quote, skip := 0, 0
	lineStart, space := true, false
	newline := func() {
		b.WriteString("\n")
		lineStart, space = true, false
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			raw := string(z.Text())
			t := strings.Join(strings.Fields(raw), " ")
			if t == "" {
				space = space || raw != ""
				continue
			}
			if lineStart {
				b.WriteString(strings.Repeat("> ", quote))
				lineStart = false
			} else if space || strings.TrimLeftFunc(raw, unicode.IsSpace) != raw {
				b.WriteString(" ")
			}
			b.WriteString(t)
			space = strings.TrimRightFunc(raw, unicode.IsSpace) != raw
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch tag := string(name); tag {
			case "script", "style", "head", "title":
				skip++
			case "br":
				newline()
			case "blockquote":
				newline()
				quote++
			case "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "pre":
				if !lineStart {
					newline()
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "head", "title":
				if skip > 0 {
					skip--
				}
			case "blockquote":
				if quote > 0 {
					quote--
				}
				newline()
			case "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre":
				if !lineStart {
					newline()
				}
			}
		}
	}
}

// tidyText trims each line's trailing space and keeps at most one blank
// line in a row.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if strings.TrimSpace(strings.Trim(l, "> ")) == "" && strings.Trim(l, "> ") == "" {
			if blank++; blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
