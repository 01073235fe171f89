"""TFRecord framing for the Python baselines: python3-protobuf messages compiled by protoc + python3-crc32c."""
import gzip, struct
import crc32c

def _masked(b):
    c = crc32c.crc32c(b)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

class Writer:
    def __init__(self, path):
        self.f = gzip.open(path, "wb", compresslevel=1) if path.endswith(".gz") else open(path, "wb")
        self.records = 0

    def write(self, data):
        hdr = struct.pack("<Q", len(data))
        self.f.write(hdr + struct.pack("<I", _masked(hdr)) + data + struct.pack("<I", _masked(data)))
        self.records += 1

    def close(self):
        self.f.close()

def read(path):
    f = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    raw = f.read()
    pos = 0
    while pos < len(raw):
        (n,) = struct.unpack("<Q", raw[pos:pos + 8])
        data = raw[pos + 12:pos + 12 + n]
        if struct.unpack("<I", raw[pos + 12 + n:pos + 16 + n])[0] != _masked(data):
            raise ValueError(f"{path}: CRC mismatch at {pos}")
        yield data
        pos += 16 + n
