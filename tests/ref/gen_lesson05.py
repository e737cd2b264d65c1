"""Reference data for lesson 05 (Pix2Pix: U-Net, PatchGAN, losses, one training step).

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_lesson05.py
Writes:
  data/lesson05_unet.bin      U-Net ngf 2, depth 3, 3 -> 3 channels, 8x8, batch 2, dropout
                              0 (PyTorch's masks cannot be reproduced in C), with skips
                              ("unet_") and without ("encdec_"): x, the parameter block,
                              the output in training mode, a probe and the gradients of
                              sum(out * probe) for the parameters and x, then the output in
                              evaluation mode on the running statistics the training pass
                              left behind.
  data/lesson05_patchgan.bin  PatchGAN ndf 2, 2 layers on 16x16: batch norm on 6 channels,
                              batch 2 ("bn_"), and instance norm on 3, batch 1 ("in_"), the
                              same tensors (training mode).
  data/lesson05_losses.bin    G's loss for each of l1, cgan, l1+cgan (value, both terms,
                              gradients for fake and the logits) and D's halved loss.
  data/lesson05_step.bin      one pix2pix step (D update, then G update with the updated D)
                              of a U-Net ngf 1, depth 3 on 8x8 pairs, batch 2, and a
                              6-channel PatchGAN ndf 2 with 1 layer (2x2 logits), for each loss
                              ("l1_", "cgan_", "l1cgan_"): the losses, D's mean outputs,
                              both networks' gradients and parameters after Adam.
The networks are nets.py's UNet and patchgan (W2's, at these sizes), loaded with
random parameters. Parameter blocks are in the C ParamSet order (common/models/unet.c,
common/models/patchgan.c), which is also the modules' order: the
encoder's levels outermost first, then the decoder's innermost first; per layer the
weight, its bias (only when no norm follows), then the norm's gain and shift.
Inputs and parameters are drawn in float32 (what C loads), then everything runs in float64.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nets import UNet, instance_norm, patchgan
from refio import write_ref

torch.manual_seed(5)
F64 = torch.float64
LR, BETA1, BETA2, ADAM_EPS = 1e-3, 0.5, 0.999, 1e-8
LAMBDA = 100.0


def rnd(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).to(F64)


def gain(n):
    return (1 + torch.randn(n) * 0.2).to(F64)


def unet_channels(ngf, i):
    return ngf * min(2 ** i, 8)


def unet_params(ngf, depth, in_ch, out_ch, skips):
    """Random parameters in ParamSet order (not the DCGAN init: zero biases and
    unit gains would hide a bias or gain used wrongly), and the BN buffers."""
    ps, bufs = [], []
    for i in range(depth):
        ic = in_ch if i == 0 else unet_channels(ngf, i - 1)
        oc = unet_channels(ngf, i)
        ps.append(rnd(oc, ic, 4, 4, scale=(ic * 16) ** -0.5))
        if 0 < i < depth - 1:
            ps += [gain(oc), rnd(oc, scale=0.2)]
            bufs += [torch.zeros(oc, dtype=F64), torch.ones(oc, dtype=F64)]
        else:
            ps.append(rnd(oc, scale=0.1))
    for i in reversed(range(depth)):
        c = unet_channels(ngf, i)
        ic = c if i == depth - 1 or not skips else 2 * c
        oc = out_ch if i == 0 else unet_channels(ngf, i - 1)
        ps.append(rnd(ic, oc, 4, 4, scale=(ic * 4) ** -0.5))
        if i == 0:
            ps.append(rnd(oc, scale=0.1))
        else:
            ps += [gain(oc), rnd(oc, scale=0.2)]
            bufs += [torch.zeros(oc, dtype=F64), torch.ones(oc, dtype=F64)]
    return ps, bufs


def patchgan_params(in_ch, ndf, n_layers, batch_norm):
    ps, bufs = [], []
    for i in range(n_layers + 2):
        ic = in_ch if i == 0 else ndf * min(2 ** (i - 1), 8)
        oc = 1 if i == n_layers + 1 else ndf * min(2 ** i, 8)
        ps.append(rnd(oc, ic, 4, 4, scale=(ic * 16) ** -0.5))
        if 0 < i <= n_layers:
            ps += [gain(oc), rnd(oc, scale=0.2)]
            if batch_norm:
                bufs += [torch.zeros(oc, dtype=F64), torch.ones(oc, dtype=F64)]
        else:
            ps.append(rnd(oc, scale=0.1))
    return ps, bufs


def load(net, ps, bufs):
    """net (nets.py) in float64 holding the parameters ps and batch-norm
    statistics bufs, both in ParamSet order (which is the module's order)."""
    net = net.double()
    params, stats = list(net.parameters()), running_stats(net)
    assert len(params) == len(ps) and len(stats) == len(bufs), "ParamSet order != the module's"
    with torch.no_grad():
        for p, v in zip(params + stats, list(ps) + list(bufs)):
            p.copy_(v)
    return net


def running_stats(net):
    return [b for n, b in net.named_buffers() if n.endswith(("running_mean", "running_var"))]


def unet(ngf, depth, skips, ps, bufs):
    # Building a module draws its default weights: keep the random stream as it was.
    with torch.random.fork_rng(devices=[]):
        net = UNet(ngf, depth, 3, 3, n_dropout=0, skips=skips)
    return load(net, ps, bufs)


def patchgan_net(in_ch, ndf, n_layers, batch_norm, ps, bufs):
    with torch.random.fork_rng(devices=[]):
        net = patchgan(in_ch, nn.BatchNorm2d if batch_norm else instance_norm, ndf, n_layers)
    return load(net, ps, bufs)


def block(ts):
    return torch.cat([t.detach().reshape(-1) for t in ts])


out = {}

# ---------------------------------------------------------------- 5.1 the U-Net
U_NGF, U_DEPTH, U_B, U_HW = 2, 3, 2, 8
x = (torch.rand(U_B, 3, U_HW, U_HW) * 2 - 1).to(F64)
unet_file = {"x": x}
for name, skips in (("unet_", True), ("encdec_", False)):
    ps0, bufs0 = unet_params(U_NGF, U_DEPTH, 3, 3, skips)
    net, xg = unet(U_NGF, U_DEPTH, skips, ps0, bufs0), x.clone().requires_grad_()
    y = net(xg)
    probe = rnd(*y.shape)
    (y * probe).sum().backward()
    with torch.no_grad():
        y_eval = net.eval()(x)
    unet_file.update({name + "block": block(ps0), name + "y": y, name + "probe": probe,
                      name + "grad": block([p.grad for p in net.parameters()]), name + "dx": xg.grad,
                      name + "y_eval": y_eval, name + "buffers": block(running_stats(net))})
write_ref("data/lesson05_unet.bin", unet_file)

# ---------------------------------------------------------------- 5.2 the PatchGAN
pg_file = {}
for name, in_ch, batch_norm, batch in (("bn_", 6, True, 2), ("in_", 3, False, 1)):
    ps0, bufs0 = patchgan_params(in_ch, 2, 2, batch_norm)
    net = patchgan_net(in_ch, 2, 2, batch_norm, ps0, bufs0)
    xi = rnd(batch, in_ch, 16, 16)
    xg = xi.clone().requires_grad_()
    y = net(xg)
    probe = rnd(*y.shape)
    (y * probe).sum().backward()
    pg_file.update({name + "x": xi, name + "block": block(ps0), name + "y": y,
                    name + "probe": probe, name + "grad": block([p.grad for p in net.parameters()]),
                    name + "dx": xg.grad})
write_ref("data/lesson05_patchgan.bin", pg_file)

# ---------------------------------------------------------------- 5.4, 5.5 the losses
LB, LC, LHW, LP = 2, 3, 4, 3
logits0 = rnd(LB, 1, LP, LP, scale=2.0)
real0 = rnd(LB, 1, LP, LP, scale=2.0)
fake0 = (torch.rand(LB, LC, LHW, LHW) * 2 - 1).to(F64)
target0 = (torch.rand(LB, LC, LHW, LHW) * 2 - 1).to(F64)
loss_file = {"logits": logits0, "real_logits": real0, "fake": fake0, "target": target0,
             "lambda": torch.tensor([LAMBDA])}
for name in ("l1", "cgan", "l1cgan"):
    logits, fake = logits0.clone().requires_grad_(), fake0.clone().requires_grad_()
    gan = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    l1 = F.l1_loss(fake, target0)
    total = {"l1": LAMBDA * l1, "cgan": gan, "l1cgan": gan + LAMBDA * l1}[name]
    total.backward()
    loss_file.update({
        "g_%s_total" % name: total.reshape(1),
        "g_%s_gan" % name: (gan if name != "l1" else torch.zeros(())).reshape(1),
        "g_%s_l1" % name: l1.reshape(1),
        "g_%s_dfake" % name: fake.grad if fake.grad is not None else torch.zeros_like(fake),
        "g_%s_dlogits" % name: logits.grad if logits.grad is not None else torch.zeros_like(logits)})
real, fake_l = real0.clone().requires_grad_(), logits0.clone().requires_grad_()
loss_d = 0.5 * (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
                + F.binary_cross_entropy_with_logits(fake_l, torch.zeros_like(fake_l)))
loss_d.backward()
loss_file.update({"d_loss": loss_d.reshape(1), "d_dreal": real.grad, "d_dfake": fake_l.grad})
write_ref("data/lesson05_losses.bin", loss_file)

# ---------------------------------------------------------------- 5.6 one training step
S_B, S_NGF, S_LAYERS = 2, 1, 1
gp0, gbufs0 = unet_params(S_NGF, U_DEPTH, 3, 3, True)
dp0, dbufs0 = patchgan_params(6, 2, S_LAYERS, True)
sx = (torch.rand(S_B, 3, U_HW, U_HW) * 2 - 1).to(F64)
sy = (torch.rand(S_B, 3, U_HW, U_HW) * 2 - 1).to(F64)
step_file = {"x": sx, "y": sy, "g_block": block(gp0), "d_block": block(dp0),
             "lr": torch.tensor([LR]), "beta1": torch.tensor([BETA1]),
             "beta2": torch.tensor([BETA2]), "lambda": torch.tensor([LAMBDA])}


def adam(ps):
    return torch.optim.Adam(ps, lr=LR, betas=(BETA1, BETA2), eps=ADAM_EPS)


for name in ("l1", "cgan", "l1cgan"):
    g_net = unet(S_NGF, U_DEPTH, True, gp0, gbufs0)
    d_net = patchgan_net(6, 2, S_LAYERS, True, dp0, dbufs0)
    gp, dp = list(g_net.parameters()), list(d_net.parameters())
    fake = g_net(sx)
    r = {}
    if name != "l1":
        opt_d = adam(dp)
        real_logits = d_net(torch.cat([sx, sy], 1))
        fake_logits = d_net(torch.cat([sx, fake.detach()], 1))
        loss_d = 0.5 * (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                        + F.binary_cross_entropy_with_logits(fake_logits,
                                                             torch.zeros_like(fake_logits)))
        loss_d.backward()
        r["d_grad"] = block([p.grad for p in dp])
        opt_d.step()
        r["loss_d"] = loss_d.reshape(1)
        r["d_real"] = torch.sigmoid(real_logits).mean().reshape(1)
        r["d_fake"] = torch.sigmoid(fake_logits).mean().reshape(1)
        r["d_after"] = block(dp)
    opt_g = adam(gp)
    l1 = F.l1_loss(fake, sy)
    if name == "l1":
        loss_g = LAMBDA * l1
    else:
        for p in dp:
            p.requires_grad_(False)
        logits = d_net(torch.cat([sx, fake], 1))
        gan = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        r["g_gan"] = gan.reshape(1)
        loss_g = gan + LAMBDA * l1 if name == "l1cgan" else gan
    loss_g.backward()
    r["g_grad"] = block([p.grad for p in gp])
    opt_g.step()
    r["loss_g"] = loss_g.reshape(1)
    r["g_l1"] = l1.reshape(1)
    r["g_after"] = block(gp)
    if name != "l1":
        r["d_buffers"] = block(running_stats(d_net))   # after the G update's pass through D too
    step_file.update({"%s_%s" % (name, k): v for k, v in r.items()})
    print("lesson05 step %s: loss_g %.6f%s" % (name, loss_g.item(),
          "" if name == "l1" else ", loss_d %.6f" % r["loss_d"].item()))
write_ref("data/lesson05_step.bin", step_file)
