package agent_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/ticket"
)

func TestTicketVisibility(t *testing.T) {
	d := newDesk(t)
	tk := d.ticket("Router down", d.line1)
	ctx := context.Background()
	up, err := d.a.Attachments.Upload(ctx, d.principal(d.anna), "config.txt", "text/plain", strings.NewReader("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.a.Tickets.AddComment(ctx, d.principal(d.anna), tk.ID, ticket.NewComment{Body: "config attached",
		AttachmentIDs: []int64{up.ID}}); err != nil {
		t.Fatal(err)
	}
	anna, ivan := d.signIn(d.anna), d.signIn(d.ivan)

	res, body := anna.get("/tickets/" + itoa(tk.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Router down", "config.txt")
	res, body = anna.get("/attachments/" + itoa(up.ID) + "/content")
	wantStatus(t, res, http.StatusOK)
	if body != "secret" {
		t.Errorf("attachment body %q", body)
	}

	res, body = ivan.get("/tickets/" + itoa(tk.ID))
	wantStatus(t, res, http.StatusNotFound)
	if strings.Contains(body, "Router down") {
		t.Error("the 404 page shows the hidden ticket's subject")
	}
	res, body = ivan.get("/attachments/" + itoa(up.ID) + "/content")
	wantStatus(t, res, http.StatusNotFound)
	if strings.Contains(body, "secret") {
		t.Error("the 404 answer carries the file")
	}
	res, body = ivan.get("/queues/open")
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(body, "Router down") {
		t.Error("another group's ticket is listed")
	}
}

func TestStaleSaveShowsTheConflict(t *testing.T) {
	d := newDesk(t)
	tk := d.ticket("VPN drops", d.line1)
	anna := d.signIn(d.anna)
	// A colleague changes the priority after Anna opened the page.
	high := ticket.PriorityHigh
	if _, err := d.a.Tickets.UpdateTicket(context.Background(), auth.System(), tk.ID, ticket.Update{Version: tk.Version, Priority: &high}); err != nil {
		t.Fatal(err)
	}
	res, body := anna.post("/tickets/"+itoa(tk.ID), url.Values{"version": {itoa(tk.Version)}, "status": {"pending"},
		"priority": {"normal"}, "type": {"question"}, "line": {"1"}, "group_id": {itoa(d.line1.ID)}, "assignee_id": {""}, "tags": {""}})
	wantStatus(t, res, http.StatusConflict)
	wantContains(t, body, "Someone changed this ticket while you were editing it", `<option value="pending" selected>`)
	got, _ := d.a.Tickets.FindTicket(context.Background(), auth.System(), tk.ID)
	if got.Status != tk.Status || got.Priority != ticket.PriorityHigh {
		t.Errorf("after the refused save: status %s priority %s; want the colleague's change only", got.Status, got.Priority)
	}
	// Saving again on the fresh version goes through.
	res, _ = anna.post("/tickets/"+itoa(tk.ID), url.Values{"version": {itoa(got.Version)}, "status": {"pending"}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ = d.a.Tickets.FindTicket(context.Background(), auth.System(), tk.ID)
	if got.Status != ticket.StatusPending {
		t.Errorf("status %s after saving on the fresh version", got.Status)
	}
}

// multipartPost sends a form with files, as the reply box does.
func (b *browser) multipartPost(path string, fields map[string]string, files map[string]string) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, content := range files {
		f, _ := w.CreateFormFile("files", name)
		f.Write([]byte(content))
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.d.srv.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

func TestReplyNoteAndEscalation(t *testing.T) {
	d := newDesk(t)
	tk := d.ticket("Switch port flapping", d.line1)
	anna := d.signIn(d.anna)
	path := "/tickets/" + itoa(tk.ID)

	res, _ := anna.multipartPost(path+"/comments", map[string]string{"body": "Please send a photo of the switch.", "public": "1",
		"then_status": "pending"}, map[string]string{"steps.txt": "1. unplug"})
	wantStatus(t, res, http.StatusSeeOther)
	res, _ = anna.multipartPost(path+"/comments", map[string]string{"body": "Customer is impatient", "public": "0"}, nil)
	wantStatus(t, res, http.StatusSeeOther)
	res, body := anna.get(path)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Please send a photo of the switch.", "steps.txt", `class="msg note"`, "Customer is impatient",
		"Internal note", "Waiting for customer")

	res, body = anna.post(path+"/comments", url.Values{"body": {""}, "public": {"1"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)

	res, body = anna.post(path+"/escalate", url.Values{"line": {"2"}, "group_id": {itoa(d.line2.ID)}, "reason": {"Needs access to the core switch"}})
	wantStatus(t, res, http.StatusSeeOther)
	ivan := d.signIn(d.ivan)
	// Ivan's group is told.
	res, body = ivan.get("/notices/count")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `<span class="bell-count">1</span>`)
	res, body = ivan.get("/notices")
	wantContains(t, body, "Switch port flapping", "Anna Bērziņa: escalated")
	_, body = ivan.get("/notices/count")
	if strings.Contains(body, "bell-count") {
		t.Error("notifications still unread after the list was opened")
	}
	res, body = ivan.get("/queues/line2")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Switch port flapping")
	res, body = ivan.get(path)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Needs access to the core switch")
	// Anna keeps following the ticket she passed on, and hears of Ivan's
	// answer.
	res, _ = ivan.multipartPost(path+"/comments", map[string]string{"body": "Replaced the SFP module.", "public": "0"}, nil)
	wantStatus(t, res, http.StatusSeeOther)
	res, body = anna.get("/notices")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Иван Петров: added a comment")

	res, body = anna.post(path+"/escalate", url.Values{"line": {"3"}, "reason": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
}

func TestQuickTicketForAPhoneCall(t *testing.T) {
	d := newDesk(t)
	anna := d.signIn(d.anna)

	res, body := anna.get("/callers?caller=2000")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Jānis Kalniņš", `data-pick-contact="`+itoa(d.caller.ID)+`"`)

	res, body = anna.post("/new", url.Values{"description": {""}, "caller": {"+371 2999 0000"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "Write what the caller says.")

	res, _ = anna.post("/new", url.Values{"description": {"Printer on the 2nd floor prints blank pages\nsince this morning"},
		"caller": {"+371 2999 0000"}, "priority": {"high"}, "group_id": {itoa(d.line1.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	res, body = anna.get(res.Header.Get("Location"))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Printer on the 2nd floor prints blank pages", "Phone", "&#43;371 2999 0000") // html/template writes + as &#43;
	list, _, _ := d.a.Tickets.FindTickets(context.Background(), auth.System(), ticket.Filter{Channel: ticket.ChannelPhone})
	if len(list) != 1 || list[0].Subject != "Printer on the 2nd floor prints blank pages" || list[0].Priority != ticket.PriorityHigh {
		t.Fatalf("phone tickets %+v", list)
	}
	// The caller is identified after the call.
	res, _ = anna.post("/tickets/"+itoa(list[0].ID)+"/requester", url.Values{"version": {itoa(list[0].Version)},
		"contact_id": {itoa(d.caller.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := d.a.Tickets.FindTicket(context.Background(), auth.System(), list[0].ID)
	if got.Requester.ID != d.caller.ID {
		t.Errorf("requester %d, want %d", got.Requester.ID, d.caller.ID)
	}
}

func TestBulkAndSavedViews(t *testing.T) {
	d := newDesk(t)
	a, b := d.ticket("Mail quota", d.line1), d.ticket("Mail quota again", d.line1)
	anna := d.signIn(d.anna)
	res, _ := anna.post("/tickets/bulk", url.Values{"ids": {itoa(a.ID), itoa(b.ID)}, "action": {"priority"},
		"bulk_priority": {"urgent"}, "back": {"/queues/open"}})
	wantStatus(t, res, http.StatusSeeOther)
	for _, id := range []int64{a.ID, b.ID} {
		got, _ := d.a.Tickets.FindTicket(context.Background(), auth.System(), id)
		if got.Priority != ticket.PriorityUrgent {
			t.Errorf("ticket %d priority %s after bulk change", id, got.Priority)
		}
	}
	res, _ = anna.post("/tickets/bulk", url.Values{"ids": {itoa(a.ID), itoa(b.ID)}, "action": {"merge"}, "back": {"/queues/open"}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := d.a.Tickets.FindTicket(context.Background(), auth.System(), b.ID)
	if got.MergedIntoID == nil || *got.MergedIntoID != a.ID {
		t.Errorf("after bulk merge: ticket %d merged into %v, want %d", b.ID, got.MergedIntoID, a.ID)
	}

	res, _ = anna.post("/views", url.Values{"name": {"Urgent mail"}, "queue": {"open"}, "query": {"priority=urgent&tag=mail"},
		"group_id": {itoa(d.line1.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/queues/open?priority=urgent&tag=mail" {
		t.Errorf("saved view opens %q", loc)
	}
	_, body := anna.get("/")
	wantContains(t, body, "Urgent mail")
	// Shared with a group Ivan is not in: he does not see it, nor may he
	// share with that group.
	ivan := d.signIn(d.ivan)
	_, body = ivan.get("/")
	if strings.Contains(body, "Urgent mail") {
		t.Error("a view shared with another group is listed")
	}
	res, _ = ivan.post("/views", url.Values{"name": {"Sneaky"}, "queue": {"open"}, "group_id": {itoa(d.line1.ID)}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
}

func TestEmailHTMLIsSandboxed(t *testing.T) {
	d := newDesk(t)
	tk := d.ticket("Newsletter", d.line1)
	if _, err := d.a.Tickets.AddComment(context.Background(), auth.System(), tk.ID, ticket.NewComment{Body: "hello",
		Public: true, AuthorContactID: &d.caller.ID, Channel: ticket.ChannelEmail,
		HTML: `<p onclick="steal()">hello</p><script>steal()</script>`}); err != nil {
		t.Fatal(err)
	}
	_, body := d.signIn(d.anna).get("/tickets/" + itoa(tk.ID))
	wantContains(t, body, `<iframe sandbox`)
	if strings.Contains(body, "<script>steal") || strings.Contains(body, `<p onclick`) {
		t.Error("e-mail HTML reached the page as markup instead of inside the sandboxed frame's srcdoc")
	}
}
