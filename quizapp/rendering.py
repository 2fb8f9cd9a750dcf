"""Markdown to safe HTML: markdown-it-py (+ dollar math), pygments for code, nh3 to sanitise.

Math is emitted as ``<span class="math inline">`` / ``<div class="math block">`` holding the
TeX source as text; static/js/app.js typesets it with the vendored KaTeX.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
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


def _highlight(code: str, lang: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes and wraps the code itself
    return highlight(code, lexer, _FORMATTER)


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


@lru_cache(maxsize=4096)
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


@lru_cache(maxsize=4096)
def render_inline(text: str) -> str:
    """Render a one-line bank fragment (e.g. a choice) without the wrapping paragraph."""
    return _strip_paragraph(render_markdown(text))


def render_untrusted_inline(text: str) -> str:
    """Like ``render_inline`` for learner text (not cached)."""
    return _strip_paragraph(render_untrusted_markdown(text))


def _strip_paragraph(html: str) -> str:
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
