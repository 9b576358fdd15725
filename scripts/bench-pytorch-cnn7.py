#!/usr/bin/env python3
"""Optional measuring stick: PyTorch CPU training throughput of CNN-7.

veil never depends on PyTorch.  This script only measures the network that
`veil-bench train` measures (nn_model_cnn7: conv3x3 64 pad 1, ReLU,
conv3x3 64 pad 1, ReLU, meanpool 2, conv3x3 64 pad 1, ReLU, conv3x3 64
pad 1, ReLU, meanpool 2, conv3x3 64 pad 1, ReLU, conv1x1 64, ReLU,
conv1x1 16, ReLU, dense 1024 -> 10), one step = forward + softmax
cross-entropy + backward + Adam, batch 64, on random inputs, with 1 and 2
threads, and prints rows in veil-bench's JSON form with "impl":"pytorch".

    python3 scripts/bench-pytorch-cnn7.py [--runs R] [--batches B]
        [--threads 1,2] [--input 1x32x32,3x32x32]

Install (Debian): apt-get install python3-torch.  Each run times B steps
after 2 warm-up steps; images_per_s = 64 B / (median run time).
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    sys.exit("bench-pytorch-cnn7: PyTorch is not installed "
             "(Debian: apt-get install python3-torch); it is optional")


def cnn7(channels):
    def conv(cin, cout, k, pad):
        return nn.Conv2d(cin, cout, k, stride=1, padding=pad)

    return nn.Sequential(
        conv(channels, 64, 3, 1), nn.ReLU(),
        conv(64, 64, 3, 1), nn.ReLU(), nn.AvgPool2d(2, 2),
        conv(64, 64, 3, 1), nn.ReLU(),
        conv(64, 64, 3, 1), nn.ReLU(), nn.AvgPool2d(2, 2),
        conv(64, 64, 3, 1), nn.ReLU(),
        conv(64, 64, 1, 0), nn.ReLU(),
        conv(64, 16, 1, 0), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 8 * 8, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--batches", type=int, default=4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--input", default="3x32x32,1x32x32")
    a = ap.parse_args()
    torch.manual_seed(7)
    for t in [int(x) for x in a.threads.split(",")]:
        torch.set_num_threads(t)
        for inp in a.input.split(","):
            ch = int(inp.split("x")[0])
            model = cnn7(ch)
            opt = torch.optim.Adam(model.parameters(), lr=1e-4)
            loss_fn = nn.CrossEntropyLoss()
            x = torch.rand(a.batch, ch, 32, 32)
            y = torch.randint(0, 10, (a.batch,))

            def step():
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()

            for _ in range(2):
                step()
            times = []
            cpu = []
            for _ in range(a.runs):
                w0, c0 = time.perf_counter(), time.process_time()
                for _ in range(a.batches):
                    step()
                times.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
            med = statistics.median(times)
            row = {"suite": "train", "op": "cnn7_fwd_bwd", "impl": "pytorch",
                   "version": torch.__version__, "input": inp,
                   "batch": a.batch, "threads": t,
                   "images_per_s": round(a.batch * a.batches / med, 1),
                   "images_per_cpu_s": round(
                       a.batch * a.batches / statistics.median(cpu), 1),
                   "median_us": round(med * 1e6 / a.batches),
                   "runs": a.runs}
            print(json.dumps(row, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
