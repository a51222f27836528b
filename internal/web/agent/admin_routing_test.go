package agent_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/assign"
	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// ruleForm is a rule editor's form as the browser sends it.
func ruleForm(name string, rows ...[2]string) url.Values {
	f := url.Values{"name": {name}, "when": {"created"}, "enabled": {"1"}}
	c, a := 0, 0
	for _, r := range rows {
		switch r[0] {
		case "cond":
			kind, values, _ := strings.Cut(r[1], "=")
			f.Set(fmt.Sprintf("cond.%d.kind", c), kind)
			f.Set(fmt.Sprintf("cond.%d.values", c), values)
			f.Set(fmt.Sprintf("cond.%d.op", c), "")
			f.Set(fmt.Sprintf("cond.%d.key", c), "")
			c++
		case "act":
			kind, value, _ := strings.Cut(r[1], "=")
			f.Set(fmt.Sprintf("act.%d.kind", a), kind)
			f.Set(fmt.Sprintf("act.%d.value", a), value)
			f.Set(fmt.Sprintf("act.%d.key", a), "")
			a++
		}
	}
	f.Set(fmt.Sprintf("cond.%d.kind", c), "")
	f.Set(fmt.Sprintf("act.%d.kind", a), "")
	return f
}

func TestAdminRouting(t *testing.T) {
	d := newAdminDesk(t, false)
	c := d.as(d.admin)
	vip, err := d.a.Directory.CreateGroup(admCtx, directory.GroupInput{Name: "VIP — Ключевые клиенты"})
	admMust(t, err)

	t.Run("bad rules are shown again naming the row, and nothing is stored", func(t *testing.T) {
		c.refused("/admin/routing", ruleForm("Lost", [2]string{"act", "set_group=99999"}), http.StatusUnprocessableEntity,
			"Action 1, value:", "no group 99999")
		c.refused("/admin/routing", ruleForm("Late", [2]string{"cond", "time_of_day=22:00, 25:00"},
			[2]string{"act", "set_priority=high"}), http.StatusUnprocessableEntity, "Condition 1, values:", "25:00")
		busy := ruleForm("Busy", [2]string{"act", "set_priority=low"})
		busy.Set("when", "updated")
		c.refused("/admin/routing", busy, http.StatusUnprocessableEntity, "Conditions:")
		if n := d.count(`SELECT count(*) FROM routing_rules`); n != 0 {
			t.Fatalf("refused rules stored: %d", n)
		}
	})
	t.Run("a rule is created, listed in words, and applies", func(t *testing.T) {
		loc := c.submit("/admin/routing", ruleForm("VIP clients", [2]string{"cond", "email_domain=vip.example"},
			[2]string{"act", "set_priority=high"}, [2]string{"act", fmt.Sprintf("set_group=%d", vip.ID)}))
		body := c.page(loc)
		admContains(t, body, "VIP clients", "Requester&#39;s e-mail domain: vip.example", "Set group: VIP — Ключевые клиенты",
			"Applied 0 times")
		tk, err := d.a.Tickets.CreateTicket(admCtx, auth.System(), ticket.NewTicket{Subject: "Help",
			Requester: ticket.RequesterRef{Email: "boss@vip.example"}})
		admMust(t, err)
		page := c.page(fmt.Sprintf("/tickets/%d", tk.ID))
		admContains(t, page, "rule &#39;VIP clients&#39; set priority high")
		admContains(t, c.page("/admin/routing"), "Applied 1 time")
	})
	t.Run("the dry run shows the rules that would fire and saves nothing", func(t *testing.T) {
		before := d.count(`SELECT count(*) FROM tickets`)
		res, body := c.post("/admin/dryrun", url.Values{"subject": {"Hi"}, "requester_email": {"ceo@vip.example"},
			"channel": {"email"}, "priority": {"normal"}, "at": {"2025-06-16T10:00"}})
		admStatus(t, res, http.StatusOK)
		admContains(t, body, "What the rules would do", "VIP clients", "Fires", "Priority: High", "Nothing was saved")
		if after := d.count(`SELECT count(*) FROM tickets`); after != before {
			t.Errorf("tickets %d → %d after a dry run", before, after)
		}
	})
	t.Run("shifts: 25:00 is refused naming the window; away is one click", func(t *testing.T) {
		f := url.Values{"time_zone": {"Europe/Riga"}, "day.0": {"1"}, "from.0": {"22:00"}, "to.0": {"25:00"}}
		c.refused(fmt.Sprintf("/admin/shifts/%d", d.agent.ID), f, http.StatusUnprocessableEntity, "Shift 1, to:")
		av, err := d.a.Assign.FindAgent(admCtx, d.agent.ID)
		admMust(t, err)
		if av.Shift.Scheduled() {
			t.Fatalf("a refused shift was saved: %+v", av.Shift)
		}
		f.Set("to.0", "06:00")
		c.submit(fmt.Sprintf("/admin/shifts/%d", d.agent.ID), f)
		admContains(t, c.page("/admin/assignment"), d.agent.Name)
		me := d.as(d.agent)
		me.submit("/me/away", url.Values{"away": {"1"}, "back": {"/profile"}})
		admContains(t, me.page("/profile"), "I&#39;m back", "My shifts", "22:00–24:00")
		if ok, _ := d.a.Assign.IsAway(admCtx, d.agent.ID); !ok {
			t.Error("the agent is not away after the click")
		}
		c.submit("/admin/assignment", url.Values{fmt.Sprintf("mode.%d", vip.ID): {assign.ModeRoundRobin},
			fmt.Sprintf("max_open.%d", vip.ID): {"3"}, fmt.Sprintf("return_after.%d", vip.ID): {"30"}})
		g, err := d.a.Assign.FindGroup(admCtx, vip.ID)
		admMust(t, err)
		if g.Mode != assign.ModeRoundRobin || g.MaxOpen != 3 || g.ReturnAfterMinutes != 30 {
			t.Errorf("group settings %+v", g)
		}
	})
}
