#!/usr/bin/env bash
# The project's test command (`npm test`; CI runs it through .ci/run):
# dependencies, external test tools, build, then the whole vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm records what it installed in node_modules/.package-lock.json; a lockfile
# newer than that record means node_modules is stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test.sh: node_modules missing or stale, running npm ci"
  npm ci --no-audit --no-fund
fi

bash scripts/install-test-deps.sh
# npm ci may have run before libdeflate-dev was there; the suite tests both gzip backends
node scripts/build-native.mjs --required
npm run build

mkdir -p .tmp
report=.tmp/vitest-report.json
rm -f "$report"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?

# vitest's own summary is not a format every CI reader knows; add the plain
# "N passed, N failed" closing line. A missing report means vitest died early.
if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$report"
elif [ "$status" -eq 0 ]; then
  echo "test.sh: vitest wrote no report" >&2
  status=1
fi
exit "$status"
