"""Static files with content-hashed names, far-future caching and pre-compressed copies.

At start-up the static folder is copied once into a content-addressed build folder
(``STATIC_BUILD_DIR/<tree hash>``, default ``instance/static-build``): every file under
its own name and under a hashed name (``css/app.3f2a9c0d1e4b.css``), CSS ``url()``
references rewritten to hashed names, and gzip (plus Brotli when installed) copies of
compressible files. WhiteNoise serves that folder ahead of Flask: hashed names are
``immutable`` for a year, plain names for an hour.
``url_for('static', filename=...)`` returns the hashed name, so a deploy changes every URL
whose content changed and nothing else.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import re
import shutil
import tempfile
import time
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

HASH_LENGTH = 12
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[A-Za-z0-9]+$")
CSS_URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")
ONE_HOUR = 3600


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def hashed_name(relative: str, data: bytes) -> str:
    """``css/app.css`` -> ``css/app.<hash>.css``."""
    stem, dot, ext = relative.rpartition(".")
    if not dot or "/" in ext:
        return f"{relative}.{_digest(data)}"
    return f"{stem}.{_digest(data)}.{ext}"


def _rewrite_css(relative: str, css: bytes, manifest: dict[str, str]) -> bytes:
    """Point relative ``url()`` references of a stylesheet at hashed names."""
    folder = posixpath.dirname(relative)

    def swap(match: re.Match[str]) -> str:
        target = match.group(2)
        path, sep, rest = target.partition("?")
        if not sep:
            path, sep, rest = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if ":" in path or path.startswith("/") or resolved not in manifest:
            return match.group(0)
        new = posixpath.relpath(manifest[resolved], folder or ".")
        return f"url({match.group(1)}{new}{sep}{rest}{match.group(1)})"

    return CSS_URL.sub(swap, css.decode()).encode()


def plan_build(static_dir: Path) -> tuple[dict[str, str], dict[str, bytes], str]:
    """Hashed names, final contents and a digest of the whole tree (nothing written)."""
    contents = {p.relative_to(static_dir).as_posix(): p.read_bytes()
                for p in sorted(static_dir.rglob("*")) if p.is_file()}
    manifest: dict[str, str] = {}
    for relative, data in contents.items():  # stylesheets last: they refer to the others
        if not relative.endswith(".css"):
            manifest[relative] = hashed_name(relative, data)
    for relative, data in contents.items():
        if relative.endswith(".css"):
            contents[relative] = _rewrite_css(relative, data, manifest)
            manifest[relative] = hashed_name(relative, contents[relative])
    tree = hashlib.sha256("\n".join(f"{k}={v}" for k, v in manifest.items()).encode())
    return manifest, contents, tree.hexdigest()[:16]


def build_static(static_dir: Path, build_root: Path) -> tuple[Path, dict[str, str]]:
    """Write (once; safe when several workers race) and return the build folder."""
    manifest, contents, tree = plan_build(static_dir)
    target = build_root / tree
    if target.is_dir():
        with contextlib.suppress(OSError):
            os.utime(target)  # in use: keep it out of the next prune
        return target, manifest
    _prune(build_root)
    build_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=build_root))
    compressor = Compressor(quiet=True)
    try:
        for relative, data in contents.items():
            for name in (relative, manifest[relative]):
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                if compressor.should_compress(name):
                    compressor.compress(str(path))
        os.rename(staging, target)
    except OSError:
        if not target.is_dir():  # a real failure, not another worker finishing first
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target, manifest


def _prune(build_root: Path, keep_seconds: float = 86400.0) -> None:
    """Delete builds no process started from for a day (running servers still read theirs)."""
    if not build_root.is_dir():
        return
    cutoff = time.time() - keep_seconds
    for old in build_root.iterdir():
        with contextlib.suppress(OSError):
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)


def _is_hashed(_path: str, url: str) -> bool:
    return bool(HASHED_NAME.search(url))


def _extra_headers(headers: object, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"  # type: ignore[index]


def register_static(app: Flask) -> None:
    """Serve the static folder through WhiteNoise and make ``url_for`` emit hashed names."""
    assert app.static_folder is not None
    default_root = Path(app.instance_path) / "static-build"
    build_root = Path(app.config.get("STATIC_BUILD_DIR") or default_root)
    folder, manifest = build_static(Path(app.static_folder), build_root)
    app.extensions["static_manifest"] = manifest
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app, root=str(folder), prefix=app.static_url_path or "/static",
        max_age=ONE_HOUR, immutable_file_test=_is_hashed, add_headers_function=_extra_headers,
    )

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict[str, object]) -> None:
        if endpoint == "static" and (name := values.get("filename")) in manifest:
            values["filename"] = manifest[name]  # type: ignore[index]
