package email

import (
	"reflect"
	"testing"
)

// dsn builds an RFC 3464 report for one recipient with the given third part.
func dsn(status, action, original string) string {
	return `From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: support@linedesk.test
Subject: Undelivered Mail Returned to Sender
Return-Path: <>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.
--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
X-Postfix-Queue-ID: 3F2A

Final-Recipient: rfc822; Ivan@Customer.example
Original-Recipient: rfc822;ivan@customer.example
Action: ` + action + `
Status: ` + status + `
Diagnostic-Code: smtp; 550 5.1.1 no such user

--R
` + original + `
--R--
`
}

func TestBounceRFC3464(t *testing.T) {
	tests := []struct {
		name, status, action, original, wantID string
		permanent                              bool
	}{
		{"attached message", "5.1.1", "failed",
			"Content-Type: message/rfc822\n\nMessage-ID: <ticket-1042.1@linedesk.test>\nSubject: [#1042] Printer\n\nbody",
			"ticket-1042.1@linedesk.test", true},
		{"attached headers only", "5.2.2", "failed",
			"Content-Type: text/rfc822-headers\n\nFrom: support@linedesk.test\nMessage-Id: <h@linedesk.test>\n",
			"h@linedesk.test", true},
		{"attached message after a blank line", "5.0.0", "failed",
			"Content-Type: message/rfc822\n\n\nMessage-ID: <late@linedesk.test>\n\nbody",
			"late@linedesk.test", true},
		{"temporary failure", "4.4.1", "delayed",
			"Content-Type: message/rfc822\n\nMessage-ID: <d@linedesk.test>\n\nbody",
			"d@linedesk.test", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, crlf(dsn(tt.status, tt.action, tt.original)))
			want := &Bounce{OriginalMessageID: tt.wantID, Recipients: []string{"ivan@customer.example"}, Permanent: tt.permanent}
			if !reflect.DeepEqual(m.Bounce, want) {
				t.Errorf("Bounce = %+v, want %+v", m.Bounce, want)
			}
		})
	}
}

func TestBounceOriginalMessageIDField(t *testing.T) {
	raw := `From: postmaster@example.com
Subject: Delivery Status Notification (Failure)
X-Original-Message-ID: <xo@linedesk.test>
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Original-Message-ID: <om@linedesk.test>

Final-Recipient: rfc822; a@example.org
Action: failed
Status: 5.7.1
--R--
`
	m := mustParse(t, crlf(raw))
	if m.Bounce == nil || m.Bounce.OriginalMessageID != "om@linedesk.test" {
		t.Errorf("Bounce = %+v, want the Original-Message-ID of the report", m.Bounce)
	}
}

func TestBounceNonStandard(t *testing.T) {
	tests := []struct {
		name, raw string
		want      *Bounce
	}{
		{"exim text bounce with a quoted message", `From: Mail Delivery System <Mailer-Daemon@mx.example.org>
To: support@linedesk.test
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: gone@example.org

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  gone@example.org
    host mx.example.org said: 550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------

Message-ID: <reply-7@linedesk.test>
Subject: Re: [#7] VPN
`, &Bounce{OriginalMessageID: "reply-7@linedesk.test", Recipients: []string{"gone@example.org"}, Permanent: true}},
		{"Russian bounce with an attached message", `From: MAILER-DAEMON@mail.example.ru
To: support@linedesk.test
Subject: =?UTF-8?B?0J3QtdC00L7RgdGC0LDQstC70LXQvdC90L7QtSDRgdC+0L7QsdGJ0LXQvdC40LU=?=
Content-Type: multipart/mixed; boundary="M"

--M
Content-Type: text/plain; charset=utf-8

Сообщение не доставлено адресату petr@example.ru: ящик переполнен.
--M
Content-Type: message/rfc822

Message-ID: <n-15@linedesk.test>
Subject: [#15] Почта

тело
--M--
`, &Bounce{OriginalMessageID: "n-15@linedesk.test", Recipients: []string{"petr@example.ru"}, Permanent: true}},
		{"Exchange Undeliverable with quoted Message-ID", `From: postmaster@corp.example.com
To: support@linedesk.test
Subject: Undeliverable: [#99] Access
Return-Path: <>

Delivery has failed to these recipients or groups:

boss@corp.example.com
The e-mail address you entered couldn't be found.

Original message headers:

Message-ID: <ld-99@linedesk.test>
`, &Bounce{OriginalMessageID: "ld-99@linedesk.test", Recipients: []string{"boss@corp.example.com"}, Permanent: true}},
		{"delay warning", `From: MAILER-DAEMON@mx.example.com
To: support@linedesk.test
Subject: Delivery Status Notification (Delay)

Delivery to the following recipient has been delayed:

     slow@example.net
`, &Bounce{Recipients: []string{"slow@example.net"}, Permanent: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, crlf(tt.raw))
			if !reflect.DeepEqual(m.Bounce, tt.want) {
				t.Errorf("Bounce = %+v, want %+v", m.Bounce, tt.want)
			}
			if m.Auto == "" {
				t.Error("bounce not marked Auto")
			}
		})
	}
}

// TestNotBounce checks that people writing about delivery problems, or
// forwarding a bounce, are not taken for bounces.
func TestNotBounce(t *testing.T) {
	for name, raw := range map[string]string{
		"customer reports a problem": `From: Ivan <ivan@customer.example>
Subject: Undeliverable mail to our partners

Our messages could not be delivered since Monday, user unknown errors.
`,
		"customer forwards a bounce": `From: Ivan <ivan@customer.example>
Subject: Fwd: Undelivered Mail Returned to Sender
Content-Type: multipart/mixed; boundary="F"

--F
Content-Type: text/plain

Why does this happen?
--F
Content-Type: message/rfc822

From: MAILER-DAEMON@mx.example.com
Message-ID: <b@mx.example.com>
Subject: Undelivered Mail Returned to Sender

could not be delivered
--F--
`,
	} {
		t.Run(name, func(t *testing.T) {
			m := mustParse(t, crlf(raw))
			if m.Bounce != nil || m.Auto != "" {
				t.Errorf("Bounce = %+v, Auto = %q; want a person's mail", m.Bounce, m.Auto)
			}
		})
	}
}

// TestBounceSubjects checks the common non-standard bounce subjects from a
// mail system, with the original Message-ID quoted in the body.
func TestBounceSubjects(t *testing.T) {
	for _, subject := range []string{
		"Undelivered Mail Returned to Sender",
		"Delivery Status Notification (Failure)",
		"Mail delivery failed",
		"Returned mail: see transcript for details",
		"Undeliverable: [#5] Printer",
		"=?UTF-8?B?0J3QtdC00L7RgdGC0LDQstC70LXQvdC90L7QtSDRgdC+0L7QsdGJ0LXQvdC40LU6IFsjNV0=?=",
		"failure notice",
	} {
		for _, from := range []string{"MAILER-DAEMON@mx.example.com", "Postmaster <postmaster@example.com>"} {
			raw := "From: " + from + "\nTo: support@linedesk.test\nSubject: " + subject +
				"\n\nSorry.\n\n  > Message-ID: <q-5@linedesk.test>\n"
			m := mustParse(t, crlf(raw))
			if m.Bounce == nil || m.Bounce.OriginalMessageID != "q-5@linedesk.test" {
				t.Errorf("From %s, Subject %q: Bounce = %+v", from, m.Subject, m.Bounce)
			}
		}
	}
}
