// Independent TFRecord reader for the tests: the third-party npm package @roboflow/tfrecords.
// usage: node read_tfrecords.js SHARD... → JSON {records, crc_errors, features: {name: [first record's values]}, totals}
// The package reads uncompressed framing from a buffer; gzip/zlib shards are inflated with node's zlib first.
const fs = require("fs");
const zlib = require("zlib");
const { TFRecordsReader } = require("@roboflow/tfrecords/src/tensorFlowReader");

let crcErrors = 0;
const origLog = console.log;
console.log = (...args) => { if (String(args[0]).startsWith("Wrong")) crcErrors++; else origLog(...args); };

let records = 0;
let first = null;
const sums = {};
for (const file of process.argv.slice(2)) {
  let buf = fs.readFileSync(file);
  if (file.endsWith(".gz")) buf = zlib.gunzipSync(buf);
  else if (file.endsWith(".zlib")) buf = zlib.inflateSync(buf);
  const reader = new TFRecordsReader(buf);
  for (const rec of reader.toArray()) {
    const feats = {};
    for (const [name, f] of rec.context.featureMap) {
      const v = f.floatList ? f.floatList.valueList : f.int64List ? f.int64List.valueList : f.bytesList.valueList;
      feats[name] = v.map(Number);
      sums[name] = (sums[name] || 0) + feats[name].reduce((a, b) => a + b, 0);
    }
    if (first === null) first = feats;
    records++;
  }
}
process.stdout.write(JSON.stringify({ records, crc_errors: crcErrors, first, sums }) + "\n");
