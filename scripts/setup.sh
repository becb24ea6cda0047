#!/usr/bin/env bash
# Set up a Debian 12 machine for building and testing swtc. Idempotent: a second
# run checks what is there and touches neither apt nor the network.
#
#   bash scripts/setup.sh
#
# 1. Debian packages (toolchain, libraries, Debian's python3 with torch/onnx,
#    OpenMPI (mpicc, mpirun: the generated runner is an MPI program), Node.js +
#    npm), installed only if missing (apt-get update only then).
# 2. ONNX Runtime for Node.js (the reference runtime of the tests), pinned in
#    third_party/ort/package.json + package-lock.json, into
#    third_party/ort/node_modules. Installed with --ignore-scripts: the package's
#    install script would download GPU libraries; the CPU library ships inside
#    the package.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORT_DIR="$ROOT/third_party/ort"

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    NEED_ROOT=1
  fi
fi

PACKAGES=(
  build-essential g++ gcc make cmake
  googletest libgtest-dev
  libprotobuf-dev protobuf-compiler libonnx-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev
  python3-numpy python3-torch python3-torchvision python3-onnx libonnx-testdata
  openmpi-bin libopenmpi-dev
)
# Node.js: Debian's nodejs + npm, unless a node and npm are already there (e.g.
# a NodeSource nodejs, which bundles npm and conflicts with Debian's npm).
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  :
else
  PACKAGES+=(nodejs npm)
fi

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  [ -z "${NEED_ROOT:-}" ] || die "not root and no sudo: cannot install ${missing[*]}"
  say "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" || die "apt-get install failed: ${missing[*]}"
  for p in "${missing[@]}"; do
    installed "$p" || die "package $p is still not installed"
  done
else
  say "apt packages already installed (${#PACKAGES[@]})"
fi

command -v node >/dev/null 2>&1 || die "node not found after installing nodejs"
command -v npm >/dev/null 2>&1 || die "npm not found after installing npm"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 18 ] || die "Node.js >= 18 needed, found $(node --version)"

/usr/bin/python3 -c 'import numpy, torch, torchvision, onnx' 2>/dev/null \
  || die "/usr/bin/python3 cannot import numpy, torch, torchvision and onnx"

# ---------------------------------------------------------------- ONNX Runtime
[ -f "$ORT_DIR/package.json" ] || die "missing $ORT_DIR/package.json"
ORT_WANT="$(node -p "require('$ORT_DIR/package.json').dependencies['onnxruntime-node']")"
ORT_PKG="$ORT_DIR/node_modules/onnxruntime-node/package.json"
ort_have() {
  [ -f "$ORT_PKG" ] && node -p "require('$ORT_PKG').version" 2>/dev/null || true
}
ort_loads() {
  (cd "$ORT_DIR" && node -e "require('./node_modules/onnxruntime-node')" >/dev/null 2>&1)
}

if [ "$(ort_have)" = "$ORT_WANT" ] && ort_loads; then
  say "onnxruntime-node $ORT_WANT already present"
else
  say "installing onnxruntime-node $ORT_WANT into third_party/ort/node_modules"
  npm_flags=(--ignore-scripts --no-audit --no-fund --loglevel=error)
  if [ -f "$ORT_DIR/package-lock.json" ]; then
    (cd "$ORT_DIR" && npm ci "${npm_flags[@]}") || die "npm ci in third_party/ort failed"
  else
    (cd "$ORT_DIR" && npm install "${npm_flags[@]}") || die "npm install in third_party/ort failed"
  fi
  [ "$(ort_have)" = "$ORT_WANT" ] \
    || die "onnxruntime-node $ORT_WANT not installed (found '$(ort_have)')"
  ort_loads || die "onnxruntime-node $ORT_WANT is installed but its native library does not load"
  say "onnxruntime-node $ORT_WANT installed"
fi
say "done"
