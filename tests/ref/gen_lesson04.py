"""Reference data for lesson 04 (a conditional GAN of two MLPs on the tape).

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_lesson04.py
Writes data/lesson04_cgan.bin, for a tiny cGAN: B = 6, Z = 3, K = 4 classes,
3x3 images (X = 9); G (Z+K) -> 6 -> 7 -> X, D (X+K) -> 8 -> 5 -> 1, LeakyReLU 0.2.
The label enters both networks as a one-hot vector joined after the noise
(G) or after the flattened image (D), and D adds the projection <E[y], phi(x)>
of its last hidden layer phi onto the class embedding E[y] (K x 5, no bias),
as lessons/04_cgan/cgan.h describes.
Parameter blocks are stored in the C ParamSet order: fc1.weight (OUT, IN),
fc1.bias, fc2.weight, ..., (D:) proj.weight, so a test loads a whole block at once.
  g_block, d_block            the initial parameters
  gfwd_*                      G's output for (z_g, labels_g) and the gradient of
                              sum(out * gfwd_probe) w.r.t. G's parameters (4.1)
  dfwd_*                      the same for D on (x, labels_x) (4.2)
  dstep_*                     one D step: loss, mean D(real), mean D(fake), D's
                              gradients and D's parameters after Adam (4.3)
  gstep_*                     one G step from the initial parameters (4.4)
Inputs drawn in float32; everything computed in float64.
"""
import torch
import torch.nn.functional as F

from refio import write_ref

torch.manual_seed(4)
B, Z, K, H, W = 6, 3, 4, 3, 3
X = H * W
G_SIZES = [Z + K, 6, 7, X]
D_SIZES = [X + K, 8, 5, 1]
SLOPE = 0.2
LR, BETA1, BETA2, EPS = 0.01, 0.5, 0.999, 1e-8


def rand_params(sizes):
    ps = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        ps.append((torch.randn(fan_out, fan_in) * 0.5).double())
        ps.append((torch.randn(fan_out) * 0.1).double())
    return ps


def leaves(ps):
    return [p.clone().requires_grad_() for p in ps]


def block(ps):
    return torch.cat([p.detach().reshape(-1) for p in ps])


def one_hot(labels):
    return F.one_hot(labels, K).double()


def g_forward(gp, z, labels):
    h = torch.cat([z, one_hot(labels)], 1)
    h = F.leaky_relu(F.linear(h, gp[0], gp[1]), SLOPE)
    h = F.leaky_relu(F.linear(h, gp[2], gp[3]), SLOPE)
    return torch.tanh(F.linear(h, gp[4], gp[5])).reshape(-1, 1, H, W)


def d_forward(dp, x, labels):
    h = torch.cat([x.reshape(x.shape[0], -1), one_hot(labels)], 1)
    h = F.leaky_relu(F.linear(h, dp[0], dp[1]), SLOPE)
    phi = F.leaky_relu(F.linear(h, dp[2], dp[3]), SLOPE)
    # the projection: <E[y], phi>, E = dp[6] (K, D2)
    match = (dp[6][labels] * phi).sum(1, keepdim=True)
    return F.linear(phi, dp[4], dp[5]) + match


def adam(ps):
    return torch.optim.Adam(ps, lr=LR, betas=(BETA1, BETA2), eps=EPS)


g0, d0 = rand_params(G_SIZES), rand_params(D_SIZES) + [(torch.randn(K, D_SIZES[2]) * 0.5).double()]
z_g = torch.randn(B, Z).double()
labels_g = torch.tensor([0, 1, 2, 3, 1, 2])
x = (torch.rand(B, 1, H, W) * 2 - 1).double()
labels_x = torch.tensor([3, 3, 0, 1, 2, 0])
z_d = torch.randn(B, Z).double()
labels_fake = torch.tensor([2, 0, 1, 3, 3, 1])
gfwd_probe = torch.randn(B, 1, H, W).double()
dfwd_probe = torch.randn(B, 1).double()

out = {"g_block": block(g0), "d_block": block(d0), "z_g": z_g, "labels_g": labels_g,
       "x": x, "labels_x": labels_x, "z_d": z_d, "labels_fake": labels_fake,
       "gfwd_probe": gfwd_probe, "dfwd_probe": dfwd_probe,
       "lr": torch.tensor([LR]), "beta1": torch.tensor([BETA1]), "beta2": torch.tensor([BETA2])}

# 4.1: G's forward and its parameter gradients through it
gp = leaves(g0)
img = g_forward(gp, z_g, labels_g)
(img * gfwd_probe).sum().backward()
out["gfwd_out"] = img
out["gfwd_grad"] = block([p.grad for p in gp])

# 4.2: D's forward and its parameter gradients through it
dp = leaves(d0)
logit = d_forward(dp, x, labels_x)
(logit * dfwd_probe).sum().backward()
out["dfwd_logit"] = logit
out["dfwd_grad"] = block([p.grad for p in dp])

# 4.3: one D step; G only evaluated
gp, dp = leaves(g0), leaves(d0)
with torch.no_grad():
    fake = g_forward(gp, z_d, labels_fake)
lr_ = d_forward(dp, x, labels_x)
lf_ = d_forward(dp, fake, labels_fake)
loss_d = (F.binary_cross_entropy_with_logits(lr_, torch.ones_like(lr_))
          + F.binary_cross_entropy_with_logits(lf_, torch.zeros_like(lf_)))
opt = adam(dp)
opt.zero_grad()
loss_d.backward()
out["dstep_grad"] = block([p.grad for p in dp])
opt.step()
out["dstep_loss"] = loss_d.reshape(1)
out["dstep_d_real"] = torch.sigmoid(lr_).mean().reshape(1)
out["dstep_d_fake"] = torch.sigmoid(lf_).mean().reshape(1)
out["dstep_d_after"] = block(dp)

# 4.4: one G step from the initial parameters; D frozen
gp, dp = leaves(g0), leaves(d0)
for p in dp:
    p.requires_grad_(False)
logit = d_forward(dp, g_forward(gp, z_g, labels_g), labels_g)
loss_g = F.binary_cross_entropy_with_logits(logit, torch.ones_like(logit))
opt = adam(gp)
opt.zero_grad()
loss_g.backward()
out["gstep_grad"] = block([p.grad for p in gp])
opt.step()
out["gstep_loss"] = loss_g.reshape(1)
out["gstep_g_after"] = block(gp)

write_ref("data/lesson04_cgan.bin", out)
print("lesson04: loss_D %.6f, loss_G %.6f" % (loss_d.item(), loss_g.item()))
