#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` once from the llama.cpp source that ships inside node-llama-cpp
# (node_modules/node-llama-cpp/llama/gitRelease.bundle, a git bundle) into a per-machine cache outside the
# clone, keyed by the bundle's commit, so every later run (and every clone on this machine) reuses it.
#   Output: the cache directory holding `llama-server` and its shared libraries (set LD_LIBRARY_PATH to it).
#   Cache:  ${XDG_CACHE_HOME:-~/.cache}/code-model-mcp/llama-server/<bundle commit>/
# The test helper (test/llama-server/support/binary.ts) computes the same path. ≈ 9 min on 2 busy cores.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLE="$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$BUNDLE" ] || { echo "build-llama-server: $BUNDLE is missing (run npm ci first)" >&2; exit 1; }

COMMIT="$(git bundle list-heads "$BUNDLE" | awk 'NR==1 {print $1}')"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/code-model-mcp/llama-server"
OUT="$CACHE/$COMMIT"
if [ -f "$OUT/.complete" ]; then
  echo "build-llama-server: cached at $OUT" >&2
  echo "$OUT"
  exit 0
fi

mkdir -p "$CACHE"
# One build per machine at a time: a second caller waits for the first and then finds the cache filled.
exec 9>"$CACHE/.lock"
flock 9
if [ -f "$OUT/.complete" ]; then echo "$OUT"; exit 0; fi

WORK="$CACHE/work-$COMMIT"
rm -rf "$WORK"
started=$(date +%s)
git clone --quiet "$BUNDLE" "$WORK/src"
git -C "$WORK/src" checkout --quiet "$COMMIT"
nice -n 10 cmake -S "$WORK/src" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >&2
nice -n 10 cmake --build "$WORK/build" --target llama-server -j2 >&2

rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
cp -a "$WORK/build/bin/llama-server" "$OUT.tmp/"
# The shared libraries (libllama, libggml*) land beside the binary; copy them with their symlinks.
find "$WORK/build/bin" -maxdepth 1 -name '*.so*' -exec cp -a {} "$OUT.tmp/" \;
echo "commit=$COMMIT seconds=$(( $(date +%s) - started ))" > "$OUT.tmp/.complete"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
rm -rf "$WORK"
echo "build-llama-server: built in $(( $(date +%s) - started )) s at $OUT" >&2
echo "$OUT"
