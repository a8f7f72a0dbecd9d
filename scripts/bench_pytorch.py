#!/usr/bin/env python3
"""The PyTorch side of `tributary bench`: the same MLPs, SGD lr 0.05, batch 32, one thread.

Training throughput in examples/s (forward, cross-entropy, backward, optimizer step per
minibatch of seeded Gaussian data) and the empirical Fisher diagonal (mean of per-example
squared gradients, computed with torch.func.vmap over per-example grads) in ms per 1,000
examples. Prints JSON lines like `tributary bench --json`.

Usage: pip install torch && python3 scripts/bench_pytorch.py [--examples 8192 --epochs 5]
"""
import argparse
import json
import statistics
import time

import torch
from torch.func import functional_call, grad, vmap

parser = argparse.ArgumentParser()
parser.add_argument("--models", default="64;256,256")
parser.add_argument("--examples", type=int, default=8192)
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--repeats", type=int, default=5)
args = parser.parse_args()

torch.set_num_threads(1)
torch.manual_seed(1)
x = torch.randn(args.examples, 64)
y = torch.randint(0, 10, (args.examples,))


def mlp(widths):
    layers, fan_in = [], 64
    for w in widths:
        layers += [torch.nn.Linear(fan_in, w), torch.nn.ReLU()]
        fan_in = w
    layers.append(torch.nn.Linear(fan_in, 10))
    return torch.nn.Sequential(*layers)


for spec in args.models.split(";"):
    widths = [int(w) for w in spec.split(",")]
    name = "64-" + "-".join(map(str, widths)) + "-10"
    throughput, fisher_ms = [], []
    for rep in range(args.repeats):
        torch.manual_seed(rep)
        model = mlp(widths)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        loss_fn = torch.nn.CrossEntropyLoss()
        start = time.perf_counter()
        for _ in range(args.epochs):
            perm = torch.randperm(args.examples)
            for i in range(0, args.examples, args.batch_size):
                idx = perm[i:i + args.batch_size]
                opt.zero_grad()
                loss = loss_fn(model(x[idx]), y[idx])
                loss.backward()
                opt.step()
        throughput.append(args.examples * args.epochs / (time.perf_counter() - start))

        params = {k: v.detach() for k, v in model.named_parameters()}

        def sample_loss(p, xi, yi):
            out = functional_call(model, p, (xi.unsqueeze(0),))
            return torch.nn.functional.cross_entropy(out, yi.unsqueeze(0))

        per_sample = vmap(grad(sample_loss), in_dims=(None, 0, 0))
        start = time.perf_counter()
        fisher = {k: torch.zeros_like(v) for k, v in params.items()}
        for i in range(0, args.examples, 256):
            grads = per_sample(params, x[i:i + 256], y[i:i + 256])
            for k in fisher:
                fisher[k] += (grads[k] ** 2).sum(0)
        for k in fisher:
            fisher[k] /= args.examples
        fisher_ms.append((time.perf_counter() - start) / args.examples * 1000 * 1000)
    print(json.dumps({
        "impl": f"pytorch {torch.__version__}", "model": name, "batch": args.batch_size,
        "examples_per_s": int(statistics.median(throughput)),
        "fisher_ms_per_1000": round(statistics.median(fisher_ms), 2),
    }))
