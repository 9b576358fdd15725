#!/usr/bin/env python3
"""Write a synthetic data set in the CIFAR-10 binary format.

    gen_cifar.py DIR TRAIN_PER_FILE TEST [colour|grating] [SEED]

DIR gets data_batch_1.bin .. data_batch_5.bin (TRAIN_PER_FILE records
each) and test_batch.bin (TEST records): 3073-byte records of a label byte
(0..9) and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each 32 rows
of 32), as in cifar-10-binary.tar.gz.  Labels are uniform.  Images:

  colour   class k is a colour of its own, plus uniform noise of +-48 per
           pixel (learnable from the mean colour; test/apps/
           train_lola_cifar.sh)
  grating  class k is a sine grating of orientation 18 k degrees, period
           5.6 pixels, random phase, amplitude 40..100 and tint, plus
           uniform noise of +-40 per pixel (needs oriented filters; classes
           k and 10 - k are mirror images: train with --no-flip)

No CIFAR-10 can be downloaded here; these files only exercise the reader,
the trainer and apps/lola (doc/12-cnn-training.md section 7).  The output
is a deterministic function of the arguments.  Needs Python >= 3.9.
"""
import math
import random
import sys

COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40),
           (200, 40, 200), (40, 200, 200), (120, 120, 120), (230, 140, 60),
           (60, 140, 230), (140, 60, 140)]


def main():
    if len(sys.argv) < 4 or len(sys.argv) > 6:
        sys.exit(__doc__)
    out, per, ntest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    kind = sys.argv[4] if len(sys.argv) > 4 else "colour"
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 11
    if kind not in ("colour", "grating") or not 0 < per <= 10000 \
            or not 0 < ntest <= 10000:
        sys.exit(__doc__)
    rng = random.Random(seed)
    # tab[k][c][b]: channel c of a colour-k pixel from a random byte b
    tab = [[bytes(max(0, min(255, v + b % 97 - 48)) for b in range(256))
            for v in col] for col in COLOURS]

    def colour(k):
        return b"".join(rng.randbytes(1024).translate(tab[k][c])
                        for c in range(3))

    def grating(k):
        th = math.pi * k / 10
        co, si = math.cos(th), math.sin(th)
        ph = rng.uniform(0, 2 * math.pi)
        amp = rng.uniform(40, 100)
        tint = [rng.uniform(0.6, 1.0) for _ in range(3)]
        base = [amp * math.sin(2 * math.pi * 0.18 * (x * co + y * si) + ph)
                for y in range(32) for x in range(32)]
        noise = rng.randbytes(3072)
        px = bytearray(3072)
        for c in range(3):
            for i in range(1024):
                v = int(128 + tint[c] * base[i] + noise[c * 1024 + i] % 81
                        - 40)
                px[c * 1024 + i] = min(255, max(0, v))
        return bytes(px)

    image = colour if kind == "colour" else grating

    def records(n):
        recs = []
        for _ in range(n):
            k = rng.randrange(10)
            recs.append(bytes([k]) + image(k))
        return b"".join(recs)

    for i in range(1, 6):
        with open("%s/data_batch_%d.bin" % (out, i), "wb") as f:
            f.write(records(per))
    with open(out + "/test_batch.bin", "wb") as f:
        f.write(records(ntest))


if __name__ == "__main__":
    main()
