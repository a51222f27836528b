package agent

import (
	"testing"

	"linedesk/internal/i18n"
	"linedesk/internal/kb"
	"linedesk/internal/script"
)

// TestFirstLineMessagesBuiltAtRunTime checks the messages of the knowledge
// base, script and reply screens whose ids are made from a value, in every
// language.
func TestFirstLineMessagesBuiltAtRunTime(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, v := range []kb.Visibility{kb.Internal, kb.Public} {
		keys = append(keys, "kb.visibility."+string(v))
	}
	for _, s := range []string{kb.StateDraft, kb.StatePublished, kb.StateChanged} {
		keys = append(keys, "admin.articles.state."+s, "admin.articles.state_help."+s)
	}
	keys = append(keys, "admin.articles.state.missing")
	for _, a := range []string{kb.ActionCreated, kb.ActionDraft, kb.ActionPublished, kb.ActionUnpublished, kb.ActionDiscarded,
		kb.ActionRestored, kb.ActionDeleted, kb.ActionSettings} {
		keys = append(keys, "admin.articles.action."+a)
	}
	for _, f := range []string{"visibility", "category_id", "plan_ids", "position", "slug", "file_added", "file_removed"} {
		keys = append(keys, "admin.articles.change."+f)
	}
	for _, k := range script.Kinds {
		keys = append(keys, "admin.scripts.kind."+string(k))
	}
	// Every input field a form error of these screens may name.
	for _, f := range []string{"title", "body", "slug", "language", "visibility", "category_id", "plan_ids", "position",
		"parent_id", "names", "names.en", "names.ru", "names.lv", "version", "attachment_ids", "mode", "kind", "text",
		"answers", "rev", "remark", "path", "node", "start", "v", "article_id", "texts", "texts.en", "texts.ru", "texts.lv",
		"group_id", "actions", "actions.status", "actions.priority", "actions.line", "actions.group_id",
		"actions.assignee_id", "actions.tags_add", "actions.tags_remove", "assignee_id", "status", "priority", "tags",
		"name", "description", "line"} {
		keys = append(keys, "admin.field."+f)
	}
	for _, key := range keys {
		for _, lang := range i18n.Languages {
			raw, ok := b.IDs(lang)[key]
			if !ok {
				t.Errorf("%s: message %q is missing", lang, key)
				continue
			}
			if lang != "en" && string(raw) == string(b.IDs("en")[key]) {
				t.Errorf("%s: message %q is still the English text %s", lang, key, raw)
			}
		}
	}
}
