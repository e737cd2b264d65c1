"""Reference values for lesson 01 (the GAN losses on logits), from PyTorch.

Run from tests/ref/:  /usr/bin/python3 gen_lesson01.py
Writes data/lesson01_bce.bin, data/lesson01_gan.bin, data/lesson01_lsgan.bin.

Everything is computed in float64 and stored as float32. Losses are means over
the batch (PyTorch's default reduction); gradients come from autograd on that
mean, so they carry the 1/n the C code must apply.
"""
import torch
import torch.nn.functional as F

from refio import write_ref

N = 16
torch.manual_seed(1)
# Logits of every size a discriminator produces: mostly moderate, a few large.
real = (torch.randn(N, dtype=torch.float64) * 3.0 + 1.0)
fake = (torch.randn(N, dtype=torch.float64) * 3.0 - 1.0)
real[3], fake[5] = 12.0, -15.0
# Far outside float's sigmoid range: the naive log(sigmoid) gives -inf or NaN.
extreme = torch.tensor([-1e4, -100.0, -40.0, -17.0, -1.0, 0.0, 1.0, 17.0, 40.0, 100.0, 1e4],
                       dtype=torch.float64)


def loss_and_grad(fn, *inputs):
    """fn(*inputs) -> scalar; returns the scalar and d scalar / d input for each input."""
    leaves = [t.clone().requires_grad_(True) for t in inputs]
    loss = fn(*leaves)
    grads = torch.autograd.grad(loss, leaves)
    return (loss.detach(),) + tuple(g.detach() for g in grads)


def bce(a, y):
    return F.binary_cross_entropy_with_logits(a, torch.full_like(a, y))


# ---- exercises 1.1, 1.2: BCE on logits, targets 0, 0.9 (label smoothing), 1
out = {"real": real, "extreme": extreme}
for name, y in (("y0", 0.0), ("y09", 0.9), ("y1", 1.0)):
    for xname, x in (("real", real), ("extreme", extreme)):
        loss, grad = loss_and_grad(lambda a: bce(a, y), x)
        out["bce_%s_%s" % (xname, name)] = loss
        out["dbce_%s_%s" % (xname, name)] = grad
write_ref("data/lesson01_bce.bin", out)

# ---- exercises 1.3-1.8: the discriminator and both generator losses
d_loss, d_dreal, d_dfake = loss_and_grad(lambda r, f: bce(r, 1.0) + bce(f, 0.0), real, fake)
# log(1 - sigmoid(a)) = logsigmoid(-a): exact for any a
g_sat, g_sat_dfake = loss_and_grad(lambda f: F.logsigmoid(-f).mean(), fake)
g_ns, g_ns_dfake = loss_and_grad(lambda f: bce(f, 1.0), fake)
write_ref("data/lesson01_gan.bin", {
    "real": real, "fake": fake,
    "d_loss": d_loss, "d_dreal": d_dreal, "d_dfake": d_dfake,
    "g_sat_loss": g_sat, "g_sat_dfake": g_sat_dfake,
    "g_loss": g_ns, "g_dfake": g_ns_dfake,
})

# ---- exercises 1.9-1.12: least squares, on raw scores (no sigmoid)
ls_d, ls_dreal, ls_dfake = loss_and_grad(
    lambda r, f: 0.5 * F.mse_loss(r, torch.ones_like(r)) + 0.5 * F.mse_loss(f, torch.zeros_like(f)),
    real, fake)
ls_g, ls_g_dfake = loss_and_grad(lambda f: 0.5 * F.mse_loss(f, torch.ones_like(f)), fake)
write_ref("data/lesson01_lsgan.bin", {
    "real": real, "fake": fake,
    "d_loss": ls_d, "d_dreal": ls_dreal, "d_dfake": ls_dfake,
    "g_loss": ls_g, "g_dfake": ls_g_dfake,
})
print("gen_lesson01: wrote data/lesson01_{bce,gan,lsgan}.bin")
