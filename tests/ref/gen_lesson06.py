"""Reference data for lesson 06 (CycleGAN: the cycle and identity losses, the
residual block, one training step of both generators and both discriminators).

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_lesson06.py
Writes:
  data/lesson06_losses.bin    the cycle loss lambda * (l1(rec_a, a) + l1(rec_b, b)) with
                              lambda 10 on (2, 3, 4, 4) images, one pixel of each exactly
                              on the kink: its value and the gradients of 0.7 * loss for
                              rec_a and rec_b ("cyc_"); the identity loss weight *
                              (l1(f_a, a) + l1(g_b, b)), weight 5: value, both terms,
                              gradients for f_a and g_b ("idt_").
  data/lesson06_resblock.bin  one residual block (4 channels, 5x5, batch 2): x, the
                              parameter block (conv1, norm1 gain and shift, conv2, norm2),
                              the output, a probe, the gradients of sum(out * probe) for the
                              parameters and x.
  data/lesson06_gen_options.bin  the generator options (below, at the end)
  data/lesson06_step.bin      one CycleGAN step: G and F ResNets ngf 2, 1 block, 16x16, and
                              D_X, D_Y PatchGANs ndf 2, 1 layer (6x6 outputs), instance
                              norm, batch 2, Adam lr 1e-3 (0.5, 0.999). For each of "full"
                              (lambda 10, identity 0.5), "noidt" (identity 0) and "nocyc"
                              (no cycle term): the G step's numbers, G's and F's gradients
                              and weights after Adam; then the D step on the fakes of the
                              G step (an empty pool hands them back): D_X's and D_Y's
                              losses, mean outputs, gradients and weights after Adam.
Parameter blocks are in the C ParamSet order (common/models/resnet_gen.c, common/models/patchgan.c),
which is also nn.Sequential's order of bench/torch_workloads.py's networks. Inputs and
parameters are drawn in float32 (what C loads), then everything runs in float64.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_workloads import ResBlock, instance_norm, patchgan, resnet_g  # noqa: E402

from refio import write_ref  # noqa: E402

torch.manual_seed(6)
F64 = torch.float64
LR, BETA1, BETA2, ADAM_EPS = 1e-3, 0.5, 0.999, 1e-8


def randomise(net):
    """Every parameter random (zero biases and unit gains would hide one used
    wrongly), drawn in float32, scaled to keep activations O(1)."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            fan_in = m.weight[0].numel() if isinstance(m, nn.Conv2d) \
                else m.weight.shape[0] * m.weight[0, 0].numel()
            m.weight.data = torch.randn(m.weight.shape) / fan_in ** 0.5
            if m.bias is not None:
                m.bias.data = torch.randn(m.bias.shape) * 0.1
        elif isinstance(m, nn.InstanceNorm2d):
            m.weight.data = 1 + 0.2 * torch.randn(m.weight.shape)
            m.bias.data = 0.2 * torch.randn(m.bias.shape)
    return net.to(F64)


def block(ps):
    return torch.cat([p.detach().reshape(-1) for p in ps])


def grads(net):
    return block([p.grad if p.grad is not None else torch.zeros_like(p) for p in net.parameters()])


def image(*shape):
    return (torch.rand(*shape) * 2 - 1).to(F64)


def save(name, tensors):
    path = os.path.join("data", name)
    write_ref(path, tensors)
    print("%s: %d tensors, %d bytes" % (path, len(tensors), os.path.getsize(path)))


def scalar(v):
    return torch.as_tensor(v, dtype=F64).reshape(1)


# ---------------------------------------------------------------- 6.1, 6.2 the losses
LAMBDA, DOUT = 10.0, 0.7
a, b = image(2, 3, 4, 4), image(2, 3, 4, 4)
rec_a, rec_b = image(2, 3, 4, 4), image(2, 3, 4, 4)
rec_a.view(-1)[5] = a.view(-1)[5]     # exactly on the kink: sign(0) = 0
rec_b.view(-1)[17] = b.view(-1)[17]
ra, rb = rec_a.clone().requires_grad_(), rec_b.clone().requires_grad_()
cyc = LAMBDA * (F.l1_loss(ra, a) + F.l1_loss(rb, b))
(DOUT * cyc).backward()
losses = {"cyc_a": a, "cyc_b": b, "cyc_rec_a": rec_a, "cyc_rec_b": rec_b,
          "cyc_lambda": scalar(LAMBDA), "cyc_dout": scalar(DOUT), "cyc_loss": scalar(cyc),
          "cyc_d_rec_a": ra.grad, "cyc_d_rec_b": rb.grad}
WEIGHT = 5.0
f_a, g_b = image(2, 3, 4, 4).requires_grad_(), image(2, 3, 4, 4).requires_grad_()
la, lb = F.l1_loss(f_a, a), F.l1_loss(g_b, b)
idt = WEIGHT * (la + lb)
idt.backward()
losses.update({"idt_weight": scalar(WEIGHT), "idt_f_a": f_a, "idt_g_b": g_b,
               "idt_loss": scalar(idt), "idt_a": scalar(la), "idt_b": scalar(lb),
               "idt_d_f_a": f_a.grad, "idt_d_g_b": g_b.grad})
save("lesson06_losses.bin", losses)

# ---------------------------------------------------------------- 6.3 the residual block
rb_net = randomise(ResBlock(4))
x32 = torch.randn(2, 4, 5, 5)
x = x32.to(F64).requires_grad_()
y = rb_net(x)
probe = torch.randn(y.shape, dtype=F64)
(y * probe).sum().backward()
save("lesson06_resblock.bin", {"x": x32, "block": block(rb_net.parameters()), "y": y,
                               "probe": probe, "dx": x.grad, "grad": grads(rb_net)})

