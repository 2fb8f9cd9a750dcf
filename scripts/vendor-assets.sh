#!/usr/bin/env bash
# Re-vendor front-end assets from the npm registry into quizapp/static/vendor/.
# The app serves these files itself, so it works with no internet. Run by hand to upgrade.
set -euo pipefail
KATEX_VERSION="${KATEX_VERSION:-0.19.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "katex@${KATEX_VERSION}" --silent >/dev/null && tar xzf katex-*.tgz)
dest="$here/quizapp/static/vendor/katex"
rm -rf "$dest" && mkdir -p "$dest/fonts"
cp "$work/package/dist/katex.min.js" "$work/package/dist/katex.min.css" "$work/package/LICENSE" "$dest/"
cp "$work/package/dist/fonts/"*.woff2 "$dest/fonts/"
echo "$KATEX_VERSION" > "$dest/VERSION"
echo "vendored KaTeX $KATEX_VERSION into $dest"
