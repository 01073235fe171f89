// DuckDB's SUMMARIZE over a CSV file (every column: min, max, approx_unique, avg, std, q25/q50/q75, count,
// null_percentage): the column-statistics anchor of scripts/bench.sh, with the same thread count as ours.
//   node summarize.mjs FILE THREADS
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: String(threads ?? 2) });
const con = await db.connect();
const reader = await con.runAndReadAll(`SUMMARIZE SELECT * FROM read_csv('${file.replaceAll("'", "''")}', header = true)`);
const rows = reader.getRowObjects();
process.stderr.write(`duckdb ${db.constructor.name}: ${rows.length} columns summarized with ${threads} threads\n`);
console.log(JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
