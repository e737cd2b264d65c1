"""Reference data for common/eval/frechet.c: Gaussian statistics of feature sets
and the squared Fréchet distance between them.

Run from tests/ref/ with Debian's python3-torch:  /usr/bin/python3 gen_frechet.py
Writes data/frechet.bin:
  a (NA, D), b (NB, D)       two feature sets of different means and covariances
  mu_a, sigma_a, mu_b, sigma_b   their means and unbiased covariances (torch.cov)
  d2                         |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))
The trace of the square root is computed here from the eigenvalues of the
NON-symmetric product S_a S_b (they equal those of S_a^(1/2) S_b S_a^(1/2)),
a different route from the C code's two symmetric eigendecompositions, so an
error in either shows. Everything in float64 from float32 inputs.
"""
import torch

from refio import write_ref

torch.manual_seed(5)
NA, NB, D = 40, 31, 6

a = torch.randn(NA, D)
mix = torch.randn(D, D) * 0.7
b = (torch.randn(NB, D) @ mix + torch.linspace(-1.0, 2.0, D)).float()
a64, b64 = a.double(), b.double()

mu_a, mu_b = a64.mean(0), b64.mean(0)
sigma_a, sigma_b = torch.cov(a64.T), torch.cov(b64.T)
eig = torch.linalg.eigvals(sigma_a @ sigma_b)          # real and >= 0 up to rounding
tr_sqrt = eig.real.clamp(min=0).sqrt().sum()
d2 = (mu_a - mu_b).pow(2).sum() + sigma_a.trace() + sigma_b.trace() - 2 * tr_sqrt

write_ref("data/frechet.bin", {
    "a": a, "b": b,
    "mu_a": mu_a, "sigma_a": sigma_a, "mu_b": mu_b, "sigma_b": sigma_b,
    "d2": d2.reshape(1),
})
print("frechet: d2 = %.6f" % d2.item())
