package inbound

// SetBeforeCommit installs the hook the crash test uses to stop a process
// inside the transaction that files a message.
func SetBeforeCommit(p *Processor, fn func()) { p.beforeCommit = fn }
