"""The PyTorch side of `make bench`: the four reference workloads of
bench/WORKLOADS.md (W1 dcgan-fmnist, W2 pix2pix-64, W3 cyclegan-64,
W4 adain-128) and the W4 stylisation at 256x256 (called W4S here), timed on
the CPU with the same shapes the C library runs.

Run with Debian's python3-torch:
    /usr/bin/python3 bench/torch_workloads.py                    # all, 1 and 2 threads
    /usr/bin/python3 bench/torch_workloads.py --workloads W1 --threads 2 --steps 2
    /usr/bin/python3 bench/torch_workloads.py --info-only        # counts only, no timing
    /usr/bin/python3 bench/torch_workloads.py --info-only --layers  # ... and every layer's MACs

Every workload and thread count runs in its own child process, so that the
child's peak resident memory (ru_maxrss) is that workload's alone. Output is
one line per fact, first the workload, then the kind of line, then key=value:
    W1 params net=G count=1818625
    W1 flops net=G batch=64 fwd_gflop=... passes=4
    W1 flops gflop_per_step=...
    W1 time impl=torch threads=2 batch=64 steps=5 ms_per_step=... ms_min=...
       images_per_s=... gflop_per_s=... cpu_ms_per_step=... max_rss_mb=... base_rss_mb=...
(one line each; wrapped here). Lines starting with '#' are comments.

FLOPs count the convolutions and linear layers only (norms, activations and
losses are left out): 2 * MACs, where a convolution does
B*OC*OH*OW*C*K*K MACs (padding included, as im2col + GEMM computes it), a
transposed convolution B*C*H*W*OC*K*K (input size H, W), a linear layer
B*IN*OUT. A pass through a network costs, in forward-pass units:
    1  forward only (no gradient: under no_grad, or a frozen net not backpropagated)
    2  forward + backward to its input only (a frozen net, e.g. D in G's update)
    3  forward + backward to input and weights (a net being trained)
The unneeded input gradient of a net's first layer is still counted (nominal).
`passes` on a flops line is the sum of these units over the step.

The step of each workload, which the C side must reproduce to compare:
  W1  z1 ~ N(0,1) (64x100); fake = G(z1) under no_grad; D update on
      BCE(D(real), 1) + BCE(D(fake), 0), real and fake as two batches of 64
      (BatchNorm statistics per batch); then z2 fresh, G update on
      BCE(D(G(z2)), 1) with D frozen.  G passes 1 + 3, D passes 3 + 3 + 2.
  W2  fake = G(A); D update on 0.5 (BCE(D(A,B), 1) + BCE(D(A,fake), 0));
      then G update on BCE(D(A,fake), 1) + 100 L1(fake, B), D frozen.
      G passes 3, D passes 3 + 3 + 2.
  W3  G update (D_A, D_B frozen): fake_B = G_AB(A), rec_A = G_BA(fake_B),
      fake_A = G_BA(B), rec_B = G_AB(fake_A), idt_B = G_AB(B), idt_A = G_BA(A);
      loss = MSE(D_B(fake_B), 1) + MSE(D_A(fake_A), 1)
           + 10 (L1(rec_A, A) + L1(rec_B, B)) + 5 (L1(idt_B, B) + L1(idt_A, A)).
      Then D update: 0.5 (MSE(D_A(A), 1) + MSE(D_A(fake_A), 0)) + the same
      for D_B with B and fake_B (no image pool).  One Adam for both G's, one
      for both D's.  G_AB, G_BA passes 9 each; D_A, D_B passes 2 + 3 + 3 each.
  W4  encoder on content (to relu4_1) and style (relu1_1..relu4_1), no
      gradient; t = AdaIN(content relu4_1, style relu4_1); g = decoder(t);
      encoder on g (relu1_1..relu4_1); loss = MSE(relu4_1(g), t) + 10 * sum
      over the 4 levels of MSE(mean) + MSE(std), std = sqrt(unbiased var +
      1e-5) over HW; backward to the decoder's weights; Adam step.
      Encoder passes 1 + 1 + 2, decoder passes 3.
  W4S one 256x256 content and style image, no_grad: encoder twice, AdaIN,
      decoder.  Encoder passes 2, decoder passes 1.
images_per_s is batch / step time, with batch = the G batch in W1 (64), the
pair batch in W2 (8) and W3 (1), the content batch in W4 (4), 1 in W4S.

The networks, and the choices where WORKLOADS.md leaves room, are in
tests/ref/nets.py (one definition, shared with the reference-data generators).

Threads: torch.set_num_threads(N) in the child; the BLAS under torch is held
to one thread (OPENBLAS_NUM_THREADS, BLIS_NUM_THREADS = --blas-threads, 1 by
default) because torch may call it from inside its own N threads, and an
N-thread BLAS there oversubscribes the cores.

BLAS: Debian's torch calls whatever libblas.so.3 resolves to. Issue 8's
PyTorch figures were taken with OpenBLAS, so with --blas openblas (the
default) the children find Debian's libopenblas0-pthread first on
LD_LIBRARY_PATH, whatever the system's alternative says; --blas system keeps
libblas.so.3 as it is. Each child prints the BLAS it loaded.
"""
import argparse
import glob
import os
import resource
import statistics
import subprocess
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("torch_workloads.py: needs PyTorch; on Debian: apt-get install python3-torch, "
             "then run with /usr/bin/python3")

