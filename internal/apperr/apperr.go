// Package apperr defines the error codes Linedesk's domain packages return
// and the messages that are safe to show to a user.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error so one place can map it to an HTTP status.
type Code string

// The codes a domain package may return.
const (
	BadRequest   Code = "bad_request" // the request itself is malformed (not JSON, wrong type)
	Invalid      Code = "invalid"     // well-formed, but a value breaks a rule
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	TooLarge     Code = "too_large"
	RateLimited  Code = "rate_limited" // too many attempts; try again later
	Internal     Code = "internal"
)

// Error is a domain error: a code, a message safe to show, and the input
// field at fault when there is one.
type Error struct {
	Code    Code
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error about one input field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error.
func NotFoundf(format string, args ...any) *Error {
	return Errorf(NotFound, format, args...)
}

// CodeOf returns the code of the first Error in err's chain, Internal for
// any other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	return CodeOf(err) == code
}
