#!/bin/sh
# The layer rule (scripts/check-layers) on the source tree: one check per
# file, plus one that plants two violations in a scratch tree and requires
# the checker to report exactly those.  Ends with "checks: N passed, N
# failed" (scripts/summarize-tests adds it to the total).
set -u
src=${srcdir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
failn=0

sh "$src/scripts/check-layers" "$src" >"$tmp/out"
status=$?
sed -n '/^files:/!p' "$tmp/out"
line=$(grep '^files: ' "$tmp/out")
p=$(echo "$line" | sed -n 's/files: \([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
pass=$((pass + ${p:-0}))
failn=$((failn + ${f:-1}))
[ $status -eq 0 ] || [ "${f:-0}" -gt 0 ] || failn=$((failn + 1))
echo "source tree: ${p:-0} files pass the layer rule, ${f:-?} break it"

# The checker itself: ntt including bfv and nn including mpc are caught,
# bfv including ntt and mpc including bfv are not.
mkdir -p "$tmp/t/include/veil" "$tmp/t/ntt" "$tmp/t/bfv" "$tmp/t/nn" \
    "$tmp/t/mpc"
for h in veil ntt bfv nn mpc; do
    echo "/* $h */" >"$tmp/t/include/veil/$h.h"
done
printf '#include "veil/bfv.h"\n' >"$tmp/t/ntt/bad.c"
printf '#include <veil/mpc.h>\n' >"$tmp/t/nn/bad.c"
printf '#include "veil/ntt.h"\n#include "local.h"\n' >"$tmp/t/bfv/ok.c"
printf '#include "veil/bfv.h"\n' >"$tmp/t/bfv/local.h"
printf '#include "veil/bfv.h"\n#include "../bfv/local.h"\n' \
    >"$tmp/t/mpc/ok.c"
sh "$src/scripts/check-layers" "$tmp/t" >"$tmp/self" 2>&1
if [ $? -eq 1 ] && grep -q '^ntt/bad.c: .*layer ntt must not include layer bfv' \
    "$tmp/self" && grep -q '^nn/bad.c: .*layer nn must not include layer mpc' \
    "$tmp/self" && grep -q '^files: 8 passed, 2 failed' "$tmp/self"; then
    pass=$((pass + 1))
    echo "PASS: the checker reports planted violations and only those"
else
    failn=$((failn + 1))
    echo "FAIL: the checker missed planted violations or flagged good files:"
    sed 's/^/    /' "$tmp/self"
fi
echo "checks: $pass passed, $failn failed"
[ $failn -eq 0 ]
