#!/bin/sh
# swtc profile cleans its temporary folder (issue 13): run it with TMPDIR set
# to an empty folder, which must be empty again afterwards; with
# --keep-work-dir one swtc-profile-* folder stays, holding the chart.
#   check_profile_cleanup.sh SWTC MODEL WORK TARGET
set -eu
swtc="$1"; model="$2"; work="$3"; target="$4"
rm -rf "$work"; mkdir -p "$work/tmp"
TMPDIR="$work/tmp" "$swtc" profile "$model" --target "$target" --repeat 2 > "$work/out.txt"
grep -q "^chart: none" "$work/out.txt" || { echo "expected no chart"; cat "$work/out.txt"; exit 1; }
if [ -n "$(ls -A "$work/tmp")" ]; then echo "left behind:"; ls -la "$work/tmp"; exit 1; fi
TMPDIR="$work/tmp" "$swtc" profile "$model" --target "$target" --repeat 2 --keep-work-dir > "$work/out2.txt"
kept=$(ls -d "$work"/tmp/swtc-profile-* 2>/dev/null | wc -l)
[ "$kept" -eq 1 ] || { echo "expected one kept folder, got $kept"; exit 1; }
[ -f "$(ls -d "$work"/tmp/swtc-profile-*)/profile.svg" ] || { echo "no chart in the kept folder"; exit 1; }
echo "ok"
