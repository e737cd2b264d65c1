"""Reference data for the autograd tape, the layers and the optimisers.

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_tape_optim.py
Writes data/tape_*.bin and data/optim_*.bin:
  tape_net.bin     conv -> batchnorm (train) -> leaky_relu -> conv_transpose -> tanh
                   -> flatten -> linear -> BCE: loss, every parameter's gradient,
                   the input's gradient and the updated running statistics
  tape_net2.bin    reflect pad, conv, instance norm, relu, maxpool, upsample,
                   concat, zero pad, residual add (a tensor used twice), sigmoid,
                   mse + 100 * l1 + 0.5 * (mse of channel means and stds)
  tape_shared.bin  one Linear applied three times in a chain (as CycleGAN uses
                   a generator): its gradient is the sum over the three uses
  tape_counts.bin  parameter counts of the W1 DCGAN generator and discriminator
  optim_adam.bin   5 Adam steps (betas 0.5, 0.999; eps 1e-3, large enough that
                   where it enters the update matters) on a least-squares problem
  optim_sgd.bin    5 SGD steps, with momentum 0.9 and without
  optim_lr.bin     the pix2pix linear-decay schedule, epoch by epoch
Parameter names are PyTorch's state_dict names; the C tests build the same
layers with those names and load the weights by name. Weights and inputs are
drawn in float32 (what the C code loads); then everything is computed in
float64, so the references carry no float32 rounding.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nets import DcganD, DcganG
from refio import write_ref

torch.manual_seed(3)
D = torch.float64


def randn(*shape, std=1.0):
    return (torch.randn(*shape) * std).to(D)


def dump(path, model, extra):
    """Weights, gradients (as <name>.grad) and buffers of model, plus extra."""
    out = {}
    for name, p in model.named_parameters():
        out[name] = p
        out[name + ".grad"] = p.grad
    for name, b in model.named_buffers():
        if "num_batches" not in name:
            out[name] = b
    out.update(extra)
    write_ref(path, out)


def randomise(model):
    """Weights N(0, 0.5) so every layer matters; norm gains around 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or name.startswith("bn"):
                p.copy_((1 + randn(*p.shape, std=0.2)) if name.endswith("weight")
                        else randn(*p.shape, std=0.2))
            else:
                p.copy_(randn(*p.shape, std=0.5))


# ---------------------------------------------------------------- tape_net
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 3, 3, 1, 1)
        self.bn = nn.BatchNorm2d(3)
        self.convt = nn.ConvTranspose2d(3, 2, 4, 2, 1)
        self.fc = nn.Linear(128, 1)

    def forward(self, x):
        h = F.leaky_relu(self.bn(self.conv1(x)), 0.2)
        h = torch.tanh(self.convt(h))
        return self.fc(h.flatten(1))


net = Net().to(D)
randomise(net)
x = randn(2, 2, 4, 4).requires_grad_()
target = torch.tensor([[1.0], [0.0]], dtype=D)
state0 = {k: v.clone() for k, v in net.state_dict().items() if "num_batches" not in k}
loss = F.binary_cross_entropy_with_logits(net(x), target)
loss.backward()
extra = {"x": x, "x.grad": x.grad, "target": target, "loss": loss}
extra.update({"init." + k: v for k, v in state0.items() if "running" in k})
dump("data/tape_net.bin", net, extra)


# ---------------------------------------------------------------- tape_net2
class Net2(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 3, 3, 1, 0)
        self.norm = nn.InstanceNorm2d(3, affine=True)
        self.conv2 = nn.Conv2d(5, 5, 3, 1, 0, bias=False)

    def forward(self, x):
        h = F.relu(self.norm(self.conv1(F.pad(x, (1, 1, 1, 1), mode="reflect"))))
        u = F.interpolate(F.max_pool2d(h, 2, 2, ceil_mode=True), scale_factor=2, mode="nearest")
        c = torch.cat([u, x], 1)
        r = c + self.conv2(F.pad(c, (1, 1, 1, 1)))
        return r


