package agent_test

import (
	"bytes"
	"context"

	"linedesk/internal/kb"
	"linedesk/internal/reply"
	"linedesk/internal/script"
	"linedesk/internal/ticket"
)

// firstLine is what a service desk answers from: the "Mouse does not work"
// script, knowledge-base articles, a canned response and a macro.
type firstLine struct {
	mouse    script.Script
	category kb.Category
	wifi     kb.Article // public, with a screenshot, in en/ru/lv
	internal kb.Article // internal
	greeting reply.Reply
	toNet    reply.Reply // a macro passing a ticket to line 2, network
	badMacro reply.Reply // a macro whose assignee is outside its group
}

func (d *e2eDesk) firstLine() firstLine {
	t, ctx := d.t, context.Background()
	admin := d.as(d.admin)
	var f firstLine
	var err error
	if f.mouse, err = d.app.Scripts.Create(ctx, admin, script.Info{Name: "Mouse does not work", Active: true,
		Description: "The caller's mouse pointer does not move"}); err != nil {
		t.Fatal(err)
	}
	tree := script.Tree{Start: "n1", NextID: 7, Nodes: []script.Node{
		{ID: "n1", Kind: script.Question, Text: "Does the keyboard work? Press Alt+Tab: do the windows switch?",
			Answers: []script.Answer{{Label: "Yes", Next: "n2"}, {Label: "No", Next: "n3"}}},
		{ID: "n2", Kind: script.Question, Text: "Is the mouse wireless?",
			Answers: []script.Answer{{Label: "Yes", Next: "n4"}, {Label: "No", Next: "n5"}}},
		{ID: "n3", Kind: script.Solution,
			Text: "The computer is frozen: hold the power button for 5 seconds, wait 10 seconds, switch it on again."},
		{ID: "n4", Kind: script.Question, Text: "Do new batteries help?",
			Answers: []script.Answer{{Label: "Yes", Next: "n6"}, {Label: "No", Next: "n7"}}},
		{ID: "n5", Kind: script.Solution, Text: "Plug the mouse into another USB port and wait 10 seconds."},
		{ID: "n6", Kind: script.Solution, Text: "The batteries were flat; the mouse works again."},
		{ID: "n7", Kind: script.Escalate, Line: 2, GroupID: &d.line2.ID, Text: "The mouse needs replacing."},
	}}
	if f.mouse, err = d.app.Scripts.ReplaceDraft(ctx, admin, f.mouse.ID, f.mouse.Rev, tree); err != nil {
		t.Fatal(err)
	}
	if f.mouse, err = d.app.Scripts.Publish(ctx, admin, f.mouse.ID, f.mouse.Rev); err != nil {
		t.Fatal(err)
	}
	if f.category, err = d.app.KB.CreateCategory(ctx, admin, kb.CategoryInput{Names: map[string]string{
		"en": "Network and Wi-Fi", "ru": "Сеть и Wi-Fi", "lv": "Tīkls un Wi-Fi"}}); err != nil {
		t.Fatal(err)
	}
	f.wifi = d.article(kb.Settings{Visibility: kb.Public, CategoryID: &f.category.ID}, kb.Draft{Language: "en",
		Title: "Connect to the office Wi-Fi", Body: "1. Open the network list.\n2. Choose **Office**.\n3. Sign in with your e-mail and password."})
	shot, err := d.app.Attachments.Upload(ctx, admin, "network-list.png", "image/png", bytes.NewReader(e2ePNG()))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.app.KB.AttachFiles(ctx, admin, f.wifi.ID, []int64{shot.ID}); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []kb.Draft{
		{Language: "en", Title: "Connect to the office Wi-Fi", Body: "1. Open the network list.\n2. Choose **Office**.\n" +
			"3. Sign in with your e-mail and password.\n\n![The network list](" + kb.FileRef(shot.ID) + ")\n\nStill no connection? Call the service desk."},
		{Language: "ru", Title: "Подключение к офисному Wi-Fi", Body: "1. Откройте список сетей.\n2. Выберите **Office**.\n3. Войдите со своей почтой и паролем."},
		{Language: "lv", Title: "Pieslēgšanās biroja Wi-Fi", Body: "1. Atveriet tīklu sarakstu.\n2. Izvēlieties **Office**.\n3. Piesakieties ar savu e-pastu un paroli."},
	} {
		a, err := d.app.KB.SaveDraft(ctx, admin, f.wifi.ID, 0, tr)
		if err != nil {
			t.Fatal(err)
		}
		if f.wifi, err = d.app.KB.Publish(ctx, admin, a.ID, a.Version, tr.Language); err != nil {
			t.Fatal(err)
		}
	}
	f.internal = d.article(kb.Settings{Visibility: kb.Internal, CategoryID: &f.category.ID}, kb.Draft{Language: "en",
		Title: "Reset a Wi-Fi password on the controller", Body: "Use the controller's admin page: **Users → Reset**."})
	if f.greeting, err = d.app.Replies.Create(ctx, d.as(d.anna), reply.Response, reply.Input{Name: "Greeting", GroupID: &d.line1.ID,
		Texts: map[string]string{
			"en": "Hello {{requester.first_name}},\n\nthank you for calling. Your ticket is {{ticket.number}}.\n\n{{agent.name}}",
			"ru": "Здравствуйте, {{requester.first_name}}!\n\nСпасибо за звонок. Номер вашей заявки — {{ticket.number}}.\n\n{{agent.name}}",
			"lv": "Labdien, {{requester.first_name}}!\n\nPaldies par zvanu. Jūsu pieteikuma numurs ir {{ticket.number}}.\n\n{{agent.name}}"}}); err != nil {
		t.Fatal(err)
	}
	ivan := d.ivan.ID
	if f.toNet, err = d.app.Replies.Create(ctx, admin, reply.Macro, reply.Input{Name: "Pass to the network team", GroupID: &d.line1.ID,
		Public: true, Texts: map[string]string{
			"en": "Hello {{requester.first_name}}, our network team takes {{ticket.number}} over now.",
			"ru": "{{requester.first_name}}, здравствуйте! Заявкой {{ticket.number}} теперь займётся сетевой отдел."},
		Actions: reply.Actions{Status: ticket.StatusOpen, Priority: ticket.PriorityHigh, Line: 2, GroupID: &d.line2.ID,
			AssigneeID: &ivan, TagsAdd: []string{"network"}}}); err != nil {
		t.Fatal(err)
	}
	anna := d.anna.ID
	if f.badMacro, err = d.app.Replies.Create(ctx, admin, reply.Macro, reply.Input{Name: "Broken macro", GroupID: &d.line1.ID,
		Public: true, Texts: map[string]string{"en": "This reply must never be sent."},
		Actions: reply.Actions{Priority: ticket.PriorityUrgent, GroupID: &d.line2.ID, AssigneeID: &anna}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// article creates and publishes an article as the administrator.
func (d *e2eDesk) article(st kb.Settings, dr kb.Draft) kb.Article {
	ctx, admin := context.Background(), d.as(d.admin)
	a, err := d.app.KB.CreateArticle(ctx, admin, kb.NewArticle{Settings: st, Draft: dr})
	if err != nil {
		d.t.Fatal(err)
	}
	if a, err = d.app.KB.Publish(ctx, admin, a.ID, a.Version, dr.Language); err != nil {
		d.t.Fatal(err)
	}
	return a
}
