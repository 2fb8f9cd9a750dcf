"""Markdown to safe HTML: markdown-it-py (+ dollar math), pygments for code, nh3 to sanitise.

Math is emitted as ``<span class="math inline">`` / ``<div class="math block">`` holding the
TeX source as text; static/js/app.js typesets it with the vendored KaTeX.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)
# Table alignment arrives as inline styles, which the CSP forbids; use classes instead.
_ALIGN_STYLE = re.compile(r' style="text-align:(left|right|center)"')

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th",
    "td", "span", "div", "sub", "sup", "kbd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "th": {"class"},
    "td": {"class"},
    "ol": {"start"},
}


@functools.lru_cache(maxsize=64)
def _lexer(lang: str) -> Lexer | None:
    """Pygments' lexer for a fence language (looked up once: the lookup scans plugins)."""
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def _highlight(code: str, lang: str, _attrs: str) -> str:
    lexer = _lexer(lang.strip().lower()[:40]) if lang else None
    if lexer is None:
        return ""  # markdown-it escapes and wraps the code itself
    return highlight(code, lexer, _FORMATTER)


def render_code(code: str, language: str) -> str:
    """A learner's code as a highlighted block: what Markdown gives for it fenced, without
    Markdown's parse and the sanitizer's pass (1-2 ms for a screen of code, more than the
    highlighting). Pygments escapes every character of the code and adds only its own
    ``span`` classes; without a lexer the code is escaped as is."""
    code = code.rstrip()  # as ``grading.code.fenced`` leaves it
    body = _highlight(code, language, "") or _escape(code) + "\n"
    return f'<pre><code class="language-{_escape_quoted(language)}">{body}</code></pre>\n'


def _escape_quoted(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"highlight": _highlight, "html": False, "linkify": False})
    md.enable("table").enable("strikethrough")
    md.use(dollarmath_plugin, allow_space=False, allow_digits=True, double_inline=True)
    md.add_render_rule("math_inline_double", _render_inline_display)
    return md


def _render_inline_display(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    """``$$...$$`` inside a paragraph: display style, but a span so the HTML stays valid."""
    return f'<span class="math display">{_escape(tokens[idx].content)}</span>'


_MD = _build()


def math_span_count(text: str) -> int:
    """How many math spans (inline, display or block) KaTeX would typeset in ``text``."""
    if "$" not in (text or ""):
        return 0  # every kind of math starts with a dollar sign
    count = 0
    for token in _MD.parse(text):
        count += token.type.startswith("math")
        count += sum(child.type.startswith("math") for child in token.children or ())
    return count


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int
    chars: int
    max_chars: int


class SizedCache:
    """A thread-safe LRU cache of ``str -> str`` bounded by entries *and* total characters.

    An entry costs the length of its text plus its HTML; one over an eighth of the budget
    is rendered but never cached.
    """

    def __init__(self, func: Callable[[str], str], max_chars: int, max_entries: int) -> None:
        self._func = func
        self.max_chars = max_chars
        self._max_entries = max_entries
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._chars = self._hits = self._misses = 0
        self._lock = threading.Lock()
        self.__doc__ = func.__doc__
        self.__wrapped__ = func

    def __call__(self, text: str) -> str:
        if not isinstance(text, str):
            return self._func(text)  # e.g. None from an optional field: nothing to cache
        with self._lock:
            html = self._entries.get(text)
            if html is not None:
                self._entries.move_to_end(text)
                self._hits += 1
                return html
            self._misses += 1
        html = self._func(text)
        cost = len(text) + len(html)
        if cost <= self.max_chars // 8:
            with self._lock:
                if text not in self._entries:
                    self._entries[text] = html
                    self._chars += cost
                self._evict()
        return html

    def _evict(self) -> None:
        while self._entries and (self._chars > self.max_chars
                                 or len(self._entries) > self._max_entries):
            text, html = self._entries.popitem(last=False)
            self._chars -= len(text) + len(html)

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self._max_entries, len(self._entries),
                             self._chars, self.max_chars)

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = self._hits = self._misses = 0


def sized_cache(max_chars: int, max_entries: int) -> Callable[[Callable[[str], str]], SizedCache]:
    """Decorate a ``str -> str`` function with a ``SizedCache``."""
    return lambda func: SizedCache(func, max_chars, max_entries)


# The whole bank (802 questions, text plus HTML) was 3.1 M characters when this was set.
@sized_cache(max_chars=8_000_000, max_entries=8192)
def render_markdown(text: str) -> str:
    """Render bank Markdown (cached: a bounded set of texts) to sanitised HTML."""
    return render_untrusted_markdown(text)


def render_untrusted_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML (no scripts, handlers or javascript: URLs).

    Not cached: learners' answers are unbounded, so caching them would let one learner grow
    every worker's memory.
    """
    html = _ALIGN_STYLE.sub(r' class="align-\1"', _MD.render(text or ""))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@sized_cache(max_chars=2_000_000, max_entries=8192)
def render_inline(text: str) -> str:
    """Render a one-line bank fragment (e.g. a choice) without the wrapping paragraph."""
    return _strip_paragraph(render_markdown(text))


SHORT_ANSWER_CHARS = 200  # learner texts up to this long share a bounded cache


def render_untrusted_inline(text: str) -> str:
    """Like ``render_inline`` for learner text: short texts (typed answers such as "0.5" or
    "gradient descent" recur across learners) are cached in a bounded cache, longer ones are
    rendered every time, so no learner can grow a worker's memory past the bound."""
    if isinstance(text, str) and len(text) <= SHORT_ANSWER_CHARS:
        return _render_short_untrusted_inline(text)
    return _strip_paragraph(render_untrusted_markdown(text))


@sized_cache(max_chars=1_000_000, max_entries=8192)
def _render_short_untrusted_inline(text: str) -> str:
    return _strip_paragraph(render_untrusted_markdown(text))


def _strip_paragraph(html: str) -> str:
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


_PAIRED_MARKERS = ("`", "$$", "$", "**", "~~")


CODE_ONLY_EXCERPT = "(a question shown as code)"
_FENCES = ("```", "~~~")


def excerpt(text: str, limit: int = 120) -> str:
    """The first paragraph of bank Markdown (its lines joined; fenced code skipped), cut at
    a word to about ``limit`` characters without leaving a code span, math span, bold or
    strikethrough open (it showed as raw ``**``). A body that is only code gets a stand-in."""
    line = " ".join(_first_paragraph(text or ""))
    if not line:
        return CODE_ONLY_EXCERPT if (text or "").strip() else ""
    if len(line) <= limit:
        return line
    cut = line[:limit - 1]
    cut = cut[:cut.rfind(" ")] if " " in cut else cut
    while open_marker := next((m for m in _PAIRED_MARKERS if cut.count(m) % 2), None):
        cut = cut[:cut.rfind(open_marker)]  # may open another ("**" inside a code span)
    return cut.rstrip() + "…"


def _first_paragraph(text: str) -> list[str]:
    """The stripped lines of the first paragraph outside fenced code blocks."""
    lines: list[str] = []
    fenced = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(_FENCES):
            if lines:
                break
            fenced = not fenced
            continue
        if fenced:
            continue
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    return lines
