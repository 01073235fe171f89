#!/usr/bin/python3
"""Independent reader of a TensorBoard event file, sharing no code with the C# side: TFRecord framing with both CRC-32C
checks (the crc32c module), Event protos parsed by Python's protobuf runtime from protoc-compiled event.proto.

usage: read_tfevents.py --pb DIR FILE
Prints one JSON object: file_version, events, crc_errors, scalars {tag: [[step, value, wall_time], ...]}."""
import argparse, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tfrecord_frames import frames  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--pb", required=True)
ap.add_argument("file")
a = ap.parse_args()
sys.path.insert(0, a.pb)
import event_pb2  # noqa: E402

raw = open(a.file, "rb").read()
events, crc_errors, version, scalars = 0, 0, None, {}
for _, data, ok in frames(raw):
    crc_errors += 0 if ok else 1
    e = event_pb2.Event()
    e.ParseFromString(data)
    if events == 0:
        version = e.file_version
    for v in e.summary.value:
        scalars.setdefault(v.tag, []).append([e.step, v.simple_value, e.wall_time])
    events += 1
print(json.dumps({"file_version": version, "events": events, "crc_errors": crc_errors, "scalars": scalars}))
