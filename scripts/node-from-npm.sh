#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major version (22, 24, ...), taken from
# the npm registry as the platform package `node-<platform>-<arch>` (the binary inside a
# registry package: no install script, no other download, works where only the npm
# registry is reachable). Cached between runs under
# ${FERRY_TEST_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ferry/test-node}/<major>;
# a cached binary is used as it is, offline. Used by scripts/test.sh and test-zstd-zlib.sh.
set -euo pipefail
major=${1:?usage: node-from-npm.sh MAJOR}
case "$major" in ''|*[!0-9]*) echo "node-from-npm.sh: MAJOR must be a number, got '$major'" >&2; exit 2;; esac
platform=$(node -p 'process.platform + "-" + process.arch')
pkg="node-$platform"
cache=${FERRY_TEST_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ferry/test-node}
prefix="$cache/$major"
bin="$prefix/node_modules/$pkg/bin/node"

works() { [ -x "$bin" ] && [ "$("$bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$major" ]; }

if ! works; then
  echo "node-from-npm.sh: installing $pkg@$major into $prefix" >&2
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --loglevel=error --prefix "$prefix" "$pkg@$major" >&2
  works || { echo "node-from-npm.sh: $bin is not a working Node $major" >&2; exit 1; }
fi
echo "$bin"
