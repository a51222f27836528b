package mailbox_test

import (
	"slices"
	"testing"

	"linedesk/internal/mailbox"
)

func TestRoute(t *testing.T) {
	it, facilities, network, vip := int64(1), int64(2), int64(3), int64(9)
	m := mailbox.Mailbox{
		Address: "help@example.com", DefaultGroupID: &it, DefaultLine: 1, DefaultPriority: "normal", DefaultLanguage: "lv",
		RoutingRules: []mailbox.Rule{
			{Name: "facilities", If: mailbox.Condition{To: "facilities@example.com"}, Then: mailbox.Action{GroupID: &facilities}},
			{Name: "printers", If: mailbox.Condition{SubjectContains: "принтер"}, Then: mailbox.Action{Tags: []string{"printer"}}},
			{Name: "outage", If: mailbox.Condition{BodyContains: "VPN", SubjectContains: "down"},
				Then: mailbox.Action{GroupID: &network, Line: 2, Priority: "high", Tags: []string{"vpn"}}},
			{Name: "vip", If: mailbox.Condition{FromDomain: "bigclient.lv"},
				Then: mailbox.Action{Priority: "urgent", AssigneeID: &vip}, Stop: true},
			{Name: "never after vip", If: mailbox.Condition{From: "boss@bigclient.lv"}, Then: mailbox.Action{Priority: "low"}},
		},
	}
	tests := []struct {
		name     string
		in       mailbox.RouteInput
		group    int64
		line     int
		priority string
		assignee *int64
		tags     []string
		rules    []string
	}{
		{"defaults when nothing matches", mailbox.RouteInput{From: "a@x.com", To: []string{"help@example.com"}, Subject: "Hello"},
			it, 1, "normal", nil, []string{}, []string{}},
		{"to facilities goes to Facilities", mailbox.RouteInput{From: "a@x.com", To: []string{"Facilities@Example.com"}, Subject: "Door"},
			facilities, 1, "normal", nil, []string{}, []string{"facilities"}},
		{"case-insensitive in Cyrillic", mailbox.RouteInput{From: "a@x.com", Subject: "ПРИНТЕР не печатает"},
			it, 1, "normal", nil, []string{"printer"}, []string{"printers"}},
		{"every condition must hold", mailbox.RouteInput{From: "a@x.com", Subject: "VPN", Body: "vpn is slow"},
			it, 1, "normal", nil, []string{}, []string{}},
		{"later rule overrides earlier, tags add up", mailbox.RouteInput{From: "a@x.com", To: []string{"facilities@example.com"},
			Subject: "Printer принтер down", Body: "the vpn too"},
			network, 2, "high", nil, []string{"printer", "vpn"}, []string{"facilities", "printers", "outage"}},
		{"stop ends the rules; subdomains match from_domain", mailbox.RouteInput{From: "Boss@Mail.BigClient.lv", Subject: "hi"},
			it, 1, "urgent", &vip, []string{}, []string{"vip"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.Route(tc.in)
			if got.GroupID == nil || *got.GroupID != tc.group || got.Line != tc.line || got.Priority != tc.priority ||
				!slices.Equal(got.Tags, tc.tags) || !slices.Equal(got.Rules, tc.rules) || got.Language != "lv" {
				t.Errorf("got group %v line %d priority %s tags %v rules %v language %s",
					deref(got.GroupID), got.Line, got.Priority, got.Tags, got.Rules, got.Language)
			}
			if (got.AssigneeID == nil) != (tc.assignee == nil) || (got.AssigneeID != nil && *got.AssigneeID != *tc.assignee) {
				t.Errorf("assignee %v, want %v", deref(got.AssigneeID), deref(tc.assignee))
			}
		})
	}
	t.Run("routing does not alias the mailbox's ids", func(t *testing.T) {
		r := m.Route(mailbox.RouteInput{From: "a@x.com", To: []string{"facilities@example.com"}})
		*r.GroupID = 42
		if facilities != 2 || *m.RoutingRules[0].Then.GroupID != 2 {
			t.Error("Route returned a pointer into the mailbox")
		}
	})
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestMessageID(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"plain", "Message-ID: <abc@x>\r\nSubject: hi\r\n\r\nbody Message-ID: <no@x>", "abc@x"},
		{"folded, lower-case name", "message-id:\r\n <folded@x>\r\n\r\nbody", "folded@x"},
		{"missing", "Subject: hi\r\n\r\nMessage-ID: <in-body@x>", ""},
		{"headers only, LF endings", "Subject: hi\nMessage-Id: <lf@x>\n", "lf@x"},
		{"malformed header after it", "Message-ID: <early@x>\r\nthis is not a header\r\n\r\nbody", "early@x"},
		{"garbage", "\x00\x01\x02", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mailbox.MessageID([]byte(tc.raw)); got != tc.want {
				t.Errorf("MessageID = %q, want %q", got, tc.want)
			}
		})
	}
}
