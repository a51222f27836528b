package agent

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/i18n"
	"linedesk/internal/mailbox"
	"linedesk/internal/reply"
	"linedesk/internal/routing"
	"linedesk/internal/ticket"
)

func (s *Server) routingAdminRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/routing", s.handleRules},
		{"GET /admin/routing/new", s.handleRuleNew},
		{"POST /admin/routing", s.handleRuleCreate},
		{"GET /admin/routing/{id}", s.handleRuleEdit},
		{"POST /admin/routing/{id}", s.handleRuleSave},
		{"POST /admin/routing/{id}/delete", s.handleAutoRuleDelete},
		{"POST /admin/routing/{id}/move", s.handleRuleMove},
		{"POST /admin/routing/{id}/enabled", s.handleRuleEnabled},
		{"GET /admin/dryrun", s.handleDryRun},
		{"POST /admin/dryrun", s.handleDryRunRun},
	}
}

// option is one choice of a rule's value: an id and what people call it.
type option struct{ Value, Label string }

// ruleNames are the names of what rules refer to, by kind, for the
// editor's choices and the list's sentences.
type ruleNames struct {
	Options map[string][]option // by condition or action kind
	names   map[string]map[string]string
	Fields  []ticket.Field
	gone    string // "(deleted)" in the viewer's language
}

// Label names a value of a kind: a group's name for its id; an id of
// something deleted since says so.
func (n ruleNames) Label(kind, v string) string {
	if m, ok := n.names[kind]; ok {
		if name, ok := m[v]; ok {
			return name
		}
		if v != "" && strings.Trim(v, "0123456789") == "" && n.gone != "" {
			return "#" + v + " " + n.gone
		}
	}
	return v
}

// Labels names the ids among values ("1" → the company's name), or ""
// when no value is an id of something named.
func (n ruleNames) Labels(kind string, values []string) string {
	var out []string
	named := false
	for _, v := range values {
		label := n.Label(kind, v)
		named = named || (label != v && strings.Trim(v, "0123456789") == "")
		out = append(out, label)
	}
	if !named {
		return ""
	}
	return strings.Join(out, ", ")
}

func (s *Server) ruleNames(ctx context.Context, l *i18n.Localizer) (ruleNames, error) {
	n := ruleNames{Options: map[string][]option{}, names: map[string]map[string]string{}, gone: l.T("routing.gone")}
	add := func(kinds []string, v, label string) {
		for _, k := range kinds {
			n.Options[k] = append(n.Options[k], option{v, label})
			if n.names[k] == nil {
				n.names[k] = map[string]string{}
			}
			n.names[k][v] = label
		}
	}
	groups, _, err := s.Directory.FindGroups(ctx, directory.GroupFilter{Limit: 500})
	if err != nil {
		return n, err
	}
	add([]string{routing.CondGroup, routing.ActAssignee}, "none", l.T("routing.none"))
	for _, g := range groups {
		add([]string{routing.CondGroup, routing.ActGroup}, id64(g.ID), g.Name)
	}
	agents, _, err := s.Directory.FindAgents(ctx, directory.AgentFilter{Limit: 500})
	if err != nil {
		return n, err
	}
	for _, a := range agents {
		add([]string{routing.ActAssignee}, id64(a.ID), a.Name)
	}
	companies, _, err := s.Directory.FindCompanies(ctx, directory.CompanyFilter{Limit: 500})
	if err != nil {
		return n, err
	}
	for _, c := range companies {
		add([]string{routing.CondCompany}, id64(c.ID), c.Name)
	}
	plans, _, err := s.Directory.FindPlans(ctx, directory.PlanFilter{Limit: 500})
	if err != nil {
		return n, err
	}
	for _, p := range plans {
		add([]string{routing.CondPlan}, id64(p.ID), p.Name)
	}
	boxes, _, err := s.Mailboxes.FindMailboxes(ctx, mailbox.MailboxFilter{Limit: 500})
	if err != nil {
		return n, err
	}
	for _, m := range boxes {
		add([]string{routing.CondMailbox}, id64(m.ID), m.Address)
	}
	replies, err := s.Replies.List(ctx, auth.System(), reply.Filter{Kind: reply.Response, All: true})
	if err != nil {
		return n, err
	}
	for _, rp := range replies {
		add([]string{routing.ActReply}, id64(rp.ID), rp.Name)
	}
	for _, c := range ticket.Channels {
		add([]string{routing.CondChannel}, string(c), l.T("channel."+string(c)))
	}
	for _, p := range ticket.Priorities {
		add([]string{routing.CondPriority, routing.ActPriority}, string(p), l.T("priority."+string(p)))
	}
	for _, st := range ticket.Statuses {
		add([]string{routing.CondStatus}, string(st), l.T("status."+string(st)))
	}
	for _, ty := range ticket.Types {
		add([]string{routing.CondType, routing.ActType}, string(ty), l.T("type."+string(ty)))
	}
	for i := 1; i <= 4; i++ {
		add([]string{routing.CondLine, routing.ActLine}, strconv.Itoa(i), l.T("ticket.line_n", "N", i))
	}
	n.Fields, err = s.Tickets.FindFields(ctx)
	return n, err
}

