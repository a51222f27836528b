package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linedesk/internal/auth"
	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
)

// kbWorld is the knowledge base the authorization matrix reads: the
// client company is on plan Premium, the other company on Basic.
type kbWorld struct {
	d                *desk
	premium, basic   int64
	public           kb.Article // public, for everyone; its Markdown shows an image
	premiumOnly      kb.Article // public, limited to Premium
	internal         kb.Article // for agents only
	unpublished      kb.Article // public, never published
	publicFile       int64
	premiumFile      int64
	internalFile     int64
	slugs            map[int64]string
	never, outsiders []string // what nobody may see; what only Premium's contacts may
}

const (
	kbPublicTitle   = "Reset the router"
	kbPremiumTitle  = "Router replacement for Premium clients"
	kbPremiumBody   = "PREMIUM-ONLY: an engineer brings a new router within 4 hours."
	kbInternalTitle = "Router admin password"
	kbInternalBody  = "INTERNAL-ROUTER-PASSWORD hunter2"
	kbDraftBody     = "DRAFT-SECRET: the next firmware bricks old routers"
	kbUnpublished   = "Router never published"
)

// newKBWorld puts the companies on plans and writes the articles.
func newKBWorld(d *desk, client, other int64) kbWorld {
	ctx := context.Background()
	w := kbWorld{d: d, slugs: map[int64]string{}}
	plan := func(name string, company int64) int64 {
		in := sla.NewPlanInput()
		in.Name = name
		p, err := d.a.SLA.CreatePlan(ctx, in)
		d.must(err)
		_, err = d.a.Directory.UpdateCompany(ctx, company, directory.CompanyUpdate{PlanID: directory.Ref{Set: true, ID: &p.ID}})
		d.must(err)
		return p.ID
	}
	w.premium, w.basic = plan("Premium", client), plan("Basic", other)
	w.public = w.article(kb.Settings{Visibility: kb.Public}, kbPublicTitle, "Hold the reset button for 10 seconds.", true)
	w.publicFile = w.file(w.public, "router.png")
	w.premiumOnly = w.article(kb.Settings{Visibility: kb.Public, PlanIDs: []int64{w.premium}}, kbPremiumTitle, kbPremiumBody, true)
	w.premiumFile = w.file(w.premiumOnly, "premium.png")
	w.internal = w.article(kb.Settings{Visibility: kb.Internal}, kbInternalTitle, kbInternalBody, true)
	w.internalFile = w.file(w.internal, "internal.png")
	w.unpublished = w.article(kb.Settings{Visibility: kb.Public}, kbUnpublished, "Not yet.", false)
	// The public article's next version waits as a draft.
	_, err := d.a.KB.SaveDraft(ctx, d.admin, w.public.ID, 0, kb.Draft{Language: "en", Title: kbPublicTitle,
		Body: kbDraftBody})
	d.must(err)
	// The desk runs no job workers: the search index is brought up to
	// date as its jobs would.
	d.must(d.a.Search.Rebuild(ctx, nil))
	w.never = []string{kbInternalTitle, kbInternalBody, kbDraftBody, kbUnpublished, "internal.png"}
	w.outsiders = []string{kbPremiumTitle, kbPremiumBody}
	return w
}

// article writes an English article, published or not.
func (w *kbWorld) article(st kb.Settings, title, body string, publish bool) kb.Article {
	ctx := context.Background()
	a, err := w.d.a.KB.CreateArticle(ctx, w.d.admin, kb.NewArticle{Settings: st, Draft: kb.Draft{Language: "en", Title: title, Body: body}})
	w.d.must(err)
	if publish {
		a, err = w.d.a.KB.Publish(ctx, w.d.admin, a.ID, a.Version, "en")
		w.d.must(err)
	}
	t, _ := a.Translation("en")
	w.slugs[a.ID] = t.Slug
	return a
}

// file puts an image into the article and shows it in its Markdown.
func (w *kbWorld) file(a kb.Article, name string) int64 {
	ctx := context.Background()
	up, err := w.d.a.Attachments.Upload(ctx, w.d.admin, name, "image/png", bytes.NewReader(screenshotPNG()))
	w.d.must(err)
	w.d.must(w.d.a.KB.AttachFiles(ctx, w.d.admin, a.ID, []int64{up.ID}))
	cur, err := w.d.a.KB.FindArticle(ctx, a.ID)
	w.d.must(err)
	t, _ := cur.Translation("en")
	if t.PublishedAt != nil {
		cur, err = w.d.a.KB.SaveDraft(ctx, w.d.admin, a.ID, 0, kb.Draft{Language: "en", Title: t.Title,
			Body: t.Body + "\n\n![" + name + "](" + kb.FileRef(up.ID) + ")"})
		w.d.must(err)
		_, err = w.d.a.KB.Publish(ctx, w.d.admin, a.ID, 0, "en")
		w.d.must(err)
	}
	return up.ID
}

