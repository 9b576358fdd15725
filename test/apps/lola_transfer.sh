#!/bin/sh
# A short run of apps/lola_transfer (deep representations, doc/11-lola.md
# section 11): a small trunk on MNIST digits 0-4, the private head on
# digits 5-9; every decrypted logit vector must equal the exact evaluator,
# the head must beat chance clearly, and the files it writes must run
# through apps/lola.  Skipped (77) without MNIST.
set -u
APP=${APP:-./apps/lola_transfer}
LOLA=${LOLA:-./apps/lola}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v timeout > /dev/null; then TO="timeout 900"; else TO=; fi
$TO $APP --trunk-images 2000 --epochs 1 --threads 2 --save "$tmp" \
    > "$tmp/out" 2> "$tmp/err"
st=$?
cat "$tmp/out"
[ $st -eq 77 ] && { echo "SKIP: no MNIST"; exit 77; }
if [ $st -ne 0 ]; then
    sed 's/^/    /' "$tmp/err"; echo "FAIL: lola_transfer exit status $st"
    exit 1
fi
fail=0
grep -q "equal the exact integer evaluator on 50 of 50 images" "$tmp/out" ||
    { echo "FAIL: not every image agrees"; fail=1; }
# private class-balanced accuracy: at least twice chance (20 %)
acc=$(sed -n 's/^4\. private prediction: class-balanced accuracy \([0-9.]*\)%.*/\1/p' "$tmp/out")
if [ -z "$acc" ] || ! awk -v a="$acc" 'BEGIN { exit !(a >= 40) }'; then
    echo "FAIL: private accuracy '$acc' below 40 %"; fail=1
fi
# the files it wrote: apps/lola on the features file, the same head
if $TO $LOLA --features "$tmp/test.vfea" --model "$tmp/head.vmodel" --all \
        --json > "$tmp/lola" 2> "$tmp/err" &&
   grep -q '"summary":true.*"images":50,"agree":50' "$tmp/lola"; then
    echo "PASS: apps/lola on the written features file: 50 of 50 exact"
else
    sed 's/^/    /' "$tmp/err"; echo "FAIL: apps/lola on the features file"
    fail=1
fi
[ $fail -eq 0 ] && echo "PASS: lola_transfer" || exit 1
