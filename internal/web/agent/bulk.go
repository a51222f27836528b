package agent

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/ticket"
)

// handleBulk applies one change to the selected tickets, or merges them
// into the first selected one. Tickets that cannot take the change are
// reported; the others are changed.
func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	if err := r.ParseForm(); err != nil {
		return apperr.Errorf(apperr.BadRequest, "malformed form")
	}
	var ids []int64
	for _, s := range r.PostForm["ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return apperr.Field("ids", "select tickets by id")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return apperr.Field("ids", "%s", v.L.T("bulk.none"))
	}
	failed := 0
	if r.PostFormValue("action") == "merge" {
		failed = s.bulkMerge(r, ids)
	} else {
		c, err := bulkChange(r)
		if err != nil {
			return err
		}
		results, err := s.Tickets.BulkUpdate(r.Context(), v.P, ids, c)
		if err != nil {
			return err
		}
		for _, res := range results {
			if res.Err != nil {
				failed++
			}
		}
	}
	s.Watcher.Poke()
	back := safeNext(r.PostFormValue("back"))
	if failed > 0 {
		back = addQuery(back, "failed", strconv.Itoa(failed))
	} else {
		back = addQuery(back, "done", "saved")
	}
	redirect(w, r, back)
	return nil
}

func (s *Server) bulkMerge(r *http.Request, ids []int64) int {
	if len(ids) < 2 {
		return 1
	}
	failed := 0
	for _, id := range ids[1:] {
		if _, err := s.Tickets.Merge(r.Context(), viewer(r).P, id, ids[0]); err != nil {
			failed++
		}
	}
	return failed
}

func bulkChange(r *http.Request) (ticket.BulkChange, error) {
	var c ticket.BulkChange
	action := r.PostFormValue("action")
	value := r.PostFormValue("bulk_" + action)
	switch action {
	case "status":
		st := ticket.Status(value)
		c.Status = &st
	case "priority":
		p := ticket.Priority(value)
		c.Priority = &p
	case "group":
		ch, err := idValue(value)
		if err != nil {
			return c, err
		}
		c.GroupID = ch
	case "assignee":
		ch, err := idValue(value)
		if err != nil {
			return c, err
		}
		c.AssigneeID = ch
	case "tag":
		c.AddTags = splitTags(value)
	default:
		return c, apperr.Field("action", "choose what to change")
	}
	return c, nil
}

func idValue(v string) (ticket.IDChange, error) {
	if v == "" {
		return ticket.IDChange{Set: true}, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return ticket.IDChange{}, apperr.Field("value", "choose a value from the list")
	}
	return ticket.IDChange{Set: true, ID: &id}, nil
}

func addQuery(to, key, value string) string {
	u, err := url.Parse(to)
	if err != nil {
		return to
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
