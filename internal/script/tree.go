package script

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is what a node of a script's tree is.
type Kind string

// The kinds of node: a question whose answers lead on, and two leaves: a
// solution (steps to read to the caller, optionally a knowledge-base
// article) and an escalation to a line and/or group.
const (
	Question Kind = "question"
	Solution Kind = "solution"
	Escalate Kind = "escalate"
)

// Kinds lists the kinds of node, in the order an editor offers them.
var Kinds = []Kind{Question, Solution, Escalate}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Question || k == Solution || k == Escalate }

// Leaf reports whether a run ends at a node of kind k.
func (k Kind) Leaf() bool { return k == Solution || k == Escalate }

// Node is one step of a script.
type Node struct {
	ID        string   `json:"id"` // stable across versions: statistics follow it
	Kind      Kind     `json:"kind"`
	Text      string   `json:"text"`                 // the question; the solution's steps; the escalation's note
	Answers   []Answer `json:"answers,omitempty"`    // a question's
	ArticleID *int64   `json:"article_id,omitempty"` // a solution's knowledge-base article
	Line      int      `json:"line,omitempty"`       // an escalation's line, 0 to keep the ticket's
	GroupID   *int64   `json:"group_id,omitempty"`   // an escalation's group, nil to keep the ticket's
}

// Answer is one answer to a question and the node it leads to.
type Answer struct {
	Label string `json:"label"`
	Next  string `json:"next"` // a node's id; "" while the draft leads nowhere yet
}

// Tree is a whole script: its nodes and the one it starts with.
type Tree struct {
	Start  string `json:"start"`
	Nodes  []Node `json:"nodes"`
	NextID int    `json:"next_id"` // the number of the next new node's id
}

// Node finds a node by id.
func (t Tree) Node(id string) (Node, bool) {
	for _, n := range t.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// newID allocates a node id.
func (t *Tree) newID() string {
	t.NextID = max(t.NextID, len(t.Nodes)) + 1
	for {
		id := "n" + strconv.Itoa(t.NextID)
		if _, taken := t.Node(id); !taken {
			return id
		}
		t.NextID++
	}
}

// Label is how errors and lists name a node: its text, shortened.
func (n Node) Label() string {
	s := strings.Join(strings.Fields(n.Text), " ")
	if s == "" {
		return n.ID
	}
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:57]) + "…"
	}
	return s
}

// Problem is what keeps a draft from being published, naming the node
// and its field.
type Problem struct {
	Node    string `json:"node"`  // the node's id; "" for the script as a whole
	Field   string `json:"field"` // e.g. nodes.n3.answers[1].next
	Message string `json:"message"`
}

func (p Problem) Error() string { return p.Message }

// Checker answers whether the things a tree names exist.
type Checker interface {
	GroupExists(id int64) bool
	ArticleExists(id int64) bool
}

// Validate lists every problem of a tree, in node order: answers that lead
// nowhere or to a missing node, cycles, nodes the start never reaches,
// empty texts, escalations to no or an unknown line or group, unknown
// articles.
func Validate(t Tree, c Checker) []Problem {
	var out []Problem
	if len(t.Nodes) == 0 {
		return []Problem{{Field: "nodes", Message: "the script has no questions yet"}}
	}
	if _, ok := t.Node(t.Start); !ok {
		out = append(out, Problem{Field: "start", Message: "choose the question the script starts with"})
	}
	for _, n := range t.Nodes {
		out = append(out, checkNode(t, n, c)...)
	}
	if len(out) > 0 {
		return out
	}
	return append(out, checkPaths(t)...)
}

func checkNode(t Tree, n Node, c Checker) []Problem {
	var out []Problem
	at := func(field, format string, args ...any) {
		out = append(out, Problem{Node: n.ID, Field: "nodes." + n.ID + field,
			Message: fmt.Sprintf("%q: ", n.Label()) + fmt.Sprintf(format, args...)})
	}
	switch {
	case !n.Kind.Valid():
		at(".kind", "must be a question, a solution or an escalation")
	case strings.TrimSpace(n.Text) == "" && !(n.Kind == Solution && n.ArticleID != nil) && n.Kind != Escalate:
		at(".text", "write its text")
	}
	switch n.Kind {
	case Question:
		if len(n.Answers) == 0 {
			at(".answers", "a question needs at least one answer")
		}
		seen := map[string]bool{}
		for i, a := range n.Answers {
			f := fmt.Sprintf(".answers[%d]", i)
			label := strings.TrimSpace(a.Label)
			switch {
			case label == "":
				at(f+".label", "answer %d has no text", i+1)
			case seen[strings.ToLower(label)]:
				at(f+".label", "the answer %q is there twice", label)
			}
			seen[strings.ToLower(label)] = true
			if _, ok := t.Node(a.Next); a.Next == "" {
				at(f+".next", "the answer %q leads nowhere", a.Label)
			} else if !ok {
				at(f+".next", "the answer %q leads to a node that does not exist", a.Label)
			}
		}
	case Solution:
		if n.ArticleID != nil && !c.ArticleExists(*n.ArticleID) {
			at(".article_id", "knowledge-base article %d does not exist", *n.ArticleID)
		}
	case Escalate:
		if n.Line == 0 && n.GroupID == nil {
			at(".line", "choose the line or the group to escalate to")
		}
		if n.Line != 0 && (n.Line < 1 || n.Line > 4) {
			at(".line", "the line must be 1 to 4")
		}
		if n.GroupID != nil && !c.GroupExists(*n.GroupID) {
			at(".group_id", "group %d does not exist", *n.GroupID)
		}
	}
	return out
}

// checkPaths finds cycles and nodes the start does not reach, in a tree
// whose answers all lead to existing nodes.
func checkPaths(t Tree) []Problem {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var out []Problem
	var walk func(id string)
	walk = func(id string) {
		state[id] = onPath
		n, _ := t.Node(id)
		for i, a := range n.Answers {
			switch state[a.Next] {
			case onPath:
				back, _ := t.Node(a.Next)
				out = append(out, Problem{Node: n.ID, Field: fmt.Sprintf("nodes.%s.answers[%d].next", n.ID, i),
					Message: fmt.Sprintf("%q: the answer %q leads back to %q; a script cannot go round in circles",
						n.Label(), a.Label, back.Label())})
			case unseen:
				walk(a.Next)
			}
		}
		state[id] = done
	}
	walk(t.Start)
	for _, n := range t.Nodes {
		if state[n.ID] == unseen {
			out = append(out, Problem{Node: n.ID, Field: "nodes." + n.ID,
				Message: fmt.Sprintf("%q: no answer leads here from the start; link it or delete it", n.Label())})
		}
	}
	return out
}
