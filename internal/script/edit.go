package script

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// The draft is edited a node at a time and may be incomplete: answers may
// lead nowhere yet. Publishing checks it whole (Validate) and makes it a
// new version; runs in progress keep the version they started with.

// NewNode, as an answer's Next, makes a new empty node of the kind named
// after it ("new:solution") and leads the answer there.
const NewNode = "new:"

// Limits of a tree.
const (
	maxNodes   = 500
	maxAnswers = 20
	maxText    = 4000
	maxLabel   = 200
)

// SaveNode adds a node to the draft (n.ID "") or replaces the node with
// n's id, if the draft is still at rev. A script's first node becomes its
// start. It returns the script and the node as saved.
func (s *Service) SaveNode(ctx context.Context, p auth.Principal, id, rev int64, n Node) (Script, Node, error) {
	var saved Node
	sc, err := s.edit(ctx, p, id, rev, func(t *Tree) error {
		var err error
		saved, err = saveNode(t, n)
		return err
	})
	return sc, saved, err
}

func saveNode(t *Tree, n Node) (Node, error) {
	if err := normalizeNode(&n); err != nil {
		return Node{}, err
	}
	i := slices.IndexFunc(t.Nodes, func(x Node) bool { return x.ID == n.ID })
	switch {
	case n.ID == "":
		if len(t.Nodes) >= maxNodes {
			return Node{}, apperr.Field("nodes", "a script has at most %d nodes", maxNodes)
		}
		n.ID = t.newID()
		t.Nodes = append(t.Nodes, n)
		i = len(t.Nodes) - 1
	case i < 0:
		return Node{}, apperr.Field("node", "node %q is not in the script", n.ID)
	default:
		t.Nodes[i] = n
	}
	for j, a := range n.Answers {
		kind, isNew := strings.CutPrefix(a.Next, NewNode)
		switch {
		case isNew && !Kind(kind).Valid():
			return Node{}, apperr.Field(fmt.Sprintf("answers[%d].next", j), "%q is not a kind of node", kind)
		case isNew:
			next := Node{ID: t.newID(), Kind: Kind(kind)}
			t.Nodes = append(t.Nodes, next)
			t.Nodes[i].Answers[j].Next = next.ID
		case a.Next == n.ID:
			return Node{}, apperr.Field(fmt.Sprintf("answers[%d].next", j), "an answer cannot lead back to its own question")
		case a.Next != "":
			if _, ok := t.Node(a.Next); !ok {
				return Node{}, apperr.Field(fmt.Sprintf("answers[%d].next", j), "node %q is not in the script", a.Next)
			}
		}
	}
	if t.Start == "" {
		t.Start = t.Nodes[i].ID
	}
	return t.Nodes[i], nil
}

func normalizeNode(n *Node) error {
	n.Text = strings.TrimSpace(strings.ReplaceAll(n.Text, "\r\n", "\n"))
	if !n.Kind.Valid() {
		return apperr.Field("kind", "must be question, solution or escalate")
	}
	if utf8.RuneCountInString(n.Text) > maxText {
		return apperr.Field("text", "must be at most %d characters", maxText)
	}
	if n.Kind != Question {
		n.Answers = nil
	}
	if n.Kind != Solution {
		n.ArticleID = nil
	}
	if n.Kind != Escalate {
		n.Line, n.GroupID = 0, nil
	}
	if n.Line < 0 || n.Line > 4 {
		return apperr.Field("line", "must be 1 to 4")
	}
	if len(n.Answers) > maxAnswers {
		return apperr.Field("answers", "a question has at most %d answers", maxAnswers)
	}
	answers := n.Answers[:0]
	for i, a := range n.Answers {
		a.Label = strings.TrimSpace(a.Label)
		if a.Label == "" && a.Next == "" {
			continue // an empty row of the form
		}
		if a.Label == "" || utf8.RuneCountInString(a.Label) > maxLabel {
			return apperr.Field(fmt.Sprintf("answers[%d].label", i), "give the answer a text of at most %d characters", maxLabel)
		}
		answers = append(answers, a)
	}
	n.Answers = answers
	return nil
}

// DeleteNode removes a node from the draft; answers that led to it lead
// nowhere until they are pointed elsewhere.
func (s *Service) DeleteNode(ctx context.Context, p auth.Principal, id, rev int64, nodeID string) (Script, error) {
	return s.edit(ctx, p, id, rev, func(t *Tree) error {
		i := slices.IndexFunc(t.Nodes, func(x Node) bool { return x.ID == nodeID })
		if i < 0 {
			return apperr.NotFoundf("node %q is not in the script", nodeID)
		}
		t.Nodes = slices.Delete(t.Nodes, i, i+1)
		for j := range t.Nodes {
			for k := range t.Nodes[j].Answers {
				if t.Nodes[j].Answers[k].Next == nodeID {
					t.Nodes[j].Answers[k].Next = ""
				}
			}
		}
		if t.Start == nodeID {
			t.Start = ""
		}
		return nil
	})
}

