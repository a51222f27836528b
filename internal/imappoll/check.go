package imappoll

import (
	"context"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// CheckTimeout bounds each step of Check: the connection, the login and
// the opening of the folder.
const CheckTimeout = 15 * time.Second

// Check tries a mailbox's IMAP settings the way a poller would use them:
// it connects with the mailbox's TLS mode, logs in, selects the folder and
// logs out. The error names the step that failed and carries the server's
// answer, never the password, so it can be shown to the administrator who
// typed the settings. opt's CommandTimeout, when shorter than
// CheckTimeout, and InsecureSkipVerify apply.
func Check(ctx context.Context, mb Mailbox, opt Options) error {
	if mb.Host == "" {
		return fmt.Errorf("IMAP is not set up: the mailbox has no IMAP host")
	}
	if opt.CommandTimeout <= 0 || opt.CommandTimeout > CheckTimeout {
		opt.CommandTimeout = CheckTimeout
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client, raw, err := open(ctx, mb, opt, &imapclient.Options{})
	if err != nil {
		return fmt.Errorf("IMAP connection failed: %w", err)
	}
	c := &conn{c: client, raw: raw, timeout: opt.CommandTimeout, stop: context.AfterFunc(ctx, func() { client.Close() })}
	defer c.close()
	if err := c.do("LOGIN", func() error { return client.Login(mb.Username, mb.Password).Wait() }); err != nil {
		return fmt.Errorf("IMAP login failed: %w", err)
	}
	folder := mb.Folder
	if folder == "" {
		folder = "INBOX"
	}
	err = c.do("SELECT "+folder, func() error {
		_, err := client.Select(folder, nil).Wait()
		return err
	})
	if err != nil {
		return fmt.Errorf("IMAP folder %q could not be opened: %w", folder, err)
	}
	return nil
}
