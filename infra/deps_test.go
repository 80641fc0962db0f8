package infra

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFunctionsLinkOnlyWhatTheyWire: each function links only the adapters
// and SDK clients its main builds (internal/awsenv imports none), so that
// the webhook, the API and the inbound function carry no SES, Scheduler or
// change-core code and the reminder function no Scheduler.
func TestFunctionsLinkOnlyWhatTheyWire(t *testing.T) {
	const mod = "github.com/embudo/embudo/"
	sesv2, scheduler := "github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/aws/aws-sdk-go-v2/service/scheduler"
	changes := []string{mod + "internal/stream", mod + "internal/notify", mod + "internal/mail", mod + "internal/remind"}
	for fn, never := range map[string][]string{
		"webhook":  append([]string{sesv2, scheduler, mod + "internal/blob"}, changes...),
		"api":      append([]string{sesv2, scheduler, mod + "internal/graph"}, changes...),
		"reminder": {scheduler, mod + "internal/remind", mod + "internal/graph", mod + "internal/blob", mod + "internal/httpapi"},
		"stream":   {mod + "internal/graph", mod + "internal/blob", mod + "internal/httpapi"},
		"inbound":  append([]string{sesv2, scheduler, mod + "internal/graph", mod + "internal/httpapi"}, changes...),
	} {
		out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "../functions/"+fn).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", fn, err, out)
		}
		deps := map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			deps[p] = true
		}
		for _, p := range never {
			if deps[p] {
				t.Errorf("functions/%s links %s, which it does not wire", fn, p)
			}
		}
	}
}
