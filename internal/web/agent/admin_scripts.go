package agent

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/script"
)

// The script editor: a script's draft tree as an outline from its start,
// each node a small form of its own (no heavy script needed), then the
// problems that keep it from being published, and how often each leaf of
// the current version is reached.

func (s *Server) scriptRoutes() []adminRoute {
	b := "/admin/scripts"
	return []adminRoute{
		{"GET " + b, s.handleScripts},
		{"POST " + b, s.handleScriptCreate},
		{"GET " + b + "/{id}", s.handleScript},
		{"POST " + b + "/{id}/info", s.handleScriptInfo},
		{"POST " + b + "/{id}/nodes", s.handleScriptNode},
		{"POST " + b + "/{id}/nodes/{node}/delete", s.handleScriptNodeDelete},
		{"POST " + b + "/{id}/start", s.handleScriptStart},
		{"POST " + b + "/{id}/publish", s.handleScriptPublish},
		{"POST " + b + "/{id}/delete", s.handleScriptDelete},
	}
}

type scriptsPage struct {
	adminPage
	Scripts []script.Script
	Form    script.Info
}

func (s *Server) showScripts(w http.ResponseWriter, r *http.Request, form script.Info, msg string, status int) error {
	list, err := s.Scripts.List(r.Context(), false)
	if err != nil {
		return err
	}
	d := scriptsPage{adminPage: s.adminBase(r, "scripts"), Scripts: list, Form: form}
	d.Error = msg
	s.render(w, r, status, "admin_scripts", d)
	return nil
}

func (s *Server) handleScripts(w http.ResponseWriter, r *http.Request) error {
	return s.showScripts(w, r, script.Info{Active: true}, "", http.StatusOK)
}

func infoFromForm(r *http.Request) script.Info {
	return script.Info{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Active: r.PostFormValue("active") == "on"}
}

func (s *Server) handleScriptCreate(w http.ResponseWriter, r *http.Request) error {
	in := infoFromForm(r)
	sc, err := s.Scripts.Create(r.Context(), viewer(r).P, in)
	if err != nil {
		return formFailed(r, err, func(msg string, status int) error { return s.showScripts(w, r, in, msg, status) })
	}
	redirect(w, r, fmt.Sprintf("/admin/scripts/%d?ok=created", sc.ID))
	return nil
}

// outlineNode is a node where the outline shows it.
type outlineNode struct {
	script.Node
	Depth    int
	Start    bool
	Problems []script.Problem
}

// scriptPage is the editor.
type scriptPage struct {
	adminPage
	S        script.Script
	Outline  []outlineNode // reached from the start, in order
	Loose    []outlineNode // reached from nowhere
	Problems []script.Problem
	Stats    []script.LeafStat
	Runs     int
	Groups   []directory.Group
	Articles []kb.Article
	Edit     string // the node whose form is open
}

// Kinds are the kinds of node.
func (scriptPage) Kinds() []script.Kind { return script.Kinds }

// Label names a node by id.
func (d scriptPage) Label(id string) string {
	if n, ok := d.S.Draft.Node(id); ok {
		return n.Label()
	}
	return ""
}

// Blanks are the empty answer rows a question's form offers.
func (scriptPage) Blanks(n script.Node) []int {
	out := []int{}
	for i := len(n.Answers); i < len(n.Answers)+2 && i < 20; i++ {
		out = append(out, i)
	}
	return out
}

func (s *Server) showScript(w http.ResponseWriter, r *http.Request, id int64, msg string, status int) error {
	d := scriptPage{adminPage: s.adminBase(r, "scripts"), Edit: r.URL.Query().Get("node")}
	d.Error = msg
	var err error
	if d.S, err = s.Scripts.Find(r.Context(), id); err != nil {
		return err
	}
	d.Problems = s.Scripts.Problems(r.Context(), d.S)
	d.Outline, d.Loose = outline(d.S.Draft, d.Problems)
	if d.Stats, d.Runs, err = s.Scripts.Stats(r.Context(), id); err != nil {
		return err
	}
	if d.Groups, _, err = s.Directory.FindGroups(r.Context(), directory.GroupFilter{Limit: 500}); err != nil {
		return err
	}
	if d.Articles, _, err = s.KB.FindArticles(r.Context(), kb.Filter{Limit: 500}); err != nil {
		return err
	}
	s.render(w, r, status, "admin_script", d)
	return nil
}

// outline orders a tree from its start, depth first, each node once; the
// nodes no answer reaches come after.
func outline(t script.Tree, problems []script.Problem) (reached, loose []outlineNode) {
	seen := map[string]bool{}
	of := func(n script.Node, depth int) outlineNode {
		o := outlineNode{Node: n, Depth: min(depth, 6), Start: n.ID == t.Start}
		for _, p := range problems {
			if p.Node == n.ID {
				o.Problems = append(o.Problems, p)
			}
		}
		return o
	}
	var walk func(id string, depth int)
	walk = func(id string, depth int) {
		n, ok := t.Node(id)
		if !ok || seen[id] {
			return
		}
		seen[id] = true
		reached = append(reached, of(n, depth))
		for _, a := range n.Answers {
			walk(a.Next, depth+1)
		}
	}
	walk(t.Start, 0)
	for _, n := range t.Nodes {
		if !seen[n.ID] {
			loose = append(loose, of(n, 0))
		}
	}
	return reached, loose
}

