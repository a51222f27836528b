// Linedesk workspace: live updates, keyboard shortcuts, attachments by
// drag-and-drop and paste, bulk selection. Everything works without it;
// it only makes the work faster.
(function () {
  "use strict";
  var body = document.body;

  function toast(text) {
    var t = document.getElementById("toast");
    if (!t) return;
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 6000);
  }
  document.addEventListener("htmx:responseError", function (e) {
    toast(e.detail.xhr.responseText || e.detail.xhr.statusText);
  });
  document.addEventListener("htmx:sendError", function () { toast(body.dataset.offline || "Offline"); });

  // Live updates over server-sent events.
  var ticketID = body.dataset.ticket;
  if (body.dataset.live && window.EventSource) {
    var refreshTimer = null;
    var es = new EventSource(body.dataset.live);
    es.addEventListener("ticket", function (e) {
      var parts = e.data.split(" ");
      htmx.trigger(body, "notices");
      if (ticketID) {
        // A new version, or a comment (which touches the ticket without one).
        if (parts[0] === ticketID && (Number(parts[1] || 0) > Number(body.dataset.version) ||
            Number(parts[2] || 0) > Number(body.dataset.updated))) {
          document.getElementById("changed-notice").hidden = false;
          htmx.trigger(body, "changed");
        }
        return;
      }
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(function () { htmx.trigger(body, "refresh"); }, 400);
    });
    es.addEventListener("presence", function () { htmx.trigger(body, "presence"); });
  }

  // Keep the selected rows selected when the list refreshes itself.
  var kept = [];
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "queue-list") {
      kept = Array.prototype.map.call(document.querySelectorAll("#queue-list input[name=ids]:checked"), function (c) { return c.value; });
    }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "queue-list") {
      kept.forEach(function (id) {
        var c = document.querySelector("#queue-list input[name=ids][value='" + id + "']");
        if (c) c.checked = true;
      });
      updateBulk();
    }
  });

  function updateBulk() {
    var bar = document.querySelector("[data-bulkbar]");
    if (!bar) return;
    var n = document.querySelectorAll("#queue-list input[name=ids]:checked").length;
    bar.hidden = n === 0;
    var c = bar.querySelector("[data-selected-count]");
    if (c) c.textContent = n + " ✓";
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches("[data-select-all]")) {
      document.querySelectorAll("#queue-list input[name=ids]").forEach(function (c) { c.checked = t.checked; });
    }
    if (t.matches("[data-select-all], input[name=ids]")) updateBulk();
    if (t.matches("[data-files]")) listFiles(t);
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    var confirmEl = t.closest("[data-confirm]");
    if (confirmEl && !window.confirm(confirmEl.dataset.confirm)) { e.preventDefault(); return; }
    var pick = t.closest("[data-pick-contact]");
    if (pick) { pickContact(pick); return; }
    if (t.closest("[data-shortcuts]")) { e.preventDefault(); openHelp(); return; }
    var row = t.closest("tr[data-row]");
    if (row && !t.closest("a, input, button, label")) window.location = row.dataset.href;
  });

  function pickContact(btn) {
    var form = btn.closest("form") || document.querySelector("[data-contact-id]").form;
    form.querySelector("[data-contact-id]").value = btn.dataset.pickContact;
    var caller = form.querySelector("[data-caller]");
    if (caller) caller.value = btn.dataset.name;
    var list = btn.closest(".callers");
    if (list) list.innerHTML = "";
    if (form.hasAttribute("data-submit-on-pick")) form.requestSubmit();
  }

  // Attachments: picker, drag-and-drop, and screenshots pasted from the
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
    list.innerHTML = "";
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
      list.appendChild(li);
    });
  }
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

  // Typing: colleagues see it while the agent writes a reply.
  document.querySelectorAll("[data-composer]").forEach(function (form) {
    var url = form.dataset.typing, last = 0, idle = null;
    function send(typing) {
      var fd = new FormData();
      fd.append("typing", typing ? "1" : "0");
      fetch(url, { method: "POST", body: fd, credentials: "same-origin" }).catch(function () {});
    }
    form.querySelector("textarea").addEventListener("input", function () {
      var now = Date.now();
      if (now - last > 3000) { last = now; send(true); }
      clearTimeout(idle);
      idle = setTimeout(function () { last = 0; send(false); }, 6000);
    });
  });

  // Ctrl+Enter sends the form being typed in.
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.form) {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });

  // Answering from what the team knows: the article picker and the canned
  // responses put text into the reply box at the cursor; the script runner
  // answers with number keys.
  // The cursor of the text areas things are inserted into, kept while the
  // focus is in a picker.
  ["keyup", "click", "input", "select"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var a = e.target;
      if (a && (a.id === "reply-body" || a.id === "article-body")) a.caret = [a.selectionStart, a.selectionEnd];
    }, true);
  });
  function insertAtCursor(area, text) {
    if (!area || !text) return;
    var at = area.caret || [area.value.length, area.value.length];
    var start = Math.min(at[0], area.value.length), end = Math.min(at[1], area.value.length), before = area.value.slice(0, start);
    var sep = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    area.setRangeText(sep + text, start, end, "end");
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function openPicker(id) {
    var d = document.getElementById(id);
    if (!d || d.open) return;
    d.showModal();
    var form = d.querySelector("form[hx-get]");
    if (form && window.htmx) htmx.trigger(form, "open");
    var f = d.querySelector("[data-picker-focus]");
    if (f) { f.focus(); f.select(); }
  }
  function pickerError(res) {
    return res.text().then(function (t) { throw new Error(t || res.statusText); });
  }
  document.addEventListener("click", function (e) {
    var open = e.target.closest("[data-open-picker]");
    if (open && document.getElementById(open.dataset.openPicker)) { e.preventDefault(); openPicker(open.dataset.openPicker); return; }
    var kb = e.target.closest("[data-kb-insert]");
    if (kb) {
      var dlg = kb.closest("dialog"), fd = new FormData();
      fd.append("mode", kb.dataset.mode);
      fd.append("lang", kb.dataset.lang);
      fetch(kb.dataset.kbInsert, { method: "POST", body: fd, credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (res) { return res.ok ? res.json() : pickerError(res); })
        .then(function (ins) {
          if (dlg) dlg.close();
          insertAtCursor(document.getElementById("reply-body"), ins.text);
          toast(body.dataset.inserted || "✓");
        })
        .catch(function (err) { toast(err.message); });
      return;
    }
    var canned = e.target.closest("[data-canned]");
    if (canned) { insertCanned(canned); return; }
    var md = e.target.closest("[data-insert-md]");
    if (md) { insertAtCursor(document.getElementById("article-body"), md.dataset.insertMd); }
  });
  function insertCanned(btn) {
    var dlg = btn.closest("dialog");
    fetch(btn.dataset.canned, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (res) { return res.ok ? res.json() : pickerError(res); })
      .then(function (f) {
        dlg.close();
        insertAtCursor(document.getElementById("reply-body"), f.text);
      })
      .catch(function (err) { toast(err.message); });
  }
  // Arrow keys move through the canned responses; Enter inserts the chosen one.
  document.addEventListener("keydown", function (e) {
    var list = e.target.closest && e.target.closest("dialog.picker");
    if (!list || !e.target.matches("[data-picker-keys], .picker-choice")) return;
    var items = Array.prototype.slice.call(list.querySelectorAll(".picker-choice"));
    if (!items.length) return;
    var i = items.indexOf(document.activeElement);
    if (e.key === "ArrowDown") { e.preventDefault(); items[Math.min(items.length - 1, i + 1)].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); if (i <= 0) list.querySelector("[data-picker-keys]").focus(); else items[i - 1].focus(); }
    else if (e.key === "Enter" && i < 0) { e.preventDefault(); insertCanned(items[0]); }
  });
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var id = e.code === "KeyK" ? "kb-picker" : e.code === "KeyC" ? "canned-picker" : "";
    if (id && document.getElementById(id)) { e.preventDefault(); openPicker(id); }
  });
  // The script runner: 1–9 answer, Backspace goes back, Enter saves.
  document.addEventListener("keydown", function (e) {
    var runner = document.querySelector("[data-runner]");
    if (!runner || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.matches("input, textarea, select")) return;
    var a = /^[1-9]$/.test(e.key) && runner.querySelector("[data-answer='" + e.key + "']");
    var back = e.key === "Backspace" && runner.querySelector("[data-back]");
    var finish = e.key === "Enter" && runner.querySelector("[data-finish]");
    var target = a || back || finish;
    if (target) { e.preventDefault(); e.stopImmediatePropagation(); target.click(); }
  }, true);

  // The script editor shows only the fields of a node's kind (all of them
  // without a script).
  function showKindFields(form) {
    var kind = form.querySelector("select[name=kind]").value;
    form.querySelectorAll("[data-for-kind]").forEach(function (el) { el.hidden = el.dataset.forKind !== kind; });
  }
  document.querySelectorAll("[data-node-form]").forEach(showKindFields);
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-node-form] select[name=kind]")) showKindFields(e.target.form);
  });

  // Keyboard shortcuts outside text fields.
  var cursor = -1, pendingG = false;
  function rows() { return document.querySelectorAll("tr[data-row]"); }
  function moveCursor(d) {
    var r = rows();
    if (!r.length) return;
    if (cursor >= 0 && r[cursor]) r[cursor].classList.remove("cursor");
    cursor = Math.max(0, Math.min(r.length - 1, cursor + d));
    r[cursor].classList.add("cursor");
    r[cursor].scrollIntoView({ block: "nearest" });
  }
  function openHelp() { var d = document.getElementById("shortcuts-help"); if (d) d.showModal(); }
  function focusCompose(pub) {
    var radio = document.querySelector("[data-composer] input[name=public][value='" + (pub ? "1" : "0") + "']");
    if (!radio) return;
    radio.checked = true;
    document.getElementById("reply-body").focus();
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t.matches("input, textarea, select") || t.isContentEditable) {
      if (e.key === "Escape") t.blur();
      return;
    }
    var r = rows();
    if (pendingG) {
      pendingG = false;
      if (e.key === "q") { window.location = "/"; }
      return;
    }
    switch (e.key) {
      case "n": window.location = "/new"; break;
      case "/": e.preventDefault(); var s = document.getElementById("search"); if (s) s.focus(); break;
      case "j": moveCursor(1); break;
      case "k": moveCursor(-1); break;
      case "o": case "Enter": if (cursor >= 0 && r[cursor]) window.location = r[cursor].dataset.href; break;
      case "x":
        if (cursor >= 0 && r[cursor]) { var c = r[cursor].querySelector("input[name=ids]"); c.checked = !c.checked; updateBulk(); }
        break;
      case "r": e.preventDefault(); focusCompose(true); break;
      case "i": e.preventDefault(); focusCompose(false); break;
      case "g": pendingG = true; break;
      case "?": openHelp(); break;
      default: return;
    }
  });
  // The header's search box: results while typing (htmx asks the
  // server), arrows move through them, Enter opens one (or, with none
  // chosen, the full results page), Escape closes the list.
  var box = document.getElementById("search"), results = document.getElementById("search-results");
  if (box && results) {
    var active = -1;
    var options = function () { return results.querySelectorAll("[role=option]"); };
    var setActive = function (i) {
      var o = options();
      o.forEach(function (el, j) { el.setAttribute("aria-selected", j === i ? "true" : "false"); el.classList.toggle("active", j === i); });
      active = i;
      if (i >= 0 && o[i]) { box.setAttribute("aria-activedescendant", o[i].id); o[i].scrollIntoView({ block: "nearest" }); }
      else box.removeAttribute("aria-activedescendant");
    };
    var show = function (open) {
      results.hidden = !open;
      box.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) setActive(-1);
    };
    document.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail.target !== results) return;
      active = -1;
      show(results.children.length > 0 && box.value.trim() !== "" && document.activeElement === box);
    });
    box.addEventListener("input", function () { if (box.value.trim() === "") show(false); });
    box.addEventListener("focus", function () { if (results.children.length && box.value.trim()) show(true); });
    box.addEventListener("keydown", function (e) {
      var o = options();
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (results.hidden || !o.length) return;
        e.preventDefault();
        var n = o.length;
        setActive(e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
      } else if (e.key === "Enter" && !results.hidden && active >= 0 && o[active]) {
        e.preventDefault();
        window.location = o[active].href;
      } else if (e.key === "Escape") {
        e.stopPropagation();
        e.preventDefault();
        if (!results.hidden) show(false); else box.blur();
      }
    });
    // Enter may also submit the form (a browser sending the key's
    // character apart): a chosen result still wins over the full search.
    box.form.addEventListener("submit", function (e) {
      var o = options();
      if (!results.hidden && active >= 0 && o[active]) { e.preventDefault(); window.location = o[active].href; }
    });
    document.addEventListener("click", function (e) { if (!e.target.closest("[data-search]")) show(false); });
  }
})();

// Routing rule editor: a row's value field offers the choices of the
// kind picked (groups, agents, priorities…).
document.addEventListener("change", function (e) {
  var sel = e.target.closest && e.target.closest("select[data-rule-kind]");
  if (!sel) return;
  var input = document.getElementById(sel.getAttribute("data-rule-kind"));
  if (!input) return;
  if (sel.value) input.setAttribute("list", "opts-" + sel.value); else input.removeAttribute("list");
});
