package agent

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/ticket"
)

// manyTickets is where lists stop counting: past it a queue shows
// "1,000+", which is all an agent needs, and counting stays cheap.
const manyTickets = 1000

// openStatuses are the statuses of tickets still being worked on.
var openStatuses = []ticket.Status{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending, ticket.StatusOnHold}

// queue is a built-in view of the tickets.
type queue struct {
	Key    string
	filter func(v *Viewer) ticket.Filter
}

// queues are the built-in views, in the order the navigation shows them.
var queues = []queue{
	{"mine", func(v *Viewer) ticket.Filter {
		return ticket.Filter{AssigneeID: &v.P.AgentID, Statuses: openStatuses, Sort: "-updated_at"}
	}},
	{"unassigned", func(v *Viewer) ticket.Filter {
		f := ticket.Filter{Unassigned: true, Statuses: []ticket.Status{ticket.StatusNew, ticket.StatusOpen}, Sort: "created_at"}
		f.GroupIDs = v.P.GroupIDs
		return f
	}},
	{"line1", lineQueue(1)}, {"line2", lineQueue(2)}, {"line3", lineQueue(3)}, {"line4", lineQueue(4)},
	{"waiting", func(*Viewer) ticket.Filter {
		return ticket.Filter{Statuses: []ticket.Status{ticket.StatusPending}, Sort: "-updated_at"}
	}},
	// Tickets whose nearest deadline is missed or within its plan's
	// warning share, the soonest first. Only a ticket still being worked
	// on has a deadline running, so no status needs naming (and the
	// deadline's index, not the status's, finds them).
	{"at_risk", func(v *Viewer) ticket.Filter {
		at := v.Now
		return ticket.Filter{AtRiskAt: &at, Sort: "sla_due"}
	}},
	{"open", func(*Viewer) ticket.Filter { return ticket.Filter{Statuses: openStatuses, Sort: "-updated_at"} }},
	{"solved", func(*Viewer) ticket.Filter {
		return ticket.Filter{Statuses: []ticket.Status{ticket.StatusSolved}, Sort: "-updated_at"}
	}},
}

func lineQueue(n int) func(*Viewer) ticket.Filter {
	return func(*Viewer) ticket.Filter {
		return ticket.Filter{Line: n, Statuses: openStatuses, Sort: "-updated_at"}
	}
}

func findQueue(key string) (queue, bool) {
	for _, q := range queues {
		if q.Key == key {
			return q, true
		}
	}
	return queue{}, false
}

// filterFromQuery lays the filters of the page's query string over a
// queue's own filter.
func filterFromQuery(base ticket.Filter, q url.Values) (ticket.Filter, error) {
	f := base
	if v := q["status"]; len(v) > 0 && v[0] != "" {
		f.Statuses = nil
		for _, s := range v {
			f.Statuses = append(f.Statuses, ticket.Status(s))
		}
	}
	if v := q["priority"]; len(v) > 0 && v[0] != "" {
		for _, p := range v {
			f.Priorities = append(f.Priorities, ticket.Priority(p))
		}
	}
	var err error
	if f.GroupID, err = optionalID(q, "group"); err != nil {
		return f, err
	}
	if q.Get("assignee") == "none" {
		f.Unassigned, f.AssigneeID = true, nil
	} else if id, err := optionalID(q, "assignee"); err != nil {
		return f, err
	} else if id != nil {
		f.AssigneeID = id
	}
	if f.CompanyID, err = optionalID(q, "company"); err != nil {
		return f, err
	}
	if c := q.Get("channel"); c != "" {
		f.Channel = ticket.Channel(c)
	}
	if t := q.Get("tag"); t != "" {
		f.Tag = t
	}
	if l := q.Get("line"); l != "" {
		if f.Line, err = strconv.Atoi(l); err != nil {
			return f, apperr.Field("line", "line must be 1 to 4")
		}
	}
	if s := q.Get("sort"); s != "" {
		f.Sort = s
	}
	f.Query = q.Get("q")
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.PerPage = 50
	f.CountUpTo = manyTickets + 1
	return f, nil
}

func optionalID(q url.Values, key string) (*int64, error) {
	v := q.Get(key)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.Field(key, "%s must be an id", key)
	}
	return &id, nil
}

// queueKey is the queue a list URL shows: /queues/{key}, "open" for /.
func queueKey(r *http.Request) string {
	if k := r.PathValue("key"); k != "" {
		return k
	}
	return "mine"
}

// filterQuery is the query string of the page's filters, without paging,
// for links that keep them.
func filterQuery(q url.Values) string {
	out := url.Values{}
	for k, v := range q {
		if k != "page" && k != "done" && strings.TrimSpace(strings.Join(v, "")) != "" {
			out[k] = v
		}
	}
	return out.Encode()
}
