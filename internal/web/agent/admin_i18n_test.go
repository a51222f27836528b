package agent

import (
	"encoding/json"
	"strings"
	"testing"

	"linedesk/internal/i18n"
	"linedesk/internal/mailbox"
	"linedesk/internal/portal"
)

// adminRuntimeKeys are the admin messages whose ids are built from a
// value, which the catalog check cannot find in the sources; true marks
// those shown with a count.
func adminRuntimeKeys() map[string]bool {
	keys := map[string]bool{"admin.agents.search": false, "admin.contacts.search": false, "admin.search_name": false}
	for _, s := range adminSections {
		keys["admin."+s+".title"], keys["admin."+s+".intro"] = false, false
	}
	for _, g := range adminGroups {
		keys["admin.group."+g.Key] = false
	}
	for _, k := range []string{"groups", "plans"} {
		for _, m := range []string{"create", "empty", "empty_hint", "delete_hint"} {
			keys["admin."+k+"."+m] = false
		}
		keys["admin."+k+".count"] = true
	}
	for k := range adminNotices {
		keys["admin.ok."+k] = false
	}
	for _, r := range roles {
		keys["admin.role."+string(r)] = false
	}
	for _, m := range (mailboxPage{}).TLSModes() {
		keys["admin.tls."+m] = false
	}
	for _, t := range fieldTypes {
		keys["admin.fields.type."+string(t)] = false
	}
	for _, st := range []string{portal.StateActive, portal.StatePending, portal.StateRevoked} {
		keys["admin.portal.state."+st] = false
	}
	for _, r := range portal.Registrations {
		keys["admin.portal.registration."+r] = false
	}
	for _, t := range portal.FieldTypes {
		keys["admin.forms.type."+t] = false
	}
	for _, s := range []string{mailbox.StateReceived, mailbox.StateProcessed, mailbox.StateQuarantined} {
		keys["admin.quarantine.state."+s] = false
	}
	// Every input field a form error may name.
	for _, f := range []string{"name", "full_name", "email", "role", "line", "language", "time_zone", "group_ids",
		"password", "active", "description", "domains", "plan_id", "notes", "emails", "phone", "company_id",
		"blocked_reason", "reason", "duplicate", "domain", "what", "state", "address", "imap.host", "imap.port",
		"imap.username", "imap.password", "imap.tls", "imap.folder", "imap.after", "imap.move_to", "smtp.host",
		"smtp.port", "smtp.username", "smtp.password", "smtp.tls", "default_group_id", "default_line",
		"default_priority", "default_language", "routing_rules", "rule", "rule.name", "rule.if", "rule.if.from",
		"rule.if.from_domain", "rule.if.to", "rule.if.subject_contains", "rule.if.body_contains",
		"rule.then.group_id", "rule.then.line", "rule.then.priority", "rule.then.assignee_id", "rule.then.tags",
		"rule.stop", "key", "label", "type", "options", "required", "position", "portal", "registration", "mailbox_id",
		"origins", "thanks", "fields", "priority", "group_id", "manager"} {
		keys["admin.field."+f] = false
	}
	return keys
}

var adminPluralForms = map[string][]string{"en": {"one", "other"}, "ru": {"one", "few", "many", "other"},
	"lv": {"zero", "one", "other"}}

func TestAdminMessagesBuiltAtRunTime(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for key, plural := range adminRuntimeKeys() {
		for _, lang := range i18n.Languages {
			raw, ok := b.IDs(lang)[key]
			if !ok {
				t.Errorf("%s: message %q is missing", lang, key)
				continue
			}
			var forms map[string]string
			isPlural := json.Unmarshal(raw, &forms) == nil
			if isPlural != plural {
				t.Errorf("%s: message %q has plural forms: %v, want %v", lang, key, isPlural, plural)
			}
			for _, f := range adminPluralForms[lang] {
				if isPlural && strings.TrimSpace(forms[f]) == "" {
					t.Errorf("%s: message %q lacks its %q plural form", lang, key, f)
				}
			}
			if lang != "en" && string(raw) == string(b.IDs("en")[key]) {
				t.Errorf("%s: message %q is still the English text %s", lang, key, raw)
			}
		}
	}
}

func TestFieldLabel(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	l := b.For("en", nil)
	for field, want := range map[string]string{
		"imap.port":                   "IMAP port",
		"routing_rules[3].if.from":    "Sender's address",
		"routing_rules[0].if":         "Conditions",
		"routing_rules[12]":           "Rule",
		"routing_rules":               "Routing rules",
		"something_new":               "something_new",
		"rule.then.group_id":          "Group",
		"routing_rules[1].then.tags":  "Tags",
		"routing_rules[2].name":       "Rule name",
		"routing_rules[2].then.line":  "Line",
		"routing_rules[2].if.to":      "Recipient's address",
		"routing_rules[2].then.bogus": "routing_rules[2].then.bogus",
	} {
		if got := fieldLabel(l, field); got != want {
			t.Errorf("fieldLabel(%q) = %q, want %q", field, got, want)
		}
	}
}
