#!/usr/bin/env bash
# Installs ferry as a user would and runs it from there: `npm pack` (its prepack builds
# dist/ and the prebuilt libdeflate add-on), then the tarball into an empty prefix with
# install scripts disabled, then a smoke test on each Node binary given:
#   ferry --version; ferry inspect oci:<fixture>; copies to oci: layouts recompressing to
#   gzip (forced: the fixture is gzip already) and to zstd (on a Node without zlib zstd,
#   where zstd-napi is not built because scripts are off, the zstd copy must fail with a
#   one-line reason).
# Usage: scripts/pack-smoke.sh NODE_BINARY...   Exit status 0 only if every check passed.
set -uo pipefail
cd "$(dirname "$0")/.."

# Outside the checkout: Node resolves packages up the directory tree, and the repo's own
# node_modules (dev dependencies such as a built zstd-napi) must not leak into the install.
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-pack-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pack" "$work/prefix"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "pack-smoke: ok   $*"; }
bad() { failed=$((failed + 1)); echo "pack-smoke: FAIL $*" >&2; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

tarball=$(npm pack --silent --pack-destination "$work/pack" | tail -1)
if [ -z "$tarball" ] || [ ! -f "$work/pack/$tarball" ]; then
  echo "pack-smoke: npm pack failed" >&2
  exit 1
fi
tarball="$work/pack/$tarball"
listing=$(tar tzf "$tarball")
platform=$(node -p 'process.platform + "-" + process.arch')
check "tarball ships prebuilds/$platform/ferry_deflate.node" grep -qx "package/prebuilds/$platform/ferry_deflate.node" <<<"$listing"
check "tarball ships the bundle and its source map" grep -qx 'package/dist/bundle/cli.cjs.map' <<<"$listing"
check "tarball ships the bundle's vendor files" bash -c 'for v in cli-progress semver tar-stream undici yaml; do grep -qx "package/dist/bundle/vendor/$v.cjs" <<<"$1" || exit 1; done' _ "$listing"
stale=$(grep -E '^package/dist/.*\.js$' <<<"$listing" | grep -v '^package/dist/bundle/' | sed -E 's|^package/dist/(.*)\.js$|src/\1.ts|' | while read -r f; do [ -f "$f" ] || echo "$f"; done)
check "tarball's dist/ has no output of deleted sources" test -z "$stale"
check "tarball has no native sources or build script" bash -c '! grep -qE "^package/(native/|scripts/)" <<<"$1"' _ "$listing"

if ! npm install --global --prefix "$work/prefix" --ignore-scripts --no-audit --no-fund --loglevel=error "$tarball" >"$work/install.log" 2>&1; then
  cat "$work/install.log" >&2
  echo "pack-smoke: npm install of $tarball failed" >&2
  exit 1
fi
installed="$work/prefix/lib/node_modules/ferry"
check "installed package.json has no install-time scripts" node -e '
  const s = require(process.argv[1]).scripts ?? {};
  const bad = ["preinstall", "install", "postinstall", "prepare"].filter((k) => k in s);
  if (bad.length) { console.error(`scripts: ${bad.join(", ")}`); process.exit(1); }' "$installed/package.json"
version=$(node -p "require('$installed/package.json').version")
fixture=$(pwd)/fixtures/hello-oci

for node_bin in "$@"; do
  nv=$("$node_bin" -p process.version)
  has_zstd=$("$node_bin" -p 'typeof require("node:zlib").createZstdCompress === "function"')
  # bin/ferry's shebang finds `node` on PATH: put this one first, as a user's PATH would
  env_path="$(dirname "$node_bin"):$PATH"
  ferry() { PATH="$env_path" HOME="$work/home" XDG_CACHE_HOME="$work/cache" "$work/prefix/bin/ferry" "$@"; }
  out=$(ferry --version 2>&1)
  check "[$nv] ferry --version names version $version" grep -qx "ferry version $version" <<<"$out"
  check "[$nv] ferry --version names node $nv" grep -qx "node: $nv" <<<"$out"
  check "[$nv] gzip runs on the shipped libdeflate add-on" grep -qx 'gzip: libdeflate (prebuilt add-on)' <<<"$out"
  if [ "$has_zstd" = true ]; then
    check "[$nv] zstd runs on node:zlib" grep -q '^zstd: node:zlib' <<<"$out"
  else
    check "[$nv] zstd: none, saying why" grep -q '^zstd: none (no zstd backend: .*zstd-napi' <<<"$out"
  fi
  out=$(ferry inspect "oci:$fixture:latest")
  check "[$nv] ferry inspect oci:fixture" grep -q '"Digest": "sha256:' <<<"$out"
  dest="$work/out-${nv}"
  ferry copy --quiet --dest-compress-format gzip --dest-force-compress-format "oci:$fixture:latest" "oci:$dest-gzip:latest" >/dev/null
  check "[$nv] copy to oci: recompressing to gzip" test $? -eq 0
  zout=$(ferry copy --quiet --dest-compress-format zstd "oci:$fixture:latest" "oci:$dest-zstd:latest" 2>&1 >/dev/null)
  zcode=$?
  if [ "$has_zstd" = true ]; then
    check "[$nv] copy to oci: with --dest-compress-format zstd" test "$zcode" -eq 0
    out=$(ferry inspect --raw "oci:$dest-zstd:latest")
    check "[$nv] the copy's layers are zstd" grep -q 'layer.v1.tar+zstd' <<<"$out"
  else
    check "[$nv] zstd copy without a zstd backend fails with one line" bash -c '[ "$1" -ne 0 ] && [ "$(wc -l <<<"$2")" -eq 1 ] && grep -q "^ferry: .*no zstd backend" <<<"$2"' _ "$zcode" "$zout"
  fi
done

# A platform the package has no prebuilt add-on for: gzip falls back to node:zlib, and
# --debug says why. Simulated by moving the shipped file away.
# (`ferry` is the last Node's.)
mv "$installed/prebuilds" "$work/prebuilds-aside"
out=$(ferry --version 2>&1)
check "without the add-on, gzip runs on node:zlib" grep -q '^gzip: node:zlib' <<<"$out"
out=$(ferry --debug copy --quiet --dest-compress-format gzip --dest-force-compress-format "oci:$fixture:latest" "oci:$work/out-fallback:latest" 2>&1 >/dev/null)
check "without the add-on, a gzip copy works" test $? -eq 0
check "without the add-on, --debug says why" grep -q 'gzip backend libdeflate not loaded: no prebuilt add-on' <<<"$out"
mv "$work/prebuilds-aside" "$installed/prebuilds"

# not in the "N passed, N failed" form: test.sh's vitest line closes the run
if [ "$failed" -eq 0 ]; then echo "pack-smoke: all $passed checks passed"; else echo "pack-smoke: $failed of $((passed + failed)) checks FAILED" >&2; fi
[ "$failed" -eq 0 ]
