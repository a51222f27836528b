package script_test

import (
	"strings"
	"testing"

	"linedesk/internal/script"
)

type checker struct{}

func (checker) GroupExists(id int64) bool   { return id == 7 }
func (checker) ArticleExists(id int64) bool { return id == 3 }

func q(id, text string, answers ...string) script.Node {
	n := script.Node{ID: id, Kind: script.Question, Text: text}
	for i := 0; i+1 < len(answers); i += 2 {
		n.Answers = append(n.Answers, script.Answer{Label: answers[i], Next: answers[i+1]})
	}
	return n
}

func sol(id, text string) script.Node { return script.Node{ID: id, Kind: script.Solution, Text: text} }

func TestValidate(t *testing.T) {
	group, article := int64(7), int64(3)
	good := []script.Node{q("n1", "Keyboard works?", "Yes", "n2", "No", "n3"), sol("n2", "Replug the mouse"),
		{ID: "n3", Kind: script.Escalate, Line: 2, GroupID: &group}}
	for _, c := range []struct {
		name  string
		tree  script.Tree
		field string // of the first problem; "" for none
		msg   string // a part of its message
	}{
		{"a good tree", script.Tree{Start: "n1", Nodes: good}, "", ""},
		{"an empty script", script.Tree{}, "nodes", "no questions"},
		{"no start", script.Tree{Nodes: good}, "start", "starts with"},
		{"an answer leading nowhere", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Keyboard works?", "Yes", "n2", "No", ""),
			sol("n2", "Replug")}}, "nodes.n1.answers[1].next", `"Keyboard works?": the answer "No" leads nowhere`},
		{"an answer leading to a missing node", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n9")}},
			"nodes.n1.answers[0].next", "does not exist"},
		{"a question without answers", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q")}}, "nodes.n1.answers", "at least one"},
		{"the same answer twice", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n2", "yes", "n2"), sol("n2", "S")}},
			"nodes.n1.answers[1].label", "twice"},
		{"a cycle", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Is it on?", "Yes", "n2"), q("n2", "Is it plugged in?", "No", "n1")}},
			"nodes.n2.answers[0].next", `"Is it plugged in?": the answer "No" leads back to "Is it on?"`},
		{"a node nothing leads to", script.Tree{Start: "n1", Nodes: append(append([]script.Node{}, good...), sol("n4", "Orphan"))},
			"nodes.n4", `"Orphan": no answer leads here`},
		{"an escalation to nowhere", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n2"),
			{ID: "n2", Kind: script.Escalate}}}, "nodes.n2.line", "choose the line"},
		{"an escalation to an unknown group", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n2"),
			{ID: "n2", Kind: script.Escalate, GroupID: new(int64)}}}, "nodes.n2.group_id", "group 0 does not exist"},
		{"an escalation to line 5", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n2"),
			{ID: "n2", Kind: script.Escalate, Line: 5}}}, "nodes.n2.line", "1 to 4"},
		{"a solution with no text", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n2"), sol("n2", " ")}},
			"nodes.n2.text", "write its text"},
		{"a solution that is an article", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n2"),
			{ID: "n2", Kind: script.Solution, ArticleID: &article}}}, "", ""},
		{"an unknown article", script.Tree{Start: "n1", Nodes: []script.Node{q("n1", "Q", "Yes", "n2"),
			{ID: "n2", Kind: script.Solution, Text: "See", ArticleID: new(int64)}}}, "nodes.n2.article_id", "does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems := script.Validate(c.tree, checker{})
			if c.field == "" {
				if len(problems) > 0 {
					t.Fatalf("problems %+v", problems)
				}
				return
			}
			if len(problems) == 0 {
				t.Fatalf("no problem found, want %s", c.field)
			}
			if p := problems[0]; p.Field != c.field || !strings.Contains(p.Message, c.msg) {
				t.Errorf("first problem %+v, want field %s with %q", p, c.field, c.msg)
			}
		})
	}
}

func TestPath(t *testing.T) {
	p, err := script.ParsePath("0.2.1")
	if err != nil || script.PathString(p) != "0.2.1" || len(p) != 3 {
		t.Errorf("ParsePath: %v %v", p, err)
	}
	for _, bad := range []string{"a", "0..1", "-1"} {
		if _, err := script.ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) accepted", bad)
		}
	}
}
