#!/usr/bin/python3
"""PyTorch twin of the informed autoencoder (issue 5, bench/train): the same CNN encoder, physical scaler,
differentiable CCS template decoder (autograd instead of analytic tangents) and closed-form-gain loss,
trained by torch.optim.AdamW on the CPU in double precision.

The C side writes the template/geometry (bench/train -bench_template t.txt) and its initial parameters
(-bench_init init.h5); with -train_shuffle 0 -train_val_fraction 0 both sides see the same batches in the
same order, so their losses agree to rounding and the time per epoch can be compared at equal loss.

Run with Debian's python: /usr/bin/python3 train_torch.py --data d.h5 --template t.txt --init init.h5
(libopenblas0-pthread installed so that torch uses OpenBLAS, as the C build does)."""
import argparse, time
import numpy as np
import h5py
import torch

A, LAM, ZMAX, RSUM = 96.0, 1000.0, 14e-3, 1.0


def read_template(path):
    with open(path) as f:
        rows = [list(map(float, l.split())) for l in f if l.strip()]
    nf, ne, nc, nt, fs, K = (int(rows[0][0]), int(rows[0][1]), int(rows[0][2]), int(rows[0][3]), rows[0][4], int(rows[0][5]))
    r = 1
    fib = np.array(rows[r:r + nf]); r += nf
    el = np.array(rows[r:r + ne]); r += ne
    ch = np.array(rows[r:r + nc]); r += nc
    bounds = np.array(rows[r:r + K]); r += K
    depth = rows[r][0]
    M = np.zeros((nc, ne))
    for c in range(nc):
        for j in range(3):
            e = int(ch[c, j])
            if e >= 0:
                M[c, e] += ch[c, 3 + j]
    return dict(fib=fib, el=el, M=M, fs=fs, nt=nt, K=K, lo=bounds[:, 0], hi=bounds[:, 1], depth=depth)


def G(z):  # V'/a
    return (3 * z * z - LAM * z ** 3) * torch.exp(-LAM * z)


def F(z):  # antiderivative of z V''/a
    return (2 * z ** 3 - LAM * z ** 4) * torch.exp(-LAM * z)


class CCSDecoder(torch.nn.Module):
    def __init__(self, t):
        super().__init__()
        d = lambda a: torch.tensor(a, dtype=torch.float64)
        f = t["fib"]
        self.ox, self.oy, self.oz, self.ip, self.L, self.dcv = (d(f[:, i])[None, :, None] for i in range(6))
        self.ex, self.ey, self.ez = (d(t["el"][:, i]) for i in range(3))
        self.M = d(t["M"])
        self.time = d(np.arange(t["nt"]) / t["fs"])[None, None, :]
        self.zb = [0.0, (3 - np.sqrt(3)) / LAM, (3 + np.sqrt(3)) / LAM, ZMAX]
        self.depth = t["depth"]
        self.K = t["K"]

    def forward(self, theta):  # theta (B, K) -> y (B, C, T)
        iz, v = theta[:, 0, None, None], theta[:, 1, None, None]
        dz = (self.depth - theta[:, 2, None, None]) if self.K > 2 else 0.0
        s = (v + self.dcv) * self.time                         # (B, F, T)
        phi = 0.0
        for side in (-1, 1):
            ell = self.ip if side < 0 else self.L - self.ip
            ze = [torch.minimum(torch.maximum(torch.full_like(s, z), s - ell), s) for z in self.zb]
            for k in range(1, 4):
                g, b = ze[k - 1], ze[k]
                w = b - g
                live = w > 0
                wide = w > 1e-9
                den = torch.where(wide, G(b) - G(g), torch.ones_like(w))
                zbar = torch.where(wide, (F(b) - F(g)) / den, 0.5 * (g + b))
                cur = torch.where(live, (A / RSUM) * (G(b) - G(g)), torch.zeros_like(w))
                xi = (zbar + self.ip) - s if side < 0 else (-zbar + self.ip) + s
                px = (self.ox + iz + xi)[..., None]            # (B, F, T, 1)
                py = self.oy[..., None]
                pz = (self.oz + dz)[..., None]
                r = torch.sqrt((px - self.ex) ** 2 + (py - self.ey) ** 2 + (pz - self.ez) ** 2)
                phi = phi + (cur[..., None] / r).sum(dim=1)    # (B, T, E)
        return torch.einsum("bte,ce->bct", phi, self.M)


