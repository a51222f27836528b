package mailbox_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/mailbox"
)

func TestMailboxCRUD(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 0)
		it := f.group(t, "IT")
		m := f.mailbox(t, mailbox.MailboxInput{
			Address: " IT@Example.COM ", Name: "IT desk", DefaultGroupID: &it,
			IMAP: mailbox.IMAPInput{Host: "imap.example.com", Username: "it", Password: "imap-secret-1"},
			SMTP: mailbox.SMTPInput{Host: "smtp.example.com", Username: "it", Password: "smtp-secret-2"},
			RoutingRules: []mailbox.Rule{{Name: "vpn", If: mailbox.Condition{SubjectContains: "VPN"},
				Then: mailbox.Action{Priority: "high", Tags: []string{"VPN"}}}},
		})
		t.Run("created with defaults, passwords only flagged", func(t *testing.T) {
			if m.Address != "it@example.com" || m.IMAP.Port != 993 || m.IMAP.TLS != "tls" || m.IMAP.Folder != "INBOX" ||
				m.IMAP.After != "seen" || m.SMTP.Port != 587 || m.SMTP.TLS != "starttls" || m.DefaultLine != 1 ||
				m.DefaultPriority != "normal" || m.DefaultLanguage != "en" || !m.Active {
				t.Errorf("created %+v", m)
			}
			if !m.IMAP.PasswordSet || !m.SMTP.PasswordSet || m.IMAP.Password != "" || m.SMTP.Password != "" {
				t.Errorf("passwords: imap %+v smtp %+v", m.IMAP, m.SMTP)
			}
			if got := m.RoutingRules[0].Then.Tags; !slices.Equal(got, []string{"vpn"}) {
				t.Errorf("rule tags %v", got)
			}
		})
		t.Run("passwords are encrypted at rest", func(t *testing.T) {
			var imapPW, smtpPW string
			if err := d.R.QueryRowContext(ctx, `SELECT imap_password, smtp_password FROM mailboxes WHERE id = $1`, m.ID).
				Scan(&imapPW, &smtpPW); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(imapPW, "imap-secret") || strings.Contains(smtpPW, "smtp-secret") ||
				!strings.HasPrefix(imapPW, "v1:") || !strings.HasPrefix(smtpPW, "v1:") {
				t.Errorf("stored %q and %q", imapPW, smtpPW)
			}
		})
		t.Run("the poller and the sender get the passwords", func(t *testing.T) {
			list, err := f.svc.ActiveIMAP(ctx)
			if err != nil || len(list) != 1 || list[0].IMAP.Password != "imap-secret-1" {
				t.Fatalf("ActiveIMAP = %+v, %v", list, err)
			}
			s, err := f.svc.SMTPSettings(ctx, m.ID)
			if err != nil || s.Password != "smtp-secret-2" || s.Host != "smtp.example.com" {
				t.Errorf("SMTPSettings = %+v, %v", s, err)
			}
		})
		t.Run("found by address in any case; own addresses listed", func(t *testing.T) {
			got, err := f.svc.FindByAddress(ctx, "It@EXAMPLE.com")
			if err != nil || got.ID != m.ID {
				t.Errorf("FindByAddress = %v, %v", got.ID, err)
			}
			if _, err := f.svc.FindByAddress(ctx, "nobody@example.com"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unknown address: %v", err)
			}
			f.mailbox(t, mailbox.MailboxInput{Address: "Facilities@Example.com", Active: ptr(false)})
			addrs, err := f.svc.Addresses(ctx)
			if err != nil || !slices.Equal(addrs, []string{"facilities@example.com", "it@example.com"}) {
				t.Errorf("Addresses = %v, %v", addrs, err)
			}
			list, total, err := f.svc.FindMailboxes(ctx, mailbox.MailboxFilter{Active: ptr(true)})
			if err != nil || total != 1 || list[0].ID != m.ID {
				t.Errorf("active mailboxes = %d, %v", total, err)
			}
			if imap, _ := f.svc.ActiveIMAP(ctx); len(imap) != 1 {
				t.Errorf("ActiveIMAP lists %d mailboxes, want the active one with IMAP", len(imap))
			}
		})
		t.Run("update is partial; an omitted password stays, an empty one is cleared", func(t *testing.T) {
			u, err := f.svc.UpdateMailbox(ctx, m.ID, mailbox.MailboxUpdate{
				Name: ptr("IT support"), SMTP: mailbox.SMTPUpdate{Password: ptr("")},
				IMAP: mailbox.IMAPUpdate{After: ptr("move"), MoveTo: ptr("Done")},
			})
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != "IT support" || u.IMAP.Host != "imap.example.com" || !u.IMAP.PasswordSet || u.SMTP.PasswordSet ||
				u.IMAP.After != "move" || u.DefaultGroupID == nil || len(u.RoutingRules) != 1 {
				t.Errorf("updated %+v", u)
			}
			list, _ := f.svc.ActiveIMAP(ctx)
			if list[0].IMAP.Password != "imap-secret-1" {
				t.Errorf("IMAP password changed to %q", list[0].IMAP.Password)
			}
			u, err = f.svc.UpdateMailbox(ctx, m.ID, mailbox.MailboxUpdate{DefaultGroupID: mailbox.Ref{Set: true}})
			if err != nil || u.DefaultGroupID != nil {
				t.Errorf("clearing the group: %v, %v", u.DefaultGroupID, err)
			}
		})
		t.Run("an address in use is a conflict on the field", func(t *testing.T) {
			_, err := f.svc.CreateMailbox(ctx, mailbox.MailboxInput{Address: "it@EXAMPLE.com"})
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != "address" {
				t.Errorf("create: %v", err)
			}
			_, err = f.svc.UpdateMailbox(ctx, m.ID, mailbox.MailboxUpdate{Address: ptr("facilities@example.com")})
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != "address" {
				t.Errorf("update: %v", err)
			}
		})
		t.Run("delete refuses a mailbox with tickets", func(t *testing.T) {
			c, err := f.dir.CreateContact(ctx, directory.ContactInput{Name: "Ann", Email: "ann@client.lv"})
			if err != nil {
				t.Fatal(err)
			}
			dbtest.Exec(t, d.W, `INSERT INTO tickets (number, subject, status, priority, type, channel, requester_id,
				mailbox_id, created_at, updated_at) VALUES (1, 'x', 'new', 'normal', 'question', 'email', $1, $2, $3, $3)`,
				c.ID, m.ID, db.Now())
			if err := f.svc.DeleteMailbox(ctx, m.ID); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("delete with tickets: %v", err)
			}
			if _, err := f.svc.FindMailbox(ctx, m.ID); err != nil {
				t.Errorf("mailbox gone after refused delete: %v", err)
			}
		})
		t.Run("delete keeps the messages it received", func(t *testing.T) {
			other, _ := f.svc.FindByAddress(ctx, "facilities@example.com")
			id, _, err := f.svc.Store(ctx, mailbox.Raw{MailboxID: other.ID, Source: "smtp", Data: []byte("Subject: x\r\n\r\nx")})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.DeleteMailbox(ctx, other.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.FindMailbox(ctx, other.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("deleted mailbox found: %v", err)
			}
			in, err := f.svc.FindInbound(ctx, id)
			if err != nil || in.MailboxID != nil {
				t.Errorf("message after delete: %+v, %v", in, err)
			}
			if err := f.svc.DeleteMailbox(ctx, other.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("second delete: %v", err)
			}
		})
	})
}

func TestMailboxValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 0)
		it := f.group(t, "IT")
		missing := int64(999)
		ok := func(in mailbox.MailboxInput) mailbox.MailboxInput {
			in.Address = "help@example.com"
			return in
		}
		rule := func(r mailbox.Rule) mailbox.MailboxInput {
			if r.Name == "" {
				r.Name = "r"
			}
			return ok(mailbox.MailboxInput{RoutingRules: []mailbox.Rule{r}})
		}
		cond := mailbox.Condition{SubjectContains: "x"}
		tests := []struct {
			field string
			in    mailbox.MailboxInput
		}{
			{"address", mailbox.MailboxInput{Address: "not an address"}},
			{"address", mailbox.MailboxInput{}},
			{"imap.port", ok(mailbox.MailboxInput{IMAP: mailbox.IMAPInput{Host: "h", Port: 70000}})},
			{"smtp.port", ok(mailbox.MailboxInput{SMTP: mailbox.SMTPInput{Host: "h", Port: -1}})},
			{"imap.tls", ok(mailbox.MailboxInput{IMAP: mailbox.IMAPInput{TLS: "ssl"}})},
			{"smtp.tls", ok(mailbox.MailboxInput{SMTP: mailbox.SMTPInput{TLS: "TLS"}})},
			{"imap.after", ok(mailbox.MailboxInput{IMAP: mailbox.IMAPInput{After: "delete"}})},
			{"imap.move_to", ok(mailbox.MailboxInput{IMAP: mailbox.IMAPInput{After: "move"}})},
			{"imap.host", ok(mailbox.MailboxInput{IMAP: mailbox.IMAPInput{Host: "imap example.com"}})},
			{"default_group_id", ok(mailbox.MailboxInput{DefaultGroupID: &missing})},
			{"default_line", ok(mailbox.MailboxInput{DefaultLine: 5})},
			{"default_priority", ok(mailbox.MailboxInput{DefaultPriority: "asap"})},
			{"default_language", ok(mailbox.MailboxInput{DefaultLanguage: "de"})},
			{"routing_rules[0].name", rule(mailbox.Rule{Name: " ", If: cond})},
			{"routing_rules[0].if", rule(mailbox.Rule{})},
			{"routing_rules[0].if.from", rule(mailbox.Rule{If: mailbox.Condition{From: "nope"}})},
			{"routing_rules[0].if.from_domain", rule(mailbox.Rule{If: mailbox.Condition{FromDomain: "no domain"}})},
			{"routing_rules[0].then.group_id", rule(mailbox.Rule{If: cond, Then: mailbox.Action{GroupID: &missing}})},
			{"routing_rules[0].then.assignee_id", rule(mailbox.Rule{If: cond, Then: mailbox.Action{AssigneeID: &missing}})},
			{"routing_rules[0].then.priority", rule(mailbox.Rule{If: cond, Then: mailbox.Action{Priority: "asap"}})},
			{"routing_rules[0].then.line", rule(mailbox.Rule{If: cond, Then: mailbox.Action{Line: 7}})},
			{"routing_rules[0].then.tags", rule(mailbox.Rule{If: cond, Then: mailbox.Action{Tags: []string{"two words"}}})},
		}
		for _, tc := range tests {
			t.Run(tc.field, func(t *testing.T) {
				_, err := f.svc.CreateMailbox(ctx, tc.in)
				if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != tc.field {
					t.Errorf("error %v, want invalid on %s", err, tc.field)
				}
			})
		}
		if n := count(t, d, `SELECT count(*) FROM mailboxes`); n != 0 {
			t.Errorf("%d mailboxes stored by refused requests", n)
		}
		m := f.mailbox(t, mailbox.MailboxInput{Address: "help@example.com", DefaultGroupID: &it})
		t.Run("update validates and changes nothing on error", func(t *testing.T) {
			_, err := f.svc.UpdateMailbox(ctx, m.ID, mailbox.MailboxUpdate{Name: ptr("new"), SMTP: mailbox.SMTPUpdate{Port: ptr(0), Host: ptr("h"), TLS: ptr("x")}})
			if e := apperr.As(err); e == nil || e.Field != "smtp.tls" {
				t.Errorf("error %v", err)
			}
			if got, _ := f.svc.FindMailbox(ctx, m.ID); got.Name != "" {
				t.Errorf("name changed to %q", got.Name)
			}
			if _, err := f.svc.UpdateMailbox(ctx, 999, mailbox.MailboxUpdate{}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unknown mailbox: %v", err)
			}
		})
	})
}
