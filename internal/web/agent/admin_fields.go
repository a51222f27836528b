package agent

import (
	"fmt"
	"net/http"
	"strings"

	"linedesk/internal/ticket"
)

func (s *Server) fieldRoutes() []adminRoute {
	return []adminRoute{
		{"GET /admin/fields", s.handleFields},
		{"POST /admin/fields", s.handleFieldCreate},
		{"GET /admin/fields/{id}", s.handleField},
		{"POST /admin/fields/{id}", s.handleFieldSave},
	}
}

// fieldTypes are the custom field types a form offers.
var fieldTypes = []ticket.FieldType{ticket.FieldText, ticket.FieldNumber, ticket.FieldDate, ticket.FieldSelect,
	ticket.FieldCheckbox}

// fieldsPage lists the custom fields with the form that adds one, or edits
// one (F.ID set).
type fieldsPage struct {
	adminPage
	Fields  []ticket.Field
	F       ticket.Field // the form's values
	Options string       // as typed, one per line
	Types   []ticket.FieldType
}

func (s *Server) showFields(w http.ResponseWriter, r *http.Request, form ticket.Field, options, msg string, status int) error {
	list, err := s.Tickets.FindFields(r.Context())
	if err != nil {
		return err
	}
	data := fieldsPage{adminPage: s.adminBase(r, "fields"), Fields: list, F: form, Options: options, Types: fieldTypes}
	data.Error = msg
	s.render(w, r, status, "admin_fields", data)
	return nil
}

func (s *Server) showField(w http.ResponseWriter, r *http.Request, f ticket.Field, options, msg string, status int) error {
	data := fieldsPage{adminPage: s.adminBase(r, "fields"), F: f, Options: options}
	data.Error = msg
	s.render(w, r, status, "admin_field", data)
	return nil
}

func (s *Server) handleFields(w http.ResponseWriter, r *http.Request) error {
	return s.showFields(w, r, ticket.Field{Type: ticket.FieldText}, "", "", http.StatusOK)
}

// fieldFromForm reads the custom field form over f: key and type count
// only when the field is new.
func fieldFromForm(r *http.Request, f ticket.Field) (ticket.Field, error) {
	if f.ID == 0 {
		f.Key, f.Type = strings.TrimSpace(r.PostFormValue("key")), ticket.FieldType(r.PostFormValue("type"))
	} else {
		f.Active = r.PostFormValue("active") == "on"
	}
	f.Label, f.Options = r.PostFormValue("label"), formLines(r, "options")
	f.Required = r.PostFormValue("required") == "on"
	f.Portal = r.PostFormValue("portal") == "on"
	var err error
	f.Position, err = formInt(r, "position")
	return f, err
}

func (s *Server) handleFieldCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := fieldFromForm(r, ticket.Field{})
	failed := func(msg string, status int) error {
		return s.showFields(w, r, f, r.PostFormValue("options"), msg, status)
	}
	if err != nil {
		return formFailed(r, err, failed)
	}
	_, err = s.Tickets.CreateField(r.Context(), viewer(r).P, ticket.FieldInput{Key: f.Key, Label: f.Label, Type: f.Type,
		Options: f.Options, Required: f.Required, Portal: f.Portal, Position: f.Position})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, "/admin/fields?ok=created")
	return nil
}

func (s *Server) handleField(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "custom field")
	if err != nil {
		return err
	}
	f, err := s.Tickets.FindField(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showField(w, r, f, strings.Join(f.Options, "\n"), "", http.StatusOK)
}

func (s *Server) handleFieldSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "custom field")
	if err != nil {
		return err
	}
	cur, err := s.Tickets.FindField(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := fieldFromForm(r, cur)
	failed := func(msg string, status int) error {
		return s.showField(w, r, f, r.PostFormValue("options"), msg, status)
	}
	if err != nil {
		return formFailed(r, err, failed)
	}
	_, err = s.Tickets.UpdateField(r.Context(), viewer(r).P, id, ticket.FieldUpdate{Label: &f.Label, Options: &f.Options,
		Required: &f.Required, Portal: &f.Portal, Active: &f.Active, Position: &f.Position})
	if err != nil {
		return formFailed(r, err, failed)
	}
	redirect(w, r, fmt.Sprintf("/admin/fields/%d?ok=saved", id))
	return nil
}
