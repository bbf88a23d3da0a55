/**
 * The pages' one script, inlined in every page and allowed by its SHA-256 in the
 * Content-Security-Policy (no other script runs). It only enhances pages that work without it:
 * - live parts: `<body data-live="URL">` opens a server-sent event stream whose `update` events
 *   carry `{ at, time, fragments: { name: { key, html } } }`; each `[data-fragment=name]` whose
 *   `data-fragment-key` differs gets the server-rendered (escaped) markup. The server's Clock
 *   paces the stream: the page arms no timer;
 * - the Local admin password pane: Show and Copy POST the reveal URL once with the session's CSRF
 *   token (each reveal is audited by the server) and keep the password only in this page;
 * - confirmation dialogs: a link with `data-dialog=ID` opens `<dialog id=ID>` instead of its
 *   confirmation page; filters submit on change.
 */
import { createHash } from 'node:crypto';

/** The script. */
export const SCRIPT = `(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var pane = document.querySelector('[data-password]');
  var secret = null;
  var shown = false;
  function paneText(sel, text) { var el = pane && pane.querySelector(sel); if (el) el.textContent = text; }
  function mask() {
    shown = false;
    paneText('[data-secret]', '\\u2022\\u2022\\u2022\\u2022\\u2022\\u2022\\u2022\\u2022\\u2022\\u2022\\u2022\\u2022');
    paneText('[data-show]', 'Show');
  }
  function reveal() {
    if (secret !== null) return Promise.resolve(secret);
    return fetch(pane.getAttribute('data-reveal-url'), {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '_csrf=' + encodeURIComponent(csrf)
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok || typeof j.password !== 'string') throw new Error(j.message || ('The server answered ' + r.status));
        secret = j.password;
        return secret;
      });
    });
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var t = document.createElement('textarea');
    t.value = text; t.setAttribute('readonly', ''); t.className = 'sr-only';
    document.body.appendChild(t); t.select();
    var ok = document.execCommand('copy');
    document.body.removeChild(t);
    return ok ? Promise.resolve() : Promise.reject(new Error('The browser refused to copy.'));
  }
  if (pane) {
    pane.addEventListener('click', function (e) {
      var button = e.target.closest('[data-show],[data-copy]');
      if (!button) return;
      e.preventDefault();
      if (button.hasAttribute('data-show')) {
        if (shown) { mask(); return; }
        reveal().then(function (p) { shown = true; paneText('[data-secret]', p); paneText('[data-show]', 'Hide'); paneText('[data-pw-status]', ''); },
          function (err) { paneText('[data-pw-status]', err.message); });
      } else {
        reveal().then(copyText).then(function () { paneText('[data-pw-status]', 'Copied to the clipboard.'); },
          function (err) { paneText('[data-pw-status]', err.message); });
      }
    });
  }
  document.querySelectorAll('a[data-dialog]').forEach(function (a) {
    a.addEventListener('click', function (e) {
      var d = document.getElementById(a.getAttribute('data-dialog'));
      if (d && typeof d.showModal === 'function') { e.preventDefault(); d.showModal(); }
    });
  });
  document.querySelectorAll('dialog [data-close]').forEach(function (b) {
    b.addEventListener('click', function (e) { e.preventDefault(); b.closest('dialog').close(); });
  });
  document.querySelectorAll('select[data-autosubmit]').forEach(function (s) {
    s.addEventListener('change', function () { s.form.submit(); });
  });
  var live = document.body.getAttribute('data-live');
  var status = document.querySelector('[data-live-status]');
  if (live && 'EventSource' in window) {
    var es = new EventSource(live);
    es.addEventListener('update', function (ev) {
      var data = JSON.parse(ev.data);
      Object.keys(data.fragments).forEach(function (name) {
        var f = data.fragments[name];
        var el = document.querySelector('[data-fragment="' + name + '"]');
        if (!el || el.getAttribute('data-fragment-key') === f.key) return;
        el.innerHTML = f.html;
        el.setAttribute('data-fragment-key', f.key);
        if (pane && pane.contains(el)) { secret = null; shown = false; }
      });
      document.body.setAttribute('data-live-at', String(data.at));
      if (status) { status.textContent = 'Live'; status.className = 'live on'; status.setAttribute('title', 'Last change ' + data.time); }
    });
    es.addEventListener('error', function () { if (status) { status.textContent = 'Reconnecting\\u2026'; status.className = 'live'; } });
  }
})();`;

/** The script's hash source for the Content-Security-Policy. */
export const SCRIPT_HASH = `'sha256-${createHash('sha256').update(SCRIPT, 'utf8').digest('base64')}'`;
