#!/usr/bin/env bash
# Tests the node:zlib zstd backend, which needs Node >= 22.15, while the project runs on
# Node 20 (where the unit tests cover zstd-napi). A newer Node comes from the npm registry
# into .tmp/node22, never into package.json: a `node` in node_modules/.bin would shadow
# the system node for every npm script. Set FERRY_NODE22 to use a Node you already have.
# Needs dist/ (npm run build) and the `zstd` CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=.tmp/node22
node_bin=${FERRY_NODE22:-$prefix/node_modules/.bin/node}

has_zstd() {
  "$1" -e 'process.exit(typeof require("node:zlib").createZstdCompress === "function" ? 0 : 1)' 2>/dev/null
}

if ! has_zstd "$node_bin"; then
  if [ -n "${FERRY_NODE22:-}" ]; then
    echo "test-zstd-zlib.sh: FERRY_NODE22=$FERRY_NODE22 has no zstd in node:zlib" >&2
    exit 2
  fi
  echo "test-zstd-zlib.sh: installing node@22 into $prefix"
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$prefix" node@22 >&2
  has_zstd "$node_bin" || { echo "test-zstd-zlib.sh: $node_bin has no zstd in node:zlib" >&2; exit 2; }
fi

if [ ! -f dist/compression/codec.js ]; then
  echo "test-zstd-zlib.sh: dist/compression is missing; run npm run build first" >&2
  exit 2
fi

FERRY_ZSTD_BACKEND=zlib exec "$node_bin" test/compat/zstd-zlib-roundtrip.mjs
