package agent

import (
	"strconv"
	"strings"
	"time"

	"linedesk/internal/i18n"
	"linedesk/internal/ticket"
)

// EventText tells one entry of the ticket's history in the agent's
// language, with names instead of ids.
func (d ticketPage) EventText(e ticket.Event) string {
	return eventWriter{L: d.L, Names: d.Names, Fields: d.Fields}.Text(e)
}

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
	case ticket.EventChanged:
		what = l.T("event.changed", "Field", d.fieldName(e.Field), "From", d.value(e.Field, e.From), "To", d.value(e.Field, e.To))
	default:
		what = l.T("event.other", "Kind", e.Kind, "To", e.To)
	}
	if e.Reason != "" {
		what += " — " + e.Reason
	}
	return who + ": " + what
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
