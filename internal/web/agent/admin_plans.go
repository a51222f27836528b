package agent

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

func (s *Server) planRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/plans", s.handlePlans},
		{"GET /admin/plans/new", s.handlePlanNew},
		{"POST /admin/plans", s.handlePlanCreate},
		{"GET /admin/plans/{id}", s.handlePlan},
		{"POST /admin/plans/{id}", s.handlePlanSave},
		{"POST /admin/plans/{id}/delete", s.handlePlanDelete},
	}
}

type plansPage struct {
	adminPage
	Plans     []sla.Plan
	Calendars map[int64]string
	Q         string
	Pager     pager
}

func (s *Server) handlePlans(w http.ResponseWriter, r *http.Request) error {
	data := plansPage{adminPage: s.adminBase(r, "plans"), Q: r.URL.Query().Get("q")}
	list, total, err := s.SLA.FindPlans(r.Context(), directory.PlanFilter{Q: data.Q, Offset: listOffset(r), Limit: adminPerPage})
	if err != nil {
		return err
	}
	data.Plans, data.Pager = list, newPager(r, total)
	cals, err := s.calendars(r.Context())
	if err != nil {
		return err
	}
	data.Calendars = map[int64]string{}
	for _, c := range cals {
		data.Calendars[c.ID] = c.Name
	}
	s.render(w, r, http.StatusOK, "admin_plans", data)
	return nil
}

// planRow is one priority's targets in the list.
type planRow struct {
	Priority ticket.Priority
	sla.Targets
}

// Rows are a plan's targets, most urgent first, for the priorities that
// have any.
func (plansPage) Rows(p sla.Plan) []planRow {
	var out []planRow
	for _, pr := range (planPage{}).Priorities() {
		if tg, ok := p.Targets[pr]; ok {
			out = append(out, planRow{pr, tg})
		}
	}
	return out
}

func (s *Server) calendars(ctx context.Context) ([]*sla.Calendar, error) {
	list, _, err := s.SLA.FindCalendars(ctx, sla.CalendarFilter{Limit: 500})
	return list, err
}

// planPage adds a plan or edits one (P.ID set).
type planPage struct {
	adminPage
	P           sla.PlanInput
	ID          int64
	Rate        string // the hourly rate as typed, e.g. 45.50
	Calendars   []*sla.Calendar
	Groups      []directory.Group
	Supervisors []directory.Agent
}

// Priorities are the rows of the targets table, most urgent first.
func (planPage) Priorities() []ticket.Priority {
	return []ticket.Priority{ticket.PriorityUrgent, ticket.PriorityHigh, ticket.PriorityNormal, ticket.PriorityLow}
}

// Targets are the columns of the targets table.
func (planPage) Targets() []sla.Target { return sla.AllTargets }

// Minutes is a target's value in the form, as typed; "" when none is set.
func (p planPage) Minutes(pr ticket.Priority, t sla.Target) string {
	if m := p.P.Targets[pr].Minutes(t); m != 0 {
		return strconv.Itoa(m)
	}
	return ""
}

// Channel reports whether the plan allows a channel.
func (p planPage) Channel(c ticket.Channel) bool { return p.P.AllowsChannel(c) }

// EscalatesOn reports whether a breach of t escalates.
func (p planPage) EscalatesOn(t sla.Target) bool { return p.P.Escalation.Acts(t) }

func (s *Server) showPlan(w http.ResponseWriter, r *http.Request, id int64, in sla.PlanInput, rate, msg string, status int) error {
	data := planPage{adminPage: s.adminBase(r, "plans"), P: in, ID: id, Rate: rate}
	data.Error = msg
	var err error
	if data.Calendars, err = s.calendars(r.Context()); err != nil {
		return err
	}
	if data.Groups, _, err = s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500}); err != nil {
		return err
	}
	agents, _, err := s.Directory.FindAgents(r.Context(), directory.AgentFilter{Limit: 500})
	if err != nil {
		return err
	}
	for _, a := range agents {
		if a.Active && (a.Role == auth.RoleSupervisor || a.Role == auth.RoleAdmin) {
			data.Supervisors = append(data.Supervisors, a)
		}
	}
	s.render(w, r, status, "admin_plan", data)
	return nil
}

func (s *Server) handlePlanNew(w http.ResponseWriter, r *http.Request) error {
	in := sla.NewPlanInput()
	in.Escalation.On = sla.AllTargets
	return s.showPlan(w, r, 0, in, "", "", http.StatusOK)
}

func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "plan")
	if err != nil {
		return err
	}
	p, err := s.SLA.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	in := sla.PlanInput{Name: p.Name, Description: p.Description, Terms: p.Terms}
	return s.showPlan(w, r, id, in, formatCents(p.HourlyRateCents), "", http.StatusOK)
}

