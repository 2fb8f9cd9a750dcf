// Practice modes: the mock interview's countdown and the topic-drill tree. No inline code (CSP).
(function () {
  "use strict";

  function format(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function startCountdown(timer) {
    // The server says how many seconds were left when it rendered the page; counting from
    // there ignores any skew of this computer's clock. data-deadline is the absolute end.
    var remaining = Number(timer.dataset.remaining);
    if (!isFinite(remaining)) return;
    var end = Date.now() + remaining * 1000;
    var text = timer.querySelector("[data-timer-text]");
    var notice = timer.querySelector("[data-timer-notice]");
    var warned = {};
    var tick = function () {
      var left = (end - Date.now()) / 1000;
      text.textContent = format(left);
      [300, 60].forEach(function (mark) {
        if (left <= mark && left > 0 && !warned[mark] && remaining > mark) {
          warned[mark] = true; // said once, by the live region, as the time passes it
          notice.textContent = (mark / 60) + (mark === 60 ? " minute" : " minutes") + " left.";
        }
      });
      timer.classList.toggle("timer-low", left <= 60);
      if (left <= 0) {
        window.clearInterval(handle);
        finish(remaining > 0); // a page shown after the end sends nothing
      }
    };
    var handle = window.setInterval(tick, 1000);
    tick();
  }

  function finish(send) {
    // Time is up: send what is on screen (the server takes an answer to a question shown
    // before the end for a few seconds more), else reload and the server shows the report.
    // requestSubmit runs the form's own checks and submit handlers (the code editor copies
    // its text then); a form with nothing filled in stays put and the reload follows.
    var form = document.querySelector("form[data-answer-form]");
    if (send && form && typeof form.requestSubmit === "function" && form.checkValidity()) {
      form.requestSubmit();
    }
    window.setTimeout(function () { window.location.reload(); }, 4000);
  }

  function wireTree(form) {
    var domains = form.querySelectorAll("input[data-domain]");
    domains.forEach(function (box) {
      var children = form.querySelectorAll('input[data-parent="' + box.dataset.domain + '"]');
      var sync = function () {
        var ticked = Array.prototype.filter.call(children, function (c) { return c.checked; });
        box.checked = ticked.length === children.length && children.length > 0;
        box.indeterminate = ticked.length > 0 && ticked.length < children.length;
      };
      box.addEventListener("change", function () {
        children.forEach(function (c) { c.checked = box.checked; });
        box.indeterminate = false;
      });
      children.forEach(function (c) { c.addEventListener("change", sync); });
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".timer[data-remaining]").forEach(startCountdown);
    document.querySelectorAll("[data-drill-tree]").forEach(wireTree);
  });
})();
