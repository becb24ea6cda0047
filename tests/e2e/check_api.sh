#!/usr/bin/env bash
# check_api.sh SWTC MODEL API_DIRS WORK [TARGET [COMPILE OPTIONS...]]: the Sunway output
# compiles against the vendor interface declarations with -std=c99 -Wall -Wextra -Werror,
# for each folder of API_DIRS (joined by ':'; tests/sunway_api/<target> first).
set -eu
swtc="$1"; model="$2"; api="$3"; work="$4"; target="${5:-sw26010}"
shift $(( $# < 5 ? $# : 5 ))
rm -rf "$work"
"$swtc" compile "$model" --target "$target" -o "$work" -q "$@"
IFS=: read -r -a dirs <<< "$api"
for d in "${dirs[@]}"; do
  make -C "$work" -s check-api SUNWAY_API="$d"
  echo "sunway-api check passed: $d"
done
