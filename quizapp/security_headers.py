"""The headers every response carries, added where the response is sent (WSGI).

Pages get a strict Content-Security-Policy, no sniffing, no framing, a same-origin referrer
and ``Cache-Control: no-store`` (they show a learner's own data); behind HTTPS also HSTS. A
response that sets one of these itself keeps its own (static files keep their far-future
caching). As WSGI middleware around the whole app, this also covers the static files
WhiteNoise serves before Flask, and costs a few list operations per response, where a Flask
``after_request`` hook went through ``Headers`` validation for every value.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class SecurityHeaders:
    """WSGI middleware: add each of ``headers`` a response does not set itself."""

    def __init__(self, app: WSGIApp, https: bool) -> None:
        self.app = app
        wanted = SECURITY_HEADERS + ((HSTS,) if https else ())
        self.headers = tuple((name.lower(), (name, value)) for name, value in wanted)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        wanted = self.headers

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend([header for lowered, header in wanted if lowered not in present])
            return start_response(status, headers, exc_info)

        return self.app(environ, start)
