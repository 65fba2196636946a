"""Gradient-descent inversion as a PyTorch user writes it: min_z ½‖y − G(z)‖², batched.

    /usr/bin/python3 bench/peers/gd.py FOLDER [--optimizer sgd|adam] [--iterations 10000]
        [--lr 0.1] [--final-lr 1e-3] [--schedule geometric|step] [--seed 0]

SGD with momentum 0.9 (the paper's baseline) or Adam. With --schedule geometric
(SGD's default) the learning rate decays from --lr to --final-lr over the run
(ExponentialLR); with --schedule step (Adam's default, and the paper's) it halves
every 2,500 iterations (StepLR): with each optimizer, the schedule that recovered
more in `npm run bench -- gd-schedules`. The loss is summed over the batch, so
every signal gets its own gradient; every signal runs all the iterations.
Writes FOLDER/zhat_<name>.npy (count × n0) and prints one JSON line with the
wall time of the loop.
"""
import argparse
import os
import time

import numpy as np
import torch

from common import activation, generator, load, report

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
p.add_argument("--iterations", type=int, default=10000)
p.add_argument("--lr", type=float, default=None, help="default 0.1 (sgd), 0.01 (adam)")
p.add_argument("--final-lr", type=float, default=None, help="default lr / 100")
p.add_argument("--schedule", choices=["geometric", "step"], default=None, help="default: geometric (sgd), step (adam)")
p.add_argument("--seed", type=int, default=0)
p.add_argument("--name", default=None, help="output file zhat_<name>.npy (default: the optimizer)")
args = p.parse_args()

meta, Ws, bs, y = load(args.folder)
phi, _ = activation(meta["output"])
G = generator(Ws, bs, phi)
lr = args.lr if args.lr is not None else (0.1 if args.optimizer == "sgd" else 0.01)
final_lr = args.final_lr if args.final_lr is not None else lr / 100
schedule = args.schedule or ("geometric" if args.optimizer == "sgd" else "step")

torch.manual_seed(args.seed)
z = torch.randn(y.shape[0], Ws[0].shape[1], requires_grad=True)
if args.optimizer == "sgd":
    opt = torch.optim.SGD([z], lr=lr, momentum=0.9)
else:
    opt = torch.optim.Adam([z], lr=lr)
if schedule == "geometric":
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=(final_lr / lr) ** (1 / args.iterations))
else:
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2500, gamma=0.5)

t0 = time.perf_counter()
for _ in range(args.iterations):
    opt.zero_grad()
    loss = 0.5 * ((G(z) - y) ** 2).sum()
    loss.backward()
    opt.step()
    sched.step()
seconds = time.perf_counter() - t0

name = args.name or args.optimizer
np.save(os.path.join(args.folder, f"zhat_{name}.npy"), z.detach().numpy())
report(method=name, schedule=schedule, lr=lr, seconds=seconds, iterations=args.iterations, final_loss=loss.item())
