#!/usr/bin/env bash
# run_isa.sh TARGET COMMAND...: runs COMMAND, unless this CPU lacks the
# instructions of host target TARGET (then exits 77: the test is skipped).
set -u
t="$1"
shift
need=""
case "$t" in
  host-avx512) need="avx512f" ;;
  host-avx2) need="avx2 fma" ;;
esac
for f in $need; do
  if ! grep -qw "$f" /proc/cpuinfo; then
    echo "skipped: this CPU lacks $f, which $t needs"
    exit 77
  fi
done
exec "$@"
