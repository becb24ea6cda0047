#!/usr/bin/env bash
# expect_error.sh REGEX COMMAND...: passes if COMMAND exits 1 (swtc's status for
# every error, usage errors included: not 0, not 3 = outputs differ, no crash)
# and its output matches REGEX (grep -E).
regex="$1"; shift
out="$("$@" 2>&1)"; st=$?
echo "$out"
if [ "$st" -eq 0 ]; then echo "expected a nonzero exit, got 0"; exit 1; fi
if [ "$st" -ge 128 ]; then echo "crashed (exit $st)"; exit 1; fi
if [ "$st" -ne 1 ]; then echo "expected exit 1, got $st"; exit 1; fi
if grep -qE -- "basic_filebuf|filesystem error|terminate called|what\(\)" <<<"$out"; then
  echo "raw exception text in the output"; exit 1
fi
if ! grep -qE -- "$regex" <<<"$out"; then echo "output does not match: $regex"; exit 1; fi
echo "ok: exit $st and the expected message"