// SetStart makes a question the node the script starts with.
func (s *Service) SetStart(ctx context.Context, p auth.Principal, id, rev int64, nodeID string) (Script, error) {
	return s.edit(ctx, p, id, rev, func(t *Tree) error {
		n, ok := t.Node(nodeID)
		if !ok {
			return apperr.NotFoundf("node %q is not in the script", nodeID)
		}
		if n.Kind != Question {
			return apperr.Field("start", "a script starts with a question")
		}
		t.Start = nodeID
		return nil
	})
}

// ReplaceDraft replaces the whole draft, as an API client sends it.
func (s *Service) ReplaceDraft(ctx context.Context, p auth.Principal, id, rev int64, tree Tree) (Script, error) {
	return s.edit(ctx, p, id, rev, func(t *Tree) error {
		if len(tree.Nodes) > maxNodes {
			return apperr.Field("nodes", "a script has at most %d nodes", maxNodes)
		}
		seen := map[string]bool{}
		for i := range tree.Nodes {
			n := &tree.Nodes[i]
			if n.ID == "" || seen[n.ID] || strings.HasPrefix(n.ID, NewNode) {
				return apperr.Field(fmt.Sprintf("nodes[%d].id", i), "every node needs an id of its own")
			}
			seen[n.ID] = true
			if err := normalizeNode(n); err != nil {
				e := apperr.As(err)
				return apperr.Field("nodes."+n.ID+"."+e.Field, "%s", e.Message)
			}
		}
		tree.NextID = max(tree.NextID, t.NextID)
		*t = tree
		return nil
	})
}

// edit changes the draft under the script's lock if it is still at rev
// (0 skips the check).
func (s *Service) edit(ctx context.Context, p auth.Principal, id, rev int64, fn func(t *Tree) error) (Script, error) {
	if err := canEdit(p); err != nil {
		return Script{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		sc, err := lock(ctx, tx, id, rev)
		if err != nil {
			return err
		}
		if err := fn(&sc.Draft); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE scripts SET draft = $2, rev = rev + 1, updated_at = $3 WHERE id = $1`,
			id, canonical(sc.Draft), db.Now())
		return err
	})
	if err != nil {
		return Script{}, err
	}
	return s.Find(ctx, id)
}

func lock(ctx context.Context, tx *sql.Tx, id, rev int64) (Script, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE scripts SET rev = rev WHERE id = $1`, id); err != nil {
		return Script{}, fmt.Errorf("lock script %d: %w", id, err)
	}
	sc, err := find(ctx, tx, id)
	if err != nil {
		return Script{}, err
	}
	if rev != 0 && sc.Rev != rev {
		return Script{}, &apperr.Error{Code: apperr.Conflict, Field: "rev",
			Message: "the script was changed by someone else meanwhile; reload it and make your change again"}
	}
	return sc, nil
}

// Problems lists what keeps the draft from being published.
func (s *Service) Problems(ctx context.Context, sc Script) []Problem {
	return Validate(sc.Draft, checker{ctx: ctx, s: s})
}

// Publish makes the draft, checked whole, the script's next version. Runs
// already started keep the version they began with.
func (s *Service) Publish(ctx context.Context, p auth.Principal, id, rev int64) (Script, error) {
	if err := canEdit(p); err != nil {
		return Script{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		sc, err := lock(ctx, tx, id, rev)
		if err != nil {
			return err
		}
		if !sc.Changed {
			return apperr.Errorf(apperr.Conflict, "nothing changed since version %d", sc.Version)
		}
		if problems := s.Problems(ctx, sc); len(problems) > 0 {
			return apperr.Field(problems[0].Field, "%s", problems[0].Message)
		}
		tree, _ := json.Marshal(sc.Draft)
		var version int64
		err = tx.QueryRowContext(ctx, `INSERT INTO script_versions (script_id, number, tree, published_by, published_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, id, sc.Version+1, string(tree), agentRef(p), db.Now()).Scan(&version)
		if err != nil {
			return fmt.Errorf("publish script %d: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE scripts SET version_id = $2, rev = rev + 1, updated_at = $3 WHERE id = $1`,
			id, version, db.Now())
		return err
	})
	if err != nil {
		return Script{}, err
	}
	return s.Find(ctx, id)
}

// checker looks up what a tree names.
type checker struct {
	ctx context.Context
	s   *Service
}

func (c checker) GroupExists(id int64) bool {
	_, err := c.s.dir.FindGroup(c.ctx, id)
	return err == nil
}

func (c checker) ArticleExists(id int64) bool {
	_, err := c.s.kb.FindArticle(c.ctx, id)
	return err == nil
}
