#!/usr/bin/env bash
# Installs the Debian packages the integration tests drive: the CNCF registry,
# skopeo and friends. Idempotent: does nothing when every tool is present.
# A fresh CI machine has none of them, so `npm test` runs this first.
set -euo pipefail

# command -> Debian package
declare -A PACKAGE=(
  [docker-registry]=docker-registry
  [skopeo]=skopeo
  [umoci]=umoci
  [pigz]=pigz
  [zstd]=zstd
  # compressed docker-archive tests (`docker save | xz`)
  [xz]=xz-utils
  [bzip2]=bzip2
  [htpasswd]=apache2-utils
  [openssl]=openssl
  # not a command: the header and static library native/deflate (ferry's libdeflate
  # gzip, built by scripts/build-native.mjs as a developer step) builds against
  [libdeflate.h]=libdeflate-dev
  # node-gyp's toolchain for that build (not needed to install or run ferry)
  [gcc]=gcc
  [g++]=g++
  [make]=make
  [python3]=python3
)
REGISTRY_BIN="${FERRY_TEST_REGISTRY_BIN:-/usr/bin/docker-registry}"

missing_packages() {
  local cmd
  for cmd in "${!PACKAGE[@]}"; do
    if [ "$cmd" = docker-registry ]; then
      # The harness runs this exact path; a docker-registry elsewhere on PATH does not count.
      [ -x "$REGISTRY_BIN" ] && continue
    elif [ "$cmd" = libdeflate.h ]; then
      [ -f /usr/include/libdeflate.h ] && continue
    else
      command -v "$cmd" >/dev/null 2>&1 && continue
    fi
    echo "${PACKAGE[$cmd]}"
  done | sort -u
}

fail() {
  echo "install-test-deps: $*" >&2
  exit 1
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all test tools present"
  exit 0
fi
echo "install-test-deps: installing ${missing[*]}"

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install by hand: ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "not root and no sudo; install by hand: ${missing[*]}"
  SUDO=(sudo -n)
fi

# The docker-registry package would start a system registry on :5000; without
# an init system that start fails or leaves a stray daemon. Forbid service
# starts for the duration, unless the machine already has its own policy.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  created_policy=1
fi
cleanup() {
  if [ "$created_policy" -eq 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; fi
}
trap cleanup EXIT

APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
"${APT[@]}" update || fail "apt-get update failed"
"${APT[@]}" install -y --no-install-recommends "${missing[@]}" || fail "apt-get install ${missing[*]} failed"

mapfile -t still_missing < <(missing_packages)
if [ "${#still_missing[@]}" -ne 0 ]; then
  fail "still missing after install: ${still_missing[*]}"
fi
echo "install-test-deps: done"