# ---------------------------------------------------------------- 6.5, 6.6 one step
S_B, S_HW = 2, 16
nets0 = {"g": randomise(resnet_g(ngf=2, blocks=1)), "f": randomise(resnet_g(ngf=2, blocks=1)),
         "dx": randomise(patchgan(3, instance_norm, ndf=2, n_layers=1)),
         "dy": randomise(patchgan(3, instance_norm, ndf=2, n_layers=1))}
sa, sb = image(S_B, 3, S_HW, S_HW), image(S_B, 3, S_HW, S_HW)
step = {"a": sa, "b": sb, "lr": scalar(LR), "beta1": scalar(BETA1), "beta2": scalar(BETA2),
        "lambda": scalar(LAMBDA)}
for k, net in nets0.items():
    step[k + "_block"] = block(net.parameters())


def mse_to(t, v):
    return F.mse_loss(t, torch.full_like(t, v))


def adam(net):
    return torch.optim.Adam(net.parameters(), lr=LR, betas=(BETA1, BETA2), eps=ADAM_EPS)


for name, cycle, identity in (("full", 1, 0.5), ("noidt", 1, 0.0), ("nocyc", 0, 0.5)):
    nets = {k: randomise(resnet_g(ngf=2, blocks=1)) if k in "gf"
            else randomise(patchgan(3, instance_norm, ndf=2, n_layers=1)) for k in nets0}
    for k in nets:
        nets[k].load_state_dict(nets0[k].state_dict())
    g, f, dx, dy = nets["g"], nets["f"], nets["dx"], nets["dy"]
    r = {}
    # G step: both D frozen
    for d in (dx, dy):
        d.requires_grad_(False)
    fake_b = g(sa)
    rec_a = f(fake_b)
    fake_a = f(sb)
    rec_b = g(fake_a)
    adv_g, adv_f = mse_to(dy(fake_b), 1.0), mse_to(dx(fake_a), 1.0)
    cyc_a, cyc_b = F.l1_loss(rec_a, sa), F.l1_loss(rec_b, sb)
    loss = adv_g + adv_f
    if cycle:
        loss = loss + LAMBDA * (cyc_a + cyc_b)
    idt_a = idt_b = torch.zeros((), dtype=F64)
    if identity > 0:
        idt_a, idt_b = F.l1_loss(f(sa), sa), F.l1_loss(g(sb), sb)
        loss = loss + identity * LAMBDA * (idt_a + idt_b)
    opt_g, opt_f = adam(g), adam(f)
    loss.backward()
    r.update({"loss_g": scalar(loss), "adv_g": scalar(adv_g), "adv_f": scalar(adv_f),
              "cycle_a": scalar(cyc_a), "cycle_b": scalar(cyc_b), "idt_a": scalar(idt_a),
              "idt_b": scalar(idt_b), "g_grad": grads(g), "f_grad": grads(f)})
    opt_g.step()
    opt_f.step()
    r.update({"g_after": block(g.parameters()), "f_after": block(f.parameters()),
              "fake_a": fake_a.detach(), "fake_b": fake_b.detach()})
    # D step on the (detached) fakes the G step made; an empty pool returns them
    for d in (dx, dy):
        d.requires_grad_(True)
    opt_dx, opt_dy = adam(dx), adam(dy)
    ry, fy = dy(sb), dy(fake_b.detach())
    loss_dy = 0.5 * (mse_to(ry, 1.0) + mse_to(fy, 0.0))
    rx, fx = dx(sa), dx(fake_a.detach())
    loss_dx = 0.5 * (mse_to(rx, 1.0) + mse_to(fx, 0.0))
    (loss_dy + loss_dx).backward()
    r.update({"loss_dx": scalar(loss_dx), "loss_dy": scalar(loss_dy),
              "dx_real": scalar(rx.mean()), "dx_fake": scalar(fx.mean()),
              "dy_real": scalar(ry.mean()), "dy_fake": scalar(fy.mean()),
              "dx_grad": grads(dx), "dy_grad": grads(dy)})
    opt_dx.step()
    opt_dy.step()
    r.update({"dx_after": block(dx.parameters()), "dy_after": block(dy.parameters())})
    step.update({"%s_%s" % (name, k): v for k, v in r.items()})
save("lesson06_step.bin", step)

# ---------------------------------------------------------------- the generator's options
# (appended last, so the draws above stay as they were)
# lesson06_gen_options.bin: ResNet generators ngf 2, 1 block, 12x12, batch 2, with the
# resize-convolution ("resize_": nearest x2, reflection pad 1, conv 3x3) and with the input
# skip ("skip_": x + tanh(..)): x, the parameter block, the output, a probe, the gradients of
# sum(out * probe) for the parameters and x.


def resize_g(ngf=2, blocks=1):
    layers = list(resnet_g(ngf=ngf, blocks=blocks))
    for i, m in enumerate(layers):
        if isinstance(m, nn.ConvTranspose2d):
            layers[i] = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                      nn.ReflectionPad2d(1),
                                      nn.Conv2d(m.in_channels, m.out_channels, 3, bias=False))
    return nn.Sequential(*layers)


class SkipG(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = resnet_g(ngf=2, blocks=1)

    def forward(self, x):
        return x + self.body(x)


options = {}
for name, net in (("resize", randomise(resize_g())), ("skip", randomise(SkipG()))):
    x32 = torch.rand(2, 3, 12, 12) * 2 - 1
    x = x32.to(F64).requires_grad_()
    y = net(x)
    probe = torch.randn(y.shape, dtype=F64)
    (y * probe).sum().backward()
    options.update({name + "_x": x32, name + "_block": block(net.parameters()), name + "_y": y,
                    name + "_probe": probe, name + "_dx": x.grad, name + "_grad": grads(net)})
save("lesson06_gen_options.bin", options)
