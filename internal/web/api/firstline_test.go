package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
)

// TestKnowledgeBaseAPI walks an article through the API: created as a
// draft, published, read rendered, put into a reply, restored.
func TestKnowledgeBaseAPI(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	agent := e.agentToken(directory.AgentInput{Name: "Anna", Email: "anna@example.com"})
	cat := e.do("POST", "/api/v1/kb/categories", e.admin, map[string]any{"names": map[string]string{"en": "Printers"}}).want(t, 201)
	e.do("POST", "/api/v1/kb/categories", agent, map[string]any{"names": map[string]string{"en": "Mine"}}).want(t, 403)
	a := e.do("POST", "/api/v1/kb/articles", e.admin, map[string]any{"visibility": "public", "category_id": cat.id(),
		"language": "en", "title": "Printer offline", "body": "1. Turn it **on**.\n\n<script>alert(1)</script>"}).want(t, 201)
	version := int64(a.Body["version"].(float64))
	r := e.do("POST", fmt.Sprintf("/api/v1/kb/articles/%d/translations/en/publish", a.id()), e.admin, map[string]any{}).want(t, 422)
	if _, field := r.errorOf(); field != "version" {
		t.Errorf("publish without a version: %s", r.Raw)
	}
	r = e.do("POST", fmt.Sprintf("/api/v1/kb/articles/%d/translations/en/publish", a.id()), e.admin, map[string]any{"version": version}).want(t, 200)
	version = int64(r.Body["version"].(float64))
	tr := e.do("GET", fmt.Sprintf("/api/v1/kb/articles/%d/translations/en", a.id()), agent, nil).want(t, 200)
	if html := tr.Body["html"].(string); !strings.Contains(html, "<strong>on</strong>") || strings.Contains(html, "<script") ||
		tr.Body["portal_url"] != "https://help.example/portal/kb/printer-offline" || tr.Body["state"] != "published" {
		t.Errorf("translation %s", tr.Raw)
	}
	e.do("PUT", fmt.Sprintf("/api/v1/kb/articles/%d/translations/en", a.id()), e.admin, map[string]any{"version": version - 1,
		"title": "Stale"}).want(t, 409)
	e.do("PUT", fmt.Sprintf("/api/v1/kb/articles/%d/translations/en", a.id()), e.admin, map[string]any{"version": version,
		"title": "Printer is offline", "body": "Restart it."}).want(t, 200)

	tk := e.do("POST", "/api/v1/tickets", agent, map[string]any{"subject": "Printer", "requester": map[string]string{"email": "c@x.example"}}).want(t, 201)
	ins := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/kb-insertions", tk.id()), agent, map[string]any{"article_id": a.id(),
		"language": "en", "mode": "text"}).want(t, 200)
	if ins.Body["text"] != "1. Turn it on." {
		t.Errorf("insertion %s", ins.Raw)
	}
	usage := e.do("GET", "/api/v1/kb/usage", agent, nil).want(t, 200)
	if items := usage.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["inserted"].(float64) != 1 {
		t.Errorf("usage %s", usage.Raw)
	}
	revs := e.do("GET", fmt.Sprintf("/api/v1/kb/articles/%d/revisions", a.id()), agent, nil).want(t, 200)
	list := revs.Body["items"].([]any)
	first := list[len(list)-1].(map[string]any)
	cur := e.do("GET", fmt.Sprintf("/api/v1/kb/articles/%d", a.id()), agent, nil).want(t, 200)
	restored := e.do("POST", fmt.Sprintf("/api/v1/kb/articles/%d/revisions/%d/restore", a.id(), int64(first["id"].(float64))), e.admin,
		map[string]any{"version": cur.Body["version"]}).want(t, 200)
	trs := restored.Body["translations"].([]any)[0].(map[string]any)
	// The first text is also the published one: restoring it over the
	// pending draft leaves nothing pending.
	if trs["body"] != "1. Turn it **on**.\n\n<script>alert(1)</script>" || trs["title"] != "Printer offline" || trs["has_draft"] != false {
		t.Errorf("restored %s", restored.Raw)
	}
}