// noLeak fails when an answer shows an internal article, a draft or an
// unpublished one to anyone, or a Premium article to someone who is not
// Premium's.
func (w *kbWorld) noLeak(t *testing.T, role int, c call, body string) {
	t.Helper()
	for _, s := range w.never {
		if strings.Contains(body, s) {
			t.Errorf("%s %s shows %q to %s", c.method, c.path, s, roleNames[role])
		}
	}
	if role == stranger || role == signedOut {
		for _, s := range w.outsiders {
			if strings.Contains(body, s) {
				t.Errorf("%s %s shows %q to %s", c.method, c.path, s, roleNames[role])
			}
		}
	}
}

// deflections is how many requests the article deflected.
func (w *kbWorld) deflections(id int64) int64 {
	u, err := w.d.a.KB.ArticleUsage(context.Background(), id)
	w.d.must(err)
	return u.Deflected
}

var (
	premiumReaders = [roles]string{allow, allow, allow, notFound, notFound}
	nobody         = [roles]string{notFound, notFound, notFound, notFound, notFound}
)

// visitOf is a visit of the new-request form made for the person (for
// nobody signed in, the requester's: it is not theirs to use).
func (w *world) visitOf(role int) string {
	return w.d.a.Portal.VisitToken(w.accounts[role%signedOut].ContactID)
}

// kbMatrix are the knowledge base's routes: the main request of each is
// about the article limited to Premium; variants adds the others.
func kbMatrix() map[string]entry {
	return map[string]entry{
		"GET /portal/kb": {func(*world, int) call { return call{method: "GET", path: "/portal/kb?q=router"} }, public},
		"GET /portal/kb/{slug}": {func(w *world, _ int) call {
			return call{method: "GET", path: "/portal/kb/" + w.kb.slugs[w.kb.premiumOnly.ID]}
		}, premiumReaders},
		"GET /portal/kb/{slug}/files/{id}": {func(w *world, _ int) call {
			return call{method: "GET", path: fmt.Sprintf("/portal/kb/%s/files/%d", w.kb.slugs[w.kb.premiumOnly.ID], w.kb.premiumFile)}
		}, premiumReaders},
		"POST /portal/kb/{slug}/solved": {deflect(func(w *world) kb.Article { return w.kb.premiumOnly }, (*world).visitOf),
			[roles]string{allow, allow, allow, notFound, toSignIn}},
		"GET /portal/tickets/new/suggestions": {func(w *world, role int) call {
			return call{method: "GET", path: "/portal/tickets/new/suggestions?subject=router&visit=" + url.QueryEscape(w.visitOf(role))}
		}, everyone},
	}
}

// deflect is "this solved my problem" on an article with a visit token;
// refused, it must count nothing.
func deflect(article func(*world) kb.Article, token func(*world, int) string) func(*world, int) call {
	return func(w *world, role int) call {
		a := article(w)
		before := w.kb.deflections(a.ID)
		return call{method: "POST", path: "/portal/kb/" + w.kb.slugs[a.ID] + "/solved", form: url.Values{"visit": {token(w, role)}},
			unchanged: func(t *testing.T) {
				if now := w.kb.deflections(a.ID); now != before {
					t.Errorf("a refused deflection counted: %d → %d", before, now)
				}
			}}
	}
}

func variants() map[string][]variant {
	page := func(a func(*world) kb.Article) func(*world, int) call {
		return func(w *world, _ int) call { return call{method: "GET", path: "/portal/kb/" + w.kb.slugs[a(w).ID]} }
	}
	file := func(a func(*world) kb.Article, f func(*world) int64) func(*world, int) call {
		return func(w *world, _ int) call {
			return call{method: "GET", path: fmt.Sprintf("/portal/kb/%s/files/%d", w.kb.slugs[a(w).ID], f(w))}
		}
	}
	public := func(w *world) kb.Article { return w.kb.public }
	internal := func(w *world) kb.Article { return w.kb.internal }
	forged := func(*world, int) string { return "AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA" }
	return map[string][]variant{
		"GET /portal/tickets": searchVariants(),
		"GET /portal/kb": {
			{"the front page", func(*world, int) call { return call{method: "GET", path: "/portal/kb"} }, publicAll},
		},
		"GET /portal/kb/{slug}": {
			{"a public article, with its draft waiting", page(public), publicAll},
			{"an internal article", page(internal), nobody},
			{"an article never published", page(func(w *world) kb.Article { return w.kb.unpublished }), nobody},
			{"no such article", func(*world, int) call { return call{method: "GET", path: "/portal/kb/no-such-article"} }, nobody},
		},
		"GET /portal/kb/{slug}/files/{id}": {
			{"a public article's image", file(public, func(w *world) int64 { return w.kb.publicFile }), publicAll},
			{"an internal article's image by a public article's address", file(public, func(w *world) int64 { return w.kb.internalFile }), nobody},
			{"an internal article's image", file(internal, func(w *world) int64 { return w.kb.internalFile }), nobody},
			{"a Premium image by a public article's address", file(public, func(w *world) int64 { return w.kb.premiumFile }), nobody},
		},
		"POST /portal/kb/{slug}/solved": {
			{"a forged visit", deflect(public, forged), [roles]string{notFound, notFound, notFound, notFound, toSignIn}},
			{"another customer's visit", deflect(public, func(w *world, role int) string { return w.visitOf((role + 1) % signedOut) }),
				[roles]string{notFound, notFound, notFound, notFound, toSignIn}},
			{"an internal article", deflect(internal, (*world).visitOf), [roles]string{notFound, notFound, notFound, notFound, toSignIn}},
		},
	}
}

