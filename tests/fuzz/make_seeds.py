#!/usr/bin/env python3
# make_seeds.py - writes the seed corpora corpus/<reader>/: small valid inputs
# of every kind each reader accepts, for libFuzzer to start from (run from
# this folder; only the standard library). corpus/checkpoint/ comes from
# seed_checkpoint.c instead (`make fuzz-seeds` runs both).
import gzip
import os
import struct
import zlib


def write(folder, name, data):
    os.makedirs(os.path.join("corpus", folder), exist_ok=True)
    with open(os.path.join("corpus", folder, name), "wb") as f:
        f.write(data)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h, color_type, rows, bit_depth=8, extra=b"", interlace=0):
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, interlace)
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def adam7_rows(w, h, pixel):
    # the rows of each of the 7 passes, in order; passes without pixels are absent
    rows = []
    for xs, ys, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
                           (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        if xs >= w:
            continue
        for y in range(ys, h, dy):
            rows.append(bytes(pixel(x, y) for x in range(xs, w, dx)))
    return rows


pngs = {
    "gray8_3x2.png": png(3, 2, 0, [b"\x00\x80\xff", b"\x10\x20\x30"]),
    "gray1_9x2.png": png(9, 2, 0, [b"\xa5\x80", b"\x5a\x00"], bit_depth=1),
    "gray16_2x2.png": png(2, 2, 0, [b"\x00\x00\xff\xff", b"\x80\x00\x12\x34"], bit_depth=16),
    "graya_2x1.png": png(2, 1, 4, [b"\x40\xff\x80\x00"]),
    "rgb_2x2.png": png(2, 2, 2, [b"\xff\x00\x00\x00\xff\x00", b"\x00\x00\xff\x80\x80\x80"]),
    "rgba_1x2.png": png(1, 2, 6, [b"\x10\x20\x30\x80", b"\xff\xff\xff\x00"]),
    "palette_trns_3x1.png": png(3, 1, 3, [b"\x00\x01\x02"],
                                extra=chunk(b"PLTE", b"\xff\x00\x00\x00\xff\x00\x00\x00\xff") +
                                chunk(b"tRNS", b"\xff\x80")),
    "interlaced_5x3.png": png(5, 3, 0, adam7_rows(5, 3, lambda x, y: 40 * x + y), interlace=1),
}
for name, data in pngs.items():
    write("png", name, data)
for name in ["gray8_3x2.png", "rgba_1x2.png", "interlaced_5x3.png"]:
    write("folder", name, pngs[name])

# A | B pairs: 4x2 like the target's own a.png (halves 2x2), and a larger one.
write("paired", "gray_4x2.png", png(4, 2, 0, [b"\x00\x40\x80\xc0", b"\x20\x60\xa0\xe0"]))
write("paired", "rgb_4x2.png", png(4, 2, 2, [bytes(range(0, 240, 20)), bytes(range(5, 245, 20))]))
write("paired", "rgba_8x4.png", png(8, 4, 6, [bytes((x * 9 + y * 31) % 256 for x in range(32))
                                               for y in range(4)]))

images = struct.pack(">IIII", 0x803, 2, 3, 4) + bytes(range(0, 240, 10))
labels = struct.pack(">II", 0x801, 3) + b"\x00\x09\x04"
write("idx", "images-idx3-ubyte", images)
write("idx", "labels-idx1-ubyte", labels)
write("idx", "images-idx3-ubyte.gz", gzip.compress(images, mtime=0))
write("idx", "labels-idx1-ubyte.gz", gzip.compress(labels, mtime=0))

write("csvlog", "log.csv", b"step,loss_d,loss_g\n1,0.69,0.71\n2,0.68,0.72\n3,0.5,1.5\n4,0.4,2\n")
write("csvlog", "crlf.csv", b"step,loss_d,loss_g\r\n1,0.69,0.71\r\n2,0.68,0.72\r\n")
write("csvlog", "no_newline.csv", b"step,loss_d,loss_g\n1,0.69,0.71\n200,0.1,3.25")

for name, argv in {
    "steps_lr_choice": ["--steps", "100", "--lr=0.001", "--g-loss", "sat"],
    "help": ["--help"],
    "resume_name": ["--resume", "--name", "run1"],
    "lesson_flags": ["--flip", "--data", "x", "--beta1", "0.9", "--n-critic=3", "--out", "o"],
}.items():
    write("args", name, b"\0".join(a.encode() for a in argv))
