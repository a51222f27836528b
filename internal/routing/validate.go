package routing

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/mailbox"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// Limits of a rule's definition.
const (
	maxConditions = 30
	maxActions    = 20
	maxValues     = 50
	maxValueLen   = 500
	maxNameLen    = 200
)

// normalize checks a rule's definition, naming the field at fault
// ("conditions[1].values"), and returns it cleaned. References to groups,
// agents and the rest are checked against the database in q.
func (s *Service) normalize(ctx context.Context, q db.Queryer, in Input) (Input, error) {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	if in.Name == "" || utf8.RuneCountInString(in.Name) > maxNameLen {
		return in, apperr.Field("name", "a rule needs a name (at most %d characters)", maxNameLen)
	}
	if in.When == "" {
		in.When = OnCreate
	}
	if !slices.Contains([]string{OnCreate, OnUpdate, OnBoth}, in.When) {
		return in, apperr.Field("when", "must be created, updated or both")
	}
	if in.ChangedField != "" && !slices.Contains(ChangedFields, in.ChangedField) {
		return in, apperr.Field("changed_field", "must be one of %s", strings.Join(ChangedFields, ", "))
	}
	if in.ChangedField != "" && in.When == OnCreate {
		return in, apperr.Field("changed_field", "only a rule looked at on updates waits for a changed field")
	}
	if len(in.Conditions) == 0 && in.When != OnCreate && in.ChangedField == "" {
		return in, apperr.Field("conditions", "a rule looked at on every change needs at least one condition "+
			"or a changed field to wait for")
	}
	if len(in.Conditions) > maxConditions {
		return in, apperr.Field("conditions", "at most %d conditions", maxConditions)
	}
	for i := range in.Conditions {
		if err := s.checkCondition(ctx, q, fmt.Sprintf("conditions[%d]", i), &in.Conditions[i]); err != nil {
			return in, err
		}
	}
	if len(in.Actions) == 0 && !in.Stop {
		return in, apperr.Field("actions", "a rule needs at least one action (or stop)")
	}
	if len(in.Actions) > maxActions {
		return in, apperr.Field("actions", "at most %d actions", maxActions)
	}
	for i := range in.Actions {
		if err := s.checkAction(ctx, q, fmt.Sprintf("actions[%d]", i), &in.Actions[i]); err != nil {
			return in, err
		}
	}
	return in, nil
}

