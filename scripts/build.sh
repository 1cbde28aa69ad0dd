#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build podrouter in a build folder.
#   build.sh [DIR] [meson options...]   default DIR: build
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
# Quiet when it works; everything meson and ninja said when it does not.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
elif [ $# -gt 0 ]; then
	meson configure "$dir" "$@" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
ninja -C "$dir" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