// TestScriptsAPI publishes a script through the API, refusing a draft
// whose answer leads nowhere, and runs it on a ticket.
func TestScriptsAPI(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	g, err := e.dir.CreateGroup(context.Background(), directory.GroupInput{Name: "Hardware"})
	if err != nil {
		t.Fatal(err)
	}
	agent := e.agentToken(directory.AgentInput{Name: "Anna", Email: "anna@example.com"})
	sc := e.do("POST", "/api/v1/scripts", e.admin, map[string]any{"name": "Mouse does not work", "active": true}).want(t, 201)
	tree := map[string]any{"start": "n1", "nodes": []map[string]any{
		{"id": "n1", "kind": "question", "text": "Does the keyboard work?", "answers": []map[string]string{{"label": "Yes", "next": "n2"}, {"label": "No", "next": ""}}},
		{"id": "n2", "kind": "escalate", "line": 2, "group_id": g.ID}}}
	d := e.do("PUT", fmt.Sprintf("/api/v1/scripts/%d/draft", sc.id()), e.admin, map[string]any{"rev": sc.Body["rev"], "tree": tree}).want(t, 200)
	r := e.do("POST", fmt.Sprintf("/api/v1/scripts/%d/publish", sc.id()), e.admin, map[string]any{"rev": d.Body["rev"]}).want(t, 422)
	if code, field := r.errorOf(); code != "invalid" || field != "nodes.n1.answers[1].next" ||
		!strings.Contains(r.Raw2(), `\"Does the keyboard work?\": the answer \"No\" leads nowhere`) {
		t.Errorf("publish with a dangling answer: %s", r.Raw)
	}
	probs := e.do("GET", fmt.Sprintf("/api/v1/scripts/%d/problems", sc.id()), agent, nil).want(t, 200)
	if probs.Body["total"].(float64) != 1 {
		t.Errorf("problems %s", probs.Raw)
	}
	tree["nodes"].([]map[string]any)[0]["answers"] = []map[string]string{{"label": "Yes", "next": "n2"}}
	d = e.do("PUT", fmt.Sprintf("/api/v1/scripts/%d/draft", sc.id()), e.admin, map[string]any{"rev": d.Body["rev"], "tree": tree}).want(t, 200)
	pub := e.do("POST", fmt.Sprintf("/api/v1/scripts/%d/publish", sc.id()), e.admin, map[string]any{"rev": d.Body["rev"]}).want(t, 200)
	vid := int64(pub.Body["version_id"].(float64))
	pos := e.do("POST", fmt.Sprintf("/api/v1/scripts/%d/walk", sc.id()), agent, map[string]any{"version_id": 0, "path": []int{0}}).want(t, 200)
	if pos.Body["node"].(map[string]any)["kind"] != "escalate" {
		t.Errorf("walk %s", pos.Raw)
	}
	tk := e.do("POST", "/api/v1/tickets", agent, map[string]any{"subject": "Mouse", "requester": map[string]string{"email": "c@x.example"}}).want(t, 201)
	run := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/script-runs", tk.id()), agent, map[string]any{"script_id": sc.id(),
		"version_id": vid, "path": []int{0}, "language": "en"}).want(t, 201)
	got := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.id()), agent, nil).want(t, 200)
	if got.Body["line"].(float64) != 2 || !strings.Contains(run.Body["note"].(string), "Escalated to line 2, group “Hardware”") {
		t.Errorf("after the run: ticket %s, run %s", got.Raw, run.Raw)
	}
	stats := e.do("GET", fmt.Sprintf("/api/v1/scripts/%d/stats", sc.id()), agent, nil).want(t, 200)
	if stats.Body["runs"].(float64) != 1 {
		t.Errorf("stats %s", stats.Raw)
	}
}

