"""What a screenshot shows, without an imaging library: decodes an 8-bit RGB/RGBA PNG (zlib + the five row
filters) and prints the fraction of pixels that are not near-white and whether the report's two series colours
(#1f77b4 blue, #ff7f0e orange) appear.  usage: png_stats.py FILE.png"""
import json, struct, sys, zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, color = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
assert depth == 8 and color in (2, 6), f"unsupported PNG: depth {depth}, colour type {color}"
bpp = 3 if color == 2 else 4
raw, stride = zlib.decompress(idat), width * bpp
prev, non_white, blue, orange = bytearray(stride), 0, False, False
for y in range(height):
    f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = row[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: row[i] = (row[i] + a) & 255
        elif f == 2: row[i] = (row[i] + b) & 255
        elif f == 3: row[i] = (row[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = row[x], row[x + 1], row[x + 2]
        if r < 240 or g < 240 or bl < 240: non_white += 1
        if abs(r - 0x1f) < 8 and abs(g - 0x77) < 8 and abs(bl - 0xb4) < 8: blue = True
        if abs(r - 0xff) < 8 and abs(g - 0x7f) < 8 and abs(bl - 0x0e) < 8: orange = True
    prev = row
print(json.dumps({"width": width, "height": height, "non_white_fraction": non_white / (width * height), "has_blue": blue, "has_orange": orange}))
