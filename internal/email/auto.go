package email

import (
	"strings"
)

// listHeaders mark mail sent through a mailing list or a bulk sender
// (RFC 2369, RFC 2919 and the headers older list managers use).
var listHeaders = []string{"List-Id", "List-Unsubscribe", "Mailing-List", "X-Mailing-List", "X-Ml-Name", "X-Mlserver"}

// autoHeaders mark automatic replies whatever their value.
var autoHeaders = []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"}

// autoReason explains why m is automatic mail that must never be answered
// (RFC 3834): a bounce or feedback report, Auto-Submitted other than "no",
// Precedence bulk/list/junk, mailing-list headers, auto-reply headers, the
// null Return-Path, or a sender address that is never a person
// (MAILER-DAEMON, no-reply). It returns "" for a person's mail.
func autoReason(m *Message, r *report) string {
	h := m.Header
	if m.Bounce != nil {
		if len(r.feedback) > 0 && len(r.status) == 0 {
			return "abuse feedback report"
		}
		return "delivery status notification (bounce)"
	}
	if v := fieldWord(h.Get("Auto-Submitted")); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	switch v := fieldWord(h.Get("Precedence")); v {
	case "bulk", "list", "junk":
		return "Precedence: " + v
	}
	for _, name := range listHeaders {
		if _, ok := h[name]; ok {
			return name + " header (list mail)"
		}
	}
	for _, name := range autoHeaders {
		if _, ok := h[name]; ok {
			return name + " header"
		}
	}
	if v, ok := h["Return-Path"]; ok && len(v) > 0 && strings.Trim(v[0], "<> \t") == "" {
		return "empty Return-Path"
	}
	if local := localPart(m.From.Email); noReplyNames[local] || daemonNames[local] && local != "postmaster" {
		return "automatic sender " + m.From.Email
	}
	return ""
}

// fieldWord returns the first word of a header value, lower-cased, without
// parameters or comments: "auto-replied; foo (bar)" gives "auto-replied".
func fieldWord(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexAny(v, "; \t("); i >= 0 {
		v = v[:i]
	}
	return v
}

// daemonNames are local parts of mail systems that send bounces.
var daemonNames = map[string]bool{
	"mailer-daemon": true, "mailer_daemon": true, "mailerdaemon": true, "mail-daemon": true,
	"maildaemon": true, "mdaemon": true, "postmaster": true, "mail.delivery.system": true,
	"mail-delivery-system": true, "mail_delivery_system": true, "mail.delivery.subsystem": true,
}

// noReplyNames are local parts of addresses that never read replies.
var noReplyNames = map[string]bool{
	"noreply": true, "no-reply": true, "no_reply": true, "donotreply": true,
	"do-not-reply": true, "do_not_reply": true,
}

func localPart(addr string) string {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	return local
}

// isSystemSender reports whether the mail comes from a mail system rather
// than a person: a daemon or no-reply address, a daemon display name, or the
// null Return-Path.
func isSystemSender(m *Message) bool {
	local := localPart(m.From.Email)
	if daemonNames[local] || noReplyNames[local] {
		return true
	}
	name := strings.ToLower(m.From.Name)
	if strings.Contains(name, "mail delivery") || strings.Contains(name, "mailer-daemon") || strings.Contains(name, "postmaster") {
		return true
	}
	return isNullPath(m.Header.Get("Return-Path"))
}