net2 = Net2().to(D)
randomise(net2)
x = randn(2, 2, 6, 6).requires_grad_()
t_mse, t_l1 = torch.rand(2, 5, 6, 6).to(D), torch.rand(2, 5, 6, 6).to(D)
t_mean, t_std = randn(1, 2, 5), torch.rand(1, 2, 5).to(D) + 0.5
r = net2(x)
s = torch.sigmoid(r)
mean = r.mean((2, 3)).unsqueeze(0)
std = (r.var((2, 3), unbiased=True) + 1e-5).sqrt().unsqueeze(0)
loss = (F.mse_loss(s, t_mse) + 100 * F.l1_loss(s, t_l1)
        + 0.5 * (F.mse_loss(mean, t_mean) + F.mse_loss(std, t_std)))
loss.backward()
dump("data/tape_net2.bin", net2, {"x": x, "x.grad": x.grad, "t_mse": t_mse, "t_l1": t_l1,
                                  "t_mean": t_mean, "t_std": t_std, "loss": loss})


# ---------------------------------------------------------------- tape_shared
class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.g = nn.Linear(4, 4)

    def forward(self, z):
        a = torch.tanh(self.g(z))
        b = torch.tanh(self.g(a))
        c = torch.tanh(self.g(b))
        return a, c


shared = Shared().to(D)
randomise(shared)
z = randn(3, 4).requires_grad_()
t1, t2 = randn(3, 4), randn(3, 4)
a, c = shared(z)
loss = F.mse_loss(c, t1) + F.l1_loss(a, t2)
loss.backward()
dump("data/tape_shared.bin", shared, {"z": z, "z.grad": z.grad, "t1": t1, "t2": t2,
                                      "loss": loss})


# ------------------------------------------------------- tape_counts (bench/WORKLOADS.md W1)
def numel(m):
    return sum(p.numel() for p in m.parameters())


w1_g, w1_d = DcganG(), DcganD()   # W1 (nets.py)
g_layers = [w1_g.fc, w1_g.bn0, w1_g.up1, w1_g.bn1, w1_g.up2]
d_layers = [w1_d.c1, w1_d.c2, w1_d.bn2, w1_d.fc]
write_ref("data/tape_counts.bin", {
    "dcgan_g": torch.tensor([float(numel(w1_g))]),
    "dcgan_d": torch.tensor([float(numel(w1_d))]),
    "dcgan_g_layers": torch.tensor([float(numel(m)) for m in g_layers]),
    "dcgan_d_layers": torch.tensor([float(numel(m)) for m in d_layers]),
})


# ---------------------------------------------------------------- optimisers
def least_squares():
    torch.manual_seed(5)
    x, y = randn(4, 5), randn(4, 3)
    lin = nn.Linear(5, 3).to(D)
    with torch.no_grad():
        lin.weight.copy_(randn(3, 5, std=0.5))
        lin.bias.copy_(randn(3, std=0.5))
    return x, y, lin


def run(make_opt, steps=5):
    x, y, lin = least_squares()
    out = {"x": x, "y": y, "weight0": lin.weight.detach().clone(),
           "bias0": lin.bias.detach().clone()}
    opt = make_opt(lin.parameters())
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(lin(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out.update({"losses": torch.tensor(losses), "weight": lin.weight, "bias": lin.bias})
    return out


write_ref("data/optim_adam.bin",
          run(lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.5, 0.999), eps=1e-3)))
sgd = {"momentum." + k: v for k, v in
       run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)).items()}
sgd.update({"plain." + k: v for k, v in run(lambda p: torch.optim.SGD(p, lr=0.1)).items()})
write_ref("data/optim_sgd.bin", sgd)

# pix2pix's linear policy: n_epochs 3 at the base rate, then 4 decaying.
N_EPOCHS, N_DECAY, BASE = 3, 4, 2e-4
p = nn.Parameter(torch.zeros(1))
opt = torch.optim.Adam([p], lr=BASE)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda e: 1.0 - max(0, e + 1 - N_EPOCHS) / float(N_DECAY + 1))
lrs = []
for _ in range(N_EPOCHS + N_DECAY):
    lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
write_ref("data/optim_lr.bin", {"lrs": torch.tensor(lrs)})
