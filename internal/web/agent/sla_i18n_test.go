package agent

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"linedesk/internal/i18n"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// slaRuntimeKeys are the deadline screens' messages whose ids are built
// from a value; true marks those shown with a count.
func slaRuntimeKeys() map[string]bool {
	keys := map[string]bool{"sla.calendars.count": true, "event." + ticket.EventSLAWarning: false,
		"event." + ticket.EventSLABreached: false}
	for _, t := range sla.AllTargets {
		keys["sla.target."+string(t)] = false
		for _, p := range ticket.Priorities {
			keys[fmt.Sprintf("admin.field.targets.%s.%s_minutes", p, t)] = false
		}
	}
	for _, s := range []string{ticket.SLARunning, ticket.SLAPaused, ticket.SLAMet, ticket.SLABreached, "at_risk"} {
		keys["sla.state."+s] = false
	}
	for d := 1; d <= 7; d++ {
		keys[fmt.Sprintf("sla.weekday.%d", d)], keys[fmt.Sprintf("sla.weekday_short.%d", d)] = false, false
		keys[fmt.Sprintf("admin.field.hours.%d", d)] = false
	}
	for _, c := range sla.Countries {
		keys["sla.country."+c] = false
	}
	// Every input field of the plan, calendar and line forms an error may name.
	for _, f := range []string{"calendar_id", "warn_percent", "channels", "included_hours", "hourly_rate_cents", "currency",
		"targets", "escalation.on", "escalation.group_id", "escalation.notify_agent_id", "time_zone", "windows", "days",
		"date", "kind", "country", "year", "day.date", "day.kind", "day.name", "day.as_weekday", "as_weekday", "line",
		"group_ids", "is_default", "portal_access"} {
		keys["admin.field."+f] = false
	}
	return keys
}

func TestSLAMessagesBuiltAtRunTime(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for key, plural := range slaRuntimeKeys() {
		for _, lang := range i18n.Languages {
			raw, ok := b.IDs(lang)[key]
			if !ok {
				t.Errorf("%s: message %q is missing", lang, key)
				continue
			}
			var forms map[string]string
			if isPlural := json.Unmarshal(raw, &forms) == nil; isPlural != plural {
				t.Errorf("%s: message %q has plural forms: %v, want %v", lang, key, isPlural, plural)
			}
			for _, f := range adminPluralForms[lang] {
				if plural && strings.TrimSpace(forms[f]) == "" {
					t.Errorf("%s: message %q lacks its %q plural form", lang, key, f)
				}
			}
			if lang != "en" && string(raw) == string(b.IDs("en")[key]) {
				t.Errorf("%s: message %q is still the English text %s", lang, key, raw)
			}
		}
	}
}
