#!/bin/sh
# End-to-end checks of apps/mnist_lola: one process, two processes over TCP,
# and the clear failures a user can provoke (bad model, bad data, port in
# use, bad options, a server that goes away).  Prints one line per check and
# a closing "checks: N passed, N failed".
set -u
APP=${APP:-./apps/mnist_lola}
GEN=${GEN:-./test/apps/gen_model}
case $APP in /*) ;; *) APP=$(pwd)/$APP ;; esac
. "${srcdir:-.}/test/apps/checks.sh"

# 1. One process, JSON: every decrypted logit vector equals the exact
#    integer evaluator's.
if $APP --count 2 --json > "$tmp/out" 2> "$tmp/err" &&
   [ "$(field images "$tmp/out")" = 2 ] && [ "$(field agree "$tmp/out")" = 2 ]; then
    ok "one process: 2 images, decrypted logits equal the exact evaluator"
else
    bad "one process run"
fi
if [ "$(grep -c '"index"' "$tmp/out")" = 2 ] &&
   grep -q '"encrypt_ms"' "$tmp/out" && grep -q '"bytes_up"' "$tmp/out"; then
    ok "JSON lines carry the documented fields"
else
    bad "JSON fields"
fi

# 2. Two processes over TCP on loopback.
if start_server "$tmp/srv.err" --once &&
   $TO $APP --connect 127.0.0.1:$port --count 2 --offset 3 --json > "$tmp/out" 2> "$tmp/err" &&
   [ "$(field agree "$tmp/out")" = 2 ]; then
    ok "two processes over TCP: answers equal the exact evaluator"
else
    bad "two-process run"
fi
stop_server; src=$?
[ $src -eq 0 ] && ok "server ends cleanly after --once" || bad "server exit status $src"

# 3. Clear failures, never a crash (exit status 1 or 2, one message).
printf 'not a model' > "$tmp/bad.vmodel"
check_fail "malformed model file is refused" "cannot load model" \
    $APP --model "$tmp/bad.vmodel" --count 1
check_fail "missing model file is refused" "cannot load model" \
    $APP --model "$tmp/none.vmodel" --count 1
mkdir -p "$tmp/nodata"
check_fail "missing MNIST data explains how to get it" "fetch-mnist" \
    $APP --data "$tmp/nodata" --count 1
mkdir -p "$tmp/baddata"
printf 'garbage' | gzip > "$tmp/baddata/t10k-images-idx3-ubyte.gz"
printf 'garbage' | gzip > "$tmp/baddata/t10k-labels-idx1-ubyte.gz"
check_fail "corrupt MNIST data is refused" "mnist|malformed" \
    $APP --data "$tmp/baddata" --count 1
check_fail "unknown variant" "unknown variant" $APP --variant nope --count 1
check_fail "unknown option" "unknown option" $APP --frobnicate
check_fail "bad count" "count" $APP --count zero
check_fail "bad connect address" "HOST:PORT" $APP --connect nowhere
check_fail "--bind with a name, not an address" "numeric IPv4" \
    $APP --serve 5555 --bind notanip
check_fail "--threads above its maximum" "threads wants 1..256" \
    $APP --threads 1024 --count 1
# a port in use: hold it with a first server
if start_server "$tmp/srv2.err"; then
    check_fail "port in use" "cannot listen" $APP --serve $port
else
    bad "port in use: the first server did not start"
fi
kill $spid 2>/dev/null; wait $spid 2>/dev/null; spid=
check_fail "no server to connect to" "cannot connect" \
    $APP --connect 127.0.0.1:$(free_port) --wait 2 --count 1
# a "server" that accepts and hangs up at once (bounded: 60 s)
if command -v python3 > /dev/null; then
    p3=$(free_port)
    python3 -c "
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(60)
s.bind(('127.0.0.1', $p3)); s.listen(1)
c,_=s.accept(); c.close(); s.close()" &
    spid=$!; pids="$pids $spid"
    sleep 1
    check_fail "a server that drops the connection" "closed the connection|receiving" \
        $APP --connect 127.0.0.1:$p3 --count 1
    kill $spid 2>/dev/null; wait $spid 2>/dev/null; spid=
fi

# 4. Shapes and counts are checked against what was actually loaded: a
#    valid model or a server plan for other images or another number of
#    classes, and offsets past a short test set, are refused.
if [ -x "$GEN" ] && $GEN "$tmp/w56.vmodel" 1 28 56 10 &&
   $GEN "$tmp/c5.vmodel" 1 28 28 5; then
    check_fail "a model for 1x28x56 images is refused" \
        "takes 1x28x56 inputs.*1x28x28" $APP --model "$tmp/w56.vmodel" --count 1
    check_fail "a model with 5 classes is refused" "has 5 outputs" \
        $APP --model "$tmp/c5.vmodel" --count 1
    for m in w56 c5; do
        case $m in w56) re="plan takes 1x28x56";; c5) re="plan has 5 outputs";; esac
        if start_server "$tmp/srv-$m.err" --once --variant cryptonets \
               --model "$tmp/$m.vmodel"; then
            check_fail "a server plan for $m is refused by the client" "$re" \
                $APP --connect 127.0.0.1:$port --count 1
        else
            bad "server for $m did not start"
        fi
        kill $spid 2>/dev/null; wait $spid 2>/dev/null; spid=
    done
else
    bad "cannot write the test models with $GEN"
fi
if command -v python3 > /dev/null; then
    mkdir -p "$tmp/short"
    python3 -c "
import gzip, struct, random
r = random.Random(5); n = 100
gzip.open('$tmp/short/t10k-images-idx3-ubyte.gz', 'wb').write(
    struct.pack('>IIII', 0x803, n, 28, 28) +
    bytes(r.randrange(256) for _ in range(n * 784)))
gzip.open('$tmp/short/t10k-labels-idx1-ubyte.gz', 'wb').write(
    struct.pack('>II', 0x801, n) + bytes(r.randrange(10) for _ in range(n)))"
    check_fail "--offset past a 100-image test set" "exceeds the 100 test images" \
        $APP --data "$tmp/short" --offset 100 --count 1
    check_fail "--offset + --count past a 100-image test set" \
        "exceeds the 100 test images" $APP --data "$tmp/short" --offset 99 --count 2
    # the last image of the short set, run from a folder whose models/
    # holds garbage: the shipped model is used, and named
    mkdir -p "$tmp/cwd/models"
    printf 'garbage' > "$tmp/cwd/models/lola-small.vmodel"
    if (cd "$tmp/cwd" && $TO $APP --data "$tmp/short" --offset 99 --count 1 \
            --variant lola-small > "$tmp/out" 2> "$tmp/err") &&
       grep -q "^ *99 .*exact" "$tmp/out" &&
       ! grep -q "model models/" "$tmp/out"; then
        ok "last image of a short set; a models/ folder in the working directory is not used"
    else
        bad "short set / models folder"; sed 's/^/    /' "$tmp/out"
    fi
fi

checks_done
