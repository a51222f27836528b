package ticket

import "linedesk/internal/auth"

// SetAfterInsert installs the hook the crash test uses to stop a process
// inside CreateTicket's transaction.
func SetAfterInsert(s *Service, fn func()) { s.afterInsert = fn }

// VisibleIDsQuery is the query VisibleIDs runs.
func VisibleIDsQuery(p auth.Principal, ids []int64) (string, []any) { return visibleIDsQuery(p, ids) }
