#!/bin/sh
# End-to-end checks of apps/safenet: one process, two processes over TCP,
# a client with another model refused by the model hash, a bad option.
set -u
B=${top_builddir:-.}
APP=$B/apps/safenet
MK=$B/test/safenet/mkmodel
T=$(mktemp -d)
trap 'kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
SRV=
fail() { echo "FAIL: $*"; exit 1; }

$MK "$T/a.vmodel" 1 || fail "mkmodel a"
$MK "$T/b.vmodel" 2 || fail "mkmodel b"

# 1. one process, the real offline phase (HE, OT, BFV triples)
$APP --model "$T/a.vmodel" --count 2 --json > "$T/one.json" 2> "$T/one.err" ||
    fail "one process: $(cat "$T/one.err")"
grep -q '"summary":true,"plan":"file"' "$T/one.json" ||
    grep -q '"summary":true' "$T/one.json" || fail "no summary"
grep -q '"agree":2' "$T/one.json" || fail "one process: not all agree"

# 2. two processes over TCP (port from the OS range, retried on collision)
for try in 1 2 3; do
    PORT=$(( 20000 + ($$ * 7 + try * 131) % 30000 ))
    $APP --model "$T/a.vmodel" --serve $PORT > "$T/srv.out" 2> "$T/srv.err" &
    SRV=$!
    sleep 1
    kill -0 $SRV 2>/dev/null && break
done
timeout 600 $APP --model "$T/a.vmodel" --connect 127.0.0.1:$PORT --count 2 \
    --json > "$T/cli.json" 2> "$T/cli.err" || fail "client: $(cat "$T/cli.err")"
wait $SRV || fail "server: $(cat "$T/srv.err")"
grep -q '"agree":2' "$T/cli.json" || fail "two processes: not all agree"

# 3. different models: refused by the hash, on both sides
$APP --model "$T/a.vmodel" --serve $((PORT + 1)) > /dev/null 2> "$T/srv2.err" &
SRV=$!
sleep 1
if timeout 120 $APP --model "$T/b.vmodel" --connect 127.0.0.1:$((PORT + 1)) \
    > /dev/null 2> "$T/cli2.err"; then
    fail "a client with another model was served"
fi
grep -q "model hash mismatch" "$T/cli2.err" || fail "client message: $(cat "$T/cli2.err")"
wait $SRV && fail "the server accepted another model"
grep -q "model hash mismatch" "$T/srv2.err" || fail "server message: $(cat "$T/srv2.err")"

# 4. the shipped MNIST CNN-7 with its SAFENet plan (ReLU, degree-2 and
# degree-3 channels at 15 fractional bits) on 2 test images, two processes:
# both predictions equal the reference evaluator's (skipped without MNIST)
S=${srcdir:-.}
MODEL=$S/models/cnn7-mnist-safenet.vmodel
PORT=$((PORT + 2))
$APP --model "$MODEL" --serve $PORT > /dev/null 2> "$T/srv3.err" &
SRV=$!
sleep 1
if timeout 900 $APP --model "$MODEL" --connect 127.0.0.1:$PORT --count 2 \
    --json > "$T/mnist.json" 2> "$T/mnist.err"; then
    wait $SRV || fail "MNIST server: $(cat "$T/srv3.err")"
    grep -q '"summary":true,"plan":"model","images":2,"agree":2' \
        "$T/mnist.json" || fail "MNIST: not all agree: $(cat "$T/mnist.json")"
    echo "MNIST CNN-7 SAFENet plan, two processes: 2 of 2 agree"
elif grep -q "cannot load MNIST" "$T/mnist.err"; then
    kill $SRV 2>/dev/null
    echo "SKIP: MNIST CNN-7 (no MNIST data; set MNIST_DIR)"
else
    fail "MNIST client: $(cat "$T/mnist.err")"
fi

# 5. bad option, help
$APP --count 0 2> /dev/null && fail "--count 0 accepted"
$APP --help | grep -q "usage" || fail "--help"
echo "PASS: apps/safenet end to end"
