"""``url_for`` for templates, remembering links that are the same on every request.

Every page links its stylesheets, scripts and navigation: a dozen ``url_for`` calls that build
the same URLs each time (about 4 µs each, a third of the base layout's rendering). Within one
worker those URLs depend only on the endpoint, the static file name and the script root the
app is mounted under, so they are kept per worker; so are topic pages' links, whose slugs
are a small fixed vocabulary (``BOUNDED_ARGUMENTS``). Links with other variable parts (a quiz
id, a page number) are built as usual.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import render_template
from flask import url_for
from markupsafe import Markup

from quizapp import request_state

CACHE_LIMIT = 1024  # script roots come from request headers: keep the cache bounded
_URLS: dict[tuple[str, Any, str], str] = {}


# Endpoints whose arguments come from a small fixed vocabulary (the bank's topic slugs): the
# dashboard links every topic, and building 40 such links was a tenth of its CPU.
BOUNDED_ARGUMENTS = frozenset({"progress.topic"})


def _memo_argument(endpoint: str, values: dict[str, Any]) -> Any:
    """What identifies the link besides endpoint and script root; None: do not memoise."""
    if not values:
        return ""
    if endpoint == "static" and len(values) == 1 and "filename" in values:
        return values["filename"]
    if endpoint in BOUNDED_ARGUMENTS and all(type(v) is str for v in values.values()):
        return tuple(sorted(values.items()))
    return None


def template_url_for(endpoint: str, **values: Any) -> str:
    """``url_for``, memoised for a static file, a topic page or an endpoint without
    arguments; links whose arguments are all integers (a quiz, a position) are filled into
    a pattern memoised per endpoint and argument names."""
    if endpoint.startswith("."):  # relative to the current blueprint
        return url_for(endpoint, **values)
    argument = _memo_argument(endpoint, values)
    if argument is None:
        if values and all(type(value) is int for value in values.values()):
            return integer_url(endpoint, values)
        return url_for(endpoint, **values)
    key = (endpoint, argument, request_state.request().script_root)
    url = _URLS.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_URLS) >= CACHE_LIMIT:
            _URLS.clear()
        _URLS[key] = url
    return url


_PATTERNS: dict[tuple[str, tuple[str, ...], str], str | None] = {}
_SENTINEL = 7_340_173_000_000_000_011  # a number no URL of the app contains otherwise


def integer_url(endpoint: str, values: dict[str, int]) -> str:
    """``url_for(endpoint, **values)`` for integer ``values`` (not bools): the URL built
    once with sentinel numbers becomes a pattern the values are written into, as the
    integer converters write them (``str``). Building a URL with arguments through Flask
    and Werkzeug took about 4 us; a page makes two or three. A URL where a sentinel does
    not appear exactly once (an argument the route does not print as given) is built by
    ``url_for`` every time."""
    key = (endpoint, tuple(sorted(values)), request_state.request().script_root)
    pattern = _PATTERNS.get(key, "")
    if pattern == "":
        pattern = _pattern(endpoint, key[1])
        if len(_PATTERNS) >= CACHE_LIMIT:
            _PATTERNS.clear()
        _PATTERNS[key] = pattern
    if pattern is None:
        return url_for(endpoint, **values)
    return pattern.format_map(values)


def _pattern(endpoint: str, names: tuple[str, ...]) -> str | None:
    sentinels = {name: str(_SENTINEL + n) for n, name in enumerate(names)}
    url = url_for(endpoint, **{name: int(text) for name, text in sentinels.items()})
    if any(url.count(text) != 1 for text in sentinels.values()):
        return None
    pattern = url.replace("{", "{{").replace("}", "}}")
    for name, text in sentinels.items():
        pattern = pattern.replace(text, "{" + name + "}")
    ones = dict.fromkeys(names, 1)  # a converter that pads or a rule chosen by value: none
    return pattern if pattern.format_map(ones) == url_for(endpoint, **ones) else None


def register_template_urls(app: Flask) -> None:
    """Templates call ``template_url_for`` under the usual name, and ``static_head()``."""
    app.jinja_env.globals["url_for"] = template_url_for
    heads: dict[str, Markup] = {}

    def static_head() -> Markup:
        """The page head's stylesheet and script tags (``_head_assets.html``), rendered once
        per script root: a dozen links that are the same on every page."""
        root = request_state.request().script_root
        markup = heads.get(root)
        if markup is None:
            if len(heads) >= CACHE_LIMIT:
                heads.clear()
            markup = heads[root] = Markup(render_template("_head_assets.html").strip())  # noqa: S704
        return markup

    app.jinja_env.globals["static_head"] = static_head