// TestRepliesAPI saves canned responses and macros through the API and
// applies a macro, refusing an unknown variable and a failing action.
func TestRepliesAPI(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	g, err := e.dir.CreateGroup(ctx, directory.GroupInput{Name: "Network"})
	if err != nil {
		t.Fatal(err)
	}
	agent := e.agentToken(directory.AgentInput{Name: "Anna Bērziņa", Email: "anna@example.com", Role: auth.RoleAgent})
	r := e.do("POST", "/api/v1/canned-responses", agent, map[string]any{"name": "Typo",
		"texts": map[string]string{"ru": "Здравствуйте, {{requester.firstname}}"}}).want(t, 422)
	if _, field := r.errorOf(); field != "texts.ru" {
		t.Errorf("unknown variable: %s", r.Raw)
	}
	resp := e.do("POST", "/api/v1/canned-responses", agent, map[string]any{"name": "Hello",
		"texts": map[string]string{"en": "Hello {{requester.first_name}}, {{ticket.number}} — {{agent.first_name}}"}}).want(t, 201)
	tk := e.do("POST", "/api/v1/tickets", agent, map[string]any{"subject": "VPN", "requester": map[string]string{"email": "maria@x.example", "name": "Maria Ivanova"}}).want(t, 201)
	num := int64(tk.Body["number"].(float64))
	fill := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/canned-responses/%d", tk.id(), resp.id()), agent, nil).want(t, 200)
	if fill.Body["text"] != fmt.Sprintf("Hello Maria, #%d — Anna", num) {
		t.Errorf("fill %s", fill.Raw)
	}
	e.do("GET", fmt.Sprintf("/api/v1/macros/%d", resp.id()), agent, nil).want(t, 404)
	admin, err := e.dir.FindAgentByEmail(ctx, "admin@example.com") // in no group
	if err != nil {
		t.Fatal(err)
	}
	bad := e.do("POST", "/api/v1/macros", agent, map[string]any{"name": "Broken", "public": true,
		"texts": map[string]string{"en": "Never sent"}, "actions": map[string]any{"group_id": g.ID, "assignee_id": admin.ID}}).want(t, 201)
	pre := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/macros/%d/preview", tk.id(), bad.id()), agent, map[string]any{}).want(t, 422)
	if _, field := pre.errorOf(); field != "assignee_id" {
		t.Errorf("preview %s", pre.Raw)
	}
	e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/macros/%d/apply", tk.id(), bad.id()), agent,
		map[string]any{"version": tk.Body["version"]}).want(t, 422)
	comments := e.do("GET", fmt.Sprintf("/api/v1/tickets/%d/comments", tk.id()), agent, nil).want(t, 200)
	if comments.Body["total"].(float64) != 0 {
		t.Errorf("a failed macro left comments: %s", comments.Raw)
	}
	ok := e.do("POST", "/api/v1/macros", agent, map[string]any{"name": "Urgent", "public": false,
		"texts": map[string]string{"en": "Escalating, {{agent.name}}"}, "actions": map[string]any{"priority": "urgent", "tags_add": []string{"vip"}}}).want(t, 201)
	pv := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/macros/%d/preview", tk.id(), ok.id()), agent, map[string]any{}).want(t, 200)
	if pv.Body["reply"] != "Escalating, Anna Bērziņa" || len(pv.Body["changes"].([]any)) != 2 || pv.Body["applied"] != false {
		t.Errorf("preview %s", pv.Raw)
	}
	ap := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/macros/%d/apply", tk.id(), ok.id()), agent,
		map[string]any{"version": tk.Body["version"]}).want(t, 200)
	if ap.Body["after"].(map[string]any)["priority"] != "urgent" || ap.Body["applied"] != true {
		t.Errorf("apply %s", ap.Raw)
	}
	e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/macros/%d/apply", tk.id(), ok.id()), agent,
		map[string]any{"version": tk.Body["version"]}).want(t, 409)
	list := e.do("GET", "/api/v1/macros?q=urg", agent, nil).want(t, 200)
	if list.Body["total"].(float64) != 1 {
		t.Errorf("list %s", list.Raw)
	}
}

// Raw2 is the raw body as a string.
func (r response) Raw2() string { return string(r.Raw) }
