"""The paper's Latent-Pursuit (Alg. 3) as a PyTorch user writes it, batched over signals.

    /usr/bin/python3 bench/peers/latent_pursuit.py FOLDER [--rho 1e-2] [--lam 0]
        [--fista-iterations 5000] [--admm-iterations 5000]

1. last layer: FISTA on min_{x ≥ 0} ½‖y − φ(W_L x + b_L)‖² + λ 1ᵀx, step 1/λ_max(W_Lᵀ W_L);
2. middle layers, last to first: linearized ADMM (Alg. 2) on
   min ½‖c − A x‖² + λ 1ᵀx  s.t.  x ≥ 0, B x + b^{Ŝᶜ} ≤ 0, with A = W^{Ŝ}, B = W^{Ŝᶜ};
3. z: the same iteration without x ≥ 0 (Eq. 10, γ = 0 as for the paper's settings);
4. debiasing: the recovered supports frozen, G is φ(P z + q); Gauss–Newton on ½‖y − φ(P z + q)‖².
The paper's settings: ρ = 1e-2, λ = 0. Supports differ per signal, so the row
selections are masks (Ŝ = 1, Ŝᶜ = 0) and each signal gets its own step
1/λ_max(AᵀA + ρBᵀB). Writes FOLDER/zhat_lp.npy and prints one JSON line.
"""
import argparse
import os
import time

import numpy as np
import torch

from common import activation, load, report

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--rho", type=float, default=1e-2)
p.add_argument("--lam", type=float, default=0.0)
p.add_argument("--fista-iterations", type=int, default=5000)
p.add_argument("--admm-iterations", type=int, default=5000)
p.add_argument("--fista-tol", type=float, default=1e-12)
p.add_argument("--admm-tol", type=float, default=1e-10)
p.add_argument(
    "--support-tol",
    type=float,
    default=1e-4,
    help="relative to the layer's max |x|; at 1e-6, entries FISTA has not yet driven to 0 in 5,000 iterations count as on",
)
p.add_argument("--gn-iterations", type=int, default=50)
args = p.parse_args()


def support(x):
    return (x.abs() > args.support_tol * x.abs().amax(dim=1, keepdim=True)).to(x.dtype)


def fista(W, b, y, phi, dphi):
    """Last layer: projected FISTA from x = 0."""
    L = torch.linalg.eigvalsh(W.T @ W).max()
    x = torch.zeros(y.shape[0], W.shape[1])
    u_prev, t = x.clone(), 1.0
    for k in range(args.fista_iterations):
        pre = x @ W.T + b
        g = (dphi(pre) * (phi(pre) - y)) @ W
        u = torch.relu(x - (g + args.lam) / L)
        t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
        x = u + ((t - 1) / t_next) * (u - u_prev)
        done = (u - u_prev).norm(dim=1) <= args.fista_tol * u.norm(dim=1)
        u_prev, t = u, t_next
        if bool(done.all()):
            break
    return u_prev, k + 1


def admm(W, b, target, nonnegative):
    """Linearized ADMM for one layer; rows where target is on are equations, the others inequalities."""
    m = support(target)
    off = 1 - m
    rho = args.rho
    # Per signal: α + β = λ_max(AᵀA + ρBᵀB) = λ_max(Wᵀ diag(m + ρ(1 − m)) W).
    gram = W.T @ ((m + rho * off)[:, :, None] * W)
    step = 1 / torch.linalg.eigvalsh(gram).amax(dim=1, keepdim=True)
    x = torch.zeros(target.shape[0], W.shape[1])
    a = torch.zeros_like(target)
    u = torch.zeros_like(target)
    scale = target.abs().amax(dim=1)
    for k in range(args.admm_iterations):
        pre = x @ W.T + b
        g = (m * (pre - target) + rho * off * (pre - a - u)) @ W + args.lam * nonnegative
        x_next = x - step * g
        if nonnegative:
            x_next = torch.relu(x_next)
        pre = x_next @ W.T + b
        a = -off * torch.relu(u - pre)
        u = u + off * (a - pre)
        change = (x_next - x).norm(dim=1) <= args.admm_tol * x_next.norm(dim=1)
        feasible = (off * torch.relu(pre)).norm(dim=1) <= args.admm_tol * scale
        x = x_next
        if bool((change & feasible).all()):
            break
    return x, k + 1


def debias(Ws, bs, xs, z, y, phi, dphi):
    """Supports frozen: the output pre-activation is P z + q; Gauss–Newton on ½‖y − φ(P z + q)‖²."""
    P = Ws[0].expand(z.shape[0], -1, -1)
    q = bs[0].expand(z.shape[0], -1)
    for i in range(1, len(Ws)):
        m = support(xs[i - 1])
        P = Ws[i] @ (m[:, :, None] * P)
        q = (m * q) @ Ws[i].T + bs[i]
    for k in range(args.gn_iterations):
        pre = (P @ z[:, :, None]).squeeze(2) + q
        J = dphi(pre)[:, :, None] * P
        delta = torch.linalg.lstsq(J, (y - phi(pre))[:, :, None]).solution.squeeze(2)
        z = z + delta
        if bool((delta.norm(dim=1) <= 1e-13 * z.norm(dim=1)).all()):
            break
    return z


meta, Ws, bs, y = load(args.folder)
phi, dphi = activation(meta["output"])
t0 = time.perf_counter()
with torch.no_grad():
    x, fista_its = fista(Ws[-1], bs[-1], y, phi, dphi)
    xs = [x]  # x̂_L, …, x̂_1, then ẑ
    admm_its = []
    for i in range(len(Ws) - 2, -1, -1):
        x, its = admm(Ws[i], bs[i], x, nonnegative=i > 0)
        xs.insert(0, x)
        admm_its.append(its)
    z = debias(Ws, bs, xs[1:], xs[0], y, phi, dphi)
seconds = time.perf_counter() - t0
np.save(os.path.join(args.folder, "zhat_lp.npy"), z.numpy())
report(method="lp", seconds=seconds, fista_iterations=fista_its, admm_iterations=admm_its)
