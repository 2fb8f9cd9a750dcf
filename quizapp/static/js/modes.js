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
    var tick = function () {
      var left = (end - Date.now()) / 1000;
      text.textContent = format(left);
      if (left <= 0) {
        window.clearInterval(handle);
        window.location.reload(); // the server ends the interview and shows the report
      }
    };
    var handle = window.setInterval(tick, 1000);
    tick();
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
