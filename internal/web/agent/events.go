package agent

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/assign"
	"linedesk/internal/i18n"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

// EventText tells one entry of the ticket's history in the agent's
// language, with names instead of ids.
func (d ticketPage) EventText(e ticket.Event) string {
	return eventWriter{L: d.L, Names: d.Names, Fields: d.Fields}.Text(e)
}

// IsAway reports whether an agent marked themselves away.
func (d ticketPage) IsAway(agentID int64) bool { return d.Names.away[agentID] }

// eventWriter tells history entries in an agent's words.
type eventWriter struct {
	L      *i18n.Localizer
	Names  lookups
	Fields []ticket.Field
}

// Text is one entry as a sentence: who did what.
func (d eventWriter) Text(e ticket.Event) string {
	l := d.L
	who := e.ActorName
	if who == "" {
		who = l.T("event.system")
	}
	var what string
	switch e.Kind {
	case ticket.EventCreated:
		what = l.T("event.created")
	case ticket.EventCommented:
		what = l.T("event.commented")
	case ticket.EventCommentEdited:
		what = l.T("event.comment_edited")
	case ticket.EventEscalated:
		what = l.T("event.escalated", "To", e.To)
	case ticket.EventMacro:
		what = l.T("event.macro", "To", e.To)
	case ticket.EventSLAWarning, ticket.EventSLABreached:
		// The stored reason is Linedesk's own English record; the entry is
		// told here in the agent's words.
		return who + ": " + l.T("event."+e.Kind, "Target", l.T("sla.target."+e.Field), "Due", d.when(e.To))
	case routing.EventRuleFailed:
		return l.T("event.rule_failed", "Rule", e.Field, "Why", e.To)
	case routing.EventRuleReplied:
		return l.T("event.rule_replied", "Rule", e.Field, "Reply", e.To)
	case assign.EventAssignFailed:
		return l.T("event.assign_failed", "Why", e.To)
	case ticket.EventChanged:
		if text, ok := d.automatic(e); ok {
			return text
		}
		what = l.T("event.changed", "Field", d.fieldName(e.Field), "From", d.value(e.Field, e.From), "To", d.value(e.Field, e.To))
	default:
		what = l.T("event.other", "Kind", e.Kind, "To", e.To)
	}
	if e.Reason != "" {
		what += " — " + e.Reason
	}
	return who + ": " + what
}

// returnedRE reads the reason of a ticket returned to its queue.
var returnedRE = regexp.MustCompile(`^` + assign.ReasonReturned + `: (.+) (away|off shift) for (\d+) min$`)

// automatic tells a change a rule or the assignment made in the agent's
// words: "rule 'VIP clients' set priority high", "assigned to Anna by
// round-robin".
func (d eventWriter) automatic(e ticket.Event) (string, bool) {
	l := d.L
	if e.ActorType != "system" {
		return "", false
	}
	if rule, ok := routing.RuleOfReason(e.Reason); ok {
		field := d.fieldName(e.Field)
		if slices.Contains(routing.ChangedFields, e.Field) {
			field = l.T("routing.changed." + e.Field)
		}
		if e.To == "" {
			return l.T("event.rule_cleared", "Rule", rule, "Field", field), true
		}
		to := d.value(e.Field, e.To)
		if e.Field == "priority" || e.Field == "type" || e.Field == "status" {
			to = strings.ToLower(to)
		}
		return l.T("event.rule_set", "Rule", rule, "Field", field, "To", to), true
	}
	if e.Field != "assignee_id" {
		return "", false
	}
	switch e.Reason {
	case assign.ReasonRoundRobin:
		return l.T("event.assigned_round_robin", "Agent", d.value(e.Field, e.To)), true
	case assign.ReasonLeastOpen:
		return l.T("event.assigned_least_open", "Agent", d.value(e.Field, e.To)), true
	}
	if m := returnedRE.FindStringSubmatch(e.Reason); m != nil {
		key := "event.returned_away"
		if m[2] == "off shift" {
			key = "event.returned_off_shift"
		}
		n, _ := strconv.Atoi(m[3])
		return l.N(key, n, "Agent", m[1]), true
	}
	return "", false
}

// when writes a stored RFC 3339 time in the agent's zone.
func (d eventWriter) when(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	return d.L.DateTime(t)
}

func (d eventWriter) fieldName(field string) string {
	if key, ok := strings.CutPrefix(field, "custom_fields."); ok {
		for _, f := range d.Fields {
			if f.Key == key {
				return f.Label
			}
		}
		return key
	}
	return d.L.T("field." + field)
}

// value shows a changed value as the agent knows it: a status in words, a
// group or agent by name.
func (d eventWriter) value(field, v string) string {
	if v == "" {
		return "—"
	}
	id, _ := strconv.ParseInt(v, 10, 64)
	switch field {
	case "status":
		return d.L.T("status." + v)
	case "priority":
		return d.L.T("priority." + v)
	case "type":
		return d.L.T("type." + v)
	case "group_id":
		if n, ok := d.Names.groupName[id]; ok {
			return n
		}
	case "assignee_id":
		if n, ok := d.Names.agentName[id]; ok {
			return n
		}
	}
	return v
}
