package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// dirWant fails unless r is an error with the status, code and field.
func dirWant(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	r.want(t, status)
	if c, f := r.errorOf(); c != code || f != field {
		t.Errorf("error %q on field %q, want %q on %q; body %s", c, f, code, field, r.Raw)
	}
}

// dirBad is a request that must be refused and change nothing.
type dirBad struct {
	name         string
	method, path string
	body         any
	status       int
	code, field  string
}

// dirRefuse sends each bad request with token and checks its answer, and
// that GET watch (as the administrator) answers the same before and after.
func (e *env) dirRefuse(t *testing.T, token, watch string, cases []dirBad) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.do("GET", watch, e.admin, nil).want(t, http.StatusOK).Raw
			dirWant(t, e.do(tc.method, tc.path, token, tc.body), tc.status, tc.code, tc.field)
			if after := e.do("GET", watch, e.admin, nil).Raw; !bytes.Equal(before, after) {
				t.Errorf("GET %s changed:\nbefore %s\nafter  %s", watch, before, after)
			}
		})
	}
}

// dirCreate posts body and returns the new record's id.
func (e *env) dirCreate(t *testing.T, path, token string, body any) int64 {
	t.Helper()
	return e.do("POST", path, token, body).want(t, http.StatusCreated).id()
}

// dirUnauthenticated checks that every pattern answers 401 without a token.
func (e *env) dirUnauthenticated(t *testing.T, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		var method, path string
		fmt.Sscan(p, &method, &path)
		dirWant(t, e.do(method, path, "", nil), http.StatusUnauthorized, "unauthorized", "")
	}
}

var dirTicketNumber atomic.Int64

// dirTicket inserts a ticket row directly, as the ticket package would.
func dirTicket(t *testing.T, d *db.DB, requesterID int64, groupID, companyID any) {
	t.Helper()
	dbtest.Exec(t, d.W, `
		INSERT INTO tickets (number, subject, status, priority, type, channel, requester_id, group_id, company_id, created_at, updated_at)
		VALUES ($1, 'VPN is down', 'new', 'normal', 'question', 'api', $2, $3, $4, $5, $5)`,
		7000+dirTicketNumber.Add(1), requesterID, groupID, companyID, db.Now())
}
