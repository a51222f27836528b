package email

import (
	"strings"
	"testing"
)

func TestAutoReason(t *testing.T) {
	tests := []struct {
		name, headers, want string
	}{
		{"a person's mail", "From: Ivan <ivan@example.com>\nPrecedence: first-class\nAuto-Submitted: no", ""},
		{"Auto-Submitted auto-replied", "From: ivan@example.com\nAuto-Submitted: auto-replied", "Auto-Submitted: auto-replied"},
		{"Auto-Submitted with a comment", "From: ivan@example.com\nAuto-Submitted: Auto-Generated (vacation)", "Auto-Submitted: auto-generated"},
		{"Precedence bulk", "From: news@example.com\nPrecedence: bulk", "Precedence: bulk"},
		{"Precedence list", "From: x@example.com\nPrecedence: List", "Precedence: list"},
		{"Precedence junk", "From: x@example.com\nPrecedence: junk", "Precedence: junk"},
		{"List-Id", "From: x@example.com\nList-Id: <dev.lists.example.com>", "List-Id header (list mail)"},
		{"X-Autoreply", "From: x@example.com\nX-Autoreply: yes", "X-Autoreply header"},
		{"X-Autorespond", "From: x@example.com\nX-Autorespond: Out of office", "X-Autorespond header"},
		{"X-Auto-Response-Suppress any value", "From: x@example.com\nX-Auto-Response-Suppress: OOF", "X-Auto-Response-Suppress header"},
		{"X-Auto-Response-Suppress empty", "From: x@example.com\nX-Auto-Response-Suppress:", "X-Auto-Response-Suppress header"},
		{"empty Return-Path", "Return-Path: <>\nFrom: x@example.com", "empty Return-Path"},
		{"no-reply sender", "From: Shop <no-reply@shop.example.com>", "automatic sender no-reply@shop.example.com"},
		{"MAILER-DAEMON sender", "From: MAILER-DAEMON@mx.example.com\nSubject: hello", "automatic sender mailer-daemon@mx.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, crlf(tt.headers+"\nSubject: Printer\n\nThe printer is broken.\n"))
			if m.Auto != tt.want {
				t.Errorf("Auto = %q, want %q", m.Auto, tt.want)
			}
		})
	}
}

func TestAutoForBounce(t *testing.T) {
	m := mustParse(t, crlf(dsn("5.1.1", "failed", "Content-Type: message/rfc822\n\nMessage-ID: <orig@example.com>\nSubject: x\n\nbody")))
	if !strings.Contains(m.Auto, "bounce") {
		t.Errorf("Auto = %q, want a bounce reason", m.Auto)
	}
}