func (s *Server) handlePlanCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := planFromForm(r)
	failed := func(msg string, status int) error {
		return s.showPlan(w, r, 0, in, r.PostFormValue("rate"), msg, status)
	}
	if err != nil {
		return formFailed(r, err, failed)
	}
	p, err := s.SLA.CreatePlan(r.Context(), in)
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/plans/%d?ok=created", p.ID))
	return nil
}

func (s *Server) handlePlanSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "plan")
	if err != nil {
		return err
	}
	in, err := planFromForm(r)
	failed := func(msg string, status int) error {
		return s.showPlan(w, r, id, in, r.PostFormValue("rate"), msg, status)
	}
	if err != nil {
		return formFailed(r, err, failed)
	}
	if _, err := s.SLA.UpdatePlan(r.Context(), id, in); err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/plans/%d?ok=saved", id))
	return nil
}

// handlePlanDelete deletes a plan no company uses; one in use stays, and
// its page says why.
func (s *Server) handlePlanDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "plan")
	if err != nil {
		return err
	}
	if err := s.SLA.DeletePlan(r.Context(), id); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			p, err := s.SLA.FindPlan(r.Context(), id)
			if err != nil {
				return err
			}
			return s.showPlan(w, r, id, sla.PlanInput{Name: p.Name, Description: p.Description, Terms: p.Terms},
				formatCents(p.HourlyRateCents), msg, status)
		})
	}
	redirect(w, r, "/admin/plans?ok=deleted")
	return nil
}

// planFromForm reads the plan form. It returns what it could read with
// the first error, so the form shows again as typed.
func planFromForm(r *http.Request) (sla.PlanInput, error) {
	in := sla.NewPlanInput()
	in.Name, in.Description = r.PostFormValue("name"), r.PostFormValue("description")
	in.IsDefault, in.PortalAccess = r.PostFormValue("is_default") != "", r.PostFormValue("portal_access") != ""
	in.PauseOnHold = r.PostFormValue("pause_on_hold") != ""
	in.Currency = r.PostFormValue("currency")
	in.Channels = nil
	for _, c := range r.PostForm["channels"] {
		in.Channels = append(in.Channels, ticket.Channel(c))
	}
	e := &in.Escalation
	e.NextLine, e.RaisePriority = r.PostFormValue("escalation.next_line") != "", r.PostFormValue("escalation.raise_priority") != ""
	e.On = nil
	for _, t := range r.PostForm["escalation.on"] {
		e.On = append(e.On, sla.Target(t))
	}
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	in.CalendarID, err = formID(r, "calendar_id")
	note(err)
	e.GroupID, err = formID(r, "escalation.group_id")
	note(err)
	e.NotifyAgentID, err = formID(r, "escalation.notify_agent_id")
	note(err)
	in.WarnPercent, err = formInt(r, "warn_percent")
	note(err)
	in.IncludedHours, err = formNumber(r, "included_hours")
	note(err)
	in.HourlyRateCents, err = formCents(r, "rate")
	note(err)
	in.Targets, err = targetsFromForm(r)
	note(err)
	if len(errs) > 0 {
		return in, errs[0]
	}
	return in, nil
}

func targetsFromForm(r *http.Request) (map[ticket.Priority]sla.Targets, error) {
	out := map[ticket.Priority]sla.Targets{}
	for _, p := range ticket.Priorities {
		var tg sla.Targets
		for _, t := range sla.AllTargets {
			key := fmt.Sprintf("targets.%s.%s_minutes", p, t)
			v := strings.TrimSpace(r.PostFormValue(key))
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return out, apperr.Field(key, "%q is not a whole number of minutes", v)
			}
			switch t {
			case sla.FirstResponse:
				tg.FirstResponse = &n
			case sla.NextResponse:
				tg.NextResponse = &n
			case sla.Resolution:
				tg.Resolution = &n
			}
		}
		if tg != (sla.Targets{}) {
			out[p] = tg
		}
	}
	return out, nil
}

// formNumber reads an optional decimal number (a comma works as the
// decimal point too); "" is 0.
func formNumber(r *http.Request, key string) (float64, error) {
	v := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(key)), ",", ".")
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, apperr.Field(key, "%q is not a number", v)
	}
	return f, nil
}

// formCents reads an amount of money such as 45.50 as cents.
func formCents(r *http.Request, key string) (int64, error) {
	f, err := formNumber(r, key)
	if err != nil {
		return 0, apperr.Field("hourly_rate_cents", "%q is not an amount", r.PostFormValue(key))
	}
	return int64(math.Round(f * 100)), nil
}

func formatCents(c int64) string {
	if c == 0 {
		return ""
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
