"""Reference data for lesson 03, DCGAN (tests/03_dcgan/).

Run from tests/ref/:  /usr/bin/python3 gen_lesson03.py
Writes data/lesson03_*.bin through refio.write_ref:
  lesson03_conv.bin   im2col (F.unfold), col2im (F.fold), conv2d forward/backward
  lesson03_convt.bin  conv_transpose2d forward/backward
  lesson03_bn.bin     batch norm, training mode: (B, C, H, W) and (B, C) inputs
  lesson03_w1.bin     W1's parameter counts, and one training step (D then G)
                      of W1 at batch 8 from deterministic weights and inputs

Small cases are drawn in float32 and computed in float64, so the stored
outputs are the exact answers for the float32 inputs, rounded once. Their
gradients are those of sum(out * dout) for a random dout. The W1 step runs in
float32, as the C program does; its weights and inputs come from a formula
(w1_value) that the C test evaluates too, so no weight is stored.
"""
import math

import numpy as np
import torch

from nets import DcganD, DcganG
from refio import write_ref

F = torch.nn.functional
torch.manual_seed(3)


def randn(*shape, mean=0.0, std=1.0):
    return (mean + std * torch.randn(*shape, dtype=torch.float32)).double()


# ---------------------------------------------------------------- convolutions

CONV_CASES = [  # name, B, C, H, W, OC, K, S, P, bias
    ("a", 2, 3, 7, 6, 4, 3, 2, 1, True),    # odd sizes, stride 2
    ("b", 2, 2, 8, 8, 3, 4, 2, 1, False),   # the DCGAN layer: k4 s2 p1, no bias
    ("c", 1, 2, 5, 4, 2, 3, 1, 0, True),    # no padding, stride 1
]

CONVT_CASES = [  # name, B, C, H, W, OC, K, S, P, OP, bias
    ("a", 2, 4, 3, 4, 3, 4, 2, 1, 0, True),    # the DCGAN layer: k4 s2 p1 doubles the size
    ("b", 2, 3, 3, 3, 2, 3, 2, 1, 1, False),   # output padding 1
    ("c", 1, 2, 4, 3, 2, 3, 1, 0, 0, True),    # stride 1
]


def conv_refs():
    t = {}
    for name, B, C, H, W, OC, K, S, P, bias in CONV_CASES:
        x = randn(B, C, H, W).requires_grad_()
        w = randn(OC, C, K, K, std=0.5).requires_grad_()
        b = randn(OC).requires_grad_() if bias else None
        out = F.conv2d(x, w, b, stride=S, padding=P)
        dout = randn(*out.shape)
        (out * dout).sum().backward()
        OH, OW = out.shape[2], out.shape[3]
        # im2col of image 0 and col2im of a random col (one image)
        col = F.unfold(x[:1].detach(), K, padding=P, stride=S)[0]          # (C*K*K, OH*OW)
        ycol = randn(C * K * K, OH * OW)
        img = F.fold(ycol[None], (H, W), K, padding=P, stride=S)[0]        # (C, H, W)
        p = name + "_"
        t[p + "geom"] = torch.tensor([B, C, H, W, OC, K, S, P, 0, int(bias), 0, OH, OW])
        t[p + "inp"], t[p + "weight"], t[p + "out"], t[p + "dout"] = x, w, out, dout
        t[p + "dinp"], t[p + "dweight"] = x.grad, w.grad
        if bias:
            t[p + "bias"], t[p + "dbias"] = b, b.grad
        t[p + "col"], t[p + "ycol"], t[p + "fold"] = col, ycol, img
    write_ref("data/lesson03_conv.bin", t)


def convt_refs():
    t = {}
    for name, B, C, H, W, OC, K, S, P, OP, bias in CONVT_CASES:
        x = randn(B, C, H, W).requires_grad_()
        w = randn(C, OC, K, K, std=0.5).requires_grad_()
        b = randn(OC).requires_grad_() if bias else None
        out = F.conv_transpose2d(x, w, b, stride=S, padding=P, output_padding=OP)
        dout = randn(*out.shape)
        (out * dout).sum().backward()
        p = name + "_"
        t[p + "geom"] = torch.tensor([B, C, H, W, OC, K, S, P, OP, int(bias), 1,
                                      out.shape[2], out.shape[3]])
        t[p + "inp"], t[p + "weight"], t[p + "out"], t[p + "dout"] = x, w, out, dout
        t[p + "dinp"], t[p + "dweight"] = x.grad, w.grad
        if bias:
            t[p + "bias"], t[p + "dbias"] = b, b.grad
    write_ref("data/lesson03_convt.bin", t)


# ---------------------------------------------------------------- batch norm

