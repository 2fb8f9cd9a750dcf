"""gunicorn settings from the environment (``make serve`` / ``gunicorn -c gunicorn.conf.py``).

Every value has a development-safe default; see deploy/quizapp.env.example.
"""

from __future__ import annotations

import gc
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A worker is replaced after this many requests (plus jitter) to bound slow memory growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# The app writes one structured line per request itself; gunicorn's access log would repeat it.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a reverse proxy on the same host, trust its X-Forwarded-* (the app's TRUSTED_PROXIES
# applies ProxyFix; this only concerns gunicorn's own view of the client).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "wsgi:app"
# Load the app once in the master and fork workers from it: they share its memory, and the
# Markdown cache warmed below (GUNICORN_PRELOAD=0 loads the app in each worker instead).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
WORKER_GC_THRESHOLD = 10_000  # a worker's first-generation threshold (Python's default: 700)


def _is_quizapp(app) -> bool:  # type: ignore[no-untyped-def]
    """The benchmarks' floor and skeleton apps are served with this file too."""
    return getattr(app, "import_name", None) == "quizapp"


def when_ready(server):  # type: ignore[no-untyped-def]
    """In the master, before the first fork: render the live bank once for every worker."""
    if not preload_app or os.environ.get("RENDER_WARMUP", "1") == "0":
        return
    app = server.app.wsgi()
    if not _is_quizapp(app):
        return
    from quizapp.extensions import db
    from quizapp.services.warmup import compile_templates
    from quizapp.services.warmup import warm_render_cache

    with app.app_context():
        try:
            count = warm_render_cache()
        except Exception as exc:  # a cold cache is slower, not broken
            server.log.warning("render cache warm-up skipped: %s", exc)
            count = 0
        templates = compile_templates(app)
        db.session.remove()
        db.engine.dispose()  # no connection may be shared with the forked workers
    # Everything loaded so far lives as long as the workers: keep it out of their garbage
    # collections (and their pages shared with the master, not copied on write).
    gc.collect()
    gc.freeze()
    server.log.info("rendered %d questions into the Markdown cache, compiled %d templates",
                    count, templates)


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """In each new worker: start the code sandbox's spare jails now, so the worker's first
    code answer of each kind does not wait for a jail to start (docs/sandbox.md)."""
    if not _is_quizapp(server.app.wsgi()):
        return
    # What the master loaded is frozen (when_ready); a request's garbage is mostly
    # short-lived acyclic objects that reference counting frees. Collecting the youngest
    # generation every 700 allocations cost about 2.5 % of a served worker's CPU
    # (benchmarks/ab.py, 12 pairs); every 10,000 keeps cycles bounded just the same.
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    from quizapp.sandbox.pool import SPARES

    for kind in ("", "numpy"):
        SPARES.want(kind)  # nothing when QUIZAPP_SANDBOX_SPARES=0
