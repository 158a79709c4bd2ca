#!/usr/bin/env bash
# The project's main job, behind the README's first command (run .ci/setup.sh first):
#   bash .ci/start.sh [--port N]      build the web page (wasm preset), serve it, print its URL (default)
#   bash .ci/start.sh --app [ARGS]    build the native release and open the desktop app  (ae-app ARGS)
#   bash .ci/start.sh --train [ARGS]  build the native release and run the headless trainer (ae train ARGS;
#                                     default: --data fashion-mnist --out runs/fashion-mnist)
# Builds are incremental: a second start only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs

mode=web
if [ $# -gt 0 ]; then
  case "$1" in
    --app) mode=app; shift ;;
    --train) mode=train; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
  esac
fi

case "$mode" in
  web)
    cmake --workflow --preset wasm
    exec python3 web/serve.py "$@"
    ;;
  app)
    cmake --workflow --preset release
    exec build/release/native/app/ae-app "$@"
    ;;
  train)
    cmake --workflow --preset release
    if [ $# -eq 0 ]; then set -- --data fashion-mnist --out runs/fashion-mnist; fi
    exec build/release/native/cli/ae train "$@"
    ;;
esac
