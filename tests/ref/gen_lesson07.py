"""Reference data for lesson 07 (AdaIN: statistics, AdaIN, the two losses, one decoder step, blending).

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_lesson07.py
Writes:
  data/lesson07_stats.bin   x (5, 12): random channels, a constant one (std sqrt(eps)) and one
                            with mean 1000 and spread 0.01; mean and std (unbiased var + eps,
                            then sqrt) per channel.
  data/lesson07_adain.bin   one sample: content x (3, 2x3), style y (3, 2x5); out = AdaIN(x, y),
                            a probe and the gradients of sum(out * probe) for x and y.
  data/lesson07_losses.bin  the content loss (relu4_1-shaped (2, 4, 3, 3)) and the style loss over
                            four levels of different shapes: values and gradients.
  data/lesson07_step.bin    one decoder step of AdaIN (encoder and decoder width 2 on 32x32 crops,
                            batch 2, the first an identity pair, style weight 2, identity
                            weight 10, Adam lr 1e-3): the encoder and decoder
                            blocks, the batches, the four losses, the decoder's gradients and
                            parameters after Adam.
  data/lesson07_blend.bin   fc, three targets, weights (1, 2, 5), alpha 0.3: one style and three.
  data/lesson07_vgg_tiny.*  tools/convert_vgg.py --test: a converted random VGG and its four levels.
Inputs and parameters are drawn in float32 (what C loads), then everything runs in float64.
The networks are bench/torch_workloads.py's (the C ParamSet order: each conv's weight, then bias).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_workloads import VggEncoder, adain, adain_decoder, mean_std  # noqa: E402

from refio import write_ref  # noqa: E402

torch.manual_seed(7)
F64 = torch.float64
EPS = 1e-5


def f32(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape) * scale + shift).float()


def save(name, tensors):
    path = os.path.join("data", name)
    write_ref(path, tensors)
    print("%s: %d tensors, %d bytes" % (path, len(tensors), os.path.getsize(path)))


# 7.1: per-channel statistics of one sample (C, N)
x = f32(5, 12, scale=2.0, shift=0.5)
x[3] = 0.25                                   # constant: std = sqrt(eps)
x[4] = 1000.0 + 0.01 * torch.randn(12)        # large mean, small spread (float32 cancellation)
x64 = x.to(F64)
save("lesson07_stats.bin", {"x": x, "mean": x64.mean(1),
                            "std": (x64.var(1, unbiased=True) + EPS).sqrt(), "eps": torch.tensor(EPS)})

# 7.2: AdaIN of one sample, content 2x3 and style 2x5
xc, ys = f32(1, 3, 2, 3, scale=1.5, shift=0.3), f32(1, 3, 2, 5, scale=0.7, shift=-1.0)
xc64, ys64 = xc.to(F64).requires_grad_(True), ys.to(F64).requires_grad_(True)
out = adain(xc64, ys64)
probe = torch.randn(out.shape, dtype=F64)
(out * probe).sum().backward()
save("lesson07_adain.bin", {"x": xc, "y": ys, "out": out, "probe": probe, "dx": xc64.grad,
                            "dy": ys64.grad})

# 7.3 and 7.4: the losses
ref = {}
of, tg = f32(2, 4, 3, 3).abs(), f32(2, 4, 3, 3).abs()
of64 = of.to(F64).requires_grad_(True)
lc = F.mse_loss(of64, tg.to(F64))
lc.backward()
ref.update({"c_out": of, "c_target": tg, "c_loss": lc, "c_grad": of64.grad})
shapes = [(2, 2, 8, 8), (2, 4, 4, 4), (2, 8, 3, 2), (2, 16, 2, 2)]
outs, total = [], 0.0
for i, s in enumerate(shapes):
    o = (f32(*s) * (i + 1)).abs()
    st = (f32(s[0], s[1], s[2] + 1, s[3]) * 2).abs()   # style maps of another size
    o64 = o.to(F64).requires_grad_(True)
    om, osd = mean_std(o64)
    sm, ssd = mean_std(st.to(F64))
    total = total + F.mse_loss(om, sm) + F.mse_loss(osd, ssd)
    outs.append(o64)
    ref["s_out%d" % i], ref["s_style%d" % i] = o, st
total.backward()
ref["s_loss"] = total
for i, o in enumerate(outs):
    ref["s_grad%d" % i] = o.grad
save("lesson07_losses.bin", ref)

# 7.5: one decoder step
W, S, B, STYLE_WEIGHT, ID_WEIGHT, LR = 2, 32, 2, 2.0, 10.0, 1e-3
enc, dec = VggEncoder(w=W).to(F64), adain_decoder(w=W).to(F64)
content, style = (torch.rand(B, 3, S, S) * 2 - 1).float(), (torch.rand(B, 3, S, S) * 2 - 1).float()
style[0] = content[0]                         # one identity pair, the first


def draw(net):
    block = []
    for p in net.parameters():
        fan_in = p[0].numel() if p.dim() > 1 else 1
        v = torch.randn(p.shape) * (2.0 / fan_in) ** 0.5 if p.dim() > 1 else 0.1 + torch.randn(p.shape) * 0.05
        p.data = v.float().to(F64)
        block.append(p.data.flatten().clone())   # opt.step() changes p in place
    return block


def alive(net, x):
    """Every channel of every ReLU positive somewhere: at width 2 a layer dies
    easily, and a dead layer would hide a wrong gradient before it."""
    for m in net:
        x = m(x)
        if isinstance(m, torch.nn.ReLU) and bool(((x > 0).flatten(2).any(2) == 0).any()):
            return False
    return True


with torch.no_grad():
    while True:
        enc_block, dec_block = draw(enc), draw(dec)
        fc = enc(content.to(F64))[-1]
        sf = enc(style.to(F64))
        t = adain(fc, sf[-1])
        if alive(dec, t):
            break
enc.requires_grad_(False)
opt = torch.optim.Adam(dec.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
g = dec(t)
gf = enc(g)
lc = F.mse_loss(gf[-1], t)
ls = sum(F.mse_loss(mean_std(a)[0], mean_std(b)[0]) + F.mse_loss(mean_std(a)[1], mean_std(b)[1])
         for a, b in zip(gf, sf))
lid = F.mse_loss(g[:1], content[:1].to(F64))
loss = lc + STYLE_WEIGHT * ls + ID_WEIGHT * lid
opt.zero_grad()
loss.backward()
grads = torch.cat([p.grad.flatten() for p in dec.parameters()])
opt.step()
save("lesson07_step.bin", {
    "enc_block": torch.cat(enc_block), "dec_block": torch.cat(dec_block), "content": content,
    "style": style, "style_weight": torch.tensor(STYLE_WEIGHT), "lr": torch.tensor(LR),
    "identity_weight": torch.tensor(ID_WEIGHT), "identity_loss": lid,
    "loss": loss, "content_loss": lc, "style_loss": ls, "dec_grad": grads,
    "dec_after": torch.cat([p.data.flatten() for p in dec.parameters()])})

# 7.6: blending (test.py's style_transfer with interpolation weights, normalised)
fcb, tgs = f32(4, 3, 3), [f32(4, 3, 3, scale=2.0) for _ in range(3)]
w = torch.tensor([1.0, 2.0, 5.0], dtype=F64)
ALPHA = 0.3
mix = sum(wk / w.sum() * tk.to(F64) for wk, tk in zip(w, tgs))
save("lesson07_blend.bin", {
    "fc": fcb, "t0": tgs[0], "t1": tgs[1], "t2": tgs[2], "weights": w, "alpha": torch.tensor(ALPHA),
    "one": ALPHA * tgs[0].to(F64) + (1 - ALPHA) * fcb.to(F64),
    "three": ALPHA * mix + (1 - ALPHA) * fcb.to(F64)})

# The converter's parity data (tools/convert_vgg.py --test): a random width-2 VGG in
# vgg_normalised's layout, converted, and its relu1_1 .. relu4_1.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import convert_vgg  # noqa: E402

convert_vgg.test_mode("data")
