"""Reference data for the element-wise and shape kernels of common/:
linear, activations, dropout, losses and the spatial ops.

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_kernels.py
Writes data/kernels_*.bin. Inputs are drawn in float32 (what the C code sees);
every result is then computed in float64, so the references carry no float32
rounding of their own. Backward references are the gradients of
sum(out * dout) for a random dout, i.e. vector-Jacobian products.
"""
import torch
import torch.nn.functional as F

from refio import write_ref

torch.manual_seed(0)

# B = batch, C = channels, H, W: odd sizes so that edge cases show.
B, C, H, W = 2, 2, 5, 7


def randn(*shape, scale=1.0, shift=0.0):
    """float32 draws, promoted to float64 and made a leaf that records grads.
    Scaled and shifted in float32, so the stored float32 input is exact."""
    return (torch.randn(*shape) * scale + shift).double().requires_grad_()


def vjp(out, *inputs):
    """Gradients of sum(out * dout) w.r.t. inputs for a random dout."""
    dout = torch.randn(out.shape).double()
    grads = torch.autograd.grad(out, inputs, dout)
    return (dout,) + grads


def linear():
    N, IN, OUT = 3, 7, 5
    x, w, b = randn(N, IN), randn(OUT, IN, scale=0.5), randn(OUT)
    out = F.linear(x, w, b)
    dout, dx, dw, db = vjp(out, x, w, b)
    write_ref("data/kernels_linear.bin", dict(
        x=x, weight=w, bias=b, out=out, out_nobias=F.linear(x, w),
        dout=dout, dx=dx, dweight=dw, dbias=db))


def activations():
    x = randn(B, C, H, W, scale=2.0)
    with torch.no_grad():   # the kinks and the saturated tails
        x.view(-1)[:6] = torch.tensor([0.0, -0.0, 30.0, -30.0, 100.0, -100.0])
    slope = 0.2
    t = dict(x=x, slope=torch.tensor(slope))
    for name, fn in [("relu", F.relu), ("lrelu", lambda v: F.leaky_relu(v, slope)),
                     ("tanh", torch.tanh), ("sigmoid", torch.sigmoid)]:
        out = fn(x)
        dout, dx = vjp(out, x)
        t.update({name + "_out": out, name + "_dout": dout, name + "_dx": dx})
    write_ref("data/kernels_activations.bin", t)


def dropout():
    # PyTorch's RNG is not ours, so the mask is a fixed input: this checks
    # that the backward routes the gradient through the mask
    p = 0.3
    x = randn(B, C, H, W)
    mask = (torch.rand(B, C, H, W) >= p).double() / (1 - p)
    dout, dx = vjp(x * mask, x)
    write_ref("data/kernels_dropout.bin", dict(
        x=x, mask=mask, p=torch.tensor(p), dout=dout, dx=dx))


def losses():
    dloss = 0.7   # not 1, so that a backward that ignores dloss fails
    t = {"dloss": torch.tensor(dloss)}

    # ordinary logits, hard and soft targets
    logits = randn(4, 9, scale=3.0)
    targets = torch.rand(4, 9).double()
    targets[0] = (targets[0] > 0.5).double()
    bce = F.binary_cross_entropy_with_logits(logits, targets)
    (dlogits,) = torch.autograd.grad(bce * dloss, logits)
    t.update(bce_logits=logits, bce_targets=targets, bce=bce, bce_dlogits=dlogits)

    # huge logits: right and wrong with certainty, in both directions
    big = torch.tensor([100.0, -100.0, 100.0, -100.0, 1000.0, -1000.0, 1e4, -1e4,
                        100.0, -100.0, 88.0, -88.0], dtype=torch.float64, requires_grad=True)
    big_targets = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0,
                                0.5, 0.9, 0.0, 1.0], dtype=torch.float64)
    bce_big = F.binary_cross_entropy_with_logits(big, big_targets)
    (dbig,) = torch.autograd.grad(bce_big * dloss, big)
    each = F.binary_cross_entropy_with_logits(big, big_targets, reduction="none")
    t.update(big_logits=big, big_targets=big_targets, bce_big=bce_big, bce_big_dlogits=dbig,
             bce_big_each=each)

    a, b = randn(B, C, H, W), randn(B, C, H, W)
    with torch.no_grad():   # equal pairs: L1's gradient there is 0
        a.view(-1)[:4] = b.view(-1)[:4]
    mse = F.mse_loss(a, b)
    (dmse,) = torch.autograd.grad(mse * dloss, a)
    l1 = F.l1_loss(a, b)
    (dl1,) = torch.autograd.grad(l1 * dloss, a)
    t.update(a=a, b=b, mse=mse, mse_da=dmse, l1=l1, l1_da=dl1)
    write_ref("data/kernels_losses.bin", t)