def bn_refs():
    t = {}
    # "img": BatchNorm2d on (4, 3, 3, 5); "vec": BatchNorm1d on (6, 5), W1's first norm
    for name, shape in (("img", (4, 3, 3, 5)), ("vec", (6, 5))):
        C = shape[1]
        bn = (torch.nn.BatchNorm2d if len(shape) == 4 else torch.nn.BatchNorm1d)(C).double()
        x = randn(*shape, mean=2.0, std=1.5).requires_grad_()
        rm0, rv0 = randn(C), randn(C).abs() + 0.5
        with torch.no_grad():
            bn.running_mean.copy_(rm0)
            bn.running_var.copy_(rv0)
            bn.weight.copy_(randn(C, mean=1.0, std=0.3))
            bn.bias.copy_(randn(C, std=0.3))
        bn.train()
        out = bn(x)
        dout = randn(*out.shape)
        (out * dout).sum().backward()
        dims = [0] + list(range(2, len(shape)))
        mean = x.detach().mean(dims)
        var = x.detach().var(dims, unbiased=False)
        p = name + "_"
        t[p + "inp"], t[p + "gamma"], t[p + "beta"] = x, bn.weight, bn.bias
        t[p + "running_mean0"], t[p + "running_var0"] = rm0, rv0
        t[p + "out"], t[p + "mean"], t[p + "rstd"] = out, mean, 1.0 / torch.sqrt(var + bn.eps)
        t[p + "running_mean"], t[p + "running_var"] = bn.running_mean, bn.running_var
        t[p + "dout"], t[p + "dinp"] = dout, x.grad
        t[p + "dgamma"], t[p + "dbeta"] = bn.weight.grad, bn.bias.grad
    write_ref("data/lesson03_bn.bin", t)


# ---------------------------------------------------------------- W1

def w1_value(i, t, kind):
    """The deterministic value of element i (flat) of tensor number t.

    kind "w": a weight or bias, "gain": a norm's gain (around 1). The C test
    (tests/03_dcgan/test_w1.c, w1_value) computes the same in double."""
    i = np.asarray(i, dtype=np.float64)
    v = np.sin(0.37 * i + 1.1 * t) * np.cos(0.013 * i + 0.7 * t)
    return 1.0 + 0.1 * v if kind == "gain" else 0.03 * v


def w1_input(i, phase, amp):
    i = np.asarray(i, dtype=np.float64)
    return amp * np.sin(0.71 * i + phase) * np.cos(0.029 * i)


W1_B = 8
W1_SAMPLES = 64   # elements of each large tensor stored, evenly spaced


def set_w1_weights(net, first):
    """Parameters in the C ParamSet's order, numbered from `first`."""
    t = first
    for pname, p in net.named_parameters():
        kind = "gain" if pname.startswith("bn") and pname.endswith("weight") else "w"
        with torch.no_grad():
            p.copy_(torch.from_numpy(w1_value(np.arange(p.numel()), t, kind))
                    .float().view_as(p))
        t += 1
    return t


def sample(x):
    """A large tensor's evenly spaced elements (the C test takes the same ones)."""
    x = x.detach().flatten().clone()
    n = x.numel()
    if n <= 256:
        return x
    step = n // W1_SAMPLES
    return x[::step][:W1_SAMPLES]


def w1_refs():
    g, d = DcganG(), DcganD()   # W1 (nets.py)
    t = {"g_count": torch.tensor([float(sum(p.numel() for p in g.parameters()))]),
         "d_count": torch.tensor([float(sum(p.numel() for p in d.parameters()))])}
    nt = set_w1_weights(g, 0)
    set_w1_weights(d, nt)
    g.train()
    d.train()
    z1 = torch.from_numpy(w1_input(np.arange(W1_B * 100), 0.3, 1.2)).float().view(W1_B, 100)
    z2 = torch.from_numpy(w1_input(np.arange(W1_B * 100), 1.2, 1.2)).float().view(W1_B, 100)
    real = torch.from_numpy(w1_input(np.arange(W1_B * 784), 0.5, 0.9)).float()
    real = real.view(W1_B, 1, 28, 28)
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = F.binary_cross_entropy_with_logits

    # D step: G's output is data (no gradient reaches G); D sees the real and
    # the fake batch separately (two batch-norm statistics), loss = sum of two means.
    with torch.no_grad():
        fake = g(z1)
    opt_d.zero_grad()
    lr, lf = d(real), d(fake)
    loss_d = bce(lr, torch.ones_like(lr)) + bce(lf, torch.zeros_like(lf))
    loss_d.backward()
    t["fake1"] = sample(fake)
    t["loss_d"] = loss_d.detach().view(1)
    t["d_real"] = torch.sigmoid(lr).mean().detach().view(1)
    t["d_fake"] = torch.sigmoid(lf).mean().detach().view(1)
    for pname, p in d.named_parameters():
        t["dgrad_d." + pname] = sample(p.grad)
    opt_d.step()

    # G step on fresh z, non-saturating loss.
    lg = d(g(z2))
    loss_g = bce(lg, torch.ones_like(lg))
    loss_g.backward()
    t["loss_g"] = loss_g.detach().view(1)
    for pname, p in g.named_parameters():
        t["ggrad_g." + pname] = sample(p.grad)
    write_ref("data/lesson03_w1.bin", t)


if __name__ == "__main__":
    conv_refs()
    convt_refs()
    bn_refs()
    w1_refs()
