package directory

import (
	"context"

	"linedesk/internal/db"
)

// Kinds of directory Change.
const (
	ChangeContact = "contact"
	ChangeCompany = "company"
)

// Change is what happened to a contact or a company, as hooks hear of it.
type Change struct {
	Kind    string // ChangeContact or ChangeCompany
	ID      int64
	Deleted bool
	// MergedInto is, for a contact merged away (ID, Deleted), the contact
	// that kept its addresses and tickets.
	MergedInto int64
}

// Hook hears of every creation, change and removal of a contact or a
// company inside the change's transaction (or on the caller's Queryer for
// ResolveContact): what it writes commits or rolls back with the change,
// and an error it returns undoes the change.
type Hook interface {
	DirectoryChanged(ctx context.Context, q db.Queryer, c Change) error
}

// HookFunc is a function as a Hook.
type HookFunc func(ctx context.Context, q db.Queryer, c Change) error

// DirectoryChanged calls f.
func (f HookFunc) DirectoryChanged(ctx context.Context, q db.Queryer, c Change) error {
	return f(ctx, q, c)
}

// AddHook adds a hook, called after those added before it. Hooks are
// added while the application is wired, before any request is served.
func (s *Service) AddHook(h Hook) {
	s.hooks = append(s.hooks, h)
}

func (s *Service) notify(ctx context.Context, q db.Queryer, changes ...Change) error {
	for _, c := range changes {
		for _, h := range s.hooks {
			if err := h.DirectoryChanged(ctx, q, c); err != nil {
				return err
			}
		}
	}
	return nil
}
