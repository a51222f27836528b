package app_test

import (
	"fmt"
	"net/smtp"
	"path/filepath"
	"strings"
	"testing"

	"linedesk/internal/dbtest"
)

// TestRuleReplyByMail: a routing rule's templated reply to an e-mail
// ticket reaches the customer through the mailbox's real SMTP server,
// filled in and marked as automatic mail; an auto-reply that opens a
// ticket gets no reply at all. On both databases.
func TestRuleReplyByMail(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { ruleReplyByMail(t, "sqlite:"+filepath.Join(t.TempDir(), "l.db")) })
	t.Run("postgres", func(t *testing.T) { _, url := dbtest.PostgresURL(t); ruleReplyByMail(t, url) })
}

func ruleReplyByMail(t *testing.T, url string) {
	api, sink, smtpAddr := mailApp(t, url)
	canned := api.call("POST", "/api/v1/canned-responses", map[string]any{"name": "Printers",
		"texts": map[string]string{"en": "Hello {{requester.first_name}}, printer trouble at {{ticket.number}} is with our print team."}}, 201)
	api.call("POST", "/api/v1/routing-rules", map[string]any{"name": "Printer acknowledgement",
		"conditions": []map[string]any{{"kind": "subject", "values": []string{"printer"}}},
		"actions":    []map[string]any{{"kind": "reply", "value": fmt.Sprint(canned["id"])}, {"kind": "add_tags", "values": []string{"printer"}}}}, 201)

	msg := "From: Anna Client <anna@client.example>\r\nTo: support@help.example\r\nDate: Sun, 22 Nov 2026 10:00:00 +0200\r\n" +
		"Subject: Printers on floor 3\r\nMessage-ID: <p1@client.example>\r\n\r\nNone of them print.\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "anna@client.example", []string{"support@help.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	var reply string
	eventually(t, "the rule's reply", func() bool {
		reply = sink.find("Hello Anna, printer trouble at #1001 is with our print team.")
		return reply != ""
	})
	for _, want := range []string{"anna@client.example", "Auto-Submitted: auto-generated", "In-Reply-To: <p1@client.example>"} {
		if !strings.Contains(reply, want) {
			t.Errorf("the reply lacks %q:\n%s", want, reply)
		}
	}
	sendMail(t, smtpAddr, "robot@client.example", "Subject: Out of office: printer\r\nMessage-ID: <oof@client.example>\r\n"+
		"Auto-Submitted: auto-replied\r\n\r\nI am away.\r\n")
	eventually(t, "the automatic mail's ticket", func() bool { return api.call("GET", "/api/v1/tickets", nil, 200)["total"] == 2.0 })
	eventually(t, "the job queue to drain", func() bool {
		return api.call("GET", "/api/v1/jobs?state=pending", nil, 200)["total"] == 0.0 &&
			api.call("GET", "/api/v1/jobs?state=running", nil, 200)["total"] == 0.0
	})
	if n := sink.count("robot@client.example"); n != 0 {
		t.Errorf("%d mails to the auto-responder; automatic mail is never answered", n)
	}
	list := api.call("GET", "/api/v1/tickets?q=%23"+"1002", nil, 200)
	items, _ := list["items"].([]any)
	if len(items) != 1 || !strings.Contains(fmt.Sprint(items[0].(map[string]any)["tags"]), "printer") {
		t.Errorf("the automatic mail's ticket: %v (its fields are still routed)", items)
	}
}