func (s *Server) handleScript(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "script")
	if err != nil {
		return err
	}
	return s.showScript(w, r, id, "", http.StatusOK)
}

func formRev(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("rev"), 10, 64)
	return v
}

// scriptFailed shows the editor again with what was wrong.
func (s *Server) scriptFailed(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	e := apperr.As(err)
	if e == nil || (e.Code != apperr.Invalid && e.Code != apperr.Conflict) {
		return err
	}
	msg := e.Message
	if e.Field != "" && !strings.HasPrefix(e.Field, "nodes") && e.Field != "start" {
		msg = fieldLabel(viewer(r).L, e.Field) + ": " + msg
	}
	return s.showScript(w, r, id, msg, statusOf(e.Code))
}

func (s *Server) handleScriptInfo(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "script")
	if err != nil {
		return err
	}
	if _, err := s.Scripts.UpdateInfo(r.Context(), viewer(r).P, id, infoFromForm(r)); err != nil {
		return s.scriptFailed(w, r, id, err)
	}
	redirect(w, r, fmt.Sprintf("/admin/scripts/%d?ok=saved", id))
	return nil
}

// nodeFromForm reads one node's form.
func nodeFromForm(r *http.Request) (script.Node, error) {
	n := script.Node{ID: r.PostFormValue("node"), Kind: script.Kind(r.PostFormValue("kind")), Text: r.PostFormValue("text")}
	var err error
	if n.Line, err = formInt(r, "line"); err != nil {
		return n, err
	}
	if n.GroupID, err = formID(r, "group_id"); err != nil {
		return n, err
	}
	if n.ArticleID, err = formID(r, "article_id"); err != nil {
		return n, err
	}
	for i := 0; i < 22; i++ {
		label, ok := r.PostForm["answer."+strconv.Itoa(i)]
		if !ok {
			continue
		}
		n.Answers = append(n.Answers, script.Answer{Label: label[0], Next: r.PostFormValue("next." + strconv.Itoa(i))})
	}
	return n, nil
}

func (s *Server) handleScriptNode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "script")
	if err != nil {
		return err
	}
	n, err := nodeFromForm(r)
	if err != nil {
		return s.scriptFailed(w, r, id, err)
	}
	_, saved, err := s.Scripts.SaveNode(r.Context(), viewer(r).P, id, formRev(r), n)
	if err != nil {
		return s.scriptFailed(w, r, id, err)
	}
	redirect(w, r, fmt.Sprintf("/admin/scripts/%d?ok=saved#node-%s", id, saved.ID))
	return nil
}

func (s *Server) handleScriptNodeDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "script")
	if err != nil {
		return err
	}
	if _, err := s.Scripts.DeleteNode(r.Context(), viewer(r).P, id, formRev(r), r.PathValue("node")); err != nil {
		return s.scriptFailed(w, r, id, err)
	}
	redirect(w, r, fmt.Sprintf("/admin/scripts/%d?ok=deleted", id))
	return nil
}

func (s *Server) handleScriptStart(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "script")
	if err != nil {
		return err
	}
	if _, err := s.Scripts.SetStart(r.Context(), viewer(r).P, id, formRev(r), r.PostFormValue("node")); err != nil {
		return s.scriptFailed(w, r, id, err)
	}
	redirect(w, r, fmt.Sprintf("/admin/scripts/%d?ok=saved", id))
	return nil
}

func (s *Server) handleScriptPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "script")
	if err != nil {
		return err
	}
	if _, err := s.Scripts.Publish(r.Context(), viewer(r).P, id, formRev(r)); err != nil {
		return s.scriptFailed(w, r, id, err)
	}
	redirect(w, r, fmt.Sprintf("/admin/scripts/%d?ok=published", id))
	return nil
}

func (s *Server) handleScriptDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "script")
	if err != nil {
		return err
	}
	if err := s.Scripts.Delete(r.Context(), viewer(r).P, id); err != nil {
		return s.scriptFailed(w, r, id, err)
	}
	redirect(w, r, "/admin/scripts?ok=deleted")
	return nil
}

// NewNode is the add-node form's start: a question.
func (scriptPage) NewNode() script.Node { return script.Node{Kind: script.Question} }

// NoAnswer is an empty answer row.
func (scriptPage) NoAnswer() script.Answer { return script.Answer{} }

// GroupName names a group by id.
func (d scriptPage) GroupName(id int64) string {
	for _, g := range d.Groups {
		if g.ID == id {
			return g.Name
		}
	}
	return ""
}
