package script

import (
	"context"
	"fmt"
	"strings"
)

// words are the fixed words of a transcript, in each language.
var words = map[string]map[string]string{
	"en": {"script": "Script “%s”, version %d", "result": "Solution", "escalate": "Escalated to", "line": "line %d",
		"article": "Knowledge base", "remark": "Agent's note", "group": "group “%s”"},
	"ru": {"script": "Скрипт «%s», версия %d", "result": "Решение", "escalate": "Эскалация на", "line": "линию %d",
		"article": "База знаний", "remark": "Заметка оператора", "group": "группу «%s»"},
	"lv": {"script": "Skripts „%s”, versija %d", "result": "Risinājums", "escalate": "Eskalēts uz", "line": "%d. līniju",
		"article": "Zināšanu bāze", "remark": "Operatora piezīme", "group": "grupu „%s”"},
}

// transcript writes a finished run as the note saved on the ticket: the
// questions and answers in order, then the solution or the escalation.
func (s *Service) transcript(ctx context.Context, pos Position, remark, lang string) (string, error) {
	w, ok := words[lang]
	if !ok {
		w = words["en"]
	}
	var b strings.Builder
	fmt.Fprintf(&b, w["script"]+"\n\n", pos.Script.Name, pos.Version.Number)
	for i, st := range pos.Steps {
		fmt.Fprintf(&b, "%d. %s\n   → %s\n", i+1, oneLine(st.Node.Text), st.Answer.Label)
	}
	b.WriteString("\n")
	n := pos.Node
	switch n.Kind {
	case Solution:
		b.WriteString(w["result"] + ":\n" + n.Text + "\n")
		if n.ArticleID != nil {
			a, err := s.kb.FindArticle(ctx, *n.ArticleID)
			if err != nil && !isNotFound(err) {
				return "", err
			}
			if err == nil {
				fmt.Fprintf(&b, "%s: %s\n", w["article"], a.Title(lang))
			}
		}
	case Escalate:
		var target []string
		if n.Line != 0 {
			target = append(target, fmt.Sprintf(w["line"], n.Line))
		}
		if n.GroupID != nil {
			g, err := s.dir.FindGroup(ctx, *n.GroupID)
			if err != nil {
				return "", err
			}
			target = append(target, fmt.Sprintf(w["group"], g.Name))
		}
		b.WriteString(w["escalate"] + " " + strings.Join(target, ", ") + "\n")
		if n.Text != "" {
			b.WriteString(n.Text + "\n")
		}
	}
	if remark != "" {
		b.WriteString("\n" + w["remark"] + ": " + remark + "\n")
	}
	return strings.TrimSpace(b.String()), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
