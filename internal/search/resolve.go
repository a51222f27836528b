package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// customerFields are the filters a customer may use: the others name the
// team's own organisation (groups, assignees, tags).
var customerFields = []string{"status", "priority", "type", "channel", "number"}

// maxResolved bounds how many companies, groups, agents or contacts one
// filter value may stand for ("company:acme" matching many names).
const maxResolved = 50

// resolve turns the query's filters and ticket numbers into conditions.
func (s *Service) resolve(ctx context.Context, v Viewer, q Query) ([]Condition, error) {
	var out []Condition
	if len(q.Numbers) > 0 {
		c := Condition{Key: KeyNumber}
		for _, n := range q.Numbers {
			c.Any = append(c.Any, strconv.FormatInt(n, 10))
		}
		out = append(out, c)
	}
	for _, f := range q.Filters {
		if !v.Internal() && !slices.Contains(customerFields, f.Field) {
			return nil, queryErr("not_available", f.Pos, fmt.Sprintf("the filter %s: is not available here", f.Field), f.Field)
		}
		c, err := s.resolveFilter(ctx, v, f)
		if err != nil {
			return nil, err
		}
		c.Not = f.Not
		out = append(out, c)
	}
	return out, nil
}

func (s *Service) resolveFilter(ctx context.Context, v Viewer, f Filter) (Condition, error) {
	switch f.Field {
	case "status":
		return enumCond(f, KeyStatus, "status", statusValues())
	case "priority":
		return enumCond(f, KeyPriority, "priority", strs(ticket.Priorities))
	case "type":
		return enumCond(f, KeyType, "type", strs(ticket.Types))
	case "channel":
		return enumCond(f, KeyChannel, "channel", strs(ticket.Channels))
	case "tag":
		return Condition{Key: KeyTag, Any: splitValues(f.Value)}, nil
	case "number":
		return Condition{Key: KeyNumber, Any: []string{f.Value}}, nil
	case "company":
		return s.named(ctx, f, KeyCompany, "company", s.companies)
	case "group":
		return s.named(ctx, f, KeyGroup, "group", s.groups)
	case "assignee":
		return s.assignee(ctx, v, f)
	case "from":
		return s.named(ctx, f, KeyFrom, "contact", s.contacts)
	}
	return Condition{}, queryErr("unknown_field", f.Pos, fmt.Sprintf("there is no filter %q", f.Field+":"), f.Field)
}

// unsolved is status:unsolved, every status before solved.
const unsolved = "unsolved"

func statusValues() []string { return append(strs(ticket.Statuses), unsolved) }

// enumCond checks a comma-separated list of known values.
func enumCond(f Filter, key, what string, allowed []string) (Condition, error) {
	c := Condition{Key: key}
	for _, v := range splitValues(f.Value) {
		if !slices.Contains(allowed, v) {
			return c, queryErr("bad_value", f.Pos, fmt.Sprintf("%q is not a %s; use one of %s", v, what,
				strings.Join(allowed, ", ")), v, what, strings.Join(allowed, ", "))
		}
		if v == unsolved {
			c.Any = append(c.Any, "new", "open", "pending", "on_hold")
			continue
		}
		c.Any = append(c.Any, v)
	}
	return c, nil
}

func splitValues(v string) []string {
	var out []string
	for _, part := range strings.Split(strings.ToLower(v), ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// named resolves a name (or "none") to the ids of the records it names:
// an exact name when one matches, else every name containing it.
func (s *Service) named(ctx context.Context, f Filter, key, what string,
	find func(ctx context.Context, value string) ([]int64, error)) (Condition, error) {
	if strings.EqualFold(f.Value, None) && key != KeyFrom {
		return Condition{Key: key, Any: []string{None}}, nil
	}
	ids, err := find(ctx, f.Value)
	if err != nil {
		return Condition{}, err
	}
	if len(ids) == 0 {
		return Condition{}, queryErr("no_match", f.Pos, fmt.Sprintf("no %s matches %q", what, f.Value), what, f.Value)
	}
	c := Condition{Key: key}
	for _, id := range ids {
		c.Any = append(c.Any, strconv.FormatInt(id, 10))
	}
	return c, nil
}

// exactOr keeps the records whose name is exactly the value when there
// are any: company:"Acme" means Acme, not also "Acme Holding".
func exactOr[T any](list []T, value string, name func(T) string, id func(T) int64) []int64 {
	var exact, all []int64
	for _, x := range list {
		all = append(all, id(x))
		if strings.EqualFold(strings.Join(strings.Fields(name(x)), " "), strings.Join(strings.Fields(value), " ")) {
			exact = append(exact, id(x))
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return all
}

func (s *Service) companies(ctx context.Context, value string) ([]int64, error) {
	list, _, err := s.dir.FindCompanies(ctx, directory.CompanyFilter{Q: value, Limit: maxResolved})
	if err != nil {
		return nil, err
	}
	return exactOr(list, value, func(c directory.Company) string { return c.Name },
		func(c directory.Company) int64 { return c.ID }), nil
}

func (s *Service) groups(ctx context.Context, value string) ([]int64, error) {
	list, _, err := s.dir.FindGroups(ctx, directory.GroupFilter{Q: value, Limit: maxResolved})
	if err != nil {
		return nil, err
	}
	return exactOr(list, value, func(g directory.Group) string { return g.Name },
		func(g directory.Group) int64 { return g.ID }), nil
}

// contacts resolves from: an address names its contact; other text the
// contacts whose name, address or phone contains it.
func (s *Service) contacts(ctx context.Context, value string) ([]int64, error) {
	f := directory.ContactFilter{Q: value, Limit: maxResolved}
	if strings.Contains(value, "@") {
		f = directory.ContactFilter{Email: value, Limit: 1}
	}
	list, _, err := s.dir.FindContacts(ctx, f)
	if err != nil {
		return nil, err
	}
	return exactOr(list, value, func(c directory.Contact) string { return c.Name },
		func(c directory.Contact) int64 { return c.ID }), nil
}

// assignee resolves assignee:me, assignee:none, an address or a name.
func (s *Service) assignee(ctx context.Context, v Viewer, f Filter) (Condition, error) {
	switch strings.ToLower(f.Value) {
	case "me":
		return Condition{Key: KeyAssignee, Any: []string{strconv.FormatInt(v.Agent.AgentID, 10)}}, nil
	case None:
		return Condition{Key: KeyAssignee, Any: []string{None}}, nil
	}
	if strings.Contains(f.Value, "@") {
		a, err := s.dir.FindAgentByEmail(ctx, f.Value)
		if apperr.Is(err, apperr.NotFound) {
			return Condition{}, queryErr("no_match", f.Pos, fmt.Sprintf("no agent matches %q", f.Value), "agent", f.Value)
		}
		if err != nil {
			return Condition{}, err
		}
		return Condition{Key: KeyAssignee, Any: []string{strconv.FormatInt(a.ID, 10)}}, nil
	}
	return s.named(ctx, f, KeyAssignee, "agent", func(ctx context.Context, value string) ([]int64, error) {
		list, _, err := s.dir.FindAgents(ctx, directory.AgentFilter{Q: value, Limit: maxResolved})
		if err != nil {
			return nil, err
		}
		return exactOr(list, value, func(a directory.Agent) string { return a.Name },
			func(a directory.Agent) int64 { return a.ID }), nil
	})
}
