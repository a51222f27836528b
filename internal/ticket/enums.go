package ticket

import (
	"slices"
	"strconv"
)

// Status is where a ticket stands.
type Status string

// The statuses. Pending waits for the customer; on hold waits for a third
// party; closed is final.
const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusPending Status = "pending"
	StatusOnHold  Status = "on_hold"
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// transitions lists where each status may go. "new" is only ever the
// first status; "closed" is final and is reached from "solved" (a ticket
// is solved first, then archived).
var transitions = map[Status][]Status{
	StatusNew:     {StatusOpen, StatusPending, StatusOnHold, StatusSolved},
	StatusOpen:    {StatusPending, StatusOnHold, StatusSolved},
	StatusPending: {StatusOpen, StatusOnHold, StatusSolved},
	StatusOnHold:  {StatusOpen, StatusPending, StatusSolved},
	StatusSolved:  {StatusOpen, StatusClosed},
	StatusClosed:  {},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// CanBecome reports whether a ticket in status s may move to next.
func (s Status) CanBecome(next Status) bool {
	return slices.Contains(transitions[s], next)
}

// Priority is how urgent a ticket is.
type Priority string

// The priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// Rank orders priorities: low 0 … urgent 3.
func (p Priority) Rank() int { return slices.Index(Priorities, p) }

// Type is the kind of request.
type Type string

// The ticket types.
const (
	TypeQuestion Type = "question"
	TypeIncident Type = "incident"
	TypeProblem  Type = "problem"
	TypeRequest  Type = "request"
)

// Types lists every ticket type.
var Types = []Type{TypeQuestion, TypeIncident, TypeProblem, TypeRequest}

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Channel is where a ticket or comment came from.
type Channel string

// The channels.
const (
	ChannelEmail    Channel = "email"
	ChannelWebForm  Channel = "web_form"
	ChannelPortal   Channel = "portal"
	ChannelAPI      Channel = "api"
	ChannelTelegram Channel = "telegram"
	ChannelPhone    Channel = "phone"
	ChannelMonitor  Channel = "monitor"
	ChannelWeb      Channel = "web" // the agent workspace; for comments only
)

// Channels lists the channels a ticket may arrive by.
var Channels = []Channel{ChannelEmail, ChannelWebForm, ChannelPortal, ChannelAPI, ChannelTelegram, ChannelPhone, ChannelMonitor}

// Valid reports whether c is a channel a ticket may arrive by.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