def pad():
    x = randn(B, C, H, W)
    P_zero, P_reflect = 2, 4   # reflection needs P < H and P < W
    zp = F.pad(x, (P_zero,) * 4)
    dzp, dx_zero = vjp(zp, x)
    rp = torch.nn.ReflectionPad2d(P_reflect)(x)
    drp, dx_reflect = vjp(rp, x)
    write_ref("data/kernels_pad.bin", dict(
        x=x, zero_P=torch.tensor(float(P_zero)), zero_out=zp, zero_dout=dzp, zero_dx=dx_zero,
        reflect_P=torch.tensor(float(P_reflect)), reflect_out=rp, reflect_dout=drp,
        reflect_dx=dx_reflect))


def upsample():
    x = randn(B, C, H, W)
    out = F.interpolate(x, scale_factor=2, mode="nearest")
    dout, dx = vjp(out, x)
    write_ref("data/kernels_upsample.bin", dict(x=x, out=out, dout=dout, dx=dx))


def maxpool():
    t = {}
    for tag, (h, w) in [("odd", (H, W)), ("even", (4, 6))]:
        x = randn(B, C, h, w)
        out, idx = F.max_pool2d(x, 2, 2, ceil_mode=True, return_indices=True)
        dout, dx = vjp(out, x)
        t.update({tag + "_x": x, tag + "_out": out, tag + "_argmax": idx.double(),
                  tag + "_dout": dout, tag + "_dx": dx})
    write_ref("data/kernels_maxpool.bin", t)


def concat_add():
    CB = 3
    a, b = randn(B, C, H, W), randn(B, CB, H, W)
    out = torch.cat([a, b], dim=1)
    dout, da, db = vjp(out, a, b)
    c = randn(B, C, H, W)
    s = a + c
    dsum, dsa, dsc = vjp(s, a, c)
    write_ref("data/kernels_concat_add.bin", dict(
        a=a, b=b, cat_out=out, cat_dout=dout, cat_da=da, cat_db=db,
        c=c, add_out=s, add_dout=dsum, add_da=dsa, add_dc=dsc))


def mean_std():
    eps = 1e-5
    x = randn(B, 3, H, W, scale=2.0, shift=0.5)
    flat = x.view(B, 3, -1)
    mean = flat.mean(dim=2)
    std = (flat.var(dim=2) + eps).sqrt()   # var() is unbiased, as AdaIN uses it
    dmean = torch.randn(B, 3).double()
    dstd = torch.randn(B, 3).double()
    (dx,) = torch.autograd.grad((mean, std), x, (dmean, dstd), retain_graph=True)
    (dx_std_only,) = torch.autograd.grad(std, x, dstd)
    write_ref("data/kernels_meanstd.bin", dict(
        x=x, eps=torch.tensor(eps), mean=mean, std=std, dmean=dmean, dstd=dstd, dx=dx,
        dx_std_only=dx_std_only))


if __name__ == "__main__":
    linear()
    activations()
    dropout()
    losses()
    pad()
    upsample()
    maxpool()
    concat_add()
    mean_std()