func id64(v int64) string { return strconv.FormatInt(v, 10) }

// rulesPage lists the rules in order.
type rulesPage struct {
	adminPage
	Rules []routing.Rule
	Names ruleNames
}

func (s *Server) handleRules(w http.ResponseWriter, r *http.Request) error {
	data := rulesPage{adminPage: s.adminBase(r, "routing")}
	var err error
	if data.Rules, err = s.Routing.Rules(r.Context()); err != nil {
		return err
	}
	if data.Names, err = s.ruleNames(r.Context(), data.L); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_routing", data)
	return nil
}

// CondText tells a condition in words: "Subject has any of: printer".
func (p rulesPage) CondText(c routing.Condition) string { return condText(p.L, p.Names, c) }

// ActText tells an action in words: "Set group: Network".
func (p rulesPage) ActText(a routing.Action) string { return actText(p.L, p.Names, a) }

func condText(l *i18n.Localizer, n ruleNames, c routing.Condition) string {
	var vals []string
	for _, v := range c.Values {
		vals = append(vals, n.Label(c.Kind, v))
	}
	what := l.T("routing.cond." + c.Kind)
	if c.Key != "" {
		what += " «" + c.Key + "»"
	}
	if c.Op != "" {
		what += " " + l.T("routing.op."+c.Op)
	}
	if c.Kind == routing.CondTimeOfDay && len(vals) == 2 {
		what += " " + vals[0] + "–" + vals[1]
	} else if len(vals) > 0 {
		what += ": " + strings.Join(vals, ", ")
	}
	if c.Not {
		return l.T("routing.not", "What", what)
	}
	return what
}

func actText(l *i18n.Localizer, n ruleNames, a routing.Action) string {
	what := l.T("routing.act." + a.Kind)
	if a.Key != "" {
		what += " «" + a.Key + "»"
	}
	switch {
	case len(a.Values) > 0:
		return what + ": " + strings.Join(a.Values, ", ")
	case a.Value != "":
		return what + ": " + n.Label(a.Kind, a.Value)
	}
	return what
}

func (s *Server) handleRuleMove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "rule")
	if err != nil {
		return err
	}
	by := 1
	if r.PostFormValue("dir") == "up" {
		by = -1
	}
	if _, err := s.Routing.MoveRule(r.Context(), id, by, 0); err != nil {
		return err
	}
	redirect(w, r, "/admin/routing?ok=saved#rule-"+id64(id))
	return nil
}

func (s *Server) handleRuleEnabled(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "rule")
	if err != nil {
		return err
	}
	if _, err := s.Routing.SetEnabled(r.Context(), id, r.PostFormValue("enabled") == "1"); err != nil {
		return err
	}
	redirect(w, r, "/admin/routing?ok=saved#rule-"+id64(id))
	return nil
}

func (s *Server) handleAutoRuleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "rule")
	if err != nil {
		return err
	}
	if err := s.Routing.DeleteRule(r.Context(), id); err != nil {
		return err
	}
	redirect(w, r, "/admin/routing?ok=deleted")
	return nil
}

// ruleFieldRE reads a rule's field in an error: conditions[1].values.
var ruleFieldRE = regexp.MustCompile(`^(conditions|actions)\[(\d+)\](?:\.(\w+))?`)

// ruleFailed shows the editor again with what was wrong, naming the row.
func ruleFailed(r *http.Request, err error, show func(msg string, status int) error) error {
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid {
		return formFailed(r, err, show)
	}
	l := viewer(r).L
	m := ruleFieldRE.FindStringSubmatch(e.Field)
	if m == nil {
		label := l.T("routing.field." + e.Field)
		if strings.HasPrefix(label, "[") {
			label = e.Field
		}
		return show(label+": "+e.Message, statusOf(e.Code))
	}
	n, _ := strconv.Atoi(m[2])
	where := l.T("routing.field."+m[1]+"_n", "N", n+1)
	if m[3] != "" {
		where += ", " + l.T("routing.field.part."+m[3])
	}
	return show(fmt.Sprintf("%s: %s", where, e.Message), statusOf(e.Code))
}
