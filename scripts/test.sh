#!/usr/bin/env bash
# The project's test command (`npm test`; CI runs it through .ci/run): dependencies,
# external test tools, build, then the whole vitest suite on each Node version (this
# machine's, and 22 and 24 from the npm registry), then the packed tarball installed with
# scripts disabled and smoke-tested on each of them (scripts/pack-smoke.sh).
# FERRY_TEST_NODES picks the versions: "system 22 24" by default; "system" alone for a
# quick run. Arguments go to vitest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian tools first: they include the C toolchain that npm ci needs for the
# zstd-napi dev dependency on a fresh machine.
bash scripts/install-test-deps.sh

# npm records what it installed in node_modules/.package-lock.json; a lockfile
# newer than that record means node_modules is stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test.sh: node_modules missing or stale, running npm ci"
  npm ci --no-audit --no-fund
fi
# A developer step, not an install step: the suite tests both gzip backends, and the
# packed tarball ships this build (scripts/build-native.mjs).
node scripts/build-native.mjs --required
npm run build
mkdir -p .tmp

status=0
nodes=()
for want in ${FERRY_TEST_NODES:-system 22 24}; do
  if [ "$want" = system ]; then
    nodes+=("$(command -v node)")
  elif bin=$(bash scripts/node-from-npm.sh "$want"); then
    nodes+=("$bin")
  else
    echo "test.sh: no Node $want to test on" >&2
    status=1
  fi
done

# One vitest run per Node; each writes a JSON report, summed up at the end.
reports=()
for node_bin in "${nodes[@]}"; do
  label=$("$node_bin" -p process.version)
  report=".tmp/vitest-report-$label.json"
  rm -f "$report"
  echo "test.sh: vitest on Node $label"
  "$node_bin" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=1
  if [ -f "$report" ]; then
    reports+=("$report")
  else
    echo "test.sh: vitest on Node $label wrote no report" >&2
    status=1
  fi
done

if [ "${#nodes[@]}" -gt 0 ]; then
  echo "test.sh: packed tarball, installed with --ignore-scripts"
  bash scripts/pack-smoke.sh "${nodes[@]}" || status=1
fi

# vitest's own summary is not a format every CI reader knows; close with the plain
# "N passed, N failed" line, per run and then summed over the runs.
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of process.argv.slice(1)) {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`${file.replace(/^.*vitest-report-|\.json$/g, "")}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${s} skipped`);
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += s;
  }
  // A CI log may keep only its tail: name each failed test here, where the tail is,
  // with the first line of why it failed.
  for (const file of process.argv.slice(1)) {
    const label = file.replace(/^.*vitest-report-|\.json$/g, "");
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const t of r.testResults ?? []) {
      const where = t.name.replace(process.cwd() + "/", "");
      const failedTests = (t.assertionResults ?? []).filter((a) => a.status === "failed");
      if (failedTests.length === 0 && t.status === "failed") {
        console.log(`FAILED ${label} ${where}: ${String(t.message ?? "").split("\n")[0]}`);
      }
      for (const a of failedTests) {
        const why = String((a.failureMessages ?? [])[0] ?? "").split("\n")[0].slice(0, 300);
        console.log(`FAILED ${label} ${where} > ${a.fullName}: ${why}`);
      }
    }
  }
  console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "${reports[@]}"
exit "$status"
