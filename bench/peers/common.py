"""Shared by the peer scripts: read the generator and the signals the TS bench wrote.

A problem folder (written by bench/peers.ts) holds
  model.json   {"layers": L+1, "output": {"kind": "plu", "alpha": 0.1, "c": 1}, ...}
  W0.npy b0.npy … WL.npy bL.npy   float64, W_i is n_{i+1} × n_i (BatchNorm already folded in)
  z.npy        count × n0, the true latents (only for the forward check)
  y.npy        count × n, the observations y = G(z)
Signals are rows here (batch first, as PyTorch has it); the TS side stores them as columns.

Run as a script, it writes forward.npy = G(z) for the forward-pass check.
"""
import json
import os
import sys

import numpy as np
import torch

torch.set_num_threads(os.cpu_count())
torch.set_default_dtype(torch.float64)


def load(folder):
    with open(os.path.join(folder, "model.json")) as f:
        meta = json.load(f)
    Ws = [torch.from_numpy(np.load(os.path.join(folder, f"W{i}.npy"))) for i in range(meta["layers"])]
    bs = [torch.from_numpy(np.load(os.path.join(folder, f"b{i}.npy"))) for i in range(meta["layers"])]
    y = torch.from_numpy(np.load(os.path.join(folder, "y.npy")))
    return meta, Ws, bs, y


def activation(spec):
    """φ and φ′ of src/core/model/activations.ts, elementwise on tensors."""
    kind = spec["kind"]
    if kind == "identity":
        return (lambda x: x), (lambda x: torch.ones_like(x))
    if kind == "tanh":
        return torch.tanh, (lambda x: 1 - torch.tanh(x) ** 2)
    if kind == "sigmoid":
        return torch.sigmoid, (lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)))
    if kind == "leaky_relu":
        a = spec["slope"]
        return (lambda x: torch.where(x >= 0, x, a * x)), (lambda x: torch.where(x >= 0, 1.0, a))
    if kind == "plu":
        a, c = spec["alpha"], spec["c"]

        def plu(x):
            # max(α(x+c) − c, min(α(x−c) + c, x)): the same branches as activations.ts.
            return torch.where(x > c, a * (x - c) + c, torch.where(x < -c, a * (x + c) - c, x))

        return plu, (lambda x: torch.where((x > c) | (x < -c), a, 1.0))
    raise SystemExit(f"output activation {kind} is not supported by the peer scripts")


def generator(Ws, bs, phi):
    """G(z) for a batch z (count × n0): ReLU hidden layers, φ at the output."""

    def G(z):
        x = z
        for W, b in zip(Ws[:-1], bs[:-1]):
            x = torch.relu(x @ W.T + b)
        return phi(x @ Ws[-1].T + bs[-1])

    return G


def report(**fields):
    fields["threads"] = torch.get_num_threads()
    fields["torch"] = torch.__version__
    print(json.dumps(fields))


if __name__ == "__main__":
    folder = sys.argv[1]
    meta, Ws, bs, _ = load(folder)
    phi, _ = activation(meta["output"])
    z = torch.from_numpy(np.load(os.path.join(folder, "z.npy")))
    with torch.no_grad():
        np.save(os.path.join(folder, "forward.npy"), generator(Ws, bs, phi)(z).numpy())
    report(forward=True)
