"""The reference networks of the course in PyTorch: one definition of each,
used by the reference-data generators here (gen_*.py) and by the PyTorch
side of `make bench` (bench/torch_workloads.py), so that what the tests
compare the C models with and what the bench times are the same networks.

The networks are those of bench/WORKLOADS.md: W1's DCGAN (DcganG, DcganD),
W2's U-Net and PatchGAN (UNet, patchgan), W3's ResNet generator (resnet_g)
with PatchGANs, W4's VGG encoder, AdaIN and decoder (VggEncoder, adain,
adain_decoder). Their sizes default to the workloads'; the generators build
smaller ones with the same code.

Choices where bench/WORKLOADS.md leaves room (the C models, common/models/dcgan.h,
unet.h, patchgan.h, resnet_gen.h and vgg.h, make the same):
- bench/WORKLOADS.md's rule taken literally: a convolution followed by a norm
  layer has no bias, every other convolution has one, and a Linear layer
  always has one (W1's Linear(100, 12544) too, although a BatchNorm
  follows it); biases start at 0;
- W1's first BatchNorm normalises the 12544 features of the Linear output
  (BatchNorm1d) before the reshape;
- instance norms (W3) are affine, gains N(1, 0.02), shifts 0;
- W2's U-Net concatenates (skip, up) and drops out (p 0.5, train mode) after
  the BatchNorm of the three innermost decoder blocks;
- W3's downsampling convs (k3 s2 p1) pad with zeros, the upsampling ones
  are ConvTranspose(k3, s2, p1, output_padding 1); the c7s1 convs and the
  residual blocks use reflection padding;
- W4's encoder starts at conv1_1 (no 1x1 colour conv before it) and max-pools
  2x2 s2 (ceil mode) before conv2_1, conv3_1 and conv4_1; weights are random
  N(0, 0.02) like every other net, not trained VGG weights (speed is the same).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- building blocks

def init_weights(net):
    """bench/WORKLOADS.md: weights N(0, 0.02), norm gains N(1, 0.02); biases 0."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.InstanceNorm2d)) and m.affine:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return net


def count_params(net):
    return sum(p.numel() for p in net.parameters())






def instance_norm(c):
    return nn.InstanceNorm2d(c, affine=True)


# ---------------------------------------------------------------- W1 dcgan-fmnist

class DcganG(nn.Module):
    # z (B, 100) -> (B, 1, 28, 28); the sizes are common/models/dcgan.h's DcganConfig.
    # Parameter names are those the C tests load by (tests/ref/gen_lesson03.py).
    def __init__(self, z_dim=100, img_ch=1, img_size=28, g_ch=256):
        super().__init__()
        self.g_ch, self.s = g_ch, img_size // 4
        self.fc = nn.Linear(z_dim, g_ch * self.s ** 2)
        self.bn0 = nn.BatchNorm1d(g_ch * self.s ** 2)
        self.up1 = nn.ConvTranspose2d(g_ch, g_ch // 2, 4, 2, 1, bias=False)     # 14x14
        self.bn1 = nn.BatchNorm2d(g_ch // 2)
        self.up2 = nn.ConvTranspose2d(g_ch // 2, img_ch, 4, 2, 1)               # 28x28

    def forward(self, z):
        h = F.relu(self.bn0(self.fc(z))).view(-1, self.g_ch, self.s, self.s)
        return torch.tanh(self.up2(F.relu(self.bn1(self.up1(h)))))


class DcganD(nn.Module):
    # (B, 1, 28, 28) -> (B, 1) logits
    def __init__(self, img_ch=1, img_size=28, d_ch=64):
        super().__init__()
        s = img_size // 4
        self.c1 = nn.Conv2d(img_ch, d_ch, 4, 2, 1)                              # 14x14
        self.c2 = nn.Conv2d(d_ch, 2 * d_ch, 4, 2, 1, bias=False)                # 7x7
        self.bn2 = nn.BatchNorm2d(2 * d_ch)
        self.fc = nn.Linear(2 * d_ch * s * s, 1)

    def forward(self, x):
        h = F.leaky_relu(self.c1(x), 0.2)
        h = F.leaky_relu(self.bn2(self.c2(h)), 0.2)
        return self.fc(h.flatten(1))


# ---------------------------------------------------------------- W2 pix2pix-64

class UNet(nn.Module):
    # (B, 3, 64, 64) -> (B, 3, 64, 64); 6 levels, 64 -> 1 pixel at the bottom.
    # The sizes are common/models/unet.h's UNetConfig.
    # skips=False: the same encoder-decoder without the skips (lesson 05's ablation).
    def __init__(self, ngf=32, depth=6, in_ch=3, out_ch=3, n_dropout=3, p=0.5, skips=True):
        super().__init__()
        self.skips = skips
        enc = [ngf * min(2 ** i, 8) for i in range(depth)]  # 32 64 128 256 256 256
        self.down = nn.ModuleList()
        for i, oc in enumerate(enc):
            ic = in_ch if i == 0 else enc[i - 1]
            norm = 0 < i < len(enc) - 1          # not the outermost, not the innermost
            layers = [] if i == 0 else [nn.LeakyReLU(0.2)]
            layers.append(nn.Conv2d(ic, oc, 4, 2, 1, bias=not norm))
            if norm:
                layers.append(nn.BatchNorm2d(oc))
            self.down.append(nn.Sequential(*layers))
        self.up = nn.ModuleList()                 # innermost first
        n = len(enc)
        for j in range(n):
            last = j == n - 1
            # after the first, (skip, up) concatenated
            ic = enc[-1] if j == 0 else (2 if skips else 1) * enc[n - 1 - j]
            oc = out_ch if last else enc[n - 2 - j]
            layers = [nn.ReLU(), nn.ConvTranspose2d(ic, oc, 4, 2, 1, bias=last)]
            layers += [nn.Tanh()] if last else [nn.BatchNorm2d(oc)]
            if j < n_dropout:
                layers.append(nn.Dropout(p))
            self.up.append(nn.Sequential(*layers))

    def forward(self, x):
        saved = []
        for d in self.down:
            x = d(x)
            saved.append(x)
        x = self.up[0](saved.pop())
        for u in self.up[1:]:
            skip = saved.pop()
            x = u(torch.cat([skip, x], 1) if self.skips else x)
        return x


def patchgan(in_ch, norm, ndf=32, n_layers=3):
    # (B, in_ch, 64, 64) -> (B, 1, 6, 6) logits: 32, 16, 8 (s2), 7 (s1), 6 (s1)
    ch = [ndf * min(2 ** i, 8) for i in range(n_layers + 1)]   # 32 64 128 256
    layers = [nn.Conv2d(in_ch, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
    for i in range(1, n_layers + 1):
        s = 2 if i < n_layers else 1
        layers += [nn.Conv2d(ch[i - 1], ch[i], 4, s, 1, bias=False), norm(ch[i]), nn.LeakyReLU(0.2)]
    layers.append(nn.Conv2d(ch[-1], 1, 4, 1, 1))
    return nn.Sequential(*layers)


# ---------------------------------------------------------------- W3 cyclegan-64

class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3, bias=False), instance_norm(c), nn.ReLU(),
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3, bias=False), instance_norm(c))

    def forward(self, x):
        return x + self.body(x)


def resnet_g(ngf=32, blocks=6, in_ch=3, out_ch=3):
    # (B, 3, 64, 64) -> (B, 3, 64, 64): c7s1-32, d64, d128, 6 x R128, u64, u32, c7s1-3
    def cnr(conv, oc):
        return [conv, instance_norm(oc), nn.ReLU()]
    layers = [nn.ReflectionPad2d(3)] + cnr(nn.Conv2d(in_ch, ngf, 7, bias=False), ngf)
    layers += cnr(nn.Conv2d(ngf, ngf * 2, 3, 2, 1, bias=False), ngf * 2)                   # 32x32
    layers += cnr(nn.Conv2d(ngf * 2, ngf * 4, 3, 2, 1, bias=False), ngf * 4)               # 16x16
    layers += [ResBlock(ngf * 4) for _ in range(blocks)]
    layers += cnr(nn.ConvTranspose2d(ngf * 4, ngf * 2, 3, 2, 1, 1, bias=False), ngf * 2)   # 32x32
    layers += cnr(nn.ConvTranspose2d(ngf * 2, ngf, 3, 2, 1, 1, bias=False), ngf)           # 64x64
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_ch, 7), nn.Tanh()]
    return nn.Sequential(*layers)