def encoder(C, T, K, conv=(16, 32, 64), kernel=7, dense=(128,)):
    """Same layer order as the C encoder: [conv k 'same', ReLU, avgpool 2] per block, flatten, dense..., dense K."""
    layers, c = [], C
    for f in conv:
        layers += [torch.nn.Conv1d(c, f, kernel, padding=kernel // 2), torch.nn.ReLU(), torch.nn.AvgPool1d(2)]
        c, T = f, T // 2
    layers.append(torch.nn.Flatten())
    n = c * T
    for w in dense:
        layers += [torch.nn.Linear(n, w), torch.nn.ReLU()]
        n = w
    layers.append(torch.nn.Linear(n, K))
    return torch.nn.Sequential(*layers).double()


def gain_loss(x, y):  # per-sample closed-form gain, clamped >= 0; mean over the batch
    g = torch.clamp((x * y).sum(dim=(1, 2)) / (y * y).sum(dim=(1, 2)), min=0.0)[:, None, None]
    return ((x - g * y) ** 2).mean(dim=(1, 2)).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--init", help="C initial parameters (bench/train -bench_init)")
    ap.add_argument("--compare", help="C model after the same training: report the parameter difference")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--max_steps", type=int, default=0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--conv", default="16,32,64", help="filters per conv block (as -enc_conv)")
    ap.add_argument("--kernel", type=int, default=7)
    ap.add_argument("--dense", default="128", help="hidden dense widths (as -enc_dense)")
    ap.add_argument("--tolerance", type=float, default=0.0, help="with --compare: exit 1 if the difference exceeds it")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    t = read_template(a.template)
    with h5py.File(a.data, "r") as f:
        x = np.array(f["/emg/data"], dtype=np.float64)
    x /= np.abs(x).reshape(len(x), -1).max(axis=1)[:, None, None]
    X = torch.tensor(x)
    N, C, T = X.shape
    ints = lambda s: tuple(int(v) for v in s.split(",") if v)
    enc, dec = encoder(C, T, t["K"], ints(a.conv), a.kernel, ints(a.dense)), CCSDecoder(t)
    lo, hi = torch.tensor(t["lo"]), torch.tensor(t["hi"])
    params = list(enc.parameters())
    if a.init:
        with h5py.File(a.init, "r") as f:
            P = np.array(f["params"])
        off = 0
        with torch.no_grad():
            for p in params:
                p.copy_(torch.tensor(P[off:off + p.numel()]).reshape(p.shape)); off += p.numel()
        assert off == len(P), "parameter count differs from the C model"
    else:
        with torch.no_grad():
            params[-1].zero_()
    opt = torch.optim.AdamW(params, lr=a.lr)  # torch defaults: betas (0.9, 0.999), eps 1e-8, wd 1e-2
    steps = N // a.batch
    done = 0
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {N} samples x {C} x {T}, {sum(p.numel() for p in params)} parameters, {t['fib'].shape[0]} fibres")
    for ep in range(a.epochs):
        t0, c0, tot = time.perf_counter(), time.process_time(), 0.0
        for k in range(steps):
            xb = X[k * a.batch:(k + 1) * a.batch]
            theta = lo + (hi - lo) * torch.sigmoid(enc(xb))
            loss = gain_loss(xb, dec(theta))
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
            done += 1
            if a.max_steps and done >= a.max_steps:
                break
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        n = k + 1
        print(f"epoch {ep} steps {n} train {tot / n:.6e} wall {dt:.3f} s ({n * a.batch / dt:.1f} samples/s), CPU {dc:.3f} s ({n * a.batch / dc:.1f} samples/s per busy core)")
        if a.max_steps and done >= a.max_steps:
            break
    if a.compare:
        with h5py.File(a.compare, "r") as f:
            P = np.array(f["params"])
        Q = np.concatenate([p.detach().numpy().ravel() for p in params])
        rel = np.abs(P - Q).max() / np.abs(P).max()
        print(f"parameters vs C after {done} steps: max |diff| / max |P| = {rel:.3e}")
        if a.tolerance > 0:
            ok = rel <= a.tolerance
            print(f"C and PyTorch parameters agree to {a.tolerance:.0e}: {'ok' if ok else 'FAIL'}")
            raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
