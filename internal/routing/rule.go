// Package routing runs the desk's routing and automation rules: ordered
// rules whose conditions are checked when a ticket is created or changes,
// and whose actions set its group, line, priority, type, assignee, tags
// and custom fields, or send a templated reply, each application written
// to the ticket's history in the rule's name.
package routing

import (
	"time"
)

// Condition kinds: what a condition looks at.
const (
	CondChannel      = "channel"       // Values: channels
	CondMailbox      = "mailbox"       // Values: mailbox ids
	CondCompany      = "company"       // Values: company ids
	CondPlan         = "plan"          // Values: plan ids (the plan the ticket is served under)
	CondRequester    = "requester"     // Values: contact ids
	CondEmailDomain  = "email_domain"  // Values: domains; subdomains match too
	CondSubject      = "subject"       // Op any/all/phrase, Values: words or one phrase (analyzed)
	CondBody         = "body"          // the description, same as subject
	CondCustomField  = "custom_field"  // Key, Op equals/contains, Values: one value
	CondPriority     = "priority"      // Values: priorities
	CondStatus       = "status"        // Values: statuses
	CondType         = "type"          // Values: types
	CondLine         = "line"          // Values: "1"…"4"
	CondGroup        = "group"         // Values: group ids, or "none"
	CondTags         = "tags"          // Op any/all, Values: tags
	CondTimeOfDay    = "time_of_day"   // Values: from, to ("HH:MM"; may cross midnight), in the plan's zone
	CondWorkingHours = "working_hours" // inside the plan's working hours (Not: outside)
)

// ConditionKinds lists the kinds in the order the editor offers them.
var ConditionKinds = []string{CondChannel, CondMailbox, CondCompany, CondPlan, CondRequester, CondEmailDomain,
	CondSubject, CondBody, CondCustomField, CondPriority, CondStatus, CondType, CondLine, CondGroup, CondTags,
	CondTimeOfDay, CondWorkingHours}

// Operators of word, tag and custom field conditions.
const (
	OpAny      = "any"      // any of the words or tags
	OpAll      = "all"      // every one of them
	OpPhrase   = "phrase"   // the words in this order
	OpEquals   = "equals"   // a custom field's value is this
	OpContains = "contains" // a custom field's text contains this (analyzed)
)

// Condition is one test a ticket must pass; Not turns it round.
type Condition struct {
	Kind   string   `json:"kind"`
	Op     string   `json:"op,omitempty"`
	Key    string   `json:"key,omitempty"` // the custom field's key
	Values []string `json:"values,omitempty"`
	Not    bool     `json:"not,omitempty"`
}

// Action kinds: what a rule does.
const (
	ActGroup      = "set_group"    // Value: group id
	ActLine       = "set_line"     // Value: 1…4
	ActPriority   = "set_priority" // Value: a priority
	ActType       = "set_type"     // Value: a type
	ActAssignee   = "set_assignee" // Value: agent id, or "none" to leave the ticket to its queue
	ActAddTags    = "add_tags"     // Values: tags
	ActRemoveTags = "remove_tags"  // Values: tags
	ActField      = "set_field"    // Key, Value (empty clears it)
	ActReply      = "reply"        // Value: canned response id; a public reply through the ticket's channel
)

// ActionKinds lists the kinds in the order the editor offers them.
var ActionKinds = []string{ActGroup, ActLine, ActPriority, ActType, ActAssignee, ActAddTags, ActRemoveTags, ActField,
	ActReply}

// Action is one thing a rule does to a ticket.
type Action struct {
	Kind   string   `json:"kind"`
	Key    string   `json:"key,omitempty"`
	Value  string   `json:"value,omitempty"`
	Values []string `json:"values,omitempty"`
}

// When a rule is looked at.
const (
	OnCreate = "created"
	OnUpdate = "updated"
	OnBoth   = "both"
)

// Rule is one routing or automation rule. Rules are looked at in
// Position order; every condition must hold; Stop ends the evaluation
// once the rule applied.
type Rule struct {
	ID           int64       `json:"id"`
	Name         string      `json:"name"`
	Position     int         `json:"position"`
	Enabled      bool        `json:"enabled"`
	When         string      `json:"when"`          // created, updated or both
	ChangedField string      `json:"changed_field"` // on updates: only when this field changed ("" any change)
	Conditions   []Condition `json:"conditions"`
	Actions      []Action    `json:"actions"`
	Stop         bool        `json:"stop"`
	Version      int64       `json:"version"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
	Stats        Stats       `json:"stats"`
}

// Stats tell how a rule has fared.
type Stats struct {
	Applied       int64      `json:"applied"`
	LastAppliedAt *time.Time `json:"last_applied_at"`
	Failed        int64      `json:"failed"`
	LastError     string     `json:"last_error"` // the last failure's reason, "" once the rule applied again since
	LastFailedAt  *time.Time `json:"last_failed_at"`
}

// Broken reports whether the rule's last attempt failed: it names a
// group, agent or reply that is gone, or a value a ticket no longer takes.
func (r Rule) Broken() bool { return r.Stats.LastError != "" }

// OnCreate reports whether the rule is looked at when a ticket is created.
func (r Rule) OnCreate() bool { return r.When == OnCreate || r.When == OnBoth }

// OnUpdate reports whether the rule is looked at when a ticket changes.
func (r Rule) OnUpdate() bool { return r.When == OnUpdate || r.When == OnBoth }

// Input creates or replaces a rule. Position 0 puts a new rule last.
type Input struct {
	Name         string      `json:"name"`
	Enabled      *bool       `json:"enabled"`
	When         string      `json:"when"`
	ChangedField string      `json:"changed_field"`
	Conditions   []Condition `json:"conditions"`
	Actions      []Action    `json:"actions"`
	Stop         bool        `json:"stop"`
}

// ChangedFields are the fields a rule on updates may wait for.
var ChangedFields = []string{"status", "priority", "type", "line", "group_id", "assignee_id", "company_id",
	"requester_id", "tags", "subject", "comment", "custom_fields"}
