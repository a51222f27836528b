package ticket

// SetAfterInsert installs the hook the crash test uses to stop a process
// inside CreateTicket's transaction.
func SetAfterInsert(s *Service, fn func()) { s.afterInsert = fn }
