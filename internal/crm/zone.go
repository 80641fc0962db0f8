package crm

import "time"

// ZoneLabel names the time zone t is in for people: its abbreviation and
// its IANA name ("CET, Europe/Madrid"), or the abbreviation alone when
// the zone has no other name ("UTC"). Reminder times are shown with it,
// in the CLI and in the reminder e-mail, so that nobody elsewhere
// misreads them.
func ZoneLabel(t time.Time) string {
	abbr, _ := t.Zone()
	name := t.Location().String()
	if name == "" || name == "Local" || name == abbr {
		return abbr
	}
	return abbr + ", " + name
}
