#!/bin/sh
# End-to-end check of the LoLa CIFAR-10 network (papers/lola-*.md section
# 4.4) from training to private inference, on CIFAR-10-format files this
# script writes (test/apps/gen_cifar.py; no CIFAR-10 can be downloaded
# here):
#   1. data_batch_1.bin .. data_batch_5.bin (200 records each) and
#      test_batch.bin (200), 3073-byte records (label, 1024 red, 1024
#      green, 1024 blue bytes); class k is a colour of its own plus uniform
#      noise of +-48 per pixel, so the classes are learnable but noisy;
#   2. apps/train_cnn --net lola-cifar --maps 4,8 (the paper's layers at
#      reduced width) trains, quantizes and writes a .vmodel; its exact
#      integer accuracy on the test file must be clearly above chance;
#   3. apps/lola runs that model privately on 2 test images: the decrypted
#      logits must equal the exact integer evaluator's, and the accuracy it
#      reports must be the plaintext evaluation's (train_cnn --eval);
#   4. clear failures on bad options and bad data.
# Prints one line per check and "checks: N passed, N failed".  Skipped (77)
# without python3 >= 3.9 (which writes the data files).
set -u
TRAIN=${TRAIN:-./apps/train_cnn}
APP=${APP:-./apps/lola}
. "${srcdir:-.}/test/apps/checks.sh"
python3 -c 'import random; random.Random(1).randbytes(1)' 2> /dev/null ||
    { echo "SKIP: no python3 >= 3.9"; exit 77; }

# 1. The data (test/apps/gen_cifar.py: colour of the class plus noise)
mkdir -p "$tmp/c" "$tmp/bad"
python3 "${srcdir:-.}/test/apps/gen_cifar.py" "$tmp/c" 200 200 colour > "$tmp/err" 2>&1
# a directory whose training files are fine but whose test file is cut
for i in 1 2 3 4 5; do cp "$tmp/c/data_batch_$i.bin" "$tmp/bad/"; done
head -c 6246 "$tmp/c/test_batch.bin" > "$tmp/bad/test_batch.bin"
[ -s "$tmp/c/test_batch.bin" ] && ok "CIFAR-10-format files written" ||
    bad "writing the data files"

# 2. Training (3 epochs and 2 of fine-tuning through the quantization)
M=$tmp/lola-cifar.vmodel
if $TO $TRAIN --net lola-cifar --data "$tmp/c" --maps 4,8 --epochs 3 \
       --threads 1 --out "$M" > "$tmp/train" 2> "$tmp/err" && [ -s "$M" ]; then
    ok "train_cnn --net lola-cifar --maps 4,8 wrote a model"
else
    bad "training"
fi
# "test images: float F%, quantized (exact integer evaluator) Q% = N of 200"
n=$(sed -n 's/^test images: .* = \([0-9]*\) of 200.*/\1/p' "$tmp/train")
sed -n 's/^test images: /    /p' "$tmp/train"
if [ -n "$n" ] && [ "$n" -ge 100 ]; then # chance: 20 of 200
    ok "exact integer accuracy $n of 200 test images (chance: 20)"
else
    bad "accuracy above chance (got '$n' of 200)"
fi
grep -q "conv2d   4x14x14" "$tmp/train" && grep -q "conv2d   8x5x5" "$tmp/train" &&
    ok "the layers of the paper's network (4x14x14, 8x5x5)" ||
    bad "layer shapes"

# 3. Private inference of 2 test images, against the plaintext evaluation
if $TO $TRAIN --eval "$M" --net lola-cifar --data "$tmp/c" --test-limit 2 \
       > "$tmp/eval" 2> "$tmp/err"; then
    ok "train_cnn --eval"
else
    bad "train_cnn --eval"
fi
want=$(sed -n 's/.* = \([0-9]*\) of 2,.*/\1/p' "$tmp/eval")
if $TO $APP --dataset cifar10 --data "$tmp/c" --model "$M" --count 2 --json \
       --kernels conv-plain,diag,stacked > "$tmp/lola" 2> "$tmp/err" &&
   [ "$(field images "$tmp/lola")" = 2 ] && [ "$(field agree "$tmp/lola")" = 2 ]; then
    ok "apps/lola: decrypted logits equal the exact evaluator on 2 of 2"
else
    bad "apps/lola on the trained model"
fi
got=$(field correct "$tmp/lola")
if [ -n "$want" ] && [ "$got" = "$want" ] &&
   [ "$(field accuracy "$tmp/lola")" = "$(awk "BEGIN { printf \"%.4f\", $want / 2 }")" ]; then
    ok "apps/lola's accuracy ($got of 2) is the plaintext evaluation's"
else
    echo "    apps/lola: '$got' correct, plaintext: '$want'"; bad "accuracy"
fi

# 4. Bad options and bad data
check_fail "unknown network" "unknown network" $TRAIN --net resnet
check_fail "lola-cifar without --data" "needs --data" $TRAIN --net lola-cifar
check_fail "bad --maps" "maps wants" $TRAIN --net lola-cifar --maps 4 --data "$tmp/c"
check_fail "--maps 0" "maps wants" $TRAIN --net lola-cifar --maps 0,8 --data "$tmp/c"
check_fail "--wbits out of range" "wbits wants" $TRAIN --net lola-cifar --wbits 1 --data "$tmp/c"
check_fail "--maps for CNN-7" "need --net lola-cifar" $TRAIN --maps 4,8
check_fail "a truncated test file" "cannot load CIFAR-10" \
    $TRAIN --net lola-cifar --data "$tmp/bad" --maps 2,2 --epochs 1
check_fail "no data files" "cannot load CIFAR-10" \
    $TRAIN --net lola-cifar --data "$tmp/nowhere"
check_fail "--eval of a missing model" "cannot load model" \
    $TRAIN --eval "$tmp/none.vmodel" --net lola-cifar --data "$tmp/c"
check_fail "a stray argument" "unexpected argument" $TRAIN --net lola-cifar extra
check_fail "apps/lola: --maps with a model file" "has its own" \
    $APP --dataset cifar10 --data "$tmp/c" --model "$M" --maps 2,2 --count 1

checks_done
