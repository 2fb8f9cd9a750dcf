// quizapp front-end: typeset math, keyboard shortcuts, hint tracking. No inline scripts (CSP).
(function () {
  "use strict";

  function typesetMath(root) {
    if (!window.katex) return;
    root.querySelectorAll(".math").forEach(function (el) {
      if (el.dataset.typeset) return;
      var tex = el.textContent;
      try {
        // throwOnError: KaTeX's inline error colouring would break the CSP (style-src 'self').
        window.katex.render(tex, el, {
          displayMode: el.classList.contains("block") || el.classList.contains("display"),
          throwOnError: true,
          strict: "ignore",
          macros: { "\\pmb": "\\boldsymbol{#1}" },
        });
        el.dataset.typeset = "1"; // KaTeX adds MathML for screen readers
      } catch (err) {
        el.textContent = tex;
        el.classList.add("math-error");
        el.title = String(err && err.message || err);
      }
    });
  }

  function isTyping(target) {
    var tag = target && target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && !/^(radio|checkbox|submit|button|hidden)$/.test(target.type);
  }

  function pickByKey(form, key) {
    var input = form.querySelector('input[data-key="' + key + '"]');
    if (!input || input.closest("details:not([open])")) return false;
    if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
    input.focus();
    return true;
  }

  function onKeydown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var form = document.querySelector("[data-answer-form]");
    if (event.key === "Enter") {
      if (event.target.tagName === "TEXTAREA" || event.target.tagName === "A" ||
          event.target.tagName === "BUTTON" || event.target.tagName === "SUMMARY") return;
      if (form) {
        if (isTyping(event.target)) return; // browsers submit forms on Enter in text inputs
        // Types where Enter is for typing (code) submit only by their buttons.
        if (form.dataset.enterSubmits === "false") return;
        var submit = form.querySelector("[type=submit]:not([data-run-examples])");
        if (submit && !submit.closest("details:not([open])")) {
          event.preventDefault();
          form.requestSubmit(submit);
        }
        return;
      }
      var go = document.querySelector("[data-shortcut=enter]");
      if (go && !isTyping(event.target)) {
        event.preventDefault();
        if (go.tagName === "A") window.location.assign(go.href); else go.click();
      }
      return;
    }
    if (form && /^[0-9]$/.test(event.key) && !isTyping(event.target)) {
      if (pickByKey(form, event.key)) event.preventDefault();
    }
  }

  function trackHints() {
    document.querySelectorAll("[data-hint]").forEach(function (details) {
      details.addEventListener("toggle", function () {
        var field = details.closest("form").querySelector("input[name=hints_used]");
        if (details.open && field) field.value = "1";
      });
    });
  }

  function confirmBeforeSubmit() {
    // A form that ends something (stopping a quiz) asks first: data-confirm is the question.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  function preventDoubleSubmit() {
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        // The idempotency key makes a second submit harmless; this just avoids the wait.
        window.setTimeout(function () {
          if (event.defaultPrevented) return;  // not sent (a declined confirmation)
          form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  }

  function reenableOnReturn() {
    // Pages restored from the back/forward cache keep disabled buttons; re-enable them.
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  }

  function focusOnLoad() {
    // Keyboard users start in the answer box, or on option 1. Not on a touch screen: the
    // on-screen keyboard covered the question, and a focused option looked picked.
    if (!window.matchMedia("(pointer: fine)").matches) return;
    if (document.querySelector("[autofocus]")) return;
    var box = document.querySelector("[data-answer-form] [data-autofocus]");
    var option = document.querySelector("[data-answer-form] input[data-key='1']");
    var target = box || option;
    if (target) { target.focus(); return; }
    // A feedback page's Continue: focused where it is, at the page's end, while the page
    // stays at its top, where the verdict is (autofocus scrolled the verdict out of view).
    var next = document.querySelector("a[data-autofocus], button[data-autofocus]");
    if (next) next.focus({ preventScroll: true });
  }

  function detectTimezone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (err) { return; }
    document.querySelectorAll("input[data-detect-timezone]").forEach(function (input) {
      if (!input.value && zone) input.value = zone;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    typesetMath(document);
    trackHints();
    confirmBeforeSubmit();
    preventDoubleSubmit();
    reenableOnReturn();
    focusOnLoad();
    detectTimezone();
    document.addEventListener("keydown", onKeydown);
  });
})();
