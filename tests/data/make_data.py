#!/usr/bin/env python3
# make_data.py - writes the tiny test inputs in this folder (run from here:
# `python3 make_data.py`). Only the standard library: PNGs are assembled
# chunk by chunk so every byte, good or broken, is under control. The IDX
# sample copies the first images of the installed Fashion-MNIST training set.
import gzip
import struct
import zlib

FASHION = "/usr/share/datasets/fashion-mnist/train-%s-ubyte.gz"


def chunk(kind, data, crc=None):
    if crc is None:
        crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(width, height, color_type, rows, bit_depth=8, extra=b""):
    # rows: list of bytes, one per row, without the filter byte
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


# 4 wide, 3 tall; the test knows every value: pixel (y, x) channel k is
# (y * 4 + x) * 20 + k * 7 (gray: k = 0).
W, H = 4, 3
def value(y, x, k):
    return (y * W + x) * 20 + k * 7

gray = [bytes(value(y, x, 0) for x in range(W)) for y in range(H)]
rgb = [bytes(value(y, x, k) for x in range(W) for k in range(3)) for y in range(H)]
# alpha per column: 0 (transparent), 85, 170, 255 (opaque)
rgba = [bytes(v for x in range(W) for v in [value(y, x, 0), value(y, x, 1), value(y, x, 2), x * 85])
        for y in range(H)]
good_rgb = png(W, H, 2, rgb)
write("gray_4x3.png", png(W, H, 0, gray))
write("rgb_4x3.png", good_rgb)
write("rgba_4x3.png", png(W, H, 6, rgba))
# palette: index x picks colour x, same colours in every row
palette = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
write("palette_4x3.png", png(W, H, 3, [bytes(range(W))] * H, extra=chunk(b"PLTE", palette)))

# broken ones
write("empty.png", b"")
write("not_a_png.png", b"P6\n4 3\n255\n" + bytes(36))
write("truncated.png", good_rgb[:len(good_rgb) // 2])
bad_crc = bytearray(good_rgb)
bad_crc[8 + 8 + 13] ^= 0xFF   # the IHDR chunk's stored CRC
write("bad_crc.png", bytes(bad_crc))
bad_data = bytearray(good_rgb)
idat = bad_data.find(b"IDAT")
bad_data[idat + 6] ^= 0xFF   # a byte of compressed pixels: zlib fails before the CRC is seen
write("bad_data.png", bytes(bad_data))
write("huge.png", png(100000, 100000, 0, [b"\x00"]))   # IHDR claims 10^10 pixels

# IDX: 4 images 28x28 and their labels, gzipped, plus raw labels.
N = 4
with gzip.open(FASHION % "images-idx3") as f:
    images = f.read(16 + N * 28 * 28)[16:]
with gzip.open(FASHION % "labels-idx1") as f:
    labels = f.read(8 + N)[8:]
img_header = struct.pack(">IIII", 0x0803, N, 28, 28)
lab_header = struct.pack(">II", 0x0801, N)
write("tiny-images-idx3-ubyte.gz", gzip.compress(img_header + images, mtime=0))
write("tiny-labels-idx1-ubyte.gz", gzip.compress(lab_header + labels, mtime=0))
write("tiny-labels-idx1-ubyte", lab_header + labels)

write("idx_empty", b"")
write("idx_bad_magic", struct.pack(">II", 0x0802, N) + labels)           # wrong type code
write("idx_short_header", struct.pack(">I", 0x0803) + b"\x00\x00")
write("idx_truncated.gz", gzip.compress(img_header + images[:100], mtime=0))  # 100 of 3136 pixels
write("idx_extra_data", lab_header + labels + b"\x07\x07")
write("idx_huge_count", struct.pack(">IIII", 0x0803, 0x7FFFFFFF, 28, 28) + images[:64])
write("idx_zero_count", struct.pack(">II", 0x0801, 0))
good_gz = gzip.compress(img_header + images, mtime=0)
corrupt = bytearray(good_gz)
for i in range(800, 820):   # inside the deflate stream, past the header
    corrupt[i] ^= 0x5A
write("idx_corrupt.gz", bytes(corrupt))
bad_sum = bytearray(good_gz)
bad_sum[-8] ^= 0xFF          # the gzip trailer's CRC-32 of the data
write("idx_bad_crc.gz", bytes(bad_sum))
write("idx_cut.gz", good_gz[:300])   # gzip stream cut short

# IDX images of a size the course's networks do not take (they take 28x28):
# 2 images each, pixels a simple ramp.
for side in (32, 20):
    header = struct.pack(">IIII", 0x0803, 2, side, side)
    pixels = bytes((i * 7) % 256 for i in range(2 * side * side))
    write("idx_%dx%d.gz" % (side, side), gzip.compress(header + pixels, mtime=0))
# Labels of a class Fashion-MNIST does not have: the 4 labels, the third 12.
write("idx_label_12", lab_header + labels[:2] + b"\x0c" + labels[3:])

# A 64x64 RGB "sketch" (a dark ring on white), the smallest input lesson 05's
# U-Net takes: the reliability check runs its `infer` program on a folder of them.
S = 64
sketch = [bytes(0 if abs((y - 32) ** 2 + (x - 32) ** 2 - 400) < 60 else 255
                for x in range(S) for k in range(3)) for y in range(S)]
write("sketch_64x64.png", png(S, S, 2, sketch))
