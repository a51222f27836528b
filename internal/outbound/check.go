package outbound

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CheckTimeout bounds a whole Check.
const CheckTimeout = 15 * time.Second

// Check tries a mailbox's SMTP settings the way sending would use them:
// it connects, secures the session as cfg.TLS says (STARTTLS or TLS from
// the start), authenticates when cfg.Username is set, and says QUIT.
// Nothing is sent. The error names the step that failed and carries the
// server's answer, never the password, so it can be shown to the
// administrator who typed the settings.
func (s *Service) Check(ctx context.Context, cfg SMTP) error {
	if cfg.Host == "" {
		return errors.New("SMTP is not set up: the mailbox has no SMTP host")
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	plain := cfg
	plain.Username = "" // authenticated below, as a step of its own
	c, closeConn, err := s.dial(ctx, plain)
	if err != nil {
		return checkFailed(ctx, "SMTP connection failed", err)
	}
	defer closeConn()
	if cfg.Username != "" {
		if err := authenticate(c, cfg); err != nil {
			return checkFailed(ctx, "SMTP login failed", err)
		}
	}
	if err := c.Quit(); err != nil {
		return checkFailed(ctx, "SMTP QUIT failed", err)
	}
	return nil
}

// checkFailed words a failed step; a step cut off by the deadline says
// so rather than show the closed connection it ended with.
func checkFailed(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: the server did not answer in time", step)
	}
	return fmt.Errorf("%s: %w", step, err)
}
