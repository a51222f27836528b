package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"linedesk/internal/apperr"
	"linedesk/internal/search"
)

// maxJSONBytes bounds every JSON request body.
const maxJSONBytes = 1 << 20

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code     apperr.Code `json:"code"`
	Message  string      `json:"message"`
	Field    string      `json:"field,omitempty"`
	Position int         `json:"position,omitempty"` // in a search query, the character (from 1) at fault
}

// List is the envelope of every list endpoint.
type List[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

var statusOf = map[apperr.Code]int{
	apperr.BadRequest:   http.StatusBadRequest,
	apperr.Invalid:      http.StatusUnprocessableEntity,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.RateLimited:  http.StatusTooManyRequests,
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers with the error's code and safe message. Anything that
// is not a domain error is logged once and shown as "internal error".
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := apperr.As(err)
	if e == nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &apperr.Error{Code: apperr.Internal, Message: "internal error"}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="linedesk"`)
	}
	d := errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}
	var qe *search.QueryError
	if errors.As(err, &qe) {
		d.Position = qe.Pos
	}
	writeJSON(w, status, errorBody{d})
}

// decode reads one JSON object into dst, refusing unknown fields, wrong
// types, trailing data and bodies over the limit.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Errorf(apperr.BadRequest, "request body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	var fieldErr *apperr.Error
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Errorf(apperr.BadRequest, "request body is empty; a JSON object is expected")
	case errors.As(err, &tooBig):
		return apperr.Errorf(apperr.TooLarge, "request body is over %d bytes", tooBig.Limit)
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Errorf(apperr.BadRequest, "malformed JSON: %v", err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apperr.Errorf(apperr.BadRequest, "request body must be a JSON object")
		}
		return &apperr.Error{Code: apperr.BadRequest, Field: typ.Field,
			Message: fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)}
	case errors.As(err, &fieldErr):
		return fieldErr
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apperr.Error{Code: apperr.BadRequest, Field: name, Message: "unknown field"}
	}
	return apperr.Errorf(apperr.BadRequest, "malformed JSON: %v", err)
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case goKind == "slice", goKind == "array":
		return "an array"
	case goKind == "map", goKind == "struct":
		return "an object"
	}
	return "a valid value"
}

// pathID reads a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("no such %s", name)
	}
	return id, nil
}

// Page is the pagination of a list request.
type Page struct {
	Number  int // 1-based
	PerPage int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.PerPage }

// pageOf reads page and per_page (default 25, at most 100).
func pageOf(r *http.Request) (Page, error) {
	p := Page{Number: 1, PerPage: 25}
	var err error
	if p.Number, err = queryInt(r, "page", 1, 1, 1_000_000); err != nil {
		return p, err
	}
	if p.PerPage, err = queryInt(r, "per_page", 25, 1, 100); err != nil {
		return p, err
	}
	return p, nil
}

func queryInt(r *http.Request, name string, def, min, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, apperr.Field(name, "must be a whole number from %d to %d", min, max)
	}
	return n, nil
}

// queryID reads an optional positive id from the query string.
func queryID(r *http.Request, name string) (*int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return nil, apperr.Field(name, "must be a positive id")
	}
	return &n, nil
}
