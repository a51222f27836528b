package routing

import (
	"context"
	"fmt"
	"linedesk/internal/db"
	"slices"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// facts are what conditions look at: the ticket as it stands after the
// rules before, the moment, and what is worked out only when a condition
// asks (the analyzed texts, the plan and its calendar).
type facts struct {
	s   *Service
	ctx context.Context
	q   db.Queryer // the change's transaction: a hook takes no second connection
	t   ticket.Ticket
	now time.Time

	subject, body *analyzed
	planDone      bool
	planID        *int64
	cal           *sla.Calendar // nil: around the clock
	planErr       error
}

func (f *facts) subjectTerms() *analyzed {
	if f.subject == nil {
		f.subject = f.s.analyze(f.t.Subject)
	}
	return f.subject
}

func (f *facts) bodyTerms() *analyzed {
	if f.body == nil {
		f.body = f.s.analyze(f.t.Description)
	}
	return f.body
}

// plan looks up the plan the ticket is served under and its calendar.
func (f *facts) plan() (*int64, *sla.Calendar, error) {
	if f.planDone {
		return f.planID, f.cal, f.planErr
	}
	f.planDone = true
	if f.s.plans == nil {
		return nil, nil, nil
	}
	p, ok, err := f.s.plans.PlanForCompanyIn(f.ctx, f.q, f.t.CompanyID)
	if err != nil || !ok {
		f.planErr = err
		return nil, nil, err
	}
	id := p.ID
	f.planID = &id
	if p.CalendarID != nil {
		f.cal, f.planErr = f.s.calendar(f.ctx, f.q, *p.CalendarID)
	}
	return f.planID, f.cal, f.planErr
}

// holds reports whether every condition of r holds; when one does not,
// it returns its index.
func (f *facts) holds(r *compiled) (bool, int, error) {
	for i, c := range r.Conditions {
		ok, err := f.cond(r, i, c)
		if err != nil {
			return false, i, err
		}
		if ok == c.Not {
			return false, i, nil
		}
	}
	return true, -1, nil
}

func (f *facts) cond(r *compiled, i int, c Condition) (bool, error) {
	t := f.t
	switch c.Kind {
	case CondChannel:
		return slices.Contains(c.Values, string(t.Channel)), nil
	case CondMailbox:
		return hasID(c.Values, t.MailboxID), nil
	case CondCompany:
		return hasID(c.Values, t.CompanyID), nil
	case CondRequester:
		return hasID(c.Values, &t.Requester.ID), nil
	case CondGroup:
		return hasID(c.Values, t.GroupID) || (t.GroupID == nil && slices.Contains(c.Values, "none")), nil
	case CondPriority:
		return slices.Contains(c.Values, string(t.Priority)), nil
	case CondStatus:
		return slices.Contains(c.Values, string(t.Status)), nil
	case CondType:
		return slices.Contains(c.Values, string(t.Type)), nil
	case CondLine:
		return slices.Contains(c.Values, strconv.Itoa(t.Line)), nil
	case CondEmailDomain:
		return inDomains(t.Requester.Email, c.Values), nil
	case CondSubject:
		return f.s.matchWords(f.subjectTerms(), c.Op, r.patterns[i]), nil
	case CondBody:
		return f.s.matchWords(f.bodyTerms(), c.Op, r.patterns[i]), nil
	case CondTags:
		return matchTags(t.Tags, c.Op, c.Values), nil
	case CondCustomField:
		return matchField(t.CustomFields[c.Key], c.Op, c.Values[0]), nil
	case CondPlan:
		id, _, err := f.plan()
		return err == nil && hasID(c.Values, id), err
	case CondTimeOfDay:
		_, cal, err := f.plan()
		return err == nil && inWindow(f.now.In(cal.Location()), c.Values), err
	case CondWorkingHours:
		_, cal, err := f.plan()
		return err == nil && cal.IsOpen(f.now), err
	}
	return false, fmt.Errorf("unknown condition %q", c.Kind)
}

func hasID(values []string, id *int64) bool {
	if id == nil {
		return false
	}
	return slices.Contains(values, strconv.FormatInt(*id, 10))
}

func inDomains(email string, domains []string) bool {
	_, d, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok {
		return false
	}
	for _, want := range domains {
		if d == want || strings.HasSuffix(d, "."+want) {
			return true
		}
	}
	return false
}

func matchTags(tags []string, op string, want []string) bool {
	n := 0
	for _, w := range want {
		if slices.Contains(tags, w) {
			n++
		}
	}
	if op == OpAll {
		return n == len(want)
	}
	return n > 0
}

func matchField(v any, op, want string) bool {
	if v == nil {
		return false
	}
	got := strings.ToLower(fmt.Sprint(v))
	want = strings.ToLower(want)
	if op == OpContains {
		return strings.Contains(got, want)
	}
	return got == want
}

// inWindow reports whether the local time of t falls in the window
// from–to; a window whose end is before its start crosses midnight.
func inWindow(t time.Time, window []string) bool {
	from, err1 := sla.ParseTimeOfDay(window[0])
	to, err2 := sla.ParseTimeOfDay(window[1])
	if err1 != nil || err2 != nil {
		return false
	}
	m := sla.TimeOfDay(t.Hour()*60 + t.Minute())
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to
}
