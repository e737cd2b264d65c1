"""Writer for the course's reference-data files (read by tests/support/ref.c).

Format, little-endian:
  magic  8 bytes  b"GANREF1\\0"
  count  uint32   number of tensors
  then per tensor:
    name  48 bytes, NUL-padded ASCII
    ndim  uint32 (0..4)
    dims  uint32 * ndim
    data  float32 * prod(dims)
"""
import struct

import torch

MAGIC = b"GANREF1\0"


def write_ref(path, tensors):
    """tensors: dict name -> torch.Tensor (any float dtype; stored as float32)."""
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(tensors)))
        for name, t in tensors.items():
            assert len(name) < 48, name
            t = torch.as_tensor(t).detach().to(torch.float32).contiguous().cpu()
            assert t.dim() <= 4, name
            f.write(name.encode("ascii").ljust(48, b"\0"))
            f.write(struct.pack("<I", t.dim()))
            f.write(struct.pack("<%dI" % t.dim(), *t.shape))
            f.write(t.numpy().astype("<f4").tobytes())
