package agent_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
)

// admClosedPort is a port on 127.0.0.1 nothing listens on.
func admClosedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	admMust(t, err)
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func admMailboxForm(kv ...string) url.Values {
	f := url.Values{"address": {"support@desk.example"}, "name": {"Support"}, "active": {"on"},
		"imap.host": {"127.0.0.1"}, "imap.port": {"1143"}, "imap.username": {"support"}, "imap.password": {"imap-secret"},
		"imap.tls": {"none"}, "imap.folder": {"INBOX"}, "imap.after": {"seen"},
		"smtp.host": {"127.0.0.1"}, "smtp.port": {"1587"}, "smtp.username": {"support"}, "smtp.password": {"smtp-secret"},
		"smtp.tls": {"none"}, "default_line": {"1"}, "default_priority": {"normal"}, "default_language": {"lv"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func TestAdminMailboxes(t *testing.T) {
	d := newAdminDesk(t, true)
	c := d.as(d.admin)
	admContains(t, c.page("/admin/mailboxes"), "No mailboxes yet")

	t.Run("bad settings are shown again and create nothing", func(t *testing.T) {
		c.refused("/admin/mailboxes", admMailboxForm("address", "not-an-address"), http.StatusUnprocessableEntity, "Address:")
		c.refused("/admin/mailboxes", admMailboxForm("imap.port", "abc"), http.StatusUnprocessableEntity, "IMAP port:", `value="support@desk.example"`)
		c.refused("/admin/mailboxes", admMailboxForm("smtp.tls", "ssl"), http.StatusUnprocessableEntity, "SMTP encryption:")
		c.refused("/admin/mailboxes", admMailboxForm("imap.after", "move"), http.StatusUnprocessableEntity, "Move to folder:")
		if n := d.count(`SELECT count(*) FROM mailboxes`); n != 0 {
			t.Fatalf("refused mailboxes stored: %d", n)
		}
	})
	loc := c.submit("/admin/mailboxes", admMailboxForm())
	m, err := d.a.Mailboxes.FindByAddress(admCtx, "support@desk.example")
	admMust(t, err)
	path := fmt.Sprintf("/admin/mailboxes/%d", m.ID)

	t.Run("passwords are never shown and blank keeps them", func(t *testing.T) {
		page := c.page(loc)
		admContains(t, page, "Created.", "saved; leave blank to keep it")
		if strings.Contains(page, "imap-secret") || strings.Contains(page, "smtp-secret") {
			t.Error("the page shows a password")
		}
		c.submit(path, admMailboxForm("name", "Help desk", "imap.password", "", "smtp.password", ""))
		smtp, err := d.a.Mailboxes.SMTPSettings(admCtx, m.ID)
		admMust(t, err)
		if smtp.Password != "smtp-secret" {
			t.Errorf("SMTP password %q after a blank one was sent", smtp.Password)
		}
		c.submit(path, admMailboxForm("smtp.password", "", "smtp.password_clear", "on"))
		if smtp, _ := d.a.Mailboxes.SMTPSettings(admCtx, m.ID); smtp.Password != "" {
			t.Error("the password was not removed")
		}
		if got, _ := d.a.Mailboxes.FindMailbox(admCtx, m.ID); got.Name != "Support" || got.DefaultLanguage != "lv" || !got.IMAP.PasswordSet {
			t.Errorf("saved %+v", got)
		}
	})
	t.Run("test connection shows what the servers said", func(t *testing.T) {
		c.submit(path, admMailboxForm("imap.port", admClosedPort(t), "smtp.port", admClosedPort(t), "imap.password", ""))
		res, body := c.post(path+"/check", nil)
		admStatus(t, res, http.StatusOK)
		admContains(t, body, "Result of the connection test", "IMAP connection failed", "SMTP connection failed", "connection refused")
		c.submit(path, admMailboxForm("imap.host", "", "smtp.host", ""))
		admContains(t, c.refused(path+"/check", nil, http.StatusOK), "not set up")
	})
	t.Run("without a checker the test is unavailable", func(t *testing.T) {
		other := newAdminDesk(t, false)
		mb, err := other.a.Mailboxes.CreateMailbox(admCtx, mailbox.MailboxInput{Address: "help@desk.example"})
		admMust(t, err)
		other.as(other.admin).refused(fmt.Sprintf("/admin/mailboxes/%d/check", mb.ID), nil, http.StatusServiceUnavailable,
			"not available")
	})
	t.Run("routing rules: add, refuse, delete", func(t *testing.T) {
		g, err := d.a.Directory.CreateGroup(admCtx, directory.GroupInput{Name: "Billing"})
		admMust(t, err)
		c.refused(path+"/rules", url.Values{"rule.name": {"Nothing"}, "rule.then.line": {"2"}}, http.StatusUnprocessableEntity,
			"Conditions:", `value="Nothing"`)
		c.refused(path+"/rules", url.Values{"rule.name": {"Bad"}, "rule.if.from": {"nope"}}, http.StatusUnprocessableEntity,
			"Sender's address:")
		admContains(t, c.page(c.submit(path+"/rules", url.Values{"rule.name": {"Invoices"}, "rule.if.subject_contains": {"invoice"},
			"rule.then.group_id": {fmt.Sprint(g.ID)}, "rule.then.priority": {"high"}, "rule.then.tags": {"billing money"},
			"rule.stop": {"on"}})), "Rule added.", "Invoices", "Billing", "billing, money")
		c.submit(path+"/rules", url.Values{"rule.name": {"Partners"}, "rule.if.from_domain": {"partner.lv"}})
		got, _ := d.a.Mailboxes.FindMailbox(admCtx, m.ID)
		if len(got.RoutingRules) != 2 || !got.RoutingRules[0].Stop || *got.RoutingRules[0].Then.GroupID != g.ID {
			t.Fatalf("rules %+v", got.RoutingRules)
		}
		c.refused(path+"/rules/0/delete", url.Values{"name": {"Partners"}}, http.StatusConflict, "changed meanwhile")
		c.submit(path+"/rules/0/delete", url.Values{"name": {"Invoices"}})
		if got, _ := d.a.Mailboxes.FindMailbox(admCtx, m.ID); len(got.RoutingRules) != 1 || got.RoutingRules[0].Name != "Partners" {
			t.Errorf("rules after delete %+v", got.RoutingRules)
		}
		res, _ := c.post(path+"/rules/5/delete", nil)
		admStatus(t, res, http.StatusNotFound)
	})
	t.Run("delete", func(t *testing.T) {
		c.submit(path+"/delete", nil)
		if n := d.count(`SELECT count(*) FROM mailboxes`); n != 0 {
			t.Errorf("%d mailboxes left", n)
		}
	})
}

func TestAdminCustomFields(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	admContains(t, c.page("/admin/fields"), "No custom fields yet")
	c.refused("/admin/fields", url.Values{"key": {"Bad Key"}, "label": {"Contract"}, "type": {"text"}}, http.StatusUnprocessableEntity,
		"Key:", `value="Contract"`)
	c.refused("/admin/fields", url.Values{"key": {"device"}, "label": {"Device"}, "type": {"select"}}, http.StatusUnprocessableEntity,
		"Options:", "at least one option")
	c.refused("/admin/fields", url.Values{"key": {"device"}, "label": {"Device"}, "type": {"text"}, "position": {"first"}},
		http.StatusUnprocessableEntity, "Order:")
	if n := d.count(`SELECT count(*) FROM custom_fields`); n != 0 {
		t.Fatalf("refused fields stored: %d", n)
	}
	c.submit("/admin/fields", url.Values{"key": {"device"}, "label": {"Device"}, "type": {"select"},
		"options": {"Printer, colour\nLaptop\n\n"}, "required": {"on"}, "position": {"2"}})
	fields, err := d.a.Tickets.FindFields(admCtx)
	admMust(t, err)
	if len(fields) != 1 || len(fields[0].Options) != 2 || fields[0].Options[0] != "Printer, colour" || !fields[0].Required {
		t.Fatalf("fields %+v", fields)
	}
	path := fmt.Sprintf("/admin/fields/%d", fields[0].ID)
	c.refused(path, url.Values{"label": {"Device"}, "options": {""}}, http.StatusUnprocessableEntity, "at least one option")
	c.submit(path, url.Values{"label": {"Affected device"}, "options": {"Printer\nLaptop\nPhone"}, "position": {"1"}})
	f, err := d.a.Tickets.FindField(admCtx, fields[0].ID)
	admMust(t, err)
	if f.Label != "Affected device" || len(f.Options) != 3 || f.Required || f.Active || f.Position != 1 {
		t.Errorf("saved %+v", f)
	}
	admContains(t, c.page("/admin/fields"), "Affected device", "Hidden")
}

// admQuarantined stores a message and keeps it out of the tickets.
func admQuarantined(t *testing.T, d *adminDesk, from, subject string, body string) int64 {
	t.Helper()
	raw := "From: Sender <" + from + ">\r\nTo: support@desk.example\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + subject + "@sender>\r\n\r\n" + body + "\r\n"
	id, _, err := d.a.Mailboxes.Store(admCtx, mailbox.Raw{Source: mailbox.SourceSMTP, EnvelopeFrom: from,
		EnvelopeTo: []string{"support@desk.example"}, Data: []byte(raw)})
	admMust(t, err)
	admMust(t, d.a.Mailboxes.Quarantine(admCtx, d.a.DB.W, id, "the sender is blocked"))
	return id
}

func TestAdminQuarantine(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	admContains(t, c.page("/admin/quarantine"), "The quarantine is empty")
	spammer, err := d.a.Directory.CreateContact(admCtx, directory.ContactInput{Name: "Spammer", Email: "offers@spam.example"})
	admMust(t, err)
	id := admQuarantined(t, d, "offers@spam.example", "Cheap watches", "Buy now & save")
	path := fmt.Sprintf("/admin/quarantine/%d", id)
	jobs := func() int { return d.count(`SELECT count(*) FROM jobs WHERE kind = $1`, mailbox.JobProcess) }

	t.Run("list and view", func(t *testing.T) {
		admContains(t, c.page("/admin/quarantine"), "offers@spam.example", "the sender is blocked", `href="`+path+`"`)
		admContains(t, c.page(path), "Cheap watches", "Sender &lt;offers@spam.example&gt;", "the sender is blocked",
			"Buy now &amp; save", "Block Spammer", "Block all of spam.example")
	})
	t.Run("the raw message downloads as text", func(t *testing.T) {
		res, body := c.get(path + "/raw")
		admStatus(t, res, http.StatusOK)
		if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); ct != "text/plain" || !strings.HasPrefix(cd, "attachment") {
			t.Errorf("Content-Type %q, Content-Disposition %q", ct, cd)
		}
		if !strings.Contains(body, "Subject: Cheap watches\r\n") {
			t.Errorf("raw %q", body)
		}
	})
	t.Run("a large message is cut on the page, whole in the download", func(t *testing.T) {
		big := admQuarantined(t, d, "big@files.example", "Logs", strings.Repeat("0123456789abcdef\r\n", 20000))
		page := c.page(fmt.Sprintf("/admin/quarantine/%d", big))
		admContains(t, page, "Only the first 200 KB are shown")
		if n := strings.Count(page, "0123456789abcdef"); n >= 20000 || n < 10000 {
			t.Errorf("the page shows %d of 20000 lines", n)
		}
		if _, raw := c.get(fmt.Sprintf("/admin/quarantine/%d/raw", big)); strings.Count(raw, "0123456789abcdef") != 20000 {
			t.Error("the download is not the whole message")
		}
	})
	t.Run("block the sender needs a reason", func(t *testing.T) {
		c.refused(path+"/block", url.Values{"what": {"contact"}, "reason": {""}}, http.StatusUnprocessableEntity, "Reason:")
		if got, _ := d.a.Directory.FindContact(admCtx, spammer.ID); got.Blocked {
			t.Fatal("blocked without a reason")
		}
		admContains(t, c.page(c.submit(path+"/block", url.Values{"what": {"contact"}, "reason": {"Spam"}})), "The contact is blocked")
		if got, _ := d.a.Directory.FindContact(admCtx, spammer.ID); !got.Blocked || got.BlockedReason != "Spam" {
			t.Errorf("contact %+v", got)
		}
		c.submit(path+"/block", url.Values{"what": {"domain"}, "reason": {"Spam"}})
		if blocked, _ := d.a.Mailboxes.IsBlockedDomain(admCtx, "offers@spam.example"); !blocked {
			t.Error("the domain is not blocked")
		}
		c.refused(path+"/block", url.Values{"what": {"domain"}, "reason": {"Again"}}, http.StatusConflict, "already blocked")
	})
	t.Run("retry and release queue the message again", func(t *testing.T) {
		before := jobs()
		admContains(t, c.page(c.submit(path+"/retry", nil)), "Queued to run again.")
		if in, _ := d.a.Mailboxes.FindInbound(admCtx, id); in.State != mailbox.StateReceived || jobs() != before+1 {
			t.Errorf("after retry: state %s, %d new jobs", in.State, jobs()-before)
		}
		admMust(t, d.a.Mailboxes.Quarantine(admCtx, d.a.DB.W, id, "still blocked"))
		admContains(t, c.page(c.submit(path+"/release", nil)), "Released")
		var payload string
		admMust(t, d.a.DB.R.QueryRow(`SELECT payload FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT 1`, mailbox.JobProcess).Scan(&payload))
		if !strings.Contains(payload, `"release":true`) || jobs() != before+2 {
			t.Errorf("release job %s", payload)
		}
	})
	t.Run("a processed message is not sent round again", func(t *testing.T) {
		admMust(t, d.a.Mailboxes.MarkProcessed(admCtx, d.a.DB.W, id, nil, nil, "ignored"))
		before := jobs()
		c.refused(path+"/retry", nil, http.StatusConflict, "already processed")
		if jobs() != before {
			t.Error("a job was queued")
		}
	})
}

func TestAdminFailedJobs(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	admContains(t, c.page("/admin/jobs"), "No failed jobs")
	var id int64
	admMust(t, d.a.DB.W.QueryRow(`INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, updated_at)
		VALUES ('email.reply', '{"comment_id": 7}', 'dead', 10, 10, $1, '550 mailbox unavailable', $1, $1) RETURNING id`,
		db.Now()).Scan(&id))
	admContains(t, c.page("/admin/jobs"), "email.reply", "550 mailbox unavailable", "10/10", `{&#34;comment_id&#34;: 7}`)
	admContains(t, c.page(c.submit(fmt.Sprintf("/admin/jobs/%d/retry", id), nil)), "Queued to run again.", "No failed jobs")
	j, err := d.a.Jobs.Find(admCtx, id)
	admMust(t, err)
	if j.State != job.Pending || j.Attempts != 0 {
		t.Errorf("retried job %+v", j)
	}
	c.refused(fmt.Sprintf("/admin/jobs/%d/retry", id), nil, http.StatusConflict, "only a dead job can be retried")
	res, _ := c.post("/admin/jobs/99999/retry", nil)
	admStatus(t, res, http.StatusNotFound)
}
