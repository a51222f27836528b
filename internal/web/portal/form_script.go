package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"text/template"
	"time"

	"linedesk/internal/portal"
)

// formDefinition is what the embedding script renders a form from.
type formDefinition struct {
	ID       int64             `json:"id"`
	Lang     string            `json:"lang"`
	Action   string            `json:"action"`
	Started  string            `json:"started"`
	Honeypot string            `json:"honeypot"`
	Fields   []definedField    `json:"fields"`
	Texts    map[string]string `json:"texts"`
}

type definedField struct {
	Key      string   `json:"key"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Label    string   `json:"label"`
	Options  []string `json:"options,omitempty"`
}

// handleFormDefinition gives the embedding script the form in a language,
// with a fresh start time. Only the form's own sites may read it.
func (s *Server) handleFormDefinition(w http.ResponseWriter, r *http.Request) error {
	f, err := s.activeForm(r)
	if err != nil {
		return err
	}
	l := s.formLang(r)
	w.Header().Set("Content-Type", "application/json")
	if !allowCORS(w, r, f) {
		w.WriteHeader(http.StatusForbidden)
		return json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": portal.RefusedOrigin,
			"message": l.T("portal.form.refused.origin")}})
	}
	d := formDefinition{ID: f.ID, Lang: l.Lang, Action: s.baseURL(r) + fmt.Sprintf("/portal/forms/%d", f.ID),
		Started: s.Portal.StartToken(f.ID, time.Now()), Honeypot: honeypot, Texts: map[string]string{}}
	for _, fd := range f.Fields {
		d.Fields = append(d.Fields, definedField{Key: fd.Key, Type: fd.Type, Required: fd.Required, Label: fd.Label(l.Lang),
			Options: fd.Options})
	}
	for _, k := range []string{"submit", "sending", "optional", "honeypot", "choose", "failed"} {
		d.Texts[k] = l.T("portal.form." + k)
	}
	return json.NewEncoder(w).Encode(d)
}

// baseURL is the portal's address as the browser reached it.
func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleFormScript serves the script a client's page includes to show the
// form. It knows the form's sites, so it says plainly when it is put on
// another one; the server refuses such a site's posts in any case.
func (s *Server) handleFormScript(w http.ResponseWriter, r *http.Request) error {
	f, err := s.activeForm(r)
	if err != nil {
		return err
	}
	l := s.formLang(r)
	origins, _ := json.Marshal(f.Origins)
	var buf bytes.Buffer
	def := fmt.Sprintf("%s/portal/forms/%d/definition?lang=%s", s.baseURL(r), f.ID, l.Lang)
	err = formScript.Execute(&buf, map[string]any{"Definition": jsString(def), "Origins": string(origins),
		"Refused": jsString(l.T("portal.form.refused.origin"))})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	w.Write(buf.Bytes())
	return nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// formScript renders a web form into the page that includes it, and
// posts it back with the browser's cross-origin checks: a site the form
// does not allow cannot read its definition nor post it.
var formScript = template.Must(template.New("form").Parse(`// Linedesk web form.
(function () {
  "use strict";
  var me = document.currentScript;
  var allowed = {{.Origins}};
  var host = document.createElement("div");
  host.className = "ldf";
  if (me.dataset.target && document.getElementById(me.dataset.target)) {
    document.getElementById(me.dataset.target).appendChild(host);
  } else {
    me.parentNode.insertBefore(host, me.nextSibling);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function say(cls, text) {
    var p = host.querySelector(".ldf-msg") || host.insertBefore(el("p", { "class": "ldf-msg", role: "alert" }), host.firstChild);
    p.className = "ldf-msg " + cls;
    p.textContent = text;
  }
  var style = el("style");
  style.textContent = ".ldf{font:inherit;max-width:36rem}.ldf form{display:flex;flex-direction:column;gap:.8rem}" +
    ".ldf label{display:flex;flex-direction:column;gap:.25rem;font-weight:600}.ldf label.ldf-check{flex-direction:row;align-items:center;gap:.5rem;font-weight:400}" +
    ".ldf input,.ldf select,.ldf textarea{font:inherit;padding:.5rem;border:1px solid #b9c0cc;border-radius:6px;font-weight:400}" +
    ".ldf textarea{min-height:7rem}.ldf [aria-invalid=true]{border-color:#b42318;outline:1px solid #b42318}" +
    ".ldf button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#1f5fbf;color:#fff;cursor:pointer;align-self:flex-start}" +
    ".ldf button[disabled]{opacity:.6}.ldf-hp{position:absolute!important;left:-10000px;width:1px;height:1px;overflow:hidden}" +
    ".ldf-msg{padding:.6rem .8rem;border-radius:6px}.ldf-msg.error{background:#fdecea;color:#b42318}.ldf-msg.ok{background:#e6f4ea;color:#067647}" +
    ".ldf-opt{font-weight:400;color:#667085}";
  host.appendChild(style);
  if (allowed.indexOf(location.origin) < 0) { say("error", {{.Refused}}); return; }
  fetch({{.Definition}}, { credentials: "omit" }).then(function (r) {
    if (!r.ok) throw new Error("definition " + r.status);
    return r.json();
  }).then(render).catch(function () { say("error", {{.Refused}}); });

  function render(d) {
    var form = el("form", { novalidate: "", "data-form": d.id });
    form.appendChild(el("input", { type: "hidden", name: "started", value: d.started }));
    form.appendChild(el("input", { type: "hidden", name: "lang", value: d.lang }));
    var hp = el("label", { "class": "ldf-hp", "aria-hidden": "true" }, d.texts.honeypot);
    hp.appendChild(el("input", { type: "text", name: d.honeypot, tabindex: "-1", autocomplete: "off" }));
    form.appendChild(hp);
    d.fields.forEach(function (f) { form.appendChild(field(f, d.texts)); });
    var send = el("button", { type: "submit" }, d.texts.submit);
    form.appendChild(send);
    host.appendChild(form);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send.disabled = true;
      send.textContent = d.texts.sending;
      form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
      fetch(d.action, { method: "POST", body: new FormData(form), credentials: "omit",
        headers: { "Accept": "application/json", "X-Linedesk-Form": "1" } })
        .then(function (r) { return r.json(); })
        .then(function (a) {
          send.disabled = false;
          send.textContent = d.texts.submit;
          if (a.error) {
            say("error", a.error.message);
            var bad = a.error.field && form.querySelector("[name='f." + a.error.field + "']");
            if (bad) { bad.setAttribute("aria-invalid", "true"); bad.focus(); }
            return;
          }
          form.remove();
          say("ok", a.thanks + " " + a.received);
        })
        .catch(function () { send.disabled = false; send.textContent = d.texts.submit; say("error", d.texts.failed); });
    });
  }

  function field(f, texts) {
    var name = "f." + f.key;
    var label = el("label", {}, f.label);
    if (!f.required && f.type !== "checkbox") label.appendChild(el("span", { "class": "ldf-opt" }, " (" + texts.optional + ")"));
    var input;
    switch (f.type) {
      case "textarea": input = el("textarea", { name: name, rows: "5" }); break;
      case "select":
        input = el("select", { name: name });
        input.appendChild(el("option", { value: "" }, texts.choose));
        f.options.forEach(function (o) { input.appendChild(el("option", { value: o }, o)); });
        break;
      case "checkbox":
        label = el("label", { "class": "ldf-check" });
        input = el("input", { type: "checkbox", name: name });
        label.appendChild(input);
        label.appendChild(document.createTextNode(f.label));
        return label;
      case "file": input = el("input", { type: "file", name: name, multiple: "" }); break;
      case "email": input = el("input", { type: "email", name: name, autocomplete: "email" }); break;
      case "phone": input = el("input", { type: "tel", name: name, autocomplete: "tel" }); break;
      default: input = el("input", { type: "text", name: name, autocomplete: f.key === "name" ? "name" : "off" });
    }
    if (f.required) input.setAttribute("required", "");
    label.appendChild(input);
    return label;
  }
})();
`))