func cleanValues(field string, vs []string) ([]string, error) {
	if len(vs) > maxValues {
		return nil, apperr.Field(field, "at most %d values", maxValues)
	}
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if utf8.RuneCountInString(v) > maxValueLen {
			return nil, apperr.Field(field, "a value is at most %d characters", maxValueLen)
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (s *Service) checkCondition(ctx context.Context, q db.Queryer, field string, c *Condition) error {
	if !slices.Contains(ConditionKinds, c.Kind) {
		return apperr.Field(field+".kind", "%q is not a condition; use one of %s", c.Kind, strings.Join(ConditionKinds, ", "))
	}
	var err error
	if c.Values, err = cleanValues(field+".values", c.Values); err != nil {
		return err
	}
	if c.Kind == CondWorkingHours {
		c.Values, c.Op = nil, ""
		return nil
	}
	if len(c.Values) == 0 {
		return apperr.Field(field+".values", "the condition needs a value")
	}
	vf := field + ".values"
	switch c.Kind {
	case CondChannel:
		return each(vf, c.Values, func(v string) bool { return ticket.Channel(v).Valid() }, "is not a channel")
	case CondPriority:
		return each(vf, c.Values, func(v string) bool { return ticket.Priority(v).Valid() }, "is not a priority")
	case CondStatus:
		return each(vf, c.Values, func(v string) bool { return ticket.Status(v).Valid() }, "is not a status")
	case CondType:
		return each(vf, c.Values, func(v string) bool { return ticket.Type(v).Valid() }, "is not a type")
	case CondLine:
		return each(vf, c.Values, func(v string) bool { n, err := strconv.Atoi(v); return err == nil && n >= 1 && n <= 4 },
			"is not a line (1–4)")
	case CondMailbox:
		return refs(ctx, q, vf, c.Values, "mailboxes", "mailbox", false)
	case CondCompany:
		return refs(ctx, q, vf, c.Values, "companies", "company", false)
	case CondPlan:
		return refs(ctx, q, vf, c.Values, "plans", "plan", false)
	case CondRequester:
		return refs(ctx, q, vf, c.Values, "contacts", "contact", false)
	case CondGroup:
		return refs(ctx, q, vf, c.Values, "groups", "group", true)
	case CondEmailDomain:
		for i, v := range c.Values {
			if c.Values[i], err = mailbox.ValidDomain(vf, v); err != nil {
				return err
			}
		}
	case CondSubject, CondBody:
		return checkWords(field, c)
	case CondTags:
		return checkTagOp(field, c)
	case CondCustomField:
		return s.checkFieldCondition(ctx, field, c)
	case CondTimeOfDay:
		return checkTimeOfDay(vf, c.Values)
	}
	return nil
}

func each(field string, vs []string, ok func(string) bool, what string) error {
	for _, v := range vs {
		if !ok(v) {
			return apperr.Field(field, "%q %s", v, what)
		}
	}
	return nil
}

// refs checks that every value is the id of a row of table; "none"
// stands for no row where noneOK.
func refs(ctx context.Context, q db.Queryer, field string, vs []string, table, what string, noneOK bool) error {
	for _, v := range vs {
		if noneOK && v == "none" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return apperr.Field(field, "%q is not a %s id", v, what)
		}
		ok, err := exists(ctx, q, `SELECT 1 FROM `+table+` WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Field(field, "no %s %d", what, id)
		}
	}
	return nil
}

func checkWords(field string, c *Condition) error {
	if c.Op == "" {
		c.Op = OpAny
	}
	if !slices.Contains([]string{OpAny, OpAll, OpPhrase}, c.Op) {
		return apperr.Field(field+".op", "must be any, all or phrase")
	}
	if c.Op == OpPhrase && len(c.Values) != 1 {
		return apperr.Field(field+".values", "a phrase is one value")
	}
	if c.Op != OpPhrase {
		var words []string
		for _, v := range c.Values {
			words = append(words, strings.Fields(v)...)
		}
		c.Values, _ = cleanValues(field+".values", words)
	}
	return nil
}

func checkTagOp(field string, c *Condition) error {
	if c.Op == "" {
		c.Op = OpAny
	}
	if c.Op != OpAny && c.Op != OpAll {
		return apperr.Field(field+".op", "must be any or all")
	}
	for i, v := range c.Values {
		c.Values[i] = strings.ToLower(v)
		if strings.ContainsFunc(v, unicode.IsSpace) || strings.Contains(v, ",") {
			return apperr.Field(field+".values", "%q is not a tag (no spaces or commas)", v)
		}
	}
	return nil
}

func (s *Service) checkFieldCondition(ctx context.Context, field string, c *Condition) error {
	if c.Op == "" {
		c.Op = OpEquals
	}
	if c.Op != OpEquals && c.Op != OpContains {
		return apperr.Field(field+".op", "must be equals or contains")
	}
	if len(c.Values) != 1 {
		return apperr.Field(field+".values", "a custom field condition takes one value")
	}
	return s.checkFieldKey(ctx, field+".key", c.Key)
}

func (s *Service) checkFieldKey(ctx context.Context, field, key string) error {
	if strings.TrimSpace(key) == "" {
		return apperr.Field(field, "name the custom field")
	}
	fields, err := s.tickets.FindFields(ctx)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if f.Key == key {
			return nil
		}
	}
	return apperr.Field(field, "no custom field %q", key)
}

// checkTimeOfDay checks a window "from", "to"; one whose end is before
// its start runs past midnight.
func checkTimeOfDay(field string, vs []string) error {
	if len(vs) != 2 {
		return apperr.Field(field, "a time of day is a window: from and to (HH:MM)")
	}
	for i, v := range vs {
		if _, err := sla.ParseTimeOfDay(v); err != nil {
			return apperr.Field(fmt.Sprintf("%s[%d]", field, i), "%s", err.Error())
		}
	}
	if vs[0] == vs[1] {
		return apperr.Field(field, "the window %s–%s is empty", vs[0], vs[1])
	}
	return nil
}

func (s *Service) checkAction(ctx context.Context, q db.Queryer, field string, a *Action) error {
	a.Value = strings.TrimSpace(a.Value)
	vf := field + ".value"
	switch a.Kind {
	case ActGroup:
		return refs(ctx, q, vf, []string{a.Value}, "groups", "group", false)
	case ActAssignee:
		return refs(ctx, q, vf, []string{a.Value}, "agents", "agent", true)
	case ActReply:
		return refs(ctx, q, vf, []string{a.Value}, "replies", "canned response", false)
	case ActLine:
		return each(vf, []string{a.Value}, func(v string) bool { n, err := strconv.Atoi(v); return err == nil && n >= 1 && n <= 4 },
			"is not a line (1–4)")
	case ActPriority:
		return each(vf, []string{a.Value}, func(v string) bool { return ticket.Priority(v).Valid() }, "is not a priority")
	case ActType:
		return each(vf, []string{a.Value}, func(v string) bool { return ticket.Type(v).Valid() }, "is not a type")
	case ActAddTags, ActRemoveTags:
		c := Condition{Values: a.Values}
		var err error
		if c.Values, err = cleanValues(field+".values", c.Values); err != nil {
			return err
		}
		if len(c.Values) == 0 {
			return apperr.Field(field+".values", "name at least one tag")
		}
		if err := checkTagOp(field, &Condition{Op: OpAny, Values: c.Values}); err != nil {
			return err
		}
		a.Values = c.Values
		for i := range a.Values {
			a.Values[i] = strings.ToLower(a.Values[i])
		}
		return nil
	case ActField:
		return s.checkFieldKey(ctx, field+".key", a.Key)
	default:
		return apperr.Field(field+".kind", "%q is not an action; use one of %s", a.Kind, strings.Join(ActionKinds, ", "))
	}
}

func exists(ctx context.Context, q db.Queryer, query string, args ...any) (bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("routing: %w", err)
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}
