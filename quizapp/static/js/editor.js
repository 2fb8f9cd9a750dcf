// Loads the code editor bundle (CodeMirror 6) only on pages with a <textarea data-code-editor>.
// Browsers without constructable stylesheets (needed under the strict CSP) keep the textarea.
(function () {
  "use strict";
  var loader = document.currentScript;

  function supportsEditor() {
    if (!("adoptedStyleSheets" in Document.prototype)) return false;
    try {
      new CSSStyleSheet();
      return true;
    } catch (err) {
      return false;
    }
  }

  function load() {
    if (!document.querySelector("textarea[data-code-editor]") || !supportsEditor()) return;
    var script = document.createElement("script");
    script.src = loader.dataset.bundle;
    document.head.appendChild(script);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
