#!/usr/bin/env bash
# same_output.sh SWTC MODEL TARGET WORK: compiling twice gives identical files.
set -eu
swtc="$1"; model="$2"; target="$3"; work="$4"
rm -rf "$work"; mkdir -p "$work"
"$swtc" compile "$model" --target "$target" -o "$work/a" -q
"$swtc" compile "$model" --target "$target" -o "$work/b" -q
diff -r "$work/a" "$work/b"
echo "identical: $(ls "$work/a" | wc -l) entries"
