// quizapp code editor: CodeMirror 6 progressively enhancing <textarea data-code-editor="python|sql">.
// Bundled by scripts/build-editor.sh into quizapp/static/vendor/codemirror/codemirror.min.js.
// The textarea stays in the form (hidden) and always holds the editor's text, so a normal
// form POST works, and a browser without JavaScript simply gets the textarea.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { sql, SQLite } from "@codemirror/lang-sql";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import {
  EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, keymap, lineNumbers,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

const LANGUAGES = { python: () => python(), sql: () => sql({ dialect: SQLite, upperCaseKeywords: true }) };
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const MOD = IS_MAC ? "Cmd" : "Ctrl";

// Colours come from the app's CSS variables, so light/dark follow app.css and theme.css;
// token colours are plain classes (classHighlighter: .tok-keyword, ...) styled in app.css.
const theme = EditorView.theme({
  "&": {
    fontSize: "16px", color: "var(--text)", backgroundColor: "var(--bg)",
    border: "1px solid var(--border)", borderRadius: "8px", maxWidth: "100%",
  },
  "&.cm-focused": { outline: "3px solid var(--accent)", outlineOffset: "2px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5", maxHeight: "70vh", borderRadius: "8px" },
  ".cm-content": { caretColor: "var(--text)", padding: "8px 0" },
  ".cm-content, .cm-gutter": { minHeight: "12em" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--code-bg)", color: "var(--muted)", borderRight: "1px solid var(--border)", borderRadius: "8px 0 0 8px" },
  ".cm-activeLine": { backgroundColor: "var(--code-bg)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--accent-soft)", color: "var(--text)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": { backgroundColor: "var(--accent-soft)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--accent-soft)", outline: "1px solid var(--accent)" },
  "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "var(--bad-soft)", outline: "1px solid var(--bad)" },
});

// The widget's "Run examples" button (data-run-examples; js/code-run.js runs it in place) and
// the answer form's Submit button; data-editor-action="run|submit" overrides either.
const BUTTONS = {
  run: '[data-editor-action="run"], [data-run-examples]',
  submit: '[data-editor-action="submit"], [type="submit"][name="submit"]',
};

function findButton(form, action) {
  return form ? form.querySelector(BUTTONS[action]) : null;
}

function press(form, action) {
  const button = findButton(form, action);
  if (!button || button.disabled) return false;
  button.click(); // a click, as a mouse would: code-run.js listens for it
  return true;
}

function labelFor(textarea) {
  const label = textarea.id && document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
  if (label && !label.id) label.id = `${textarea.id}-label`;
  return label || null;
}

function makeHint(textarea, canRun) {
  const hint = document.createElement("p");
  hint.className = "code-editor-hint";
  hint.id = `${textarea.id || "code"}-editor-hint`;
  const parts = ["Tab indents, Shift+Tab outdents", "Esc then Tab leaves the editor"];
  if (canRun) parts.push(`${MOD}+Enter runs the examples`);
  parts.push(`${MOD}+Shift+Enter submits`);
  hint.textContent = `${parts.join(" · ")}.`;
  return hint;
}

// Dark when the learner chose dark (<html data-theme>), or chose nothing and the device is dark.
const DARK_QUERY = window.matchMedia("(prefers-color-scheme: dark)");

function isDark() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen === "dark";
  return DARK_QUERY.matches;
}

// On a phone-sized screen long lines wrap instead of scrolling sideways under the thumb.
const NARROW_QUERY = window.matchMedia("(max-width: 640px)");
const wrapping = () => (NARROW_QUERY.matches ? EditorView.lineWrapping : []);

function followMedia(view, scheme, wrap) {
  const dark = () => view.dispatch({ effects: scheme.reconfigure(EditorView.darkTheme.of(isDark())) });
  DARK_QUERY.addEventListener("change", dark);
  new MutationObserver(dark).observe(document.documentElement, { attributeFilter: ["data-theme"] });
  NARROW_QUERY.addEventListener("change", () => view.dispatch({ effects: wrap.reconfigure(wrapping()) }));
}

// Typing over a selection lets Chrome edit the DOM itself, and when that merges lines it
// copies their styling into inline style="" attributes, which the CSP blocks and reports.
// Apply the replacement through CodeMirror instead (same result, no native DOM edit).
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    const { selection } = view.state;
    if (event.inputType !== "insertText" || event.isComposing || event.data == null) return false;
    if (selection.ranges.length === 1 && selection.main.empty) return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(event.data), { userEvent: "input.type", scrollIntoView: true });
    return true;
  },
});

function extensionsFor(textarea, form, label, hint, media) {
  const language = (LANGUAGES[textarea.dataset.codeEditor] || LANGUAGES.python)();
  const described = [textarea.getAttribute("aria-describedby"), hint.id].filter(Boolean).join(" ");
  const attrs = { "aria-describedby": described };
  if (label) attrs["aria-labelledby"] = label.id;
  else attrs["aria-label"] = textarea.getAttribute("aria-label") || "Code";
  if (textarea.getAttribute("aria-invalid") === "true") attrs["aria-invalid"] = "true";
  const max = textarea.maxLength > 0 ? textarea.maxLength : 0;
  return [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
    indentOnInput(), bracketMatching(), highlightActiveLine(), indentUnit.of("    "),
    EditorState.tabSize.of(4), syntaxHighlighting(classHighlighter), language, theme, media,
    Prec.highest(keymap.of([
      { key: "Mod-Enter", run: () => press(form, "run") },
      { key: "Mod-Shift-Enter", run: () => press(form, "submit") },
    ])),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    EditorView.contentAttributes.of(attrs), typeOverSelection,
    max ? EditorState.changeFilter.of((tr) => tr.newDoc.length <= max) : [],
    EditorView.updateListener.of((update) => {
      if (update.docChanged) textarea.value = update.state.doc.toString();
    }),
  ];
}

function enhance(textarea) {
  if (textarea.dataset.editorReady) return null;
  const form = textarea.form;
  const label = labelFor(textarea);
  const wrapper = document.createElement("div");
  wrapper.className = "code-editor";
  const hint = makeHint(textarea, Boolean(findButton(form, "run")));
  const scheme = new Compartment();
  const wrap = new Compartment();
  const media = [scheme.of(EditorView.darkTheme.of(isDark())), wrap.of(wrapping())];
  const view = new EditorView({
    doc: textarea.value,
    extensions: extensionsFor(textarea, form, label, hint, media),
  });
  wrapper.append(view.dom, hint);
  textarea.after(wrapper);
  textarea.hidden = true;
  textarea.dataset.editorReady = "1";
  followMedia(view, scheme, wrap);
  // Keys typed in the editor are the editor's: keep app.js's page shortcuts (Enter, 1-9) out.
  view.dom.addEventListener("keydown", (event) => event.stopPropagation());
  if (label) label.addEventListener("click", (event) => { event.preventDefault(); view.focus(); });
  const sync = () => { textarea.value = view.state.doc.toString(); };
  textarea.addEventListener("code:sync", sync); // sent by js/code-run.js before it reads the form
  if (form) form.addEventListener("submit", sync);
  if (textarea.autofocus) view.focus();
  return view;
}

function enhanceAll() {
  document.querySelectorAll("textarea[data-code-editor]").forEach((textarea) => {
    try {
      enhance(textarea);
    } catch (err) {
      textarea.hidden = false; // the plain textarea still works
      console.warn("code editor unavailable:", err);
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
else enhanceAll();
