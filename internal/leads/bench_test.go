package leads

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseFormWorstCase measures bodies of MaxBody built to make the
// parser work hardest: many distinct interests, many repeats of one
// unknown field, many distinct unknown fields.
func BenchmarkParseFormWorstCase(b *testing.B) {
	build := func(item func(i int) string) []byte {
		var sb strings.Builder
		for i := 0; sb.Len() < MaxBody; i++ {
			sb.WriteString(item(i))
		}
		return []byte(sb.String()[:MaxBody])
	}
	for name, body := range map[string][]byte{
		"interests":      build(func(i int) string { return fmt.Sprintf("interests=%d,", i) }),
		"repeated extra": build(func(i int) string { return "x=abc&" }),
		"distinct extra": build(func(i int) string { return fmt.Sprintf("f%d=v&", i) }),
		"repeated name":  build(func(i int) string { return "name=Ana&" }),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := ParseForm(formURLEncoded, body, nil, nil, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
