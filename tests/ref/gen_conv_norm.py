"""Reference data for common/kernels/conv.c and common/kernels/norm.c (tests/common/test_conv.c, test_norm.c).

Run from tests/ref/:  /usr/bin/python3 gen_conv_norm.py
Writes data/conv_*.bin and data/norm_*.bin through refio.write_ref.

Inputs are drawn in float32 (what the C code sees); PyTorch then computes in
float64, so the stored outputs and gradients are the exact answers for those
inputs, rounded once. Every gradient is that of loss = sum(out * dout) for a
random dout, so each output element's gradient path is exercised.
"""
import torch

from refio import write_ref

F = torch.nn.functional


def randn(*shape, mean=0.0, std=1.0):
    return (mean + std * torch.randn(*shape, dtype=torch.float32)).double()


def conv_case(name, B, C, H, W, OC, K, S, P, OP=0, bias=True, transposed=False):
    x = randn(B, C, H, W).requires_grad_()
    wshape = (C, OC, K, K) if transposed else (OC, C, K, K)
    w = randn(*wshape, std=0.5).requires_grad_()
    b = randn(OC).requires_grad_() if bias else None
    if transposed:
        out = F.conv_transpose2d(x, w, b, stride=S, padding=P, output_padding=OP)
    else:
        assert OP == 0
        out = F.conv2d(x, w, b, stride=S, padding=P)
    dout = randn(*out.shape)
    (out * dout).sum().backward()
    t = {
        # The test checks its own geometry against this, so a file and a test
        # that drifted apart fail loudly instead of comparing the wrong shapes.
        "geom": torch.tensor([B, C, H, W, OC, K, S, P, OP, int(bias), int(transposed)]),
        "inp": x, "weight": w, "out": out, "dout": dout, "dinp": x.grad, "dweight": w.grad,
    }
    if bias:
        t["bias"] = b
        t["dbias"] = b.grad
    write_ref("data/%s.bin" % name, t)


def batchnorm_case(name, B, C, H, W, affine):
    bn = torch.nn.BatchNorm2d(C, eps=1e-5, momentum=0.1, affine=affine).double()
    x = randn(B, C, H, W, mean=3.0, std=2.0).requires_grad_()
    rm0, rv0 = randn(C), randn(C).abs() + 0.5
    bn.running_mean.copy_(rm0)
    bn.running_var.copy_(rv0)
    t = {"inp": x, "running_mean0": rm0, "running_var0": rv0,
         "momentum": torch.tensor([bn.momentum]), "eps": torch.tensor([bn.eps])}
    if affine:
        with torch.no_grad():
            bn.weight.copy_(randn(C, mean=1.0, std=0.3))
            bn.bias.copy_(randn(C, std=0.3))
        t["gamma"], t["beta"] = bn.weight, bn.bias
    bn.train()
    out = bn(x)
    dout = randn(*out.shape)
    (out * dout).sum().backward()
    xd = x.detach()
    t["out"], t["dout"], t["dinp"] = out, dout, x.grad
    t["mean"] = xd.mean(dim=(0, 2, 3))
    t["rstd"] = 1.0 / torch.sqrt(xd.var(dim=(0, 2, 3), unbiased=False) + bn.eps)
    t["running_mean"], t["running_var"] = bn.running_mean, bn.running_var
    if affine:
        t["dgamma"], t["dbeta"] = bn.weight.grad, bn.bias.grad
    # Evaluation mode on a fresh input, with the running statistics just updated.
    bn.eval()
    xe = randn(B, C, H, W, mean=3.0, std=2.0)
    t["eval_inp"], t["eval_out"] = xe, bn(xe)
    write_ref("data/%s.bin" % name, t)


def instancenorm_case(name, B, C, H, W, affine):
    inorm = torch.nn.InstanceNorm2d(C, eps=1e-5, affine=affine,
                                    track_running_stats=False).double()
    x = randn(B, C, H, W, mean=-2.0, std=0.5).requires_grad_()
    t = {"inp": x, "eps": torch.tensor([inorm.eps])}
    if affine:
        with torch.no_grad():
            inorm.weight.copy_(randn(C, mean=1.0, std=0.3))
            inorm.bias.copy_(randn(C, std=0.3))
        t["gamma"], t["beta"] = inorm.weight, inorm.bias
    out = inorm(x)
    dout = randn(*out.shape)
    (out * dout).sum().backward()
    xd = x.detach()
    t["out"], t["dout"], t["dinp"] = out, dout, x.grad
    t["mean"] = xd.mean(dim=(2, 3))
    t["rstd"] = 1.0 / torch.sqrt(xd.var(dim=(2, 3), unbiased=False) + inorm.eps)
    if affine:
        t["dgamma"], t["dbeta"] = inorm.weight.grad, inorm.bias.grad
    write_ref("data/%s.bin" % name, t)


def main():
    torch.manual_seed(0)
    # name                          B  C  H  W  OC K  S  P
    conv_case("conv_k3s1p1_odd",    2, 3, 7, 9, 4, 3, 1, 1)
    conv_case("conv_k3s2p0_nobias", 2, 2, 7, 9, 3, 3, 2, 0, bias=False)
    conv_case("conv_k3s2p1_odd",    3, 2, 7, 9, 3, 3, 2, 1)
    conv_case("conv_k1s1p0",        3, 4, 5, 6, 2, 1, 1, 0)
    conv_case("conv_k4s2p1_dcgan",  2, 3, 8, 8, 5, 4, 2, 1)
    conv_case("conv_k4s2p1_odd",    2, 2, 7, 9, 3, 4, 2, 1, bias=False)
    # transposed: C in, OC out, weight (C, OC, K, K)   B  C  H  W  OC K  S  P  OP
    conv_case("conv_t_k4s2p1_dcgan",   2, 5, 4, 4, 3, 4, 2, 1, 0, transposed=True)
    conv_case("conv_t_k3s2p1_op1",     2, 3, 3, 5, 4, 3, 2, 1, 1, transposed=True)
    conv_case("conv_t_k3s1p0_nobias",  2, 2, 4, 3, 3, 3, 1, 0, 0, bias=False, transposed=True)
    conv_case("conv_t_k3s2p0_odd",     3, 2, 3, 4, 2, 3, 2, 0, 0, transposed=True)
    conv_case("conv_t_k1s1p0",         2, 4, 5, 6, 2, 1, 1, 0, 0, bias=False, transposed=True)
    conv_case("conv_t_k4s2p1_op1",     2, 2, 3, 3, 3, 4, 2, 1, 1, transposed=True)

    batchnorm_case("norm_bn_affine", 3, 4, 3, 5, affine=True)
    batchnorm_case("norm_bn_plain", 2, 3, 4, 3, affine=False)
    # HW = 1: batch norm after a linear layer (BatchNorm1d on (B, C)).
    batchnorm_case("norm_bn_hw1", 8, 5, 1, 1, affine=True)
    instancenorm_case("norm_in_affine", 2, 3, 5, 4, affine=True)
    instancenorm_case("norm_in_plain", 3, 2, 3, 7, affine=False)


if __name__ == "__main__":
    main()
