package mailbox

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
)

// Rule is one routing rule of a mailbox: when every condition given in If
// holds for a new message, the fields given in Then apply to its ticket.
type Rule struct {
	Name string    `json:"name"`
	If   Condition `json:"if"`
	Then Action    `json:"then"`
	Stop bool      `json:"stop"` // no later rule is looked at once this one matched
}

// Condition is what a rule looks for. Empty fields are not checked; all
// others must hold. Comparisons ignore case (in any script).
type Condition struct {
	From            string `json:"from,omitempty"`        // the sender's address, exactly
	FromDomain      string `json:"from_domain,omitempty"` // the sender's domain or a subdomain of it
	To              string `json:"to,omitempty"`          // one of the recipients, exactly
	SubjectContains string `json:"subject_contains,omitempty"`
	BodyContains    string `json:"body_contains,omitempty"`
}

// Action is what a matching rule sets on the new ticket. Empty fields
// leave the value from the defaults or earlier rules; tags add up.
type Action struct {
	GroupID    *int64   `json:"group_id,omitempty"`
	Line       int      `json:"line,omitempty"`
	Priority   string   `json:"priority,omitempty"`
	AssigneeID *int64   `json:"assignee_id,omitempty"`
	Tags       []string `json:"tags,omitempty"`
}

// RouteInput is the message a mailbox routes.
type RouteInput struct {
	From    string   // the sender's address
	To      []string // the recipients (envelope, To, Cc)
	Subject string
	Body    string // plain text
}

// Routing is where a new ticket goes: the mailbox defaults overridden by
// the rules that matched, named in Rules in the order they applied.
type Routing struct {
	GroupID    *int64
	Line       int
	Priority   string
	AssigneeID *int64
	Tags       []string
	Language   string
	Rules      []string
}

// Route applies the mailbox's defaults, then its rules in order: a later
// matching rule overrides what an earlier one set, and a matching rule
// with Stop ends the evaluation.
func (m Mailbox) Route(in RouteInput) Routing {
	r := Routing{GroupID: m.DefaultGroupID, Line: m.DefaultLine, Priority: m.DefaultPriority,
		Language: m.DefaultLanguage, Tags: []string{}, Rules: []string{}}
	msg := foldedInput{
		from:    fold(strings.TrimSpace(in.From)),
		subject: fold(in.Subject),
		body:    fold(in.Body),
	}
	for _, to := range in.To {
		msg.to = append(msg.to, fold(strings.TrimSpace(to)))
	}
	for _, rule := range m.RoutingRules {
		if !rule.If.matches(msg) {
			continue
		}
		rule.Then.apply(&r)
		r.Rules = append(r.Rules, rule.Name)
		if rule.Stop {
			break
		}
	}
	return r
}

type foldedInput struct {
	from, subject, body string
	to                  []string
}

// fold is the case-insensitive form of s used on both sides of a match.
func fold(s string) string { return strings.ToLower(s) }

func (c Condition) matches(m foldedInput) bool {
	if c.From != "" && fold(c.From) != m.from {
		return false
	}
	if c.FromDomain != "" {
		d := fold(c.FromDomain)
		_, domain, _ := strings.Cut(m.from, "@")
		if domain != d && !strings.HasSuffix(domain, "."+d) {
			return false
		}
	}
	if c.To != "" && !slices.Contains(m.to, fold(c.To)) {
		return false
	}
	if c.SubjectContains != "" && !strings.Contains(m.subject, fold(c.SubjectContains)) {
		return false
	}
	if c.BodyContains != "" && !strings.Contains(m.body, fold(c.BodyContains)) {
		return false
	}
	return true
}

func (a Action) apply(r *Routing) {
	if a.GroupID != nil {
		id := *a.GroupID
		r.GroupID = &id
	}
	if a.Line != 0 {
		r.Line = a.Line
	}
	if a.Priority != "" {
		r.Priority = a.Priority
	}
	if a.AssigneeID != nil {
		id := *a.AssigneeID
		r.AssigneeID = &id
	}
	for _, t := range a.Tags {
		if !slices.Contains(r.Tags, t) {
			r.Tags = append(r.Tags, t)
		}
	}
}

