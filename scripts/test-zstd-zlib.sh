#!/usr/bin/env bash
# Tests the node:zlib zstd backend, which needs Node >= 22.15, while the project runs on
# Node 20 (where the unit tests cover zstd-napi). A newer Node comes from the npm registry
# (scripts/node-from-npm.sh, cached), never into package.json: a `node` in
# node_modules/.bin would shadow the system node for every npm script. Set FERRY_NODE22
# to use a Node you already have. (npm test also runs the whole suite on Node 22 and 24.)
# Needs dist/ (npm run build) and the `zstd` CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

node_bin=${FERRY_NODE22:-$(bash scripts/node-from-npm.sh 22)}

has_zstd() {
  "$1" -e 'process.exit(typeof require("node:zlib").createZstdCompress === "function" ? 0 : 1)' 2>/dev/null
}

has_zstd "$node_bin" || { echo "test-zstd-zlib.sh: $node_bin has no zstd in node:zlib" >&2; exit 2; }

if [ ! -f dist/compression/codec.js ]; then
  echo "test-zstd-zlib.sh: dist/compression is missing; run npm run build first" >&2
  exit 2
fi

FERRY_ZSTD_BACKEND=zlib exec "$node_bin" test/compat/zstd-zlib-roundtrip.mjs
