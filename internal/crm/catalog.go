package crm

import (
	"regexp"
	"strings"
	"time"
)

// Source is where contacts come from (a campaign, a fair, a web form), with
// what it cost, for the ROI report.
type Source struct {
	ID           string
	Name         string
	Observations string
	CostCents    int64
	Webhook      *Webhook // nil: no lead webhook
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

// Normalize validates the source; CodeInvalid names each bad field.
func (s *Source) Normalize() error {
	f := fieldErrors{}
	requireText(f, "name", &s.Name, 100)
	cleanText(f, "observations", &s.Observations, MaxObservationLen)
	if s.CostCents < 0 {
		f.add("costCents", "must not be negative")
	}
	if s.Webhook != nil {
		if err := s.Webhook.Normalize(); err != nil {
			for k, v := range FieldsOf(err) {
				f.add(k, v)
			}
		}
	}
	return f.err()
}

// Interest is a product or service contacts may be interested in.
type Interest struct {
	ID           string
	Name         string
	Observations string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

// Normalize validates the interest; CodeInvalid names each bad field.
func (i *Interest) Normalize() error {
	f := fieldErrors{}
	requireText(f, "name", &i.Name, 100)
	cleanText(f, "observations", &i.Observations, MaxObservationLen)
	return f.err()
}

// Agent is a sales agent (agente comercial), who may be linked to a user.
type Agent struct {
	ID        string
	Code      string
	Name      string
	Email     string
	Active    bool
	UserID    string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

var agentCode = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,20}$`)

// Normalize validates the agent; CodeInvalid names each bad field.
func (a *Agent) Normalize() error {
	f := fieldErrors{}
	a.Code = strings.ToUpper(strings.TrimSpace(a.Code))
	if !agentCode.MatchString(a.Code) {
		f.add("code", "must be 1 to 20 letters, digits, '.', '_' or '-'")
	}
	requireText(f, "name", &a.Name, MaxNameLen)
	if e, ok := NormalizeEmail(a.Email); ok {
		a.Email = e
	} else {
		f.add("email", "is not a valid e-mail address")
	}
	checkRef(f, "userId", &a.UserID)
	return f.err()
}

// Outcome says whether a pipeline state is open, won or lost.
type Outcome string

// The outcomes of a state.
const (
	OutcomeOpen Outcome = "open"
	OutcomeWon  Outcome = "won"
	OutcomeLost Outcome = "lost"
)

// State is a stage of the sales pipeline.
type State struct {
	ID        string
	Name      string
	Order     int
	Color     string // #rrggbb
	Default   bool
	Outcome   Outcome
	ShowTab   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

var hexColor = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// Normalize validates the state; CodeInvalid names each bad field.
func (s *State) Normalize() error {
	f := fieldErrors{}
	requireText(f, "name", &s.Name, 50)
	if s.Order < 0 || s.Order > 1_000_000 {
		f.add("order", "must be between 0 and 1000000")
	}
	s.Color = strings.ToLower(strings.TrimSpace(s.Color))
	if s.Color != "" && !hexColor.MatchString(s.Color) {
		f.add("color", "must be a colour like #1a2b3c")
	}
	switch s.Outcome {
	case "":
		s.Outcome = OutcomeOpen
	case OutcomeOpen, OutcomeWon, OutcomeLost:
	default:
		f.add("outcome", "must be open, won or lost")
	}
	if s.Default && s.Outcome != OutcomeOpen {
		f.add("default", "the default state must have outcome open")
	}
	return f.err()
}

// Closed reports whether the state ends an opportunity (won or lost).
func (s State) Closed() bool { return s.Outcome == OutcomeWon || s.Outcome == OutcomeLost }

// SeedStates returns the pipeline states a new installation starts with,
// named in Spanish as the product Embudo replaces names them.
func SeedStates() []State {
	return []State{
		{Name: "Nuevo", Order: 100, Color: "#3b82f6", Default: true, Outcome: OutcomeOpen, ShowTab: true},
		{Name: "En negociación", Order: 110, Color: "#f59e0b", Outcome: OutcomeOpen, ShowTab: true},
		{Name: "Presupuestado", Order: 120, Color: "#8b5cf6", Outcome: OutcomeOpen, ShowTab: true},
		{Name: "Ganado", Order: 130, Color: "#10b981", Outcome: OutcomeWon, ShowTab: true},
		{Name: "Perdido", Order: 140, Color: "#ef4444", Outcome: OutcomeLost, ShowTab: true},
	}
}