# ---------------------------------------------------------------- W4 adain-128

def conv3_relu(ic, oc):
    return [nn.ReflectionPad2d(1), nn.Conv2d(ic, oc, 3), nn.ReLU()]


def pool():
    return nn.MaxPool2d(2, 2, ceil_mode=True)


class VggEncoder(nn.Module):
    # (B, 3, H, W) -> relu1_1 (64, H), relu2_1 (128, H/2), relu3_1 (256, H/4), relu4_1 (512, H/8)
    # w = 64 is VGG-19's width (common/models/vgg.h's VggConfig)
    def __init__(self, w=64):
        super().__init__()
        self.stages = nn.ModuleList([
            nn.Sequential(*conv3_relu(3, w)),
            nn.Sequential(*conv3_relu(w, w), pool(), *conv3_relu(w, 2 * w)),
            nn.Sequential(*conv3_relu(2 * w, 2 * w), pool(), *conv3_relu(2 * w, 4 * w)),
            nn.Sequential(*conv3_relu(4 * w, 4 * w), *conv3_relu(4 * w, 4 * w), *conv3_relu(4 * w, 4 * w),
                          pool(), *conv3_relu(4 * w, 8 * w))])

    def forward(self, x):
        feats = []
        for s in self.stages:
            x = s(x)
            feats.append(x)
        return feats


def adain_decoder(w=64):
    # (B, 512, H/8, W/8) -> (B, 3, H, W): the encoder mirrored, nearest upsampling x2
    up = lambda: nn.Upsample(scale_factor=2, mode="nearest")  # noqa: E731
    return nn.Sequential(
        *conv3_relu(8 * w, 4 * w), up(),
        *conv3_relu(4 * w, 4 * w), *conv3_relu(4 * w, 4 * w), *conv3_relu(4 * w, 4 * w),
        *conv3_relu(4 * w, 2 * w), up(),
        *conv3_relu(2 * w, 2 * w), *conv3_relu(2 * w, w), up(),
        *conv3_relu(w, w), nn.ReflectionPad2d(1), nn.Conv2d(w, 3, 3))


def mean_std(x, eps=1e-5):
    # per (sample, channel) over HW; std = sqrt(unbiased variance + eps), as common/kernels/spatial.h
    b, c = x.shape[:2]
    flat = x.reshape(b, c, -1)
    return flat.mean(2), (flat.var(2, unbiased=True) + eps).sqrt()


def adain(content, style):
    cm, cs = mean_std(content)
    sm, ss = mean_std(style)
    return (content - cm[..., None, None]) / cs[..., None, None] * ss[..., None, None] + sm[..., None, None]
