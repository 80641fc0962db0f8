// Package remind is the one home of a note's reminder (aviso). Its domain
// side, Service, decides: as a note changes, its reminder is armed, moved
// or disarmed (or sent at once when its time has already come); when it
// fires, a note still due at that time gets its notify-note e-mail (through
// internal/notify) and is marked notified; the sweep sends every due
// reminder whose schedule was lost. The change core calls it for every
// change, the reminder function and `embudo serve` when a reminder fires
// or the sweep runs.
//
// What makes a reminder fire at its time is a crm.Scheduler: Timer here,
// an in-process timer per note (the local runtime), or the EventBridge
// Scheduler adapter in internal/remind/eventbridge (production), which is
// apart so that what links this package links no AWS code. Both name a
// note's schedule alike (ScheduleName) and fire with a Payload.
//
// A reminder is at-least-once and may be late or stale: Service.Remind
// reads the note again and compares its aviso time with Payload.AvisoAt
// before notifying anyone.
package remind

import (
	"fmt"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Payload is the event the reminder function receives (the schedule's
// Target.Input, or the argument of Timer.Fire): the note and the aviso time it
// was armed for. The receiver compares AvisoAt with the note's current aviso
// time to drop reminders that were re-armed or cleared since.
type Payload struct {
	NoteID  string    `json:"noteId"`
	AvisoAt time.Time `json:"avisoAt"`
}

// namePrefix starts every schedule name; the note ID follows it.
const namePrefix = "note-"

// maxNameLen is the longest schedule name EventBridge Scheduler accepts.
const maxNameLen = 64

// ScheduleName returns the schedule name for noteID, "note-<noteID>". It
// fails with CodeInvalid when the name would break Scheduler's rules
// (1..64 characters of [0-9a-zA-Z-_.]); the local Timer applies the same
// rule, so both accept exactly the same IDs.
func ScheduleName(noteID string) (string, error) {
	if noteID == "" {
		return "", crm.InvalidField("noteId", "is required")
	}
	name := namePrefix + noteID
	if len(name) > maxNameLen {
		return "", crm.InvalidField("noteId", fmt.Sprintf("is longer than %d characters", maxNameLen-len(namePrefix)))
	}
	for i := 0; i < len(noteID); i++ {
		if !nameByte(noteID[i]) {
			return "", crm.InvalidField("noteId", "may only hold letters, digits, '-', '_' and '.'")
		}
	}
	return name, nil
}

// nameByte reports whether c may appear in a schedule name.
func nameByte(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c == '-', c == '_', c == '.':
		return true
	}
	return false
}
