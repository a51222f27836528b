// Linedesk customer portal: the installable app's service worker, live
// updates, files by picker, drag-and-drop and pasted screenshots, and
// articles suggested while a new request's subject is typed. Every page
// works without it.
(function () {
  "use strict";
  var body = document.body;

  // The app: its worker keeps the shell and the last ticket list. Leaving
  // (signing out, or landing on the sign-in page) forgets the list.
  var DRAFT = "portal-draft";
  function forget() {
    try { sessionStorage.removeItem(DRAFT); } catch (_) {}
    if (window.caches) caches.delete("portal-data");
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("forget");
    }
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/portal/sw.js", { scope: "/portal/" }).catch(function () {});
  }
  if (body.classList.contains("page-signin") || body.classList.contains("page-refused")) forget();
  document.querySelectorAll("[data-signout]").forEach(function (f) {
    f.addEventListener("submit", forget);
  });

  // Offline: the list shown is the one kept from the last visit.
  var note = document.getElementById("offline-note");
  function online() { if (note) note.hidden = navigator.onLine; }
  window.addEventListener("online", online);
  window.addEventListener("offline", online);
  online();

  // Live updates over server-sent events.
  function swap(url, id) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById(id), old = document.getElementById(id);
      if (fresh && old) old.replaceWith(fresh);
    });
  }
  if (body.dataset.live && window.EventSource) {
    var timer = null;
    var es = new EventSource(body.dataset.live);
    es.addEventListener("ticket", function (e) {
      var parts = e.data.split(" ");
      if (body.dataset.list) {
        clearTimeout(timer);
        timer = setTimeout(function () { swap(location.href, "ticket-list").catch(function () {}); }, 300);
        return;
      }
      var live = document.getElementById("live");
      if (live && parts[1] !== live.dataset.stamp) {
        var u = new URL(location.href);
        u.searchParams.set("part", "conversation");
        u.searchParams.delete("done");
        fetch(u, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
          if (!html) return;
          var t = document.createElement("template");
          t.innerHTML = html.trim();
          var fresh = t.content.getElementById("live");
          if (fresh) document.getElementById("live").replaceWith(fresh);
        }).catch(function () {});
      }
    });
  }

  // Rows of the list open their ticket.
  document.addEventListener("click", function (e) {
    var row = e.target.closest("tr[data-href]");
    if (row && !e.target.closest("a, button, input")) window.location = row.dataset.href;
  });

  // Files: the picker, drag-and-drop and screenshots pasted from the
  // clipboard all end up in the form's file input.
  function addFiles(input, files) {
    var dt = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (f) { dt.items.add(f); });
    Array.prototype.forEach.call(files, function (f) {
      if (!f.name || f.name === "image.png") {
        var ext = (f.type.split("/")[1] || "png").replace("jpeg", "jpg");
        f = new File([f], "screenshot-" + new Date().toISOString().replace(/[:.]/g, "-") + "." + ext, { type: f.type });
      }
      dt.items.add(f);
    });
    input.files = dt.files;
    listFiles(input);
  }
  function listFiles(input) {
    var list = input.closest("form").querySelector("[data-picked]");
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      if (f.type.indexOf("image/") === 0 && f.type !== "image/svg+xml") {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(f);
        img.alt = "";
        li.appendChild(img);
      }
      li.appendChild(document.createTextNode(f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)"));
      list.appendChild(li);
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-files]")) listFiles(e.target);
  });
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("[data-files]");
    var form = zone.closest("form");
    form.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    form.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    form.addEventListener("drop", function (e) {
      e.preventDefault(); zone.classList.remove("over");
      if (e.dataTransfer.files.length) addFiles(input, e.dataTransfer.files);
    });
    form.addEventListener("paste", function (e) {
      var files = Array.prototype.filter.call(e.clipboardData.files || [], function (f) { return f.size > 0; });
      if (files.length) { e.preventDefault(); addFiles(input, files); }
    });
  });

  // The new request: while the subject is typed, articles that may answer
  // it are listed under it. What the customer typed is kept for the tab's
  // life, so that reading a suggestion and coming back ("I still need
  // help") loses nothing; sending the form, or an article that solved the
  // problem, forgets it.
  var form = document.getElementById("new-form");
  var box = document.querySelector("[data-suggest]");
  var subject = document.getElementById("subject");
  function draftFields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "visit" && el.type !== "file" && el.type !== "hidden" && el.type !== "submit";
    });
  }
  function keepDraft() {
    var d = {};
    draftFields().forEach(function (el) { d[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    try { sessionStorage.setItem(DRAFT, JSON.stringify(d)); } catch (_) {}
  }
  function restoreDraft() {
    var d = null;
    try { d = JSON.parse(sessionStorage.getItem(DRAFT) || "null"); } catch (_) {}
    if (!d) return;
    draftFields().forEach(function (el) {
      if (!(el.name in d)) return;
      if (el.type === "checkbox") { if (!el.checked) el.checked = !!d[el.name]; }
      else if (!el.value) el.value = d[el.name];
    });
  }
  var lastAsked = null, asking = null, timer2 = null;
  function suggest() {
    var q = subject.value.trim();
    if (q === lastAsked) return;
    lastAsked = q;
    if (asking) asking.abort();
    if (q.length < 3) { box.replaceChildren(); return; }
    asking = new AbortController();
    var u = new URL(box.dataset.suggest, location.href);
    u.searchParams.set("subject", q);
    fetch(u, { credentials: "same-origin", signal: asking.signal }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("suggestions");
      if (fresh && subject.value.trim() === q) box.replaceChildren.apply(box, Array.prototype.slice.call(fresh.childNodes));
    }).catch(function () {});
  }
  if (form) {
    restoreDraft();
    form.addEventListener("input", keepDraft);
    form.addEventListener("change", keepDraft);
    form.addEventListener("submit", function () { try { sessionStorage.removeItem(DRAFT); } catch (_) {} });
  }
  if (form && box && subject) {
    subject.addEventListener("input", function () {
      clearTimeout(timer2);
      timer2 = setTimeout(suggest, 300);
    });
    if (subject.value.trim()) suggest();
  }
  document.querySelectorAll("[data-deflect]").forEach(function (f) {
    f.addEventListener("submit", function () { try { sessionStorage.removeItem(DRAFT); } catch (_) {} });
  });

  // Ctrl+Enter sends the form being typed in.
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.form) {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });
})();
