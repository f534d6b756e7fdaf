/**
 * Micro benchmark (not a test): readParquetRows (column-wise conversion of each Arrow batch) against
 * readParquetRowsPerRow (the previous arrow-js `vector.get(row)` conversion), in one process.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/parquet-read.js [copies of the sample threads, default 10]
 *
 * Inputs: the threads part that `threadsift ingest` writes for the AskHistorians samples in
 * data-samples/ (3,000 threads with their answers), and a larger file of that many copies of those
 * threads with fresh ids, written with the same columns. Each round reads every file with both readers in
 * alternating order; the median round is reported. The two readers' rows are compared once first.
 * "conversion only" times the Arrow -> plain rows step alone, on tables decoded beforehand: what the change
 * touches. The rest of a read is parquet-wasm decoding (ZSTD, Parquet pages, the IPC hop), the same in both.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAsBlob } from 'node:fs';
import type { Table } from 'apache-arrow';
import arrow from '../src/io/arrow.js';
import * as parquetWasm from 'parquet-wasm';
import { plainRows, plainRowsPerRow, readParquetRows, readParquetRowsPerRow, type ReadParquetOptions } from '../src/io/parquet-read.js';
import { ParquetPartWriter } from '../src/io/parquet.js';
import type { Thread } from '../src/ingest/records.js';
import { threadColumns } from '../src/ingest/thread-table.js';
import { repoRoot } from '../test/helpers/paths.js';

const ROUNDS = 7;

type Reader = (path: string, options?: ReadParquetOptions) => AsyncGenerator<Record<string, unknown>>;

const READERS: { name: string; read: Reader }[] = [
  { name: 'per-row (old)', read: readParquetRowsPerRow },
  { name: 'column-wise (new)', read: readParquetRows },
];

/** Reads every row and touches one field, as a consumer would; returns the row count. */
async function drain(read: Reader, path: string): Promise<number> {
  let rows = 0;
  let answers = 0;
  for await (const row of read(path)) {
    rows++;
    answers += (row['answers'] as unknown[] | null)?.length ?? 0;
  }
  if (answers < 0) throw new Error('unreachable');
  return rows;
}

async function collect(read: Reader, path: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of read(path)) rows.push(row);
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function arrowTables(path: string): Promise<Table[]> {
  const file = await parquetWasm.ParquetFile.fromFile(await openAsBlob(path));
  try {
    const tables: Table[] = [];
    const stream = (await file.stream({ batchSize: 1024 })) as ReadableStream<parquetWasm.RecordBatch>;
    for await (const batch of stream) tables.push(arrow.tableFromIPC(batch.intoIPCStream()));
    return tables;
  } finally {
    file.free();
  }
}

function report(label: string, rows: number, names: string[], times: Map<string, number[]>): void {
  console.log(`  ${label}`);
  const medians = names.map((name) => median(times.get(name)!));
  names.forEach((name, i) => {
    const seconds = medians[i]!;
    console.log(`    ${name.padEnd(18)} ${(seconds * 1000).toFixed(1).padStart(7)} ms  ${Math.round(rows / seconds).toLocaleString('en-US').padStart(10)} rows/s`);
  });
  console.log(`    speed-up: ${(medians[0]! / medians[1]!).toFixed(2)}x`);
}

async function bench(label: string, path: string): Promise<void> {
  const expected = await collect(readParquetRowsPerRow, path);
  deepStrictEqual(await collect(readParquetRows, path), expected, `${label}: the readers disagree`);
  const rows = expected.length;
  const mib = statSync(path).size / 2 ** 20;
  const times = new Map<string, number[]>(READERS.map((reader) => [reader.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? READERS : [...READERS].reverse();
    for (const reader of order) {
      const start = process.hrtime.bigint();
      const count = await drain(reader.read, path);
      times.get(reader.name)!.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (count !== rows) throw new Error(`${reader.name} read ${count} rows, expected ${rows}`);
    }
  }
  console.log(`\n${label}: ${rows} rows, ${mib.toFixed(1)} MiB on disk, median of ${ROUNDS} rounds`);
  const names = READERS.map((reader) => reader.name);
  report('whole read (parquet-wasm decode + conversion)', rows, names, times);

  const tables = await arrowTables(path);
  const converters = [
    { name: names[0]!, convert: plainRowsPerRow },
    { name: names[1]!, convert: plainRows },
  ];
  const conversion = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? converters : [...converters].reverse();
    for (const { name, convert } of order) {
      const start = process.hrtime.bigint();
      let count = 0;
      for (const table of tables) for (const row of convert(table)) count += row === null ? 0 : 1;
      conversion.get(name)!.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (count !== rows) throw new Error(`${name} converted ${count} rows, expected ${rows}`);
    }
  }
  report('conversion only (Arrow tables -> plain rows)', rows, names, conversion);
}

async function writeCopies(source: string, copies: number, dir: string): Promise<string> {
  const threads = (await collect(readParquetRows, source)) as unknown as Thread[];
  const writer = new ParquetPartWriter<Thread>({ dir, columns: threadColumns, fileName: 'threads-large.parquet' });
  try {
    for (let copy = 0; copy < copies; copy++) {
      for (const thread of threads) {
        const id = `${thread.id}x${copy}`;
        await writer.add({ ...thread, id, name: `t3_${id}`, answers: thread.answers.map((a) => ({ ...a, id: `${a.id}x${copy}` })) });
      }
    }
    const { files } = await writer.close();
    return files[0]!;
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
}

async function main(): Promise<void> {
  const copies = Number(process.argv[2] ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'threadsift-bench-parquet-read-'));
  try {
    const ingest = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'dist', 'src', 'cli', 'main.js'),
        'ingest',
        '--submissions', join(repoRoot, 'data-samples', 'AskHistorians_submissions.zst'),
        '--comments', join(repoRoot, 'data-samples', 'AskHistorians_comments.zst'),
        '--out', join(dir, 'ingest'),
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    if (ingest.status !== 0) throw new Error(`ingest failed (${ingest.status}): ${ingest.stderr}`);
    const threadsDir = join(dir, 'ingest', 'threads');
    const parts = readdirSync(threadsDir).filter((name) => name.endsWith('.parquet')).sort();
    console.log(`node ${process.version}`);
    for (const part of parts) await bench(`ingest threads (${part})`, join(threadsDir, part));
    if (copies > 0) await bench(`${copies} copies of the ingest threads`, await writeCopies(join(threadsDir, parts[0]!), copies, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
