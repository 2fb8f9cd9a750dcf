// "Run examples" for code and sql questions without leaving the page.
// Without JavaScript the button posts the form to the same endpoint, which re-renders the
// question page with the results; with it, the results fragment replaces the results box.
(function () {
  "use strict";

  function show(box, html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    box.replaceChildren.apply(box, Array.prototype.slice.call(parsed.body.childNodes));
  }

  function message(box, text) {
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
  }

  function run(event) {
    var button = event.currentTarget;
    var form = button.form;
    var box = form && form.querySelector("[data-example-results]");
    if (!box || !window.fetch || !window.FormData) return; // fall back to a normal POST
    event.preventDefault();
    form.querySelectorAll("textarea[data-code-editor]").forEach(function (area) {
      area.dispatchEvent(new CustomEvent("code:sync", { bubbles: true }));
    });
    var data = new FormData(form);
    data.set(button.name, button.value);
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    box.textContent = "Running…";
    fetch(button.formAction, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (response.status === 429) {
        message(box, "Too many runs in a minute. Wait a little, then try again.");
        return null;
      }
      if (!response.ok) {
        message(box, "The examples could not be run (error " + response.status + "). Reload the page and try again.");
        return null;
      }
      return response.text();
    }).then(function (html) {
      if (html !== null) show(box, html);
    }).catch(function () {
      message(box, "The examples could not be run: the connection failed.");
    }).finally(function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  }

  function init() {
    document.querySelectorAll("[data-run-examples]").forEach(function (button) {
      button.addEventListener("click", run);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
