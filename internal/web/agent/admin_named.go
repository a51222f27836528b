package agent

import (
	"context"
	"fmt"
	"net/http"

	"linedesk/internal/directory"
)

// named is a record that is a name and a description: a group.
type named struct {
	ID          int64
	Name        string
	Description string
	Members     int // agents in a group
}

// namedKind is what a screen of named records needs: groups use it.
type namedKind struct {
	Key    string // groups: the path and the catalog's prefix
	find   func(ctx context.Context, q string, offset int) ([]named, int, error)
	get    func(ctx context.Context, id int64) (named, error)
	create func(ctx context.Context, n named) error
	update func(ctx context.Context, id int64, n named) error
	delete func(ctx context.Context, id int64) error
}

func (s *Server) groupKind() namedKind {
	d := s.Directory
	of := func(g directory.Group) named {
		return named{ID: g.ID, Name: g.Name, Description: g.Description, Members: len(g.AgentIDs)}
	}
	return namedKind{Key: "groups",
		find: func(ctx context.Context, q string, offset int) ([]named, int, error) {
			list, total, err := d.FindGroups(ctx, directory.GroupFilter{Q: q, Offset: offset, Limit: adminPerPage})
			out := make([]named, len(list))
			for i, g := range list {
				out[i] = of(g)
			}
			return out, total, err
		},
		get: func(ctx context.Context, id int64) (named, error) {
			g, err := d.FindGroup(ctx, id)
			return of(g), err
		},
		create: func(ctx context.Context, n named) error {
			_, err := d.CreateGroup(ctx, directory.GroupInput{Name: n.Name, Description: n.Description})
			return err
		},
		update: func(ctx context.Context, id int64, n named) error {
			_, err := d.UpdateGroup(ctx, id, directory.GroupUpdate{Name: &n.Name, Description: &n.Description})
			return err
		},
		delete: d.DeleteGroup,
	}
}

func (s *Server) namedRoutes(k namedKind) []adminRoute {
	base := "/admin/" + k.Key
	return []adminRoute{
		{"GET " + base, s.handleNamedList(k)},
		{"POST " + base, s.handleNamedCreate(k)},
		{"GET " + base + "/{id}", s.handleNamed(k)},
		{"POST " + base + "/{id}", s.handleNamedSave(k)},
		{"POST " + base + "/{id}/delete", s.handleNamedDelete(k)},
	}
}

// namedPage lists groups, with the form that adds one, or edits one
// (Item.ID set).
type namedPage struct {
	adminPage
	Kind  string
	Items []named
	Item  named // the form's values
	Q     string
	Pager pager
}

func (s *Server) showNamedList(w http.ResponseWriter, r *http.Request, k namedKind, form named, msg string, status int) error {
	data := namedPage{adminPage: s.adminBase(r, k.Key), Kind: k.Key, Item: form, Q: r.URL.Query().Get("q")}
	data.Error = msg
	list, total, err := k.find(r.Context(), data.Q, listOffset(r))
	if err != nil {
		return err
	}
	data.Items, data.Pager = list, newPager(r, total)
	s.render(w, r, status, "admin_named", data)
	return nil
}

func (s *Server) showNamed(w http.ResponseWriter, r *http.Request, k namedKind, item named, msg string, status int) error {
	data := namedPage{adminPage: s.adminBase(r, k.Key), Kind: k.Key, Item: item}
	data.Error = msg
	s.render(w, r, status, "admin_named_edit", data)
	return nil
}

func (s *Server) handleNamedList(k namedKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.showNamedList(w, r, k, named{}, "", http.StatusOK)
	}
}

func namedFromForm(r *http.Request, id int64) named {
	return named{ID: id, Name: r.PostFormValue("name"), Description: r.PostFormValue("description")}
}

func (s *Server) handleNamedCreate(k namedKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		n := namedFromForm(r, 0)
		if err := k.create(r.Context(), n); err != nil {
			return formFailed(r, err, func(msg string, status int) error { return s.showNamedList(w, r, k, n, msg, status) })
		}
		redirect(w, r, "/admin/"+k.Key+"?ok=created")
		return nil
	}
}

func (s *Server) handleNamed(k namedKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", k.Key)
		if err != nil {
			return err
		}
		n, err := k.get(r.Context(), id)
		if err != nil {
			return err
		}
		return s.showNamed(w, r, k, n, "", http.StatusOK)
	}
}

func (s *Server) handleNamedSave(k namedKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", k.Key)
		if err != nil {
			return err
		}
		n := namedFromForm(r, id)
		if err := k.update(r.Context(), id, n); err != nil {
			return formFailed(r, err, func(msg string, status int) error { return s.showNamed(w, r, k, n, msg, status) })
		}
		redirect(w, r, fmt.Sprintf("/admin/%s/%d?ok=saved", k.Key, id))
		return nil
	}
}

// handleNamedDelete deletes a group; one still in use stays, and its page
// says why.
func (s *Server) handleNamedDelete(k namedKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", k.Key)
		if err != nil {
			return err
		}
		if err := k.delete(r.Context(), id); err != nil {
			return formFailed(r, err, func(msg string, status int) error {
				n, err := k.get(r.Context(), id)
				if err != nil {
					return err
				}
				return s.showNamed(w, r, k, n, msg, status)
			})
		}
		redirect(w, r, "/admin/"+k.Key+"?ok=deleted")
		return nil
	}
}
