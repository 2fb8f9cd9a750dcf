"""The committed code editor bundle matches its lock file and carries every licence."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "quizapp" / "static" / "vendor" / "codemirror"
LOCK = ROOT / "scripts" / "editor" / "package-lock.json"


def bundled_packages() -> dict[str, tuple[str, str]]:
    lines = (VENDOR / "VERSION").read_text().splitlines()
    return {name: (version, licence) for name, version, licence in (ln.split() for ln in lines)}


def test_bundle_versions_match_the_lock_file():
    locked = json.loads(LOCK.read_text())["packages"]
    packages = bundled_packages()
    assert {"@codemirror/view", "@codemirror/lang-python", "@codemirror/lang-sql"} <= set(packages)
    for name, (version, licence) in packages.items():
        assert locked[f"node_modules/{name}"]["version"] == version, f"rebuild: {name}"
        assert licence == "MIT"


def test_every_bundled_package_has_its_licence_text():
    licences = (VENDOR / "LICENSE").read_text()
    for name, (version, _) in bundled_packages().items():
        assert f"== {name} {version} ==" in licences
    assert (VENDOR / "codemirror.min.js").stat().st_size > 100_000
