#!/bin/sh
# End-to-end checks of apps/mnist_lola: one process, two processes over TCP,
# and the clear failures a user can provoke (bad model, bad data, port in
# use, bad options, a server that goes away).  Prints one line per check and
# a closing "checks: N passed, N failed".
set -u
APP=${APP:-./apps/mnist_lola}
tmp=$(mktemp -d)
trap 'kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT
spid=
pass=0; failn=0
ok()  { pass=$((pass + 1)); echo "PASS: $1"; }
bad() { failn=$((failn + 1)); echo "FAIL: $1"; [ -f "$tmp/err" ] && sed 's/^/    /' "$tmp/err"; }
# field NAME FILE: the value of "NAME": in the summary line of FILE
field() { grep '"summary":true' "$2" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }

# A free port: ask the kernel for one, via a listener that exits at once.
port=$(( 20000 + ($$ % 20000) ))

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
$APP --serve $port --once > "$tmp/srv" 2> "$tmp/srv.err" &
spid=$!
# wait (at most 5 minutes on a loaded machine) until it listens
i=0
while [ $i -lt 300 ] && ! grep -q listening "$tmp/srv.err" 2>/dev/null; do
    sleep 1; i=$((i + 1))
done
if $APP --connect 127.0.0.1:$port --count 2 --offset 3 --json > "$tmp/out" 2> "$tmp/err" &&
   [ "$(field agree "$tmp/out")" = 2 ]; then
    ok "two processes over TCP: answers equal the exact evaluator"
else
    bad "two-process run"
fi
wait $spid; src=$?; spid=
[ $src -eq 0 ] && ok "server ends cleanly after --once" || bad "server exit status $src"

# 3. Clear failures, never a crash (exit status 1 or 2, one message).
check_fail() { # NAME EXPECTED-REGEX CMD...
    name=$1; re=$2; shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"; st=$?
    if [ $st -ge 1 ] && [ $st -le 3 ] && grep -qiE "$re" "$tmp/err"; then
        ok "$name"
    else
        echo "    exit status $st"; bad "$name"
    fi
}
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
# a port in use: hold it with a first server
$APP --serve $((port + 1)) > /dev/null 2> "$tmp/srv2.err" &
spid=$!
i=0
while [ $i -lt 300 ] && ! grep -q listening "$tmp/srv2.err" 2>/dev/null; do
    sleep 1; i=$((i + 1))
done
check_fail "port in use" "cannot listen" $APP --serve $((port + 1))
kill $spid 2>/dev/null; wait $spid 2>/dev/null; spid=
check_fail "no server to connect to" "cannot connect" \
    $APP --connect 127.0.0.1:$((port + 2)) --wait 2 --count 1
# a "server" that accepts and hangs up at once
if command -v python3 > /dev/null; then
    python3 -c "
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $((port + 3)))); s.listen(1)
c,_=s.accept(); c.close(); s.close()" &
    spid=$!
    sleep 1
    check_fail "a server that drops the connection" "closed the connection|receiving" \
        $APP --connect 127.0.0.1:$((port + 3)) --count 1
    wait $spid 2>/dev/null; spid=
fi

echo "checks: $pass passed, $failn failed"
[ $failn -eq 0 ]
