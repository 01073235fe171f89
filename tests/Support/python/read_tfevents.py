#!/usr/bin/python3
"""Independent reader of a TensorBoard event file, sharing no code with the C# side: TFRecord framing with both CRC-32C
checks (the crc32c module), Event protos parsed by Python's protobuf runtime from protoc-compiled event.proto.

usage: read_tfevents.py --pb DIR FILE
Prints one JSON object: file_version, events, crc_errors, scalars {tag: [[step, value, wall_time], ...]}."""
import argparse, json, struct, sys
import crc32c

ap = argparse.ArgumentParser()
ap.add_argument("--pb", required=True)
ap.add_argument("file")
a = ap.parse_args()
sys.path.insert(0, a.pb)
import event_pb2  # noqa: E402

def masked(b):
    c = crc32c.crc32c(b)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

raw = open(a.file, "rb").read()
pos, events, crc_errors, version, scalars = 0, 0, 0, None, {}
while pos < len(raw):
    hdr = raw[pos:pos + 8]
    (n,) = struct.unpack("<Q", hdr)
    (lc,) = struct.unpack("<I", raw[pos + 8:pos + 12])
    data = raw[pos + 12:pos + 12 + n]
    (dc,) = struct.unpack("<I", raw[pos + 12 + n:pos + 16 + n])
    if lc != masked(hdr) or dc != masked(data):
        crc_errors += 1
    e = event_pb2.Event()
    e.ParseFromString(data)
    if events == 0:
        version = e.file_version
    for v in e.summary.value:
        scalars.setdefault(v.tag, []).append([e.step, v.simple_value, e.wall_time])
    events += 1
    pos += 16 + n
print(json.dumps({"file_version": version, "events": events, "crc_errors": crc_errors, "scalars": scalars}))
