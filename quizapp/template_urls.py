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
    arguments."""
    if endpoint.startswith("."):  # relative to the current blueprint
        return url_for(endpoint, **values)
    argument = _memo_argument(endpoint, values)
    if argument is None:
        return url_for(endpoint, **values)
    key = (endpoint, argument, request_state.request().script_root)
    url = _URLS.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_URLS) >= CACHE_LIMIT:
            _URLS.clear()
        _URLS[key] = url
    return url


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
