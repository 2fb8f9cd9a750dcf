"""A learner driving the real HTML forms over HTTP (no browser, no framework client)."""

from __future__ import annotations

import html
import re
import socket
import time
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlencode
from urllib.parse import urlsplit

INPUT = re.compile(r"<(input|textarea)\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*data-answer-form', re.IGNORECASE)
CONTINUE = re.compile(r'<a class="button primary" href="([^"]+)" data-shortcut="enter"')
CSRF = re.compile(r'<input(?=[^>]*name="csrf_token")[^>]*value="([^"]+)"')


class LoadError(RuntimeError):
    """The server answered something a learner could not continue from."""


@dataclass
class Reply:
    status: int
    location: str
    body: str


@dataclass
class Stats:
    answers: int = 0
    post_seconds: list[float] = field(default_factory=list)
    # Answers graded by running code in the sandbox (their POST waits for the run).
    code_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


class Browser:
    """Cookies and one connection per request (gunicorn's sync workers close them anyway).

    HTTP/1.1 on a plain socket, not ``http.client``: the load clients share the server's two
    cores, so what they spend is taken from the server and added to the latencies measured.
    One client looping against the same server, in turns: 1.19-1.22 ms of its CPU per
    answer through ``http.client`` (its header parsing above all), 0.71-0.73 ms this way.
    """

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | list | None = None) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Accept-Encoding: identity", "Connection: close"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            lines += ["Content-Type: application/x-www-form-urlencoded",
                      f"Content-Length: {len(body)}"]
        with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
            sock.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body)
            status, headers, text = _response(sock)
        location = ""
        for name, value in headers:
            if name == "set-cookie":
                cookie, _, rest = value.partition("=")
                self.cookies[cookie.strip()] = rest.split(";", 1)[0]
            elif name == "location":
                parts = urlsplit(value)
                location = parts.path + (f"?{parts.query}" if parts.query else "")
        return Reply(status, location, text)

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str] | list) -> Reply:
        return self.request("POST", path, form)

    def follow(self, path: str, limit: int = 5) -> tuple[str, Reply]:
        """GET ``path`` and follow redirects; return the final path and reply."""
        for _ in range(limit):
            reply = self.get(path)
            if reply.status not in (301, 302, 303):
                return path, reply
            path = reply.location
        raise LoadError(f"redirect loop at {path}")


def _response(sock: socket.socket) -> tuple[int, list[tuple[str, str]], str]:
    """Status, headers (names in lower case) and body of the response on ``sock``."""
    data = bytearray()
    while (end := data.find(b"\r\n\r\n")) < 0:
        data += _chunk(sock)
    head = data[:end].decode("latin-1").split("\r\n")
    headers = [(name.strip().lower(), value.strip())
               for name, _, value in (line.partition(":") for line in head[1:])]
    fields = dict(headers)
    if "chunked" in fields.get("transfer-encoding", ""):
        raise LoadError("chunked responses are not expected from the app")
    body = data[end + 4:]
    if "content-length" in fields:
        while len(body) < int(fields["content-length"]):
            body += _chunk(sock)
    else:  # the body ends with the connection
        while chunk := sock.recv(65536):
            body += chunk
    return int(head[0].split()[1]), headers, body.decode("utf-8", "replace")


