// The help site's forms: send a request from the browser and show what went over the wire.
// No framework, no build step. Everything shown is set as text (textContent), never as HTML.
"use strict";
(function () {
  function stored(key) {
    try { return window.sessionStorage.getItem("irctc-" + key) || ""; } catch (e) { return ""; }
  }
  function store(key, value) {
    try { window.sessionStorage.setItem("irctc-" + key, value); } catch (e) { /* private mode */ }
  }
  function escapeXml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
  }
  function escapeFor(kind) {
    if (kind === "json") { return function (v) { return JSON.stringify(v).slice(1, -1); }; }
    if (kind === "url") { return encodeURIComponent; }
    if (kind === "raw") { return function (v) { return v; }; }
    return escapeXml;
  }
  function reference() {
    return "WEB-" + Date.now().toString(36).toUpperCase() + "-" +
      Math.random().toString(36).slice(2, 8).toUpperCase();
  }
  var session = document.querySelector(".session");
  function field(name) {
    var input = session ? session.querySelector("[name=" + name + "]") : null;
    return input ? input.value : "";
  }
  function values() {
    return { TOKEN: field("token"), PNR: field("pnr"), PASSWORD: field("password"),
             AGENT: field("agent"), REFERENCE: reference() };
  }
  // The same placeholders as soap_server/help/examples.py's fill().
  function fill(text, kind, given) {
    var escape = escapeFor(kind);
    return text.replace(/\{\{([A-Z]+)\}\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(given, name) ? escape(given[name]) : whole;
    });
  }
  function prettyXml(text) {
    var doc = new DOMParser().parseFromString(text, "application/xml");
    if (!doc.documentElement || doc.getElementsByTagName("parsererror").length) { return text; }
    var lines = [];
    function attributes(node) {
      var out = "";
      for (var i = 0; i < node.attributes.length; i++) {
        out += " " + node.attributes[i].name + "=\"" + escapeXml(node.attributes[i].value) + "\"";
      }
      return out;
    }
    function walk(node, depth) {
      var pad = new Array(depth + 1).join("  ");
      if (node.nodeType === 8) { lines.push(pad + "<!--" + node.nodeValue + "-->"); return; }
      if (node.nodeType === 3) { if (node.nodeValue.trim()) { lines.push(pad + escapeXml(node.nodeValue.trim())); } return; }
      if (node.nodeType !== 1) { return; }
      var kids = [];
      for (var i = 0; i < node.childNodes.length; i++) {
        var kid = node.childNodes[i];
        if (kid.nodeType === 1 || kid.nodeType === 8 || (kid.nodeType === 3 && kid.nodeValue.trim())) { kids.push(kid); }
      }
      var open = "<" + node.nodeName + attributes(node);
      if (!kids.length) { lines.push(pad + open + "/>"); return; }
      if (kids.length === 1 && kids[0].nodeType === 3) {
        lines.push(pad + open + ">" + escapeXml(kids[0].nodeValue.trim()) + "</" + node.nodeName + ">");
        return;
      }
      lines.push(pad + open + ">");
      kids.forEach(function (k) { walk(k, depth + 1); });
      lines.push(pad + "</" + node.nodeName + ">");
    }
    walk(doc.documentElement, 0);
    return lines.join("\n");
  }
  function pretty(text, type) {
    if (!text) { return "(no body)"; }
    if (/json/.test(type || "")) {
      try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
    }
    if (/xml/.test(type || "") || /^\s*</.test(text)) { return prettyXml(text); }
    return text;
  }
  function headerLines(text, given) {
    var headers = [];
    fill(text, "raw", given).split("\n").forEach(function (line) {
      var at = line.indexOf(":");
      if (at > 0) { headers.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]); }
    });
    return headers;
  }
  // What the answer says, in one line: a token, a PNR, a fault or an error.
  function understand(text, type) {
    var found = {};
    if (/json/.test(type || "")) {
      try {
        var body = JSON.parse(text);
        if (body.token) { found.token = body.token; }
        if (body.pnr) { found.pnr = body.pnr; }
        if (body.booking && body.booking.pnr) { found.pnr = body.booking.pnr; }
        if (body.code && body.detail) { found.fault = body.code + ": " + body.detail; }
      } catch (e) { /* not JSON after all */ }
      return found;
    }
    var doc = new DOMParser().parseFromString(text || "<x/>", "application/xml");
    function first(local) {
      var all = doc.getElementsByTagNameNS("*", local);
      return all.length ? all[0].textContent.trim() : "";
    }
    found.token = first("SessionToken");
    found.pnr = first("Pnr");
    var faultcode = first("faultcode");
    if (faultcode) { found.fault = faultcode + ": " + first("faultstring"); }
    var results = doc.getElementsByTagName("*");
    for (var i = 0; i < results.length; i++) {
      var el = results[i];
      if (el.localName === "Login" && el.getAttribute("session")) { found.token = el.getAttribute("session"); }
      if (el.getAttribute("pnr") && !found.pnr && el.localName !== "Error") { found.pnr = el.getAttribute("pnr"); }
      if (el.localName === "Error") {
        found.fault = (el.getAttribute("op") ? el.getAttribute("op") + " " : "") +
          el.getAttribute("code") + ": " + el.getAttribute("message");
      }
    }
    return found;
  }
  function setField(name, value) {
    var input = session ? session.querySelector("[name=" + name + "]") : null;
    if (input && value) { input.value = value; store(name, value); }
  }
  function show(form, request, answer) {
    var out = form.parentNode.querySelector(".result");
    if (!out) { return; }
    out.hidden = false;
    out.querySelector(".sent").textContent = request;
    out.querySelector(".received").textContent = answer.display;
    var outcome = out.querySelector(".outcome");
    outcome.className = "outcome " + (answer.ok ? "ok" : "bad");
    outcome.textContent = answer.summary;
  }
  async function exchange(method, url, headers, body) {
    var started = performance.now();
    var response = await fetch(url, { method: method, headers: headers, body: body, cache: "no-store" });
    var text = await response.text();
    var ms = performance.now() - started;
    var type = response.headers.get("Content-Type") || "";
    var lines = ["HTTP " + response.status + " " + response.statusText];
    response.headers.forEach(function (value, name) { lines.push(name + ": " + value); });
    return { status: response.status, ok: response.ok, text: text, type: type, ms: ms,
             timing: response.headers.get("Server-Timing") || "",
             display: lines.join("\n") + "\n\n" + pretty(text, type) };
  }
  async function send(form, templateBody, templateUrl, templateHeaders, method, kind) {
    var given = values();
    var url = fill(templateUrl, "url", given);
    var empty = method === "GET" || (method === "DELETE" && !templateBody.trim());
    var body = empty ? undefined : fill(templateBody, kind, given);
    var headers = headerLines(templateHeaders, given);
    var request = method + " " + new URL(url, window.location.href).pathname +
      new URL(url, window.location.href).search + "\n" +
      headers.map(function (h) { return h[0] + ": " + h[1]; }).join("\n") + "\n\n" +
      (body === undefined ? "(no body)" : pretty(body, kind === "json" ? "json" : "xml"));
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      var answer = await exchange(method, url, headers, body);
      var found = understand(answer.text, answer.type);
      var server = answer.timing.replace(/^.*dur=([0-9.]+).*$/, "$1");
      var parts = ["HTTP " + answer.status, answer.ms.toFixed(1) + " ms in the browser"];
      if (server && server !== answer.timing) { parts.push(Number(server).toFixed(1) + " ms in the core"); }
      if (found.fault) { parts.push(found.fault); }
      if (found.pnr) { parts.push("PNR " + found.pnr); setField("pnr", found.pnr); }
      if (found.token) { parts.push("session token kept for the next requests"); setField("token", found.token); }
      answer.summary = parts.join(" \u00b7 ");
      answer.ok = answer.ok && !found.fault;
      show(form, request, answer);
      return answer;
    } catch (error) {
      show(form, request, { display: String(error), ok: false, summary: "no answer: " + error });
      return null;
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }
  if (session) {
    ["agent", "password", "token", "pnr"].forEach(function (name) {
      var input = session.querySelector("[name=" + name + "]");
      if (!input) { return; }
      if (stored(name) && !(name === "password" && input.value)) { input.value = stored(name); }
      input.addEventListener("change", function () { store(name, input.value); });
    });
    var agent = session.querySelector("[name=agent]");
    agent.addEventListener("change", function () {
      var secret = agent.options[agent.selectedIndex].getAttribute("data-password");
      if (secret !== null) { session.querySelector("[name=password]").value = secret; }
    });
    var loginForm = session.querySelector("form");
    loginForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var d = session.dataset;
      send(loginForm, d.body, d.url, d.headers, d.method, d.kind);
    });
  }
  document.querySelectorAll("form.tryit").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form, form.elements.body.value, form.elements.url.value, form.elements.headers.value,
           form.elements.method.value, form.dataset.kind);
    });
  });
})();
