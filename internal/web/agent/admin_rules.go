package agent

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/mailbox"
)

// ruleFromForm reads the form that adds a routing rule. Its inputs are
// named like the mailbox's error fields (rule.if.from…), so a refused
// rule's message names the input at fault.
func ruleFromForm(r *http.Request) (mailbox.Rule, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue("rule." + k)) }
	rule := mailbox.Rule{Name: v("name"), Stop: r.PostFormValue("rule.stop") == "on",
		If: mailbox.Condition{From: v("if.from"), FromDomain: v("if.from_domain"), To: v("if.to"),
			SubjectContains: v("if.subject_contains"), BodyContains: v("if.body_contains")},
		Then: mailbox.Action{Priority: v("then.priority"), Tags: formList(r, "rule.then.tags")}}
	var err error
	if rule.Then.GroupID, err = formID(r, "rule.then.group_id"); err != nil {
		return rule, err
	}
	if rule.Then.AssigneeID, err = formID(r, "rule.then.assignee_id"); err != nil {
		return rule, err
	}
	rule.Then.Line, err = formInt(r, "rule.then.line")
	return rule, err
}

// handleRuleAdd adds a routing rule after the mailbox's others.
func (s *Server) handleRuleAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	rule, err := ruleFromForm(r)
	failed := func(msg string, status int) error {
		return s.storedMailbox(w, r, id, mailboxView{rule: rule, msg: msg}, status)
	}
	if err != nil {
		return formFailed(r, err, failed)
	}
	m, err := s.Mailboxes.FindMailbox(r.Context(), id)
	if err != nil {
		return err
	}
	rules := append(slices.Clone(m.RoutingRules), rule)
	if _, err := s.Mailboxes.UpdateMailbox(r.Context(), id, mailbox.MailboxUpdate{RoutingRules: &rules}); err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/mailboxes/%d?ok=rule_added#rules", id))
	return nil
}

// handleRuleDelete deletes the mailbox's nth routing rule (from 0).
func (s *Server) handleRuleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	m, err := s.Mailboxes.FindMailbox(r.Context(), id)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(m.RoutingRules) {
		return apperr.NotFoundf("mailbox %d has no rule %q", id, r.PathValue("n"))
	}
	// The form names the rule it meant, so a list changed meanwhile does
	// not lose the wrong one.
	if name := r.PostFormValue("name"); name != "" && name != m.RoutingRules[n].Name {
		return s.showMailbox(w, r, m, mailboxView{msg: viewer(r).L.T("admin.rules.changed")}, http.StatusConflict)
	}
	rules := slices.Delete(slices.Clone(m.RoutingRules), n, n+1)
	if _, err := s.Mailboxes.UpdateMailbox(r.Context(), id, mailbox.MailboxUpdate{RoutingRules: &rules}); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			return s.showMailbox(w, r, m, mailboxView{msg: msg}, status)
		})
	}
	redirect(w, r, fmt.Sprintf("/admin/mailboxes/%d?ok=rule_deleted#rules", id))
	return nil
}
