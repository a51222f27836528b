package api

import (
	"net/http"

	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// planRoutes serve plans with their terms: SLA targets, calendar,
// channels, portal access, hours, rates and escalation.
func (s *Server) planRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /api/v1/plans", s.handlePlanList)
	s.handle(mux, "POST /api/v1/plans", s.handlePlanCreate)
	s.handle(mux, "GET /api/v1/plans/{id}", getByID(s.SLA.FindPlan))
	s.handle(mux, "PATCH /api/v1/plans/{id}", s.handlePlanUpdate)
	s.handle(mux, "DELETE /api/v1/plans/{id}", deleteByID(requireAdmin, s.SLA.DeletePlan))
}

func (s *Server) handlePlanList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.SLA.FindPlans(r.Context(), directory.PlanFilter{
		Q: r.URL.Query().Get("q"), Offset: page.Offset(), Limit: page.PerPage,
	})
	return writeList(w, items, total, err)
}

func (s *Server) handlePlanCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	in := sla.NewPlanInput() // what the body leaves out takes the defaults
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.SLA.CreatePlan(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// planPatch is a PATCH of a plan: what is present changes. targets and
// escalation, when present, replace the whole object.
type planPatch struct {
	Name            Optional[string]                          `json:"name"`
	Description     Optional[string]                          `json:"description"`
	IsDefault       Optional[bool]                            `json:"is_default"`
	CalendarID      Optional[int64]                           `json:"calendar_id"`
	Channels        Optional[[]ticket.Channel]                `json:"channels"`
	PortalAccess    Optional[bool]                            `json:"portal_access"`
	PauseOnHold     Optional[bool]                            `json:"pause_on_hold"`
	WarnPercent     Optional[int]                             `json:"warn_percent"`
	IncludedHours   Optional[float64]                         `json:"included_hours"`
	HourlyRateCents Optional[int64]                           `json:"hourly_rate_cents"`
	Currency        Optional[string]                          `json:"currency"`
	Targets         Optional[map[ticket.Priority]sla.Targets] `json:"targets"`
	Escalation      Optional[sla.Escalation]                  `json:"escalation"`
}

func (s *Server) handlePlanUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in planPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cur, err := s.SLA.FindPlan(r.Context(), id)
	if err != nil {
		return err
	}
	next := sla.PlanInput{Name: cur.Name, Description: cur.Description, Terms: cur.Terms}
	if err := in.apply(&next); err != nil {
		return err
	}
	p, err := s.SLA.UpdatePlan(r.Context(), id, next)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// apply lays the patch over a plan's current values; null is refused
// where a value is required.
func (in planPatch) apply(p *sla.PlanInput) (err error) {
	setOpt(&p.Name, notNull(&err, "name", in.Name))
	setOpt(&p.Description, notNull(&err, "description", in.Description))
	setOpt(&p.IsDefault, notNull(&err, "is_default", in.IsDefault))
	if in.CalendarID.Set {
		p.CalendarID = in.CalendarID.Ptr() // null: around the clock
	}
	setOpt(&p.Channels, notNull(&err, "channels", in.Channels))
	setOpt(&p.PortalAccess, notNull(&err, "portal_access", in.PortalAccess))
	setOpt(&p.PauseOnHold, notNull(&err, "pause_on_hold", in.PauseOnHold))
	setOpt(&p.WarnPercent, notNull(&err, "warn_percent", in.WarnPercent))
	setOpt(&p.IncludedHours, notNull(&err, "included_hours", in.IncludedHours))
	setOpt(&p.HourlyRateCents, notNull(&err, "hourly_rate_cents", in.HourlyRateCents))
	setOpt(&p.Currency, notNull(&err, "currency", in.Currency))
	if in.Targets.Set {
		p.Targets = in.Targets.Value // null: no targets
	}
	setOpt(&p.Escalation, notNull(&err, "escalation", in.Escalation))
	return err
}

func setOpt[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
