package agent

import (
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/routing"
)

// ruleEditPage adds a rule or edits one (Rule.ID set): its settings, a
// row per condition and per action, and empty rows to add more.
type ruleEditPage struct {
	adminPage
	Rule  routing.Rule
	Names ruleNames
}

// extraRows are the empty rows the editor adds to those a rule has.
const extraRows = 2

// CondRows are the condition rows: the rule's, then empty ones.
func (p ruleEditPage) CondRows() []routing.Condition {
	return append(append([]routing.Condition{}, p.Rule.Conditions...), make([]routing.Condition, extraRows)...)
}

// ActRows are the action rows: the rule's, then empty ones.
func (p ruleEditPage) ActRows() []routing.Action {
	return append(append([]routing.Action{}, p.Rule.Actions...), make([]routing.Action, extraRows)...)
}

// CondKinds, ActKinds, Whens, Ops and ChangedFields are the editor's
// choices.
func (ruleEditPage) CondKinds() []string { return routing.ConditionKinds }
func (ruleEditPage) ActKinds() []string  { return routing.ActionKinds }
func (ruleEditPage) Whens() []string {
	return []string{routing.OnCreate, routing.OnUpdate, routing.OnBoth}
}
func (ruleEditPage) ChangedFields() []string { return routing.ChangedFields }
func (ruleEditPage) Ops() []string {
	return []string{routing.OpAny, routing.OpAll, routing.OpPhrase, routing.OpEquals, routing.OpContains}
}

// ValueText is a condition's values as the form shows them.
func (ruleEditPage) ValueText(c routing.Condition) string { return strings.Join(c.Values, ", ") }

// ActValue is an action's value as the form shows it.
func (ruleEditPage) ActValue(a routing.Action) string {
	if len(a.Values) > 0 {
		return strings.Join(a.Values, ", ")
	}
	return a.Value
}

func (s *Server) showRule(w http.ResponseWriter, r *http.Request, rule routing.Rule, msg string, status int) error {
	data := ruleEditPage{adminPage: s.adminBase(r, "routing"), Rule: rule}
	data.Error = msg
	var err error
	if data.Names, err = s.ruleNames(r.Context(), data.L); err != nil {
		return err
	}
	s.render(w, r, status, "admin_routing_rule", data)
	return nil
}

func (s *Server) handleRuleNew(w http.ResponseWriter, r *http.Request) error {
	return s.showRule(w, r, routing.Rule{Enabled: true, When: routing.OnCreate}, "", http.StatusOK)
}

func (s *Server) handleRuleEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "rule")
	if err != nil {
		return err
	}
	rule, err := s.Routing.FindRule(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showRule(w, r, rule, "", http.StatusOK)
}

// autoRuleFromForm reads the editor: cond.N.kind/op/key/values/not and
// act.N.kind/key/value rows; rows without a kind are left out. Values
// are comma-separated, except a phrase.
func autoRuleFromForm(r *http.Request) routing.Input {
	enabled := r.PostFormValue("enabled") == "1"
	in := routing.Input{Name: r.PostFormValue("name"), Enabled: &enabled, When: r.PostFormValue("when"),
		ChangedField: r.PostFormValue("changed_field"), Stop: r.PostFormValue("stop") == "1"}
	if in.When == routing.OnCreate {
		in.ChangedField = ""
	}
	rows := func(prefix string, fn func(key string)) {
		for i := 0; i < 100; i++ {
			key := prefix + "." + strconv.Itoa(i) + "."
			if _, ok := r.PostForm[key+"kind"]; !ok {
				return
			}
			if strings.TrimSpace(r.PostFormValue(key+"kind")) != "" {
				fn(key)
			}
		}
	}
	rows("cond", func(key string) {
		c := routing.Condition{Kind: r.PostFormValue(key + "kind"), Op: r.PostFormValue(key + "op"),
			Key: strings.TrimSpace(r.PostFormValue(key + "key")), Not: r.PostFormValue(key+"not") == "1"}
		raw := r.PostFormValue(key + "values")
		if c.Op == routing.OpPhrase {
			c.Values = []string{strings.TrimSpace(raw)}
		} else {
			c.Values = splitList(raw)
		}
		in.Conditions = append(in.Conditions, c)
	})
	rows("act", func(key string) {
		a := routing.Action{Kind: r.PostFormValue(key + "kind"), Key: strings.TrimSpace(r.PostFormValue(key + "key"))}
		v := r.PostFormValue(key + "value")
		if a.Kind == routing.ActAddTags || a.Kind == routing.ActRemoveTags {
			a.Values = splitList(v)
		} else {
			a.Value = strings.TrimSpace(v)
		}
		in.Actions = append(in.Actions, a)
	})
	return in
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// asRule is the input as the editor shows it again after a refusal.
func asRule(id, version int64, in routing.Input) routing.Rule {
	return routing.Rule{ID: id, Version: version, Name: in.Name, Enabled: in.Enabled != nil && *in.Enabled, When: in.When,
		ChangedField: in.ChangedField, Conditions: in.Conditions, Actions: in.Actions, Stop: in.Stop}
}

func (s *Server) handleRuleCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := autoRuleFromForm(r)
	if r.PostFormValue("more") == "1" {
		return s.showRule(w, r, asRule(0, 0, in), "", http.StatusOK)
	}
	rule, err := s.Routing.CreateRule(r.Context(), in)
	if err != nil {
		return ruleFailed(r, err, func(msg string, status int) error { return s.showRule(w, r, asRule(0, 0, in), msg, status) })
	}
	redirect(w, r, "/admin/routing?ok=created#rule-"+id64(rule.ID))
	return nil
}

func (s *Server) handleRuleSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "rule")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := autoRuleFromForm(r)
	if r.PostFormValue("more") == "1" {
		return s.showRule(w, r, asRule(id, version, in), "", http.StatusOK)
	}
	if _, err := s.Routing.UpdateRule(r.Context(), id, version, in); err != nil {
		return ruleFailed(r, err, func(msg string, status int) error {
			return s.showRule(w, r, asRule(id, version, in), msg, status)
		})
	}
	redirect(w, r, "/admin/routing?ok=saved#rule-"+id64(id))
	return nil
}
