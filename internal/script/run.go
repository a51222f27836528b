package script

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/ticket"
)

// A run is a walk through one version of a script: the answers chosen, by
// their position, from the start. The path alone says where the run is,
// so the runner keeps no state between steps, and a version published
// meanwhile never changes a run in progress.

// Step is one question asked and the answer chosen.
type Step struct {
	Node   Node   `json:"node"`
	Answer Answer `json:"answer"`
}

// Position is where a run stands.
type Position struct {
	Script  Script  `json:"script"`
	Version Version `json:"version"`
	Path    []int   `json:"path"`  // the answers chosen so far
	Steps   []Step  `json:"steps"` // the questions and answers so far
	Node    Node    `json:"node"`  // the node reached: a question to ask, or a leaf to end at
}

// Done reports whether the run has reached a leaf.
func (p Position) Done() bool { return p.Node.Kind.Leaf() }

// ParsePath reads a path written as answer positions joined by dots, "0.1".
func ParsePath(s string) ([]int, error) {
	if s == "" {
		return []int{}, nil
	}
	parts := strings.Split(s, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, apperr.Field("path", "%q is not a path through the script", s)
		}
		out[i] = n
	}
	return out, nil
}

// PathString writes a path as ParsePath reads it.
func PathString(path []int) string {
	parts := make([]string, len(path))
	for i, n := range path {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// Walk follows a path through a version of a script. versionID 0 starts
// a run on the current version.
func (s *Service) Walk(ctx context.Context, scriptID, versionID int64, path []int) (Position, error) {
	sc, err := s.Find(ctx, scriptID)
	if err != nil {
		return Position{}, err
	}
	if versionID == 0 {
		if sc.VersionID == nil || !sc.Active {
			return Position{}, apperr.Errorf(apperr.Conflict, "the script %q is not published", sc.Name)
		}
		versionID = *sc.VersionID
	}
	v, err := s.FindVersion(ctx, scriptID, versionID)
	if err != nil {
		return Position{}, err
	}
	pos := Position{Script: sc, Version: v, Path: path, Steps: []Step{}}
	n, ok := v.Tree.Node(v.Tree.Start)
	if !ok {
		return Position{}, fmt.Errorf("script %d version %d has no start", scriptID, v.Number)
	}
	for i, choice := range path {
		if n.Kind != Question || choice >= len(n.Answers) {
			return Position{}, apperr.Field("path", "step %d of the path is not an answer of the script", i+1)
		}
		a := n.Answers[choice]
		pos.Steps = append(pos.Steps, Step{Node: n, Answer: a})
		if n, ok = v.Tree.Node(a.Next); !ok {
			return Position{}, fmt.Errorf("script %d version %d: answer leads to missing node %q", scriptID, v.Number, a.Next)
		}
	}
	pos.Node = n
	return pos, nil
}

// Run is a finished run, kept for the statistics.
type Run struct {
	ID        int64     `json:"id"`
	ScriptID  int64     `json:"script_id"`
	VersionID int64     `json:"version_id"`
	TicketID  int64     `json:"ticket_id"`
	AgentID   int64     `json:"agent_id"`
	Path      []int     `json:"path"`
	Leaf      string    `json:"leaf"`    // the node the run ended at
	Outcome   Kind      `json:"outcome"` // solution or escalate
	CommentID int64     `json:"comment_id"`
	Note      string    `json:"note"` // the transcript saved on the ticket
	CreatedAt time.Time `json:"created_at"`
}

// Finish is the end of a run an agent saves.
type Finish struct {
	ScriptID  int64
	VersionID int64
	Path      []int
	Remark    string // the agent's own words, added to the transcript
	Language  string // of the transcript's words: en, ru or lv
}

// Finish saves a run that reached a leaf on a ticket p may see, all in
// one transaction: the transcript as an internal note and, when the leaf
// is an escalation, the escalation with the transcript as its reason.
func (s *Service) Finish(ctx context.Context, p auth.Principal, ticketID int64, f Finish) (Run, error) {
	if p.AgentID <= 0 {
		return Run{}, apperr.Errorf(apperr.Forbidden, "only an agent may run a script")
	}
	if f.VersionID <= 0 {
		return Run{}, apperr.Field("version_id", "a run names the version it used")
	}
	pos, err := s.Walk(ctx, f.ScriptID, f.VersionID, f.Path)
	if err != nil {
		return Run{}, err
	}
	if !pos.Done() {
		return Run{}, apperr.Field("path", "the run has not reached a solution or an escalation yet")
	}
	remark := strings.TrimSpace(f.Remark)
	if len([]rune(remark)) > 4000 {
		return Run{}, apperr.Field("remark", "must be at most 4000 characters")
	}
	run := Run{ScriptID: f.ScriptID, VersionID: f.VersionID, TicketID: ticketID, AgentID: p.AgentID, Path: f.Path,
		Leaf: pos.Node.ID, Outcome: pos.Node.Kind}
	if run.Note, err = s.transcript(ctx, pos, remark, f.Language); err != nil {
		return Run{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.finish(ctx, tx, p, pos, &run)
	})
	if err != nil {
		return Run{}, err
	}
	return run, nil
}

func (s *Service) finish(ctx context.Context, tx *sql.Tx, p auth.Principal, pos Position, run *Run) error {
	var err error
	run.CommentID, err = s.tickets.AddCommentTx(ctx, tx, p, run.TicketID, ticket.NewComment{Body: run.Note, Channel: ticket.ChannelWeb})
	if err != nil {
		return err
	}
	if pos.Node.Kind == Escalate {
		e := ticket.Escalation{Line: pos.Node.Line, GroupID: pos.Node.GroupID, Reason: reasonOf(run.Note)}
		if _, err := s.tickets.EscalateTx(ctx, tx, p, run.TicketID, e, ""); err != nil {
			return err
		}
	}
	path, _ := json.Marshal(run.Path)
	run.CreatedAt = db.Now()
	return tx.QueryRowContext(ctx, `INSERT INTO script_runs (script_id, version_id, ticket_id, agent_id, path, leaf, outcome,
		comment_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		run.ScriptID, run.VersionID, run.TicketID, run.AgentID, string(path), run.Leaf, run.Outcome, run.CommentID,
		run.CreatedAt).Scan(&run.ID)
}

// maxReason is the longest escalation reason a ticket keeps.
const maxReason = 2000

// reasonOf is the transcript as an escalation's reason, shortened to fit;
// the note keeps it whole.
func reasonOf(note string) string {
	r := []rune(note)
	if len(r) <= maxReason {
		return note
	}
	return string(r[:maxReason-1]) + "…"
}
