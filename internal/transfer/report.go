package transfer

import (
	"fmt"
	"io"
	"time"
)

// Print writes the summary of a copy: the verification table (every kind
// of value counted and summed on both sides), then what was written, the
// files and the reminders.
func (r Report) Print(w io.Writer, o Options) {
	fmt.Fprintf(w, "Copied %s to %s in %s.\n\n", r.From, r.To, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-14s %8s %8s  %-12s\n", "kind", "source", "target", "checksum")
	for i, k := range r.Source {
		t := Kind{}
		if i < len(r.Target) {
			t = r.Target[i]
		}
		verdict := "ok"
		if t != k {
			verdict = "DIFFERS"
		}
		fmt.Fprintf(w, "%-14s %8d %8d  %-12s  %s\n", k.Name, k.Count, t.Count, k.Sum[:12], verdict)
	}
	fmt.Fprintln(w)
	switch {
	case r.To.DynamoDB():
		rate := ""
		if secs := r.Elapsed.Seconds(); secs > 0 {
			rate = fmt.Sprintf(", %.0f items/s", float64(r.Written)/secs)
		}
		fmt.Fprintf(w, "Wrote %d items (%d write units%s); %d were there already.\n", r.Written, r.Units, rate, r.Skipped)
	case r.Loaded:
		fmt.Fprintf(w, "Loaded %s in one transaction.\n", r.To)
	default:
		fmt.Fprintf(w, "%s held the whole copy already.\n", r.To)
	}
	files := 0
	for _, k := range r.Source {
		if k.Name == "files" {
			files = k.Count
		}
	}
	switch {
	case r.Files+r.FilesSkipped+r.FilesMissing > 0:
		fmt.Fprintf(w, "Files: %d contents copied (%d bytes), %d there already", r.Files, r.FileBytes, r.FilesSkipped)
		if r.FilesMissing > 0 {
			fmt.Fprintf(w, ", %d without content at the source (uploads never completed)", r.FilesMissing)
		}
		fmt.Fprintln(w, ".")
	case files > 0 && o.Bucket == nil && r.From.DynamoDB() != r.To.DynamoDB():
		fmt.Fprintf(w, "Files: the contents of %d files were not copied: add --files s3:BUCKET (the stack's FilesBucketName).\n", files)
	}
	switch {
	case r.Pending == 0:
	case !r.To.DynamoDB():
		fmt.Fprintf(w, "Reminders: %d pending; embudo serve arms them when it starts.\n", r.Pending)
	case r.Armed > 0:
		fmt.Fprintf(w, "Reminders: %d pending, %d armed in EventBridge Scheduler.\n", r.Pending, r.Armed)
	default:
		fmt.Fprintf(w, "Reminders: %d pending; the stack's hourly sweep sends each within the hour after its time "+
			"(add --reminder-function, --scheduler-role and --schedule-group to arm them on time).\n", r.Pending)
	}
	if bad := Mismatch(r.Source, r.Target); bad == "" && len(r.Target) > 0 {
		fmt.Fprintln(w, "Verified: every kind of value has the same count and checksum on both sides.")
	}
}
