#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build podrouter in a build folder.
#   build.sh [DIR] [meson options...]   default DIR: build
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@" >/dev/null
elif [ $# -gt 0 ]; then
	meson configure "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
