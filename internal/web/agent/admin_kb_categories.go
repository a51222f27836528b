package agent

import (
	"fmt"
	"net/http"

	"linedesk/internal/kb"
)

func (s *Server) categoryRoutes() []adminRoute {
	b := "/admin/categories"
	return []adminRoute{
		{"GET " + b, s.handleCategories},
		{"POST " + b, s.handleCategoryCreate},
		{"GET " + b + "/{id}", s.handleCategory},
		{"POST " + b + "/{id}", s.handleCategorySave},
		{"POST " + b + "/{id}/delete", s.handleCategoryDelete},
	}
}

// categoriesPage lists the categories in tree order, with the form that
// adds one, or edits one (C.ID set).
type categoriesPage struct {
	adminPage
	Categories []kb.Category
	C          kb.Category // the form's values
}

// Langs are the languages a category is named in.
func (categoriesPage) Langs() []string { return kb.Languages }

// Parents are the categories the form may put the category under.
func (d categoriesPage) Parents() []kb.Category {
	var out []kb.Category
	for _, c := range d.Categories {
		if c.ParentID == nil && c.ID != d.C.ID {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) showCategories(w http.ResponseWriter, r *http.Request, form kb.Category, page, msg string, status int) error {
	list, err := s.KB.Categories(r.Context())
	if err != nil {
		return err
	}
	data := categoriesPage{adminPage: s.adminBase(r, "categories"), Categories: list, C: form}
	data.Error = msg
	s.render(w, r, status, page, data)
	return nil
}

func (s *Server) handleCategories(w http.ResponseWriter, r *http.Request) error {
	return s.showCategories(w, r, kb.Category{Names: map[string]string{}}, "admin_categories", "", http.StatusOK)
}

func categoryFromForm(r *http.Request, id int64) (kb.Category, kb.CategoryInput, error) {
	c := kb.Category{ID: id, Names: map[string]string{}}
	for _, l := range kb.Languages {
		c.Names[l] = r.PostFormValue("name." + l)
	}
	var err error
	if c.ParentID, err = formID(r, "parent_id"); err != nil {
		return c, kb.CategoryInput{}, err
	}
	c.Position, err = formInt(r, "position")
	return c, kb.CategoryInput{ParentID: c.ParentID, Position: c.Position, Names: c.Names}, err
}

func (s *Server) handleCategoryCreate(w http.ResponseWriter, r *http.Request) error {
	c, in, err := categoryFromForm(r, 0)
	if err == nil {
		if _, err = s.KB.CreateCategory(r.Context(), viewer(r).P, in); err == nil {
			redirect(w, r, "/admin/categories?ok=created")
			return nil
		}
	}
	return formFailed(r, err, func(msg string, status int) error {
		return s.showCategories(w, r, c, "admin_categories", msg, status)
	})
}

func (s *Server) handleCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "category")
	if err != nil {
		return err
	}
	c, err := s.KB.FindCategory(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showCategories(w, r, c, "admin_categories", "", http.StatusOK)
}

func (s *Server) handleCategorySave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "category")
	if err != nil {
		return err
	}
	c, in, err := categoryFromForm(r, id)
	if err == nil {
		if _, err = s.KB.UpdateCategory(r.Context(), viewer(r).P, id, in); err == nil {
			redirect(w, r, fmt.Sprintf("/admin/categories/%d?ok=saved", id))
			return nil
		}
	}
	return formFailed(r, err, func(msg string, status int) error {
		return s.showCategories(w, r, c, "admin_categories", msg, status)
	})
}

func (s *Server) handleCategoryDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "category")
	if err != nil {
		return err
	}
	if err := s.KB.DeleteCategory(r.Context(), viewer(r).P, id); err != nil {
		return formFailed(r, err, func(msg string, status int) error {
			c, ferr := s.KB.FindCategory(r.Context(), id)
			if ferr != nil {
				return ferr
			}
			return s.showCategories(w, r, c, "admin_categories", msg, status)
		})
	}
	redirect(w, r, "/admin/categories?ok=deleted")
	return nil
}