var publicAll = [roles]string{allow, allow, allow, allow, allow}

// premiumSees reports whether the answer shows the Premium article.
func premiumSees(body string) bool { return strings.Contains(body, kbPremiumTitle) }

// TestKnowledgeBaseReaders proves who reads what on the portal: lists,
// search and suggestions show only what the reader may read, a reading
// counts a view (but a file does not), and a plan's article is kept out of
// every cache.
func TestKnowledgeBaseReaders(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	views := func(a kb.Article) int64 {
		u, err := w.d.a.KB.ArticleUsage(ctx, a.ID)
		w.d.must(err)
		return u.Views
	}
	for _, c := range []struct {
		role    int
		premium bool
	}{{own, true}, {manager, true}, {stranger, false}, {signedOut, false}} {
		b := w.people[c.role]
		for _, p := range []string{"/portal/kb", "/portal/kb?q=router", "/portal/kb?q=premium",
			"/portal/tickets/new/suggestions?subject=router+replacement&visit=" + url.QueryEscape(w.visitOf(c.role))} {
			if c.role == signedOut && strings.Contains(p, "suggestions") {
				continue
			}
			res, body := b.get(p)
			wantStatus(t, res, 200)
			if got := premiumSees(body); got != c.premium {
				t.Errorf("%s: %s shows the Premium article: %v, want %v", roleNames[c.role], p, got, c.premium)
			}
			if !strings.Contains(body, kbPublicTitle) && !strings.Contains(p, "premium") {
				t.Errorf("%s: %s lacks the public article", roleNames[c.role], p)
			}
		}
	}

	t.Run("a reading counts a view, its image does not", func(t *testing.T) {
		before := views(w.kb.public)
		b := w.people[signedOut]
		_, body := b.get("/portal/kb/" + w.kb.slugs[w.kb.public.ID])
		if !strings.Contains(body, "Hold the reset button") || strings.Contains(body, kbDraftBody) {
			t.Errorf("the page shows the wrong text: %.500s", body)
		}
		b.get(fmt.Sprintf("/portal/kb/%s/files/%d", w.kb.slugs[w.kb.public.ID], w.kb.publicFile))
		if got := views(w.kb.public); got != before+1 {
			t.Errorf("views %d → %d, want one more", before, got)
		}
	})

	t.Run("a Premium article is never kept for later", func(t *testing.T) {
		for _, p := range []string{"/portal/kb/" + w.kb.slugs[w.kb.premiumOnly.ID],
			fmt.Sprintf("/portal/kb/%s/files/%d", w.kb.slugs[w.kb.premiumOnly.ID], w.kb.premiumFile)} {
			res, _ := w.people[own].get(p)
			wantStatus(t, res, 200)
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("%s may be cached: Cache-Control %q", p, cc)
			}
			if res.Header.Get("X-Portal-Offline") != "" {
				t.Errorf("%s is marked for the app to keep offline", p)
			}
		}
		_, sw := w.people[signedOut].get("/portal/sw.js")
		if strings.Contains(sw, "/portal/kb") {
			t.Error("the service worker keeps knowledge-base pages")
		}
	})
}