// Limits of routing rules.
const (
	maxRules     = 100
	maxRuleText  = 500
	maxRuleTags  = 20
	maxTagLength = 64
)

// normalizeRules checks the rules' own values (the ids they name are
// checked against the database by the caller) and returns them cleaned.
func normalizeRules(rules []Rule) ([]Rule, error) {
	if len(rules) > maxRules {
		return nil, apperr.Field("routing_rules", "at most %d rules", maxRules)
	}
	out := make([]Rule, len(rules))
	for i, rule := range rules {
		field := fmt.Sprintf("routing_rules[%d]", i)
		var err error
		if out[i], err = normalizeRule(field, rule); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func normalizeRule(field string, r Rule) (Rule, error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || utf8.RuneCountInString(r.Name) > 200 {
		return r, apperr.Field(field+".name", "is required (at most 200 characters)")
	}
	c := &r.If
	var err error
	if c.From != "" {
		if c.From, err = directory.ValidEmail(field+".if.from", c.From); err != nil {
			return r, err
		}
	}
	if c.To != "" {
		if c.To, err = directory.ValidEmail(field+".if.to", c.To); err != nil {
			return r, err
		}
	}
	if c.FromDomain != "" {
		if c.FromDomain, err = ValidDomain(field+".if.from_domain", c.FromDomain); err != nil {
			return r, err
		}
	}
	for _, t := range []struct {
		name string
		v    *string
	}{{"subject_contains", &c.SubjectContains}, {"body_contains", &c.BodyContains}} {
		*t.v = strings.TrimSpace(*t.v)
		if utf8.RuneCountInString(*t.v) > maxRuleText {
			return r, apperr.Field(field+".if."+t.name, "must be at most %d characters", maxRuleText)
		}
	}
	if *c == (Condition{}) {
		return r, apperr.Field(field+".if", "needs at least one condition: from, from_domain, to, subject_contains or body_contains")
	}
	a := &r.Then
	if a.Line != 0 && (a.Line < 1 || a.Line > 4) {
		return r, apperr.Field(field+".then.line", "must be 1, 2, 3 or 4")
	}
	if a.Priority != "" && !slices.Contains(Priorities, a.Priority) {
		return r, apperr.Field(field+".then.priority", "must be one of %s", strings.Join(Priorities, ", "))
	}
	if a.Tags, err = normalizeTags(field+".then.tags", a.Tags); err != nil {
		return r, err
	}
	return r, nil
}

// normalizeTags lower-cases and de-duplicates tags as tickets keep them.
func normalizeTags(field string, tags []string) ([]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(tags))
	for _, raw := range tags {
		tag := strings.ToLower(strings.TrimSpace(raw))
		if tag == "" || utf8.RuneCountInString(tag) > maxTagLength || strings.ContainsFunc(tag, func(r rune) bool {
			return unicode.IsSpace(r) || r == ',' || unicode.IsControl(r)
		}) {
			return nil, apperr.Field(field, "%q is not a valid tag (1–64 characters, no spaces or commas)", raw)
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	if len(out) > maxRuleTags {
		return nil, apperr.Field(field, "at most %d tags", maxRuleTags)
	}
	return out, nil
}

// ValidDomain checks a domain name (a leading "@" is dropped) and returns
// it lower-case.
func ValidDomain(field, s string) (string, error) {
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	d = strings.TrimSuffix(d, ".")
	bad := d == "" || len(d) > 253 || !strings.Contains(d, ".") ||
		strings.ContainsFunc(d, func(r rune) bool {
			return !(r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r))
		})
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			bad = true
		}
	}
	if bad {
		return "", apperr.Field(field, "%q is not a valid domain name", s)
	}
	return d, nil
}
