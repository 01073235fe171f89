"""TFRecord framing read independently of the C# side (struct + the crc32c module): the one frame reader of the
Python test peers. frames(raw) yields (offset, data, crc_ok) for each record: uint64 length, masked CRC-32C of it,
data, masked CRC-32C of the data, little endian."""
import struct
import crc32c

def masked(b):
    c = crc32c.crc32c(b)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

def frames(raw):
    pos = 0
    while pos < len(raw):
        hdr = raw[pos:pos + 8]
        (n,) = struct.unpack("<Q", hdr)
        (lc,) = struct.unpack("<I", raw[pos + 8:pos + 12])
        data = raw[pos + 12:pos + 12 + n]
        (dc,) = struct.unpack("<I", raw[pos + 12 + n:pos + 16 + n])
        yield pos, data, lc == masked(hdr) and dc == masked(data) and len(data) == n
        pos += 16 + n
