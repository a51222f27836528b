package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/directory"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// TestPlansShapeThePortal: without a test policy, the clients' plans
// decide who may use the portal and what answer time it promises.
func TestPlansShapeThePortal(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	en := catalog(t, "en")
	plan := func(name string, portal bool, firstResponse int) int64 {
		in := sla.NewPlanInput()
		in.Name, in.PortalAccess = name, portal
		if firstResponse > 0 {
			in.Targets = map[ticket.Priority]sla.Targets{ticket.PriorityNormal: {FirstResponse: &firstResponse}}
		}
		p, err := d.a.SLA.CreatePlan(ctx, in)
		d.must(err)
		return p.ID
	}
	basic, premium := plan("Basic", false, 0), plan("Premium", true, 60)

	t.Run("a plan without the portal refuses its contacts and names the support address", func(t *testing.T) {
		c, err := d.a.Directory.CreateCompany(ctx, directory.CompanyInput{Name: "Basic Client", PlanID: &basic,
			Domains: []string{"basic.example"}})
		d.must(err)
		a := d.customer("Pēteris Ozols", "peteris@basic.example", &c.ID, false)
		res, body := d.browser().post("/portal/signin", url.Values{"email": {a.Email}, "password": {password}})
		wantStatus(t, res, http.StatusForbidden)
		want := en.T("portal.refused.plan_instead", "Instead", d.mailbox.Address)
		if !strings.Contains(body, htmlEscape(want)) {
			t.Errorf("the refusal lacks %q", want)
		}
	})
	t.Run("a plan with a first-response target promises it", func(t *testing.T) {
		_, err := d.a.Directory.UpdateCompany(ctx, d.company.ID, directory.CompanyUpdate{
			PlanID: directory.Ref{Set: true, ID: &premium}})
		d.must(err)
		a := d.customer("Jānis Kalniņš", "janis@client.example", &d.company.ID, false)
		b := d.signIn(a.Email)
		res, body := b.post("/portal/tickets", url.Values{"subject": {"VPN drops"}, "description": {"Every hour."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %.300s", res.StatusCode, body)
		}
		list, _, err := d.a.Tickets.FindCustomerTickets(ctx, a.Customer(), ticket.Filter{})
		d.must(err)
		tk := list[0]
		if tk.SLA.FirstResponse == nil || tk.SLA.FirstResponse.DueAt == nil {
			t.Fatalf("no first-response deadline: %+v", tk.SLA)
		}
		_, body = b.get(fmt.Sprintf("/portal/tickets/%d", tk.Number))
		want := en.T("portal.ticket.promise", "When", en.DateTime(*tk.SLA.FirstResponse.DueAt))
		if !strings.Contains(body, htmlEscape(want)) {
			t.Errorf("the page lacks %q", want)
		}
		_, err = d.a.Tickets.AddComment(ctx, d.agent, tk.ID, ticket.NewComment{Body: "Looking at it.", Public: true})
		d.must(err)
		_, body = b.get(fmt.Sprintf("/portal/tickets/%d", tk.Number))
		if strings.Contains(body, `id="promise"`) {
			t.Error("the answer came, and the page still promises one")
		}
	})
}
