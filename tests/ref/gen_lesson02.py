"""Reference data for lesson 02 (a vanilla GAN of two MLPs, backprop by hand).

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_lesson02.py
Writes data/lesson02_*.bin:
  lesson02_mlp_g.bin, lesson02_mlp_d.bin  one MLP's output and its backward
                                          (exercises 2.1, 2.2)
  lesson02_gan.bin                        one D step and one G step of a small
                                          GAN, with one Adam update each
                                          (exercises 2.3, 2.4)
Weights and inputs are drawn in float32 (what the C code loads); everything is
then computed in float64, so the references carry no float32 rounding.
The MLP layout is the C one: weights W[l] (F[l+1], F[l]) and biases b[l],
stored as W0, b0, W1, b1, ...; LeakyReLU slope 0.2 (MLP_LEAKY_SLOPE).
"""
import torch
import torch.nn.functional as F

from refio import write_ref

torch.manual_seed(2)
SLOPE = 0.2
ACTS = {
    "none": lambda v: v,
    "relu": F.relu,
    "lrelu": lambda v: F.leaky_relu(v, SLOPE),
    "tanh": torch.tanh,
}


def rand_mlp(sizes):
    """Weights like nn.Linear's default init, as float64 leaves."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = fan_in ** -0.5
        w = (torch.rand(fan_out, fan_in) * 2 - 1) * bound
        b = (torch.rand(fan_out) * 2 - 1) * bound
        params += [w.double().requires_grad_(), b.double().requires_grad_()]
    return params


def mlp(params, x, hidden, out):
    n = len(params) // 2
    for l in range(n):
        x = F.linear(x, params[2 * l], params[2 * l + 1])
        x = ACTS[out if l == n - 1 else hidden](x)
    return x


def named(prefix, params):
    t = {}
    for l in range(len(params) // 2):
        t["%sW%d" % (prefix, l)] = params[2 * l]
        t["%sb%d" % (prefix, l)] = params[2 * l + 1]
    return t


def grads_named(prefix, params):
    return named(prefix, [p.grad for p in params])


def mlp_case(path, sizes, hidden, out, B):
    """One forward and the vector-Jacobian product of a random dout."""
    params = rand_mlp(sizes)
    x = torch.randn(B, sizes[0]).double().requires_grad_()
    y = mlp(params, x, hidden, out)
    dout = torch.randn(y.shape).double()
    y.backward(dout)
    t = dict(x=x, out=y, dout=dout, dx=x.grad)
    t.update(named("", params))
    t.update(grads_named("d", params))
    write_ref(path, t)


def adam_first_step(params, lr, betas, eps=1e-8):
    """torch.optim.Adam's first step on double copies of params."""
    copies = [p.detach().clone().requires_grad_() for p in params]
    for c, p in zip(copies, params):
        c.grad = p.grad.clone()
    opt = torch.optim.Adam(copies, lr=lr, betas=betas, eps=eps)
    opt.step()
    return copies


def gan_case(path):
    # B = batch, Z = noise size, X = data size
    B, Z, X, H = 6, 3, 5, 8
    lr, betas = 1e-2, (0.5, 0.999)
    g = rand_mlp([Z, H, X])          # LeakyReLU hidden, tanh out
    d = rand_mlp([X, H, H, 1])       # LeakyReLU hidden, logit out
    real = (torch.rand(B, X) * 2 - 1).double()
    z_d = torch.randn(B, Z).double()
    z_g = torch.randn(B, Z).double()
    ones, zeros = torch.ones(B, 1).double(), torch.zeros(B, 1).double()
    bce = F.binary_cross_entropy_with_logits

    # D step: G's output is detached, gradients land in D only
    fake = mlp(g, z_d, "lrelu", "tanh").detach()
    logit_real = mlp(d, real, "lrelu", "none")
    logit_fake = mlp(d, fake, "lrelu", "none")
    loss_d = bce(logit_real, ones) + bce(logit_fake, zeros)
    loss_d.backward()
    t = dict(real=real, z_d=z_d, z_g=z_g, lr=torch.tensor(lr),
             beta1=torch.tensor(betas[0]), beta2=torch.tensor(betas[1]),
             loss_d=loss_d, d_real=torch.sigmoid(logit_real).mean(),
             d_fake=torch.sigmoid(logit_fake).mean())
    t.update(named("g_", g))
    t.update(named("d_", d))
    t.update(grads_named("dstep_dd_", d))
    t.update(named("dstep_d_", adam_first_step(d, lr, betas)))

    # G step, from the same starting weights: gradients flow through D into G
    for p in g + d:
        p.grad = None
    logit = mlp(d, mlp(g, z_g, "lrelu", "tanh"), "lrelu", "none")
    loss_g = bce(logit, ones)
    loss_g.backward()
    t.update(loss_g=loss_g)
    t.update(grads_named("gstep_dg_", g))
    t.update(named("gstep_g_", adam_first_step(g, lr, betas)))
    write_ref(path, t)


mlp_case("data/lesson02_mlp_g.bin", [5, 7, 6, 3], "lrelu", "tanh", B=4)
mlp_case("data/lesson02_mlp_d.bin", [6, 9, 1], "relu", "none", B=5)
gan_case("data/lesson02_gan.bin")
