package agent

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"linedesk/internal/apperr"
	"linedesk/internal/i18n"
	"linedesk/internal/job"
	"linedesk/internal/mailbox"
)

// adminParts is the template file every admin page's set also gets: the
// section navigation, the pager and the form error, written once.
const adminParts = "admin_parts"

// adminRoute is one administration screen's route.
type adminRoute struct {
	pattern string
	h       handlerFunc
}

// adminRoutes are the administration screens, administrators only.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	s.addAdminParts()
	for _, rt := range s.adminTable() {
		s.admin(mux, rt.pattern, rt.h)
	}
}

// adminTable lists every administration route.
func (s *Server) adminTable() []adminRoute {
	routes := []adminRoute{{"GET /admin", s.handleAdmin}}
	for _, part := range [][]adminRoute{s.agentRoutes(), s.namedRoutes(s.groupKind()), s.planRoutes(),
		s.calendarRoutes(), s.lineRoutes(), s.companyRoutes(), s.contactRoutes(), s.mailboxRoutes(), s.fieldRoutes(),
		s.portalRoutes(), s.formRoutes(), s.quarantineRoutes(), s.jobRoutes(), s.articleRoutes(), s.categoryRoutes(),
		s.scriptRoutes(), s.replyAdminRoutes(), s.routingAdminRoutes(), s.assignAdminRoutes()} {
		routes = append(routes, part...)
	}
	return routes
}

// addAdminParts parses the shared admin templates into every admin page's
// set; the file is no page of its own. The templates are embedded, so a
// broken one fails every start, and the tests.
func (s *Server) addAdminParts() {
	for name, t := range s.pages.sets {
		if strings.HasPrefix(name, "admin") && name != adminParts {
			template.Must(t.ParseFS(templateFS, "templates/"+adminParts+".html"))
		}
	}
	delete(s.pages.sets, adminParts)
}

// adminGroup is a heading of the admin navigation and its screens.
type adminGroup struct {
	Key      string
	Sections []string
}

// adminGroups are the screens the admin navigation links, by what they
// administer, in order.
var adminGroups = []adminGroup{
	{"team", []string{"agents", "groups", "lines"}},
	{"clients", []string{"companies", "contacts", "plans", "calendars"}},
	{"channels", []string{"mailboxes", "portal", "forms", "fields"}},
	{"knowledge", []string{"articles", "categories", "scripts", "responses", "macros"}},
	{"automation", []string{"routing", "dryrun", "assignment"}},
	{"operations", []string{"quarantine", "jobs"}},
}

// adminSections are every screen of adminGroups, in order.
var adminSections = func() []string {
	var out []string
	for _, g := range adminGroups {
		out = append(out, g.Sections...)
	}
	return out
}()

// adminNotices are the notices a redirect may ask for with ?ok=.
var adminNotices = map[string]bool{"created": true, "saved": true, "deleted": true, "deactivated": true,
	"reactivated": true, "blocked": true, "unblocked": true, "merged": true, "retried": true, "released": true,
	"domain_blocked": true, "rule_added": true, "rule_deleted": true, "published": true, "unpublished": true,
	"discarded": true, "restored": true, "uploaded": true, "invited": true, "approved": true, "rejected": true,
	"seeded": true}

// adminPage is what every admin page shows besides its own content.
type adminPage struct {
	Page
	Section string // the screen, for the navigation
	Error   string // what was wrong with the form just sent
}

// Sections are the screens the navigation links.
func (adminPage) Sections() []string { return adminSections }

// NavGroups are the navigation's headings with their screens.
func (adminPage) NavGroups() []adminGroup { return adminGroups }

func (s *Server) adminBase(r *http.Request, section string) adminPage {
	v := viewer(r)
	p := adminPage{Page: s.newPage(r, v.L, v, "admin"), Section: section}
	if k := r.URL.Query().Get("ok"); adminNotices[k] {
		p.Flash = v.L.T("admin.ok." + k)
	}
	return p
}

// adminIndex is the start page: the screens, with what needs a look.
type adminIndex struct {
	adminPage
	Quarantined int
	DeadJobs    int
}

