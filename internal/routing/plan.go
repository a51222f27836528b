package routing

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"linedesk/internal/ticket"
)

// Change is one field a rule changes, as the history will tell it.
type Change struct {
	Field string `json:"field"` // group_id, line, priority, type, assignee_id, tags, custom_fields.KEY, reply
	From  string `json:"from"`
	To    string `json:"to"`
}

// plan works out the update a rule's actions make to t, what each
// changes, and the reply it sends (nil: none). Actions that would set
// what the ticket has already change nothing.
func (s *Service) plan(r *compiled, t ticket.Ticket) (ticket.Update, []Change, *int64) {
	var u ticket.Update
	var changes []Change
	var replyID *int64
	tags := slices.Clone(t.Tags)
	for _, a := range r.Actions {
		switch a.Kind {
		case ActGroup:
			setRef(&u.GroupID, &changes, "group_id", t.GroupID, a.Value)
		case ActAssignee:
			setRef(&u.AssigneeID, &changes, "assignee_id", t.AssigneeID, a.Value)
		case ActLine:
			n, _ := strconv.Atoi(a.Value)
			if n != t.Line {
				u.Line = &n
				changes = append(changes, Change{"line", strconv.Itoa(t.Line), a.Value})
			}
		case ActPriority:
			if p := ticket.Priority(a.Value); p != t.Priority {
				u.Priority = &p
				changes = append(changes, Change{"priority", string(t.Priority), a.Value})
			}
		case ActType:
			if ty := ticket.Type(a.Value); ty != t.Type {
				u.Type = &ty
				changes = append(changes, Change{"type", string(t.Type), a.Value})
			}
		case ActAddTags:
			for _, tag := range a.Values {
				if !slices.Contains(tags, tag) {
					tags = append(tags, tag)
				}
			}
		case ActRemoveTags:
			tags = slices.DeleteFunc(tags, func(tag string) bool { return slices.Contains(a.Values, tag) })
		case ActField:
			setField(&u, &changes, t, a, r.fieldTypes[a.Key])
		case ActReply:
			id, _ := strconv.ParseInt(a.Value, 10, 64)
			replyID = &id
			changes = append(changes, Change{Field: "reply", To: a.Value})
		}
	}
	if !sameTags(tags, t.Tags) {
		u.Tags = &tags
		changes = append(changes, Change{"tags", strings.Join(t.Tags, ","), strings.Join(tags, ",")})
	}
	return u, changes, replyID
}

func setRef(dst *ticket.IDChange, changes *[]Change, field string, cur *int64, value string) {
	var next *int64
	if value != "none" {
		id, _ := strconv.ParseInt(value, 10, 64)
		next = &id
	}
	if idString(cur) == idString(next) {
		return
	}
	*dst = ticket.IDChange{Set: true, ID: next}
	*changes = append(*changes, Change{field, idString(cur), idString(next)})
}

func setField(u *ticket.Update, changes *[]Change, t ticket.Ticket, a Action, typ ticket.FieldType) {
	var v any
	if a.Value != "" {
		v = a.Value
		switch typ {
		case ticket.FieldNumber:
			if n, err := strconv.ParseFloat(a.Value, 64); err == nil {
				v = n
			}
		case ticket.FieldCheckbox:
			v = a.Value == "true" || a.Value == "1" || a.Value == "yes"
		}
	}
	cur := t.CustomFields[a.Key]
	if valueString(cur) == valueString(v) {
		return
	}
	if u.CustomFields == nil {
		u.CustomFields = map[string]any{}
	}
	u.CustomFields[a.Key] = v
	*changes = append(*changes, Change{"custom_fields." + a.Key, valueString(cur), valueString(v)})
}

func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func sameTags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func idString(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// Step is what one rule did (or would do) in a run.
type Step struct {
	Rule            Rule     `json:"rule"`
	Matched         bool     `json:"matched"`
	FailedCondition int      `json:"failed_condition"` // the condition that did not hold, -1 when all did
	Changes         []Change `json:"changes"`
	ReplyID         *int64   `json:"reply_id,omitempty"`
	Stopped         bool     `json:"stopped"` // the rule's stop ended the run here
	Error           string   `json:"error,omitempty"`
}

// trace collects the steps of a dry run.
type trace struct {
	steps []Step
}

type traceKey struct{}

func traceOf(ctx context.Context) *trace {
	t, _ := ctx.Value(traceKey{}).(*trace)
	return t
}

func (t *trace) add(s ...Step) {
	if t == nil {
		return
	}
	t.steps = append(t.steps, s...)
}

// simulate is t with u applied, as the ticket service will apply it: the
// state the next rules look at.
func simulate(t ticket.Ticket, u ticket.Update) ticket.Ticket {
	if u.GroupID.Set {
		t.GroupID = u.GroupID.ID
	}
	if u.AssigneeID.Set {
		t.AssigneeID = u.AssigneeID.ID
	}
	if u.Priority != nil {
		t.Priority = *u.Priority
	}
	if u.Type != nil {
		t.Type = *u.Type
	}
	if u.Line != nil {
		t.Line = *u.Line
	}
	if u.Tags != nil {
		t.Tags = slices.Clone(*u.Tags)
	}
	if len(u.CustomFields) > 0 {
		fields := maps.Clone(t.CustomFields)
		if fields == nil {
			fields = map[string]any{}
		}
		for k, v := range u.CustomFields {
			if v == nil {
				delete(fields, k)
			} else {
				fields[k] = v
			}
		}
		t.CustomFields = fields
	}
	return t
}
