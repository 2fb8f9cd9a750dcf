#!/usr/bin/env bash
# Rebuild the code editor bundle (CodeMirror 6 from the npm registry) into
# quizapp/static/vendor/codemirror/. The built files are committed, so the app and `make test`
# need no npm; run this by hand (Node 20+) after changing scripts/editor/.
set -euo pipefail
here="$(cd "$(dirname "$0")/editor" && pwd)"
cd "$here"
npm ci --no-audit --no-fund --silent
node build.mjs
