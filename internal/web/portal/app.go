package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"text/template"
)

func (s *Server) appRoutes(mux *http.ServeMux) {
	s.public(mux, "GET /portal/manifest.webmanifest", s.handleManifest)
	s.public(mux, "GET /portal/sw.js", s.handleServiceWorker)
	s.public(mux, "GET /portal/offline", s.handleOffline)
}

// handleManifest describes the portal as an app a phone can install, in
// the visitor's language.
func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) error {
	l := s.localizer(r)
	m := map[string]any{
		"name": l.T("portal.app.name"), "short_name": l.T("portal.app.short_name"), "lang": l.Lang,
		"start_url": "/portal/tickets", "scope": "/portal/", "display": "standalone",
		"background_color": "#f5f6f8", "theme_color": "#14213d",
		"icons": []map[string]string{
			{"src": s.Assets.URL("portal-192.png"), "sizes": "192x192", "type": "image/png"},
			{"src": s.Assets.URL("portal-512.png"), "sizes": "512x512", "type": "image/png"},
			{"src": s.Assets.URL("portal-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
		},
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	return json.NewEncoder(w).Encode(m)
}

// swTemplate is the service worker: it keeps the app's shell (styles,
// script, icons, the offline page) and the customer's open tickets as
// last shown, and shows them when the network is gone. Signing out, or
// being sent to the sign-in page, forgets the list: the next person at
// the device never sees it.
var swTemplate = template.Must(template.New("sw").Parse(`// Linedesk customer portal: offline shell and last ticket list.
"use strict";
const SHELL = "portal-shell-{{.Version}}";
const DATA = "portal-data";
const LIST = "/portal/tickets";
const SHELL_URLS = {{.Shell}};

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys
    .filter((k) => k.startsWith("portal-shell-") && k !== SHELL)
    .map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});

self.addEventListener("message", (e) => {
  if (e.data === "forget") e.waitUntil(caches.delete(DATA));
});

function signedOut(res) {
  const u = new URL(res.url);
  return u.pathname === "/portal/" || u.pathname === "/portal";
}

self.addEventListener("fetch", (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    e.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode !== "navigate" || !url.pathname.startsWith("/portal/")) return;
  e.respondWith(fetch(req).then((res) => {
    if (signedOut(res)) {
      caches.delete(DATA);
    } else if (res.ok && res.headers.get("X-Portal-Offline") === "list") {
      const copy = res.clone();
      caches.open(DATA).then((c) => c.put(LIST, copy));
    }
    return res;
  }).catch(() => {
    const offline = () => caches.match("/portal/offline");
    if (url.pathname === LIST) {
      return caches.open(DATA).then((c) => c.match(LIST)).then((hit) => hit || offline());
    }
    return offline();
  }));
});
`))

// handleServiceWorker serves the service worker. Its version follows the
// assets it keeps, so a new release replaces the old shell.
func (s *Server) handleServiceWorker(w http.ResponseWriter, r *http.Request) error {
	shell := []string{"/portal/offline", s.Assets.URL("app.css"), s.Assets.URL("portal.css"), s.Assets.URL("portal.js"),
		s.Assets.URL("portal-192.png"), s.Assets.URL("favicon.svg")}
	list, _ := json.Marshal(shell)
	sum := sha256.Sum256([]byte(strings.Join(shell, " ")))
	var buf bytes.Buffer
	if err := swTemplate.Execute(&buf, map[string]any{"Version": hex.EncodeToString(sum[:6]), "Shell": string(list)}); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.Write(buf.Bytes())
	return nil
}

// handleOffline is the page the app shows for what it has not kept.
func (s *Server) handleOffline(w http.ResponseWriter, r *http.Request) error {
	l := s.localizer(r)
	s.render(w, r, http.StatusOK, "message", messagePage{Page: s.newPage(r, l, "offline"), Title: l.T("portal.offline.title"),
		Text: l.T("portal.offline.text"), Status: http.StatusOK, Link: "/portal/tickets", LinkAs: l.T("portal.offline.retry")})
	return nil
}