def _chunk(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection before the response ended")
    return chunk


def csrf_of(page: str) -> str:
    if (match := CSRF.search(page)) is None:
        raise LoadError("no CSRF token on the page")
    return match.group(1)


def sign_up_and_log_in(browser: Browser, email: str, password: str) -> None:
    """Register through the form, land on the login page, and log in."""
    token = csrf_of(browser.get("/auth/register").body)
    reply = browser.post("/auth/register", {"csrf_token": token, "email": email,
                                            "display_name": "Load", "password": password,
                                            "confirm": password})
    if reply.status != 302 or not reply.location.startswith("/auth/login"):
        raise LoadError(f"register answered {reply.status} -> {reply.location}")
    log_in(browser, email, password)


def log_in(browser: Browser, email: str, password: str) -> None:
    """Log in through the form."""
    token = csrf_of(browser.get("/auth/login").body)
    reply = browser.post("/auth/login", {"csrf_token": token, "email": email,
                                         "password": password, "next": ""})
    if reply.status != 302:
        raise LoadError(f"login answered {reply.status}")


def start_quiz(browser: Browser) -> str:
    """Start (or resume) a daily review; return the first question's path."""
    token = csrf_of(browser.get("/").body)
    reply = browser.post("/quiz/start", {"csrf_token": token, "extra": "y"})
    if reply.status != 302 or not reply.location.startswith("/quiz/"):
        raise LoadError(f"start answered {reply.status} -> {reply.location}")
    return reply.location


def answer_fields(page: str) -> tuple[str, list[tuple[str, str]]]:
    """The answer form's action and a plausible, valid submission of it."""
    if (form := FORM.search(page)) is None:
        raise LoadError("no answer form on the question page")
    fields: list[tuple[str, str]] = []
    chosen: set[str] = set()
    for tag, raw in INPUT.findall(page[form.start():]):
        attrs = dict(ATTR.findall(raw))
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name or kind == "submit" or (kind in ("radio", "checkbox") and name in chosen):
            continue
        if kind in ("radio", "checkbox"):
            chosen.add(name)
            fields.append((name, html.unescape(attrs.get("value", "on"))))
        elif kind == "hidden":
            fields.append((name, html.unescape(attrs.get("value", ""))))
        elif tag.lower() == "textarea" or kind == "text":
            fields.append((name, "1"))
    return html.unescape(form.group(1)), fields


def run_learner(browser: Browser, deadline: float, measure_from: float, stats: Stats,
                path: str | None = None) -> str:
    """Loop question -> answer -> feedback until ``deadline``; measure after ``measure_from``.

    Starts a quiz, or goes on from ``path`` (what an earlier call returned); returns where
    to go on from.
    """
    path = path or start_quiz(browser)
    while time.monotonic() < deadline:
        path, page = browser.follow(path)
        if "/summary" in path or page.status != 200:
            path = start_quiz(browser)
            continue
        if "/feedback" in path:  # answered already (a retried request): move on
            link = CONTINUE.search(page.body)
            path = html.unescape(link.group(1)) if link else "/"
            if path == "/" or "/summary" in path:
                path = start_quiz(browser)
            continue
        action, fields = answer_fields(page.body)
        sandboxed = "data-code-editor" in page.body
        started = time.monotonic()
        reply = browser.post(action, fields)
        finished = time.monotonic()
        stats.statuses[reply.status] = stats.statuses.get(reply.status, 0) + 1
        if reply.status != 302:
            stats.errors.append(f"answer {reply.status}: {_error_text(reply.body)}")
            continue
        feedback = browser.get(reply.location)
        if feedback.status != 200:
            stats.errors.append(f"feedback {feedback.status}")
            continue
        if measure_from <= finished < deadline:  # the window the server CPU is read over
            stats.answers += 1
            (stats.code_seconds if sandboxed else stats.post_seconds).append(finished - started)
        link = CONTINUE.search(feedback.body)
        path = html.unescape(link.group(1)) if link else "/"
        if path == "/" or "/summary" in path:
            path = start_quiz(browser)
    return path


def _error_text(body: str) -> str:
    match = re.search(r'role="alert"[^>]*>([^<]+)', body) or re.search(r"<h1>([^<]+)", body)
    return match.group(1).strip() if match else body[:120]


def run_floor(browser: Browser, deadline: float, measure_from: float, stats: Stats,
              path: str | None = None) -> str:
    """Three bare GETs per "answer", the same request count as the quiz loop."""
    while time.monotonic() < deadline:
        started = time.monotonic()
        for _ in range(3):
            reply = browser.get("/hello")
            if reply.status != 200:
                stats.errors.append(f"hello {reply.status}")
        finished = time.monotonic()
        if measure_from <= finished < deadline:
            stats.answers += 1
            stats.post_seconds.append((finished - started) / 3)
    return "/hello"
