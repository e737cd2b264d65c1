#!/usr/bin/python3
"""Converts the AdaIN authors' vgg_normalised.pth into lesson 07's encoder file.

    /usr/bin/python3 tools/convert_vgg.py vgg_normalised.pth vgg19_relu4_1.enc
    build/solutions/07_adain/lesson --encoder vgg19_relu4_1.enc ...

Needs Debian's python3-torch. Run by you, never by the tests (which use the
file its test mode made, tests/ref/data/lesson07_vgg_tiny.*):

    cd tests/ref && /usr/bin/python3 ../../tools/convert_vgg.py --test data

vgg_normalised.pth is the state_dict of one nn.Sequential (naoto0804's
pytorch-AdaIN, release v0.0.0): index 0 is a 1x1 conv 3 -> 3 that maps RGB in
[0, 1] to Caffe's BGR * 255 minus the mean, then VGG-19's convs with
reflection padding; the encoder keeps children [:31] (through relu4_1), its
convs at indices 2, 5, 9, 12, 16, 19, 22, 25, 29.

The course's encoder (common/models/vgg.h) takes RGB in [-1, 1] and has no 1x1 conv,
so both are folded into conv1_1, exactly: x01 = (x + 1) / 2 and the 1x1 conv
are one affine map per pixel, y = A x + b, and reflection padding copies
pixels, so conv1_1(pad(A x + b)) = conv with W'[o, j] = sum_i W[o, i] A[i, j]
and bias' = bias + sum_{i, kh, kw} W[o, i, kh, kw] b[i].

File ("ADAINVGG", little-endian): u32 version 1, u32 width, then conv1_1 ..
conv4_1, each weight (OC, IC, 3, 3) then bias (OC), float32.
"""
import os
import struct
import sys

import torch
import torch.nn as nn

CONVS = [2, 5, 9, 12, 16, 19, 22, 25, 29]   # conv1_1 .. conv4_1 in the Sequential
SLICES = [(0, 4), (4, 11), (11, 18), (18, 31)]   # relu1_1, relu2_1, relu3_1, relu4_1


def fold(state):
    """The nine (weight, bias) pairs of the course's encoder, float64."""
    a = state["0.weight"].double()[:, :, 0, 0]        # (3, 3): y = a x01 + b0
    b0 = state["0.bias"].double()
    a2, b2 = a / 2, b0 + a.sum(1) / 2                 # x01 = (x + 1) / 2
    w1, c1 = state["2.weight"].double(), state["2.bias"].double()
    w1f = torch.einsum("oikl,ij->ojkl", w1, a2)
    c1f = c1 + torch.einsum("oikl,i->o", w1, b2)
    out = [(w1f, c1f)]
    for i in CONVS[1:]:
        out.append((state["%d.weight" % i].double(), state["%d.bias" % i].double()))
    return out


def write_encoder(path, convs):
    width = convs[0][0].shape[0]
    with open(path, "wb") as f:
        f.write(b"ADAINVGG")
        f.write(struct.pack("<II", 1, width))
        for w, b in convs:
            f.write(w.float().contiguous().numpy().astype("<f4").tobytes())
            f.write(b.float().contiguous().numpy().astype("<f4").tobytes())
    print("%s: width %d, %d floats" % (path, width, sum(w.numel() + b.numel() for w, b in convs)))


def convert(src, dst):
    state = torch.load(src, map_location="cpu")
    for k in ["0.weight", "0.bias"] + ["%d.weight" % i for i in CONVS]:
        if k not in state:
            sys.exit("%s: expected vgg_normalised's keys (0.weight, 2.weight, ... 29.weight), "
                     "%s is missing; found %s" % (src, k, ", ".join(list(state)[:6])))
    write_encoder(dst, fold(state))


def vgg_normalised(w):
    """vgg_normalised's layout through relu4_1, width w (64 for the real one)."""
    def block(ic, oc):
        return [nn.ReflectionPad2d(1), nn.Conv2d(ic, oc, 3), nn.ReLU()]
    pool = lambda: nn.MaxPool2d(2, 2, ceil_mode=True)  # noqa: E731
    layers = [nn.Conv2d(3, 3, 1)] + block(3, w) + block(w, w) + [pool()] + block(w, 2 * w) + \
        block(2 * w, 2 * w) + [pool()] + block(2 * w, 4 * w) + block(4 * w, 4 * w) + \
        block(4 * w, 4 * w) + block(4 * w, 4 * w) + [pool()] + block(4 * w, 8 * w)
    return nn.Sequential(*layers)


def test_mode(outdir):
    """A random width-2 VGG in vgg_normalised's layout, saved as .pth, converted
    by the same path, and its relu1_1..relu4_1 on a 12x12 image."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
    from refio import write_ref
    torch.manual_seed(11)
    net = vgg_normalised(2).double()
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            m.weight.data = (torch.randn(m.weight.shape) / m.weight[0].numel() ** 0.5).float().double()
            m.bias.data = (0.1 + 0.1 * torch.randn(m.bias.shape)).float().double()
    net[0].weight.data = (torch.randn(3, 3, 1, 1) * 50).float().double()   # like the Caffe mapping
    net[0].bias.data = (torch.randn(3) * 100).float().double()
    pth = os.path.join(outdir, "lesson07_vgg_tiny.pth.tmp")
    torch.save({k: v.float() for k, v in net.state_dict().items()}, pth)
    convert(pth, os.path.join(outdir, "lesson07_vgg_tiny.enc"))
    os.remove(pth)
    x01 = torch.rand(1, 3, 12, 12).float().double()
    ref = {"x": 2 * x01 - 1}
    with torch.no_grad():
        h = x01
        for i, (a, b) in enumerate(SLICES):
            h = net[a:b](h)
            ref["relu%d_1" % (i + 1)] = h
    write_ref(os.path.join(outdir, "lesson07_vgg_tiny.bin"), ref)
    print("%s: x and relu1_1 .. relu4_1" % os.path.join(outdir, "lesson07_vgg_tiny.bin"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--test":
        test_mode(sys.argv[2])
    elif len(sys.argv) == 3:
        convert(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
