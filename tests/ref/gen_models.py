"""Reference data for the library's models (common/models/dcgan.h, unet.h, patchgan.h,
resnet_gen.h, vgg.h), at small sizes, from the very PyTorch definitions the
benchmark times (nets.py, which bench/torch_workloads.py imports), so the C
models, the benchmark and these references describe the same networks.

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_models.py
Writes data/models_*.bin, one network (or pair) per file:
  models_dcgan.bin        G (z 8, 8x8x1, g_ch 8) and D (d_ch 4), batch 4, training mode
  models_unet.bin         U-Net ngf 1, depth 4, 16x16, batch 2, training mode with
                          dropout 0 (masks are random), then evaluation mode
  models_patchgan_bn.bin  PatchGAN 6 channels, ndf 2, 2 layers, batch norm, 16x16, batch 2
  models_patchgan_in.bin  PatchGAN 3 channels, ndf 2, 2 layers, instance norm, 16x16, batch 2
  models_resnet_gen.bin   ResNet generator ngf 2, 1 block, 12x12, batch 2
  models_vgg_enc.bin      VGG encoder width 2 on 12x12 (the pools meet odd sizes), batch 2
  models_adain_dec.bin    AdaIN decoder width 2, from 2x2 features, batch 1
  models_adain.bin        adain(content, style) with different spatial sizes, batch 2
In every file: the input x, the parameters p000, p001, ... in the order the
nets create them (the C models add them in the same order), the output y, a
random probe of y's shape, and the gradients of sum(y * probe): dx and g000,
g001, ... (none for the frozen encoder); batch norm's running statistics after the forward pass as
rm000/rv000, ... Parameters and inputs are drawn in float32 (what C loads),
then everything runs in float64, so the references carry no float32 rounding.
"""
import os

import torch
import torch.nn as nn

from nets import (DcganD, DcganG, UNet, VggEncoder, adain, adain_decoder, instance_norm,
                  patchgan, resnet_g)
from refio import write_ref

torch.manual_seed(5)
F64 = torch.float64


def randomise(net):
    """Every parameter random (not the DCGAN init: zero biases and unit gains
    would hide a bias or gain used wrongly), scaled to keep activations O(1)."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            fan_in = m.weight[0].numel() if not isinstance(m, nn.ConvTranspose2d) \
                else m.weight.shape[0] * m.weight[0, 0].numel()
            m.weight.data = torch.randn(m.weight.shape) / fan_in ** 0.5
            if m.bias is not None:
                m.bias.data = torch.randn(m.bias.shape) * 0.1
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.InstanceNorm2d)) and m.affine:
            m.weight.data = 1 + 0.2 * torch.randn(m.weight.shape)
            m.bias.data = 0.2 * torch.randn(m.bias.shape)
    return net


def run(net, x, prefix="", forward=None, train=True):
    """Forward and backward of sum(y * probe) in float64; the tensors to store."""
    net = net.to(F64).train(train)
    x32 = x.float()
    x = x32.to(F64).requires_grad_(True)
    y = (forward or net)(x)
    probe = torch.randn(y.shape, dtype=F64)
    (y * probe).sum().backward()
    out = {"x": x32, "y": y, "probe": probe, "dx": x.grad}
    for i, p in enumerate(net.parameters()):
        out["p%03d" % i] = p
        if p.requires_grad:
            out["g%03d" % i] = p.grad
    bufs = [b for n, b in net.named_buffers() if n.endswith("running_mean") or n.endswith("running_var")]
    for i in range(0, len(bufs), 2):
        out["rm%03d" % (i // 2)], out["rv%03d" % (i // 2)] = bufs[i], bufs[i + 1]
    return {prefix + k: v for k, v in out.items()}


def save(name, tensors):
    path = os.path.join("data", name)
    write_ref(path, tensors)
    print("%s: %d tensors, %d bytes" % (path, len(tensors), os.path.getsize(path)))


# DCGAN: G on z, D on an image batch; both in training mode (batch statistics).
g = randomise(DcganG(z_dim=8, img_ch=1, img_size=8, g_ch=8))
d = randomise(DcganD(img_ch=1, img_size=8, d_ch=4))
save("models_dcgan.bin", {**run(g, torch.randn(4, 8), "g."), **run(d, torch.randn(4, 1, 8, 8), "d.")})

# U-Net: training mode (dropout p 0: its masks are random), then evaluation
# mode on the running statistics the training forward left behind.
u = randomise(UNet(ngf=1, depth=4, in_ch=3, out_ch=3, n_dropout=3, p=0.0))
ref = run(u, torch.rand(2, 3, 16, 16) * 2 - 1)
with torch.no_grad():
    ref["y_eval"] = u.eval()(ref["x"].to(F64))
save("models_unet.bin", ref)

save("models_patchgan_bn.bin",
     run(randomise(patchgan(6, nn.BatchNorm2d, ndf=2, n_layers=2)), torch.randn(2, 6, 16, 16)))
save("models_patchgan_in.bin",
     run(randomise(patchgan(3, instance_norm, ndf=2, n_layers=2)), torch.randn(2, 3, 16, 16)))
save("models_resnet_gen.bin",
     run(randomise(resnet_g(ngf=2, blocks=1, in_ch=3, out_ch=3)), torch.rand(2, 3, 12, 12) * 2 - 1))

# VGG encoder: every level's output, flattened and joined into one y; frozen,
# as in C: the gradient reaches x, not the weights.
enc = randomise(VggEncoder(w=2)).requires_grad_(False)
save("models_vgg_enc.bin",
     run(enc, torch.rand(2, 3, 12, 12), forward=lambda x: torch.cat([f.flatten() for f in enc(x)])))

save("models_adain_dec.bin", run(randomise(adain_decoder(w=2)), torch.randn(1, 16, 2, 2)))

# adain: content and style of different sizes; gradients into both.
content32, style32 = torch.randn(2, 4, 3, 3) * 2 + 1, torch.rand(2, 4, 5, 4) * 3
content = content32.to(F64).requires_grad_(True)
style = style32.to(F64).requires_grad_(True)
t = adain(content, style)
probe = torch.randn(t.shape, dtype=F64)
(t * probe).sum().backward()
save("models_adain.bin", {"content": content32, "style": style32, "y": t, "probe": probe,
                          "dcontent": content.grad, "dstyle": style.grad})
