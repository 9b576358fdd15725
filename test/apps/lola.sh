#!/bin/sh
# End-to-end checks of apps/lola: MNIST in one process and over TCP, a
# features file with a generated head (one process and TCP), the CIFAR-10
# reader's refusals, plans of a network of the paper's CIFAR-10 shape and
# of a 4096 -> 101 head, and clear failures on bad input.  Prints one line per check and "checks: N passed, N failed".
# (apps/mnist_lola's own checks, test/apps/mnist_lola.sh, also run against
# this program with APP=./apps/lola.)
set -u
APP=${APP:-./apps/lola}
case $APP in /*) ;; *) APP=$(pwd)/$APP ;; esac
. "${srcdir:-.}/test/apps/checks.sh"
have_py=0; command -v python3 > /dev/null && have_py=1

# 1. MNIST (the default data set and the shipped model), one process and TCP
if $TO $APP --count 2 --json > "$tmp/out" 2> "$tmp/err" &&
   [ "$(field images "$tmp/out")" = 2 ] && [ "$(field agree "$tmp/out")" = 2 ]; then
    ok "MNIST, one process: decrypted logits equal the exact evaluator"
else
    bad "MNIST, one process"
fi
if [ $have_py = 1 ] && start_server "$tmp/srv.err" --once &&
   $TO $APP --connect 127.0.0.1:$port --count 1 --offset 7 --json > "$tmp/out" 2> "$tmp/err" &&
   [ "$(field agree "$tmp/out")" = 1 ]; then
    ok "MNIST over TCP"
else
    bad "MNIST over TCP"
fi
[ -n "$spid" ] && { stop_server || bad "MNIST server exit status"; }

# 2. A features file (header of nn.h: VFEA, version 1, count, dim, classes,
#    scale, flags, reserved; codes; labels) and a generated head
if [ $have_py = 1 ]; then
    python3 - "$tmp/f.vfea" "$tmp/trunc.vfea" "$tmp/ver.vfea" <<'PY'
import struct, random, sys
random.seed(5)
count, dim, classes = 3, 40, 4
hdr = b"VFEA" + struct.pack("<IIIIfII", 1, count, dim, classes, 0.05, 0, 0)
body = bytes(random.randrange(256) for _ in range(count * dim))
labels = bytes(random.randrange(classes) for _ in range(count))
open(sys.argv[1], "wb").write(hdr + body + labels)
open(sys.argv[2], "wb").write((hdr + body + labels)[:-1])
open(sys.argv[3], "wb").write(b"VFEA" + struct.pack("<IIIIfII", 2, count, dim, classes, 0.05, 0, 0) + body + labels)
PY
    if $TO $APP --features "$tmp/f.vfea" --count 3 --json > "$tmp/out" 2> "$tmp/err" &&
       [ "$(field agree "$tmp/out")" = 3 ] &&
       grep -q '"variant":"lola-dense"' "$tmp/out"; then
        ok "features file, generated head: 3 of 3 exact (lola-dense)"
    else
        bad "features file, one process"
    fi
    if start_server "$tmp/srv.err" --once --head 40,4 --dataset features &&
       $TO $APP --connect 127.0.0.1:$port --features "$tmp/f.vfea" --count 2 --json > "$tmp/out" 2> "$tmp/err" &&
       [ "$(field agree "$tmp/out")" = 2 ]; then
        ok "features over TCP: the server holds only the head"
    else
        bad "features over TCP"
    fi
    [ -n "$spid" ] && { stop_server || bad "features server exit status"; }
    check_fail "truncated features file" "cannot read features file" \
        $APP --features "$tmp/trunc.vfea" --count 1
    check_fail "features file of another version" "cannot read features file" \
        $APP --features "$tmp/ver.vfea" --count 1
    check_fail "missing features file" "cannot read features file" \
        $APP --features "$tmp/none.vfea" --count 1
    check_fail "head for other features" "takes 41x1x1 inputs" \
        $APP --features "$tmp/f.vfea" --head 41,4 --count 1
    check_fail "a head in the convolution variant" "needs --variant lola-dense" \
        $APP --features "$tmp/f.vfea" --variant lola --count 1
    check_fail "head with other classes" "outputs, but the data have 4" \
        $APP --features "$tmp/f.vfea" --head 40,5 --count 1

    # 3. CIFAR-10 binary records (label byte + 3072 pixels): the reader's
    #    checks (an encrypted CIFAR-10 run takes minutes and gigabytes even
    #    for a small generated network: doc/11-lola.md section 11 has one)
    mkdir -p "$tmp/cifar"
    python3 - "$tmp/cifar/test_batch.bin" <<'PY'
import random, sys
random.seed(7)
recs = b"".join(bytes([random.randrange(10)]) + bytes(random.randrange(256) for _ in range(3072)) for _ in range(2))
open(sys.argv[1], "wb").write(recs + b"x")
PY
    check_fail "malformed CIFAR-10 file" "cannot load CIFAR-10" \
        $APP --dataset cifar10 --data "$tmp/cifar" --maps 2,3 --count 1
    check_fail "missing CIFAR-10 file" "cannot load CIFAR-10" \
        $APP --dataset cifar10 --data "$tmp/nowhere" --count 1
fi

# 4. Plans only: a small network of the paper's CIFAR-10 shape (the full
#    one takes over a minute to plan), a 4096 -> 101 head
if $TO $APP --dataset cifar10 --maps 4,8 --plan-only --json --kernels conv-plain,diag,dense-row > "$tmp/out" 2> "$tmp/err" &&
   grep -q '"plan":true.*"input_messages":192' "$tmp/out"; then
    ok "plan of a CIFAR-10 network of the paper's shape (192 messages in)"
else
    bad "CIFAR-10 plan"
fi
if $TO $APP --dataset features --head 4096,101 --plan-only --json > "$tmp/out" 2> "$tmp/err" &&
   grep -q '"plan":true.*"variant":"lola-dense"' "$tmp/out"; then
    ok "plan of a 4096 -> 101 head"
else
    bad "head plan"
fi
if $TO $APP --dataset features --head 256,10 --plan-only --json --optimize bytes --queries 5 > "$tmp/out" 2> "$tmp/err" &&
   grep -q '"plan":true.*"optimize":"bytes","bytes_keys":[1-9][0-9]*,"bytes_query":[1-9][0-9]*,"bytes_answer":[1-9]' "$tmp/out"; then
    ok "plan for bytes (--optimize bytes): predicted keys, query, answer"
else
    bad "plan for bytes"
fi

# the planner compiles its candidates in parallel and ranks them in order:
# the same plan report with one thread and with two
if $TO $APP --plan-only --threads 1 > "$tmp/p1" 2> "$tmp/err" &&
   $TO $APP --plan-only --threads 2 > "$tmp/p2" 2> "$tmp/err" &&
   grep -q 'candidate plans considered' "$tmp/p1" && cmp -s "$tmp/p1" "$tmp/p2"; then
    ok "the MNIST plan is the same with one and two threads"
else
    bad "plan with one and two threads"
fi

# 5. Bad input
check_fail "CIFAR-10 without --data" "needs --data" $APP --dataset cifar10 --count 1
check_fail "unknown data set" "unknown data set" $APP --dataset imagenet
check_fail "bad --maps" "maps wants" $APP --dataset cifar10 --maps 3 --plan-only
check_fail "bad --head" "head wants" $APP --head 10,1 --plan-only
check_fail "features without a file" "needs --features" $APP --dataset features
check_fail "generated head without sizes" "needs its sizes" \
    $APP --dataset features --plan-only
check_fail "plan-only with --serve" "runs alone" $APP --plan-only --serve 0
check_fail "bad --optimize" "optimize wants" $APP --optimize speed --plan-only
check_fail "bad --queries" "queries wants" $APP --optimize bytes --queries 0 --plan-only
check_fail "unknown option" "unknown option" $APP --frobnicate

checks_done
