package app

import (
	"context"
	"fmt"
	"sync"

	"linedesk/internal/email"
	"linedesk/internal/imappoll"
	"linedesk/internal/inbound"
	"linedesk/internal/mailbox"
	"linedesk/internal/outbound"
)

// openMail builds the e-mail channel: mailboxes and raw intake, the
// processor that turns stored mail into tickets, and outbound mail. Their
// job handlers are registered here, so every node can run them. It
// returns the secret key, which the portal's signatures derive from.
func (a *App) openMail() (string, error) {
	key := a.Config.SecretKey
	if key == "" {
		var err error
		if key, err = mailbox.LoadOrCreateKey(a.Config.DataDir); err != nil {
			return "", fmt.Errorf("LINEDESK_SECRET_KEY: %w", err)
		}
	}
	cipher, err := mailbox.NewCipher(key)
	if err != nil {
		return "", fmt.Errorf("LINEDESK_SECRET_KEY: %w", err)
	}
	a.Mailboxes = mailbox.NewService(a.DB, a.Log, a.Jobs, mailbox.Config{Cipher: cipher,
		MaxBytes: a.Config.MailMaxBytes})
	limits := email.DefaultLimits()
	limits.MaxBytes = a.Config.MailMaxBytes
	inbound.New(a.DB, a.Log, a.Mailboxes, a.Tickets, a.Directory, a.Attachments, a.Jobs, limits).Register()
	a.outbound = outbound.NewService(a.DB, a.Jobs, sendSettings{a.Mailboxes}, a.Tickets, a.Log, outbound.Config{
		Hostname: a.Config.BaseURL, BaseURL: a.Config.BaseURL, DataDir: a.Config.DataDir, RateURL: a.rateURL})
	a.outbound.Register()
	return key, nil
}

// CheckMailbox tries a mailbox's saved IMAP and SMTP servers, passwords
// included, for the administration screen.
func (a *App) CheckMailbox(ctx context.Context, id int64) (imapErr, smtpErr error) {
	in, err := a.Mailboxes.IMAPSettings(ctx, id)
	if err != nil {
		return err, err
	}
	imapErr = imappoll.Check(ctx, imappoll.Mailbox{ID: id, Host: in.Host, Port: in.Port, TLS: in.TLS,
		Username: in.Username, Password: in.Password, Folder: in.Folder}, imappoll.Options{})
	out, err := sendSettings{a.Mailboxes}.SMTPSettings(ctx, id)
	if err != nil {
		return imapErr, err
	}
	return imapErr, a.outbound.Check(ctx, out)
}

// sendSettings gives outbound mail the mailboxes' SMTP settings.
type sendSettings struct{ m *mailbox.Service }

func (s sendSettings) SMTPSettings(ctx context.Context, mailboxID int64) (outbound.SMTP, error) {
	c, err := s.m.SMTPSettings(ctx, mailboxID)
	if err != nil {
		return outbound.SMTP{}, err
	}
	return outbound.SMTP{Host: c.Host, Port: c.Port, Username: c.Username, Password: c.Password, TLS: c.TLS}, nil
}

func (s sendSettings) Addresses(ctx context.Context) ([]string, error) { return s.m.Addresses(ctx) }

// startListeners starts the IMAP pollers and the inbound SMTP listener
// (unless disabled). A listener that cannot start ends the run through
// errs.
func (a *App) startListeners(ctx context.Context, wg *sync.WaitGroup, errs chan<- error) {
	pollers := imappoll.NewManager(imapSource{a.Mailboxes}, imapSink{a.Mailboxes}, imappoll.NewDBState(a.DB), a.Log,
		imappoll.Options{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := pollers.Run(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("IMAP pollers stopped", "err", err)
		}
	}()
	if a.Config.SMTPAddr == "" {
		return
	}
	srv := mailbox.NewSMTPServer(a.Mailboxes, a.Config.SMTPAddr, a.Log)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Run(ctx); err != nil && ctx.Err() == nil {
			errs <- fmt.Errorf("LINEDESK_SMTP_ADDR: %w", err)
		}
	}()
}

// imapSource lists the mailboxes to poll.
type imapSource struct{ m *mailbox.Service }

func (s imapSource) ActiveIMAP(ctx context.Context) ([]imappoll.Mailbox, error) {
	boxes, err := s.m.ActiveIMAP(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]imappoll.Mailbox, len(boxes))
	for i, b := range boxes {
		c := b.IMAP
		out[i] = imappoll.Mailbox{ID: b.ID, Host: c.Host, Port: c.Port, TLS: c.TLS, Username: c.Username,
			Password: c.Password, Folder: c.Folder, After: c.After, MoveTo: c.MoveTo}
	}
	return out, nil
}

// imapSink stores what the pollers fetch, before they acknowledge it.
type imapSink struct{ m *mailbox.Service }

func (s imapSink) Store(ctx context.Context, mailboxID int64, uidValidity, uid uint32, raw []byte) error {
	_, _, err := s.m.Store(ctx, mailbox.Raw{MailboxID: mailboxID, Source: mailbox.SourceIMAP, UIDValidity: uidValidity,
		UID: uid, Data: raw})
	return err
}
