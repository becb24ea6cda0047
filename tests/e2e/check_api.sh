#!/usr/bin/env bash
# check_api.sh SWTC MODEL API_DIR WORK [TARGET [COMPILE OPTIONS...]]: the Sunway output
# compiles against the vendor interface declarations (sunway-api) with -std=c99 -Wall
# -Wextra -Werror.
set -eu
swtc="$1"; model="$2"; api="$3"; work="$4"; target="${5:-sw26010}"
shift $(( $# < 5 ? $# : 5 ))
rm -rf "$work"
"$swtc" compile "$model" --target "$target" -o "$work" -q "$@"
make -C "$work" -s check-api SUNWAY_API="$api"
echo "sunway-api check passed"
