#!/usr/bin/env bash
# Lighthouse (accessibility, best practices, SEO) on pages of a running site, in the light and
# the dark colour scheme, with Debian's Chromium (no browser download). Lighthouse itself comes
# from the npm registry into a cache folder the first time.
#
#   benchmarks/lighthouse.sh http://127.0.0.1:8000 / /articles/ims-or-massage/ /services/ims/
#
# Prints one line per page and scheme: the three scores and the audits that did not pass.
set -euo pipefail
base=${1:?usage: benchmarks/lighthouse.sh BASE_URL PATH...}
shift
cache=${LIGHTHOUSE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clinic-cms-lighthouse}
if [ ! -x "$cache/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm install --no-audit --no-fund --silent lighthouse@12 >/dev/null)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for scheme in light dark; do
  flags="--headless=new --no-sandbox --disable-gpu"
  # Chromium's own switch for prefers-color-scheme (0 is dark).
  [ "$scheme" = dark ] && flags="$flags --force-dark-mode --blink-settings=preferredColorScheme=0"
  for path in "$@"; do
    report="$out/report.json"
    CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} "$cache/node_modules/.bin/lighthouse" \
      "$base$path" --quiet --only-categories=accessibility,best-practices,seo \
      --chrome-flags="$flags" --output=json --output-path="$report" >/dev/null 2>&1
    python3 - "$report" "$path" "$scheme" <<'PY'
import json, sys
report, path, scheme = sys.argv[1:]
data = json.load(open(report))
scores = {k: round(v["score"] * 100) for k, v in data["categories"].items()}
failed = [
    key for key, audit in data["audits"].items()
    if audit.get("score") is not None and audit["score"] < 1
    and audit.get("scoreDisplayMode") in ("binary", "numeric")
]
print(f"{path} ({scheme}): {scores} failed: {failed or 'none'}")
PY
  done
done
