#!/usr/bin/env python3
# make_paired.py - writes the tiny aligned and unaligned data sets that
# tests/common/test_paired.c reads (run from here: `python3 make_paired.py`).
# Only the standard library. The pixel values are chosen so that a test can
# tell every pair, half, row and column apart after a crop or a flip.
import os
import struct
import zlib


def png(width, height, rgb_rows):
    # rgb_rows: one list of (r, g, b) per row
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in rgb_rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) +
            chunk(b"IEND", b""))


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def pair(i, h=4, w=4):
    # A (left) is gray v = 60 i + 4 y + x; B (right) is (v + 100, v + 50, v).
    rows = []
    for y in range(h):
        v = [60 * i + 4 * y + x for x in range(w)]
        rows.append([(a, a, a) for a in v] + [(a + 100, a + 50, a) for a in v])
    return png(2 * w, h, rows)


def plain(value, h, w):
    # an unpaired image: red = value, green = the column, blue = the row
    return png(w, h, [[(value, x, y) for x in range(w)] for y in range(h)])


for i in range(3):
    write("good/pair%d.png" % i, pair(i))
write("good/notes.txt", b"not an image: ignored\n")
write("odd_width/pair.png", png(9, 4, [[(0, 0, 0)] * 9] * 4))
write("not_png/pair.png", b"this is text, not a PNG\n")
write("mixed_size/a.png", pair(0))
write("mixed_size/b.png", pair(1, h=6, w=6))
write("jpeg_only/photo.jpg", b"\xff\xd8\xff\xe0 not a real JPEG\n")
write("empty/.gitkeep", b"")
write("folder_png/pair0.png", pair(0))
write("folder_png/pair1.png/.gitkeep", b"")   # a folder named like a PNG
for i in range(2):
    write("unpaired/trainA/a%d.png" % i, plain(10 + i, 4, 4))
for i in range(3):
    write("unpaired/trainB/b%d.png" % i, plain(200 + i, 6, 6))