func (s *Server) handleAdmin(w http.ResponseWriter, r *http.Request) error {
	data := adminIndex{adminPage: s.adminBase(r, "")}
	var err error
	if _, data.Quarantined, err = s.Mailboxes.FindInbounds(r.Context(), mailbox.InboundFilter{State: mailbox.StateQuarantined, Limit: 1}); err != nil {
		return err
	}
	if _, data.DeadJobs, err = s.Jobs.FindJobs(r.Context(), job.Filter{State: job.Dead, PerPage: 1}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin", data)
	return nil
}

// formFailed shows a form again with what was wrong with its input: show
// renders the page with the message and status. Errors no form can
// explain (not found, internal) go to the error page instead.
func formFailed(r *http.Request, err error, show func(msg string, status int) error) error {
	e := apperr.As(err)
	if e == nil || (e.Code != apperr.Invalid && e.Code != apperr.Conflict && e.Code != apperr.BadRequest) {
		return err
	}
	msg := e.Message
	if e.Field != "" {
		field := e.Field
		if field == "name" && (strings.HasPrefix(r.URL.Path, "/admin/agents") || strings.HasPrefix(r.URL.Path, "/admin/contacts")) {
			field = "full_name" // a person's name, which some languages word differently
		}
		msg = fieldLabel(viewer(r).L, field) + ": " + msg
	}
	return show(msg, statusOf(e.Code))
}

// ruleField is the prefix of a routing rule's fields in mailbox errors.
var ruleField = regexp.MustCompile(`^routing_rules\[\d+\]\.?`)

// fieldLabel names an input field in the viewer's language; a field the
// catalog does not name is shown as it is.
func fieldLabel(l *i18n.Localizer, field string) string {
	key := ruleField.ReplaceAllString(field, "rule.")
	if label := l.T("admin.field." + strings.TrimSuffix(key, ".")); !strings.HasPrefix(label, "[") {
		return label
	}
	return field
}

// adminPerPage is how many rows a list shows.
const adminPerPage = 50

// pager pages through a list, keeping its search.
type pager struct {
	PageNo, Pages, Total int
	Link                 string // the list's URL with its filters, ending in ? or &
}

// pageNo is the page a list request asks for, from 1.
func pageNo(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return max(n, 1)
}

func newPager(r *http.Request, total int) pager {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "page" && k != "ok" {
			q[k] = v
		}
	}
	link := r.URL.Path + "?"
	if enc := q.Encode(); enc != "" {
		link += enc + "&"
	}
	return pager{PageNo: pageNo(r), Pages: (total + adminPerPage - 1) / adminPerPage, Total: total, Link: link}
}

// listOffset is where the page a list request asks for starts.
func listOffset(r *http.Request) int { return (pageNo(r) - 1) * adminPerPage }

// pathID reads a numeric id from the path; anything else is not found.
func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("%s %q not found", what, r.PathValue(name))
	}
	return id, nil
}

// formID reads an optional id from a select; "" is none.
func formID(r *http.Request, key string) (*int64, error) {
	v := strings.TrimSpace(r.PostFormValue(key))
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.Field(key, "%q is not an id", v)
	}
	return &id, nil
}

// formInt reads an optional whole number; "" is 0.
func formInt(r *http.Request, key string) (int, error) {
	v := strings.TrimSpace(r.PostFormValue(key))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Field(key, "%q is not a number", v)
	}
	return n, nil
}

// formIDs reads a list of ids, as ticked checkboxes send them.
func formIDs(r *http.Request, key string) ([]int64, error) {
	out := []int64{}
	for _, v := range r.PostForm[key] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, apperr.Field(key, "%q is not an id", v)
		}
		out = append(out, id)
	}
	return out, nil
}

// formList splits a text area of addresses or domains, one per line or
// separated by commas or spaces, which neither may contain.
func formList(r *http.Request, key string) []string {
	return strings.FieldsFunc(r.PostFormValue(key), func(c rune) bool {
		return c == ',' || c == ';' || unicode.IsSpace(c)
	})
}

// formLines splits a text area's lines, dropping empty ones; entries may
// hold commas.
func formLines(r *http.Request, key string) []string {
	out := []string{}
	for _, s := range strings.Split(r.PostFormValue(key), "\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
