package search

import (
	"context"
	"strings"
	"time"
	"unicode"

	"linedesk/internal/auth"
)

// Document is one searchable thing as its kind gives it to the index:
// text in parts (each visible to customers or to agents only), filter
// terms, and what a hit shows.
type Document struct {
	Kind     string
	ID       int64
	Title    string // shown and searched, weighted above the rest
	Keywords string // searched like the title, not shown: a ticket's number and tags
	Parts    []Part
	Facets   []string // filter terms made with Facet
	Updated  time.Time
	Open     bool // ranks before closed ones on ties

	// Shown with a hit.
	Subtitle string // under the title: a contact's address, a company's domains
	Number   int64  // a ticket's number
	Status   string // a ticket's status
	HitID    int64  // the id a hit names when not ID: a translation names its article
	Language string // a translation's language
}

// Part is a piece of a document's text.
type Part struct {
	Text     string
	Internal bool // for agents only: an internal note
}

// Facet makes a filter term: a key (the kind of filter) and a value.
// Filter terms are indexed beside the text and never match words.
// Values are lower-cased; characters a term cannot hold are escaped.
func Facet(key, value string) string {
	var b strings.Builder
	b.WriteString("~")
	b.WriteString(key)
	b.WriteByte(':')
	for _, r := range strings.ToLower(value) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
			continue
		}
		b.WriteString("+")
		b.WriteString(strings.ToLower(strings.TrimLeft(hex32(r), "0")))
		b.WriteString("+")
	}
	return b.String()
}

func hex32(r rune) string {
	const digits = "0123456789abcdef"
	var buf [8]byte
	for i := 7; i >= 0; i-- {
		buf[i] = digits[r&0xf]
		r >>= 4
	}
	return string(buf[:])
}

// The filter keys Linedesk's own kinds index. A kind that does not index
// a key is left out of a search filtering on it.
const (
	KeyKind     = "k"
	KeyStatus   = "st"
	KeyPriority = "p"
	KeyType     = "ty"
	KeyChannel  = "ch"
	KeyGroup    = "g"
	KeyAssignee = "a"
	KeyFollower = "f"
	KeyFrom     = "r" // the requester
	KeyCompany  = "c"
	KeyTag      = "tag"
	KeyNumber   = "n"
	KeyLine     = "line"
	KeyParent   = "par"
)

// None is the facet value of an empty reference: no group, no assignee.
const None = "none"

// Viewer is who searches: an agent, or a customer (a contact) through the
// portal. Exactly one is set.
type Viewer struct {
	Agent   *auth.Principal
	Contact *ContactScope
}

// ContactScope is what a customer may find: their own tickets, and their
// company's when they manage it for their company.
type ContactScope struct {
	ContactID   int64
	CompanyID   *int64
	CompanyWide bool // a company manager: sees every ticket of CompanyID
	// PlanID is the plan the contact is served under: knowledge-base
	// articles limited to plans are found under one of theirs only.
	PlanID *int64
}

// AgentViewer is an agent's search.
func AgentViewer(p auth.Principal) Viewer { return Viewer{Agent: &p} }

// ContactViewer is a customer's search.
func ContactViewer(c ContactScope) Viewer { return Viewer{Contact: &c} }

// Internal reports whether the viewer reads internal notes: agents do,
// customers never.
func (v Viewer) Internal() bool { return v.Agent != nil }

// Access is which documents of a kind a viewer may find, as filter terms:
// All, or any one of Any. A kind with neither is hidden from the viewer.
type Access struct {
	All bool
	Any []string
}

// Source is a kind of document: Linedesk's tickets, contacts and
// companies, and whatever other packages register (knowledge-base
// articles). Its methods read the current state, never the index.
type Source interface {
	// Kind names the documents: "ticket".
	Kind() string
	// Keys lists the filter keys its documents carry (KeyStatus, …).
	Keys() []string
	// Load returns the documents with these ids as they are now; ids
	// that no longer exist are left out (and leave the index).
	Load(ctx context.Context, ids []int64) ([]Document, error)
	// IDs lists the ids after the given one, in ascending order, for a
	// rebuild of the index; Count says how many there are in all.
	IDs(ctx context.Context, after int64, limit int) ([]int64, error)
	Count(ctx context.Context) (int, error)
	// Access is what the viewer may find, checked inside the index query
	// (it may look up what it needs, such as a customer's plan).
	Access(ctx context.Context, v Viewer) (Access, error)
	// Allowed returns those of ids the viewer may open now, checked
	// against the current state before any hit is ranked or counted.
	Allowed(ctx context.Context, v Viewer, ids []int64) ([]int64, error)
}