WORKLOADS = ["W1", "W2", "W3", "W4", "W4S"]


# ---------------------------------------------------------------- the networks
# One definition of each, shared with the reference-data generators:
# tests/ref/nets.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
from nets import (DcganD, DcganG, UNet, VggEncoder, adain, adain_decoder,  # noqa: E402
                  count_params, init_weights, instance_norm, mean_std, patchgan, resnet_g)


def set_trainable(net, flag):
    for p in net.parameters():
        p.requires_grad_(flag)


def adam(params, lr=2e-4, betas=(0.5, 0.999)):
    return torch.optim.Adam(params, lr=lr, betas=betas)


# ---------------------------------------------------------------- FLOP counting

def forward_macs(net, *inputs, layers=None):
    """MACs of one forward pass of net on inputs, summed over its convolutions
    and linear layers (module forward hooks see the real shapes). If layers is
    a list, appends (name, description, macs) for every layer."""
    total = 0
    names = {m: n for n, m in net.named_modules()}

    def hook(m, inp, out):
        nonlocal total
        x = inp[0]
        if isinstance(m, nn.ConvTranspose2d):
            kh, kw = m.kernel_size
            macs = x.numel() * m.out_channels * kh * kw
        elif isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            macs = out.numel() * m.in_channels * kh * kw
        else:
            macs = out.numel() * m.in_features
        total += macs
        if layers is not None:
            layers.append((names[m], "%s %s -> %s" % (type(m).__name__, list(x.shape), list(out.shape)), macs))

    handles = [m.register_forward_hook(hook) for m in net.modules()
               if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    with torch.no_grad():
        net(*inputs)
    for h in handles:
        h.remove()
    return total


# ---------------------------------------------------------------- the workloads
#
# Each builder returns a Workload: its networks (for parameter counts), a step
# function, the batch that images_per_s counts, and the FLOP budget as a list
# of (name, net, example inputs, passes) with passes in forward-pass units.

class Workload:
    def __init__(self, nets, step, batch, budget):
        self.nets, self.step, self.batch, self.budget = nets, step, batch, budget


def build_w1():
    B = 64
    G, D = init_weights(DcganG()), init_weights(DcganD())
    opt_g, opt_d = adam(G.parameters()), adam(D.parameters())
    real = torch.rand(B, 1, 28, 28) * 2 - 1
    ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
    bce = F.binary_cross_entropy_with_logits

    def step():
        with torch.no_grad():
            fake = G(torch.randn(B, 100))
        set_trainable(D, True)
        opt_d.zero_grad(set_to_none=True)
        loss_d = bce(D(real), ones) + bce(D(fake), zeros)
        loss_d.backward()
        opt_d.step()

        set_trainable(D, False)
        opt_g.zero_grad(set_to_none=True)
        loss_g = bce(D(G(torch.randn(B, 100))), ones)   # non-saturating
        loss_g.backward()
        opt_g.step()
        return loss_d, loss_g

    budget = [("G", G, (torch.randn(B, 100),), 1 + 3),
              ("D", D, (real,), 3 + 3 + 2)]
    return Workload({"G": G, "D": D}, step, B, budget)


def build_w2():
    B = 8
    G, D = init_weights(UNet()), init_weights(patchgan(6, nn.BatchNorm2d))
    opt_g, opt_d = adam(G.parameters()), adam(D.parameters())
    A, Bt = torch.rand(B, 3, 64, 64) * 2 - 1, torch.rand(B, 3, 64, 64) * 2 - 1
    ones, zeros = torch.ones(B, 1, 6, 6), torch.zeros(B, 1, 6, 6)
    bce = F.binary_cross_entropy_with_logits

    def step():
        fake = G(A)
        set_trainable(D, True)
        opt_d.zero_grad(set_to_none=True)
        loss_d = 0.5 * (bce(D(torch.cat([A, Bt], 1)), ones)
                        + bce(D(torch.cat([A, fake.detach()], 1)), zeros))
        loss_d.backward()
        opt_d.step()

        set_trainable(D, False)
        opt_g.zero_grad(set_to_none=True)
        loss_g = bce(D(torch.cat([A, fake], 1)), ones) + 100 * F.l1_loss(fake, Bt)
        loss_g.backward()
        opt_g.step()
        return loss_d, loss_g

    budget = [("G", G, (A,), 3),
              ("D", D, (torch.cat([A, Bt], 1),), 3 + 3 + 2)]
    return Workload({"G": G, "D": D}, step, B, budget)


def build_w3():
    G_AB, G_BA = init_weights(resnet_g()), init_weights(resnet_g())
    D_A, D_B = init_weights(patchgan(3, instance_norm)), init_weights(patchgan(3, instance_norm))
    opt_g = adam(list(G_AB.parameters()) + list(G_BA.parameters()))
    opt_d = adam(list(D_A.parameters()) + list(D_B.parameters()))
    A, Bt = torch.rand(1, 3, 64, 64) * 2 - 1, torch.rand(1, 3, 64, 64) * 2 - 1
    ones, zeros = torch.ones(1, 1, 6, 6), torch.zeros(1, 1, 6, 6)
    mse, l1 = F.mse_loss, F.l1_loss

    def step():
        set_trainable(D_A, False)
        set_trainable(D_B, False)
        opt_g.zero_grad(set_to_none=True)
        fake_B = G_AB(A)
        rec_A = G_BA(fake_B)
        fake_A = G_BA(Bt)
        rec_B = G_AB(fake_A)
        loss_g = (mse(D_B(fake_B), ones) + mse(D_A(fake_A), ones)
                  + 10 * (l1(rec_A, A) + l1(rec_B, Bt))
                  + 5 * (l1(G_AB(Bt), Bt) + l1(G_BA(A), A)))
        loss_g.backward()
        opt_g.step()

        set_trainable(D_A, True)
        set_trainable(D_B, True)
        opt_d.zero_grad(set_to_none=True)
        loss_d = (0.5 * (mse(D_A(A), ones) + mse(D_A(fake_A.detach()), zeros))
                  + 0.5 * (mse(D_B(Bt), ones) + mse(D_B(fake_B.detach()), zeros)))
        loss_d.backward()
        opt_d.step()
        return loss_g, loss_d

    budget = [("G_AB", G_AB, (A,), 9), ("G_BA", G_BA, (A,), 9),
              ("D_A", D_A, (A,), 2 + 3 + 3), ("D_B", D_B, (A,), 2 + 3 + 3)]
    return Workload({"G_AB": G_AB, "G_BA": G_BA, "D_A": D_A, "D_B": D_B}, step, 1, budget)


def build_w4():
    B, H = 4, 128
    enc, dec = init_weights(VggEncoder()), init_weights(adain_decoder())
    set_trainable(enc, False)
    opt = adam(dec.parameters(), lr=1e-4, betas=(0.9, 0.999))
    content, style = torch.rand(B, 3, H, H), torch.rand(B, 3, H, H)

    def step():
        with torch.no_grad():
            c4 = enc(content)[-1]
            s_feats = enc(style)
            t = adain(c4, s_feats[-1])
        opt.zero_grad(set_to_none=True)
        g_feats = enc(dec(t))
        loss_c = F.mse_loss(g_feats[-1], t)
        loss_s = 0
        for g, s in zip(g_feats, s_feats):
            gm, gs = mean_std(g)
            sm, ss = mean_std(s)
            loss_s = loss_s + F.mse_loss(gm, sm) + F.mse_loss(gs, ss)
        loss = loss_c + 10 * loss_s
        loss.backward()
        opt.step()
        return (loss,)

    budget = [("encoder", enc, (content,), 1 + 1 + 2),
              ("decoder", dec, (torch.rand(B, 512, H // 8, H // 8),), 3)]
    return Workload({"encoder": enc, "decoder": dec}, step, B, budget)


def build_w4s():
    H = 256
    enc, dec = init_weights(VggEncoder()), init_weights(adain_decoder())
    content, style = torch.rand(1, 3, H, H), torch.rand(1, 3, H, H)

    def step():
        with torch.no_grad():
            return (dec(adain(enc(content)[-1], enc(style)[-1])),)

    budget = [("encoder", enc, (content,), 2),
              ("decoder", dec, (torch.rand(1, 512, H // 8, H // 8),), 1)]
    return Workload({"encoder": enc, "decoder": dec}, step, 1, budget)


BUILDERS = {"W1": build_w1, "W2": build_w2, "W3": build_w3, "W4": build_w4, "W4S": build_w4s}


# ---------------------------------------------------------------- one workload (child process)

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def flop_lines(name, w, show_layers):
    total = 0
    for net_name, net, inputs, passes in w.budget:
        layers = [] if show_layers else None
        fwd = 2 * forward_macs(net, *inputs, layers=layers)
        total += passes * fwd
        print("%s flops net=%s batch=%d fwd_gflop=%.6f passes=%d"
              % (name, net_name, inputs[0].shape[0], fwd / 1e9, passes))
        for lname, desc, macs in layers or []:
            print("%s layer net=%s name=%s macs=%d  # %s" % (name, net_name, lname, macs, desc))
    print("%s flops gflop_per_step=%.6f" % (name, total / 1e9))
    return total


def run_child(args):
    name = args.child
    torch.manual_seed(0)
    torch.set_num_threads(args.threads[0])
    base = rss_mb()
    w = BUILDERS[name]()
    print("# %s impl=torch threads=%d blas=%s" % (name, args.threads[0], blas_in_use()))
    if args.info:
        for net_name, net in w.nets.items():
            print("%s params net=%s count=%d" % (name, net_name, count_params(net)))
    flops = flop_lines(name, w, args.layers) if args.info else \
        sum(p * 2 * forward_macs(n, *i) for _, n, i, p in w.budget)
    if args.info_only:
        return 0
    for _ in range(args.warmup):
        w.step()
    times, cpu = [], []
    for _ in range(args.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        out = w.step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if not all(torch.isfinite(x).all() for x in out):
        print("%s: the step's output is not finite" % name, file=sys.stderr)
        return 1
    ms = 1e3 * statistics.median(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    # cpu_ms_per_step: the process's CPU time, every thread (as bench.c's): on one
    # thread, the figure a busy machine distorts least
    print("%s time impl=torch threads=%d batch=%d steps=%d ms_per_step=%.2f ms_min=%.2f "
          "images_per_s=%.2f gflop_per_step=%.4f gflop_per_s=%.2f cpu_ms_per_step=%.2f "
          "max_rss_mb=%.1f base_rss_mb=%.1f"
          % (name, args.threads[0], w.batch, args.steps, ms, 1e3 * min(times),
             w.batch / (ms / 1e3), flops / 1e9, flops / 1e9 / (ms / 1e3),
             1e3 * statistics.median(cpu), peak, base))
    return 0


# ---------------------------------------------------------------- the driver

def blas_in_use():
    """The BLAS libraries this process loaded (what libblas.so.3 resolved to)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() or "blis" in line.lower()}
    return ",".join(sorted(os.path.realpath(p) for p in libs if p.startswith("/"))) or "none"


# Debian's libopenblas0-pthread: its own libblas.so.3 and liblapack.so.3.
OPENBLAS_LIBS = "/usr/lib/*-linux-gnu/openblas-pthread/libblas.so.3"


def child_env(args):
    """The children's environment: the BLAS held to --blas-threads and, with
    --blas openblas, OpenBLAS found before the system's libblas.so.3."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.blas_threads),
               BLIS_NUM_THREADS=str(args.blas_threads))
    if args.blas == "openblas":
        found = [os.path.dirname(p) for p in sorted(glob.glob(OPENBLAS_LIBS))]
        if not found:
            sys.exit("torch_workloads.py: --blas openblas needs Debian's libopenblas0-pthread "
                     "(apt-get install libopenblas0-pthread), or run with --blas system")
        env["LD_LIBRARY_PATH"] = ":".join(found[:1] + [p for p in [env.get("LD_LIBRARY_PATH")] if p])
    return env


def run_driver(args):
    env = child_env(args)
    print("# torch %s, blas %s (requested), blas threads %d, cpus %d"
          % (torch.__version__, args.blas, args.blas_threads, os.cpu_count()))
    sys.stdout.flush()
    failed = 0
    for name in args.workloads:
        for i, n in enumerate(args.threads):
            cmd = [sys.executable, os.path.abspath(__file__), "--child", name, "--threads", str(n),
                   "--steps", str(args.steps), "--warmup", str(args.warmup)]
            if i == 0:
                cmd.append("--info")
            if args.layers:
                cmd.append("--layers")
            if args.info_only:
                cmd.append("--info-only")
            rc = subprocess.call(cmd, env=env)
            if rc != 0:
                print("%s error impl=torch threads=%d rc=%d" % (name, n, rc))
                failed += 1
            sys.stdout.flush()
            if args.info_only:
                break
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workloads", default=",".join(WORKLOADS),
                   help="comma-separated, from %s (default: all)" % ",".join(WORKLOADS))
    p.add_argument("--threads", default="1,2", help="comma-separated torch thread counts (default 1,2)")
    p.add_argument("--steps", type=int, default=5, help="timed steps; the median is reported (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    p.add_argument("--blas-threads", type=int, default=1, help="threads of the BLAS under torch (default 1)")
    p.add_argument("--blas", choices=["openblas", "system"], default="openblas",
                   help="the BLAS under torch: Debian's OpenBLAS (pthread build), as in issue 8, "
                        "or what libblas.so.3 points to (default openblas)")
    p.add_argument("--info", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--info-only", dest="info_only", action="store_true",
                   help="print parameter counts and FLOPs, time nothing")
    p.add_argument("--layers", action="store_true", help="also print every layer's shapes and MACs")
    p.add_argument("--child", choices=WORKLOADS, help=argparse.SUPPRESS)
    args = p.parse_args()
    args.workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    args.threads = [int(t) for t in args.threads.split(",") if t.strip()]
    bad = [w for w in args.workloads if w not in WORKLOADS]
    if bad or not args.threads or min(args.threads) < 1 or args.steps < 1 or args.warmup < 0:
        p.error("unknown workload %s" % bad if bad else "need --threads >= 1, --steps >= 1, --warmup >= 0")
    if args.info_only:
        args.info = True
    return run_child(args) if args.child else run_driver(args)


if __name__ == "__main__":
    sys.exit(main())