// TestKnowledgeBaseLanguages: the list and the pages are in the reader's
// language — the contact's, or the browser's for a visitor — and an
// article missing in it is shown in another, saying so.
func TestKnowledgeBaseLanguages(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	ru, lv := catalog(t, "ru"), catalog(t, "lv")
	write := func(lang, title, body string, st kb.Settings) kb.Article {
		a, err := d.a.KB.CreateArticle(ctx, d.admin, kb.NewArticle{Settings: st, Draft: kb.Draft{Language: lang, Title: title, Body: body}})
		d.must(err)
		a, err = d.a.KB.Publish(ctx, d.admin, a.ID, a.Version, lang)
		d.must(err)
		return a
	}
	vpn := write("en", "Connect to the VPN", "Open the **VPN** app.", kb.Settings{Visibility: kb.Public, Position: 1})
	_, err := d.a.KB.SaveDraft(ctx, d.admin, vpn.ID, 0, kb.Draft{Language: "ru", Title: "Подключение к VPN", Body: "Откройте приложение **VPN**."})
	d.must(err)
	_, err = d.a.KB.Publish(ctx, d.admin, vpn.ID, 0, "ru")
	d.must(err)
	write("en", "Mail on the phone", "Add the account.", kb.Settings{Visibility: kb.Public, Position: 2})

	visitor := d.browser()
	get := func(b *browser, path, acceptLanguage string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, d.srv.URL+path, nil)
		d.must(err)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		res, body := b.do(req)
		wantStatus(t, res, 200)
		return body
	}

	t.Run("a visitor reads in the browser's language, each article once", func(t *testing.T) {
		body := get(visitor, "/portal/kb", "ru-RU,ru;q=0.9,en;q=0.5")
		if !strings.Contains(body, "Подключение к VPN") || strings.Contains(body, "Connect to the VPN") {
			t.Errorf("the Russian list does not show the Russian translation alone")
		}
		if !strings.Contains(body, "Mail on the phone") || !strings.Contains(body, htmlEscape(ru.T("portal.kb.not_translated"))) {
			t.Errorf("the article without a Russian translation is not listed in English, marked")
		}
		page := get(visitor, "/portal/kb/mail-on-the-phone", "ru")
		if want := ru.T("portal.kb.fallback", "Language", "English"); !strings.Contains(page, htmlEscape(want)) {
			t.Errorf("the English page does not say it is shown in English: want %q", want)
		}
		page = get(visitor, "/portal/kb/connect-to-the-vpn", "ru")
		if !strings.Contains(page, htmlEscape(ru.T("portal.kb.in_yours"))) || !strings.Contains(page, "/portal/kb/podklyuchenie-k-vpn") {
			t.Errorf("the English page does not lead to its Russian translation")
		}
	})

	t.Run("a contact reads in their own language, whatever the browser says", func(t *testing.T) {
		a := d.customer("Ilze Ozola", "ilze@client.example", &d.company.ID, false)
		d.must(d.a.Portal.SetLanguage(ctx, a.ContactID, "lv"))
		b := d.signIn(a.Email)
		body := get(b, "/portal/kb", "ru")
		if !strings.Contains(body, "Connect to the VPN") || !strings.Contains(body, htmlEscape(lv.T("portal.kb.not_translated"))) ||
			strings.Contains(body, "Подключение к VPN") {
			t.Errorf("a Latvian contact's list: %.2000s", body)
		}
		page := get(b, "/portal/kb/podklyuchenie-k-vpn", "ru")
		if want := lv.T("portal.kb.fallback", "Language", "Русский"); !strings.Contains(page, htmlEscape(want)) {
			t.Errorf("the Russian page does not tell a Latvian reader: want %q", want)
		}
	})
}

// TestDeflectionOverHTTP: "this solved my problem" counts one deflection
// for the visit, however often it is sent, and opens no ticket.
func TestDeflectionOverHTTP(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	b := w.people[own]
	visit := w.visitOf(own)
	count := func() int {
		_, n, err := w.d.a.Tickets.FindTickets(ctx, auth.System(), ticket.Filter{})
		w.d.must(err)
		return n
	}
	tickets := count()
	_, body := b.get("/portal/kb/" + w.kb.slugs[w.kb.public.ID] + "?visit=" + url.QueryEscape(visit))
	if !strings.Contains(body, `id="deflect"`) {
		t.Fatal("an article opened from the form does not ask whether it solved the problem")
	}
	for range 3 {
		res, _ := b.post("/portal/kb/"+w.kb.slugs[w.kb.public.ID]+"/solved", url.Values{"visit": {visit}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/portal/tickets?done=deflected" {
			t.Fatalf("solved: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	}
	res, _ := b.post("/portal/kb/"+w.kb.slugs[w.kb.premiumOnly.ID]+"/solved", url.Values{"visit": {visit}})
	wantStatus(t, res, 303)
	if got := w.kb.deflections(w.kb.public.ID) + w.kb.deflections(w.kb.premiumOnly.ID); got != 1 {
		t.Errorf("one visit deflected %d times", got)
	}
	if got := count(); got != tickets {
		t.Errorf("deflecting opened %d tickets", got-tickets)
	}
	_, body = b.get("/portal/tickets?done=deflected")
	if want := catalog(t, "en").T("portal.flash.deflected"); !strings.Contains(body, htmlEscape(want)) {
		t.Errorf("no thanks after deflecting: want %q", want)
	}
	_, body = b.get("/portal/kb/" + w.kb.slugs[w.kb.public.ID])
	if strings.Contains(body, `id="deflect"`) {
		t.Error("an article read on its own asks whether it solved a request")
	}
}
