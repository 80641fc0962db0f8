// Package remind holds the adapters that make a note's reminder fire at its
// aviso time: Scheduler arms one EventBridge Scheduler one-time schedule per
// note (production), Timer keeps an in-process timer per note (the local
// runtime). Both have the same Arm/Disarm methods, so the stream handler can
// drive either one.
//
// A reminder is at-least-once and may be late or stale: the function it
// invokes is expected to read the note again and compare its aviso time with
// Payload.AvisoAt before notifying anyone.
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

// scheduleName returns the schedule name for noteID, "note-<noteID>". It
// fails with CodeInvalid when the name would break Scheduler's rules
// (1..64 characters of [0-9a-zA-Z-_.]); the same rule is applied to the
// local Timer so both adapters accept exactly the same IDs.
func scheduleName(noteID string) (string, error) {
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
