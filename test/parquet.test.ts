import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeStagingDir, replaceDirAtomically, writeFileAtomic } from '../src/io/atomic.js';
import { ParquetPartWriter, ParquetRowError, defineColumns, huggingFaceShardName, type ColumnSpec } from '../src/io/parquet.js';
import { readParquetRows } from '../src/io/parquet-read.js';
import type { Answer, Thread } from '../src/ingest/records.js';
import { threadColumns } from '../src/ingest/thread-table.js';
import { normalize, parquetReaders, readWithParquetWasm, type PlainRow } from './helpers/parquet-readers.js';
import { firstDifference } from './helpers/first-difference.js';
import { TEXTS } from './helpers/texts.js';
import { repoRoot, tempDir } from './helpers/paths.js';

const ONE_MB_TEXT = 'A long answer with emoji 🧵 and CJK 漢字. '.repeat(24_000); // ~1 MiB of UTF-8

function text(i: number): string {
  return TEXTS[i % TEXTS.length]!;
}

function answer(thread: number, k: number): Answer {
  return {
    id: `c${thread}_${k}`,
    author: k === 1 ? null : `commenter_${k} ${text(thread + k)}`,
    body: thread === 11 && k === 0 ? ONE_MB_TEXT : text(thread * 3 + k),
    score: k === 2 ? null : (thread - 10) * 7 + k,
    created_utc: 1_300_000_000 + thread * 100 + k,
    edited: k % 2 === 1,
    distinguished: k === 0 && thread % 5 === 0 ? 'moderator' : null,
    stickied: k === 0 && thread % 6 === 0,
  };
}

function thread(i: number): Thread {
  return {
    id: `p${i.toString(36)}`,
    name: `t3_p${i.toString(36)}`,
    subreddit: i % 3 === 0 ? 'AskHistorians' : 'askscience',
    author: i % 4 === 1 ? null : `author ${text(i)}`,
    title: `Title ${i}: ${text(i + 1)}`,
    selftext: i === 5 ? ONE_MB_TEXT : text(i + 2),
    url: i % 2 === 0 ? null : `https://www.reddit.com/r/x/comments/p${i}/?q=${encodeURIComponent(text(i))}`,
    score: i === 3 ? Number.MAX_SAFE_INTEGER : i % 5 === 4 ? null : i - 8,
    num_comments: i % 7 === 2 ? null : i * 3,
    created_utc: 1_200_000_000 + i * 86_400,
    edited: i % 2 === 0,
    distinguished: i % 9 === 0 ? 'admin' : null,
    stickied: i % 8 === 0,
    over_18: i % 10 === 3,
    link_flair_text: i % 3 === 1 ? null : text(i + 3),
    removed_by_category: i % 6 === 5 ? 'deleted' : null,
    answers: Array.from({ length: i % 4 }, (_, k) => answer(i, k)),
  };
}

const THREADS = Array.from({ length: 20 }, (_, i) => thread(i));

async function writeAll<T extends object>(writer: ParquetPartWriter<T>, rows: T[]) {
  for (const row of rows) await writer.add(row);
  return writer.close();
}

function assertSameRows(actual: unknown[], expected: unknown[], label: string): void {
  const diff = firstDifference(actual, expected, '$', false);
  assert.equal(diff, null, `${label}: ${diff}`);
}

function hiddenEntries(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('.'));
}

async function duckdbRows(sql: string): Promise<PlainRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS().map((row) => normalize(row) as PlainRow);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test('threads with nested answers read back value for value in DuckDB, hyparquet and parquet-wasm', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, prefix: 'part', columns: threadColumns, maxRowsPerPart: 7, rowGroupRows: 3 });
    const result = await writeAll(writer, THREADS);

    assert.equal(result.rows, THREADS.length);
    assert.deepEqual(result.files.map((f) => basename(f)), ['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet']);
    assert.equal(result.bytes, result.files.reduce((sum, f) => sum + statSync(f).size, 0));
    assert.deepEqual(hiddenEntries(tmp.path), [], 'no temp files after close');

    const expected = THREADS.map((t) => normalize(t));
    for (const [name, read] of Object.entries(parquetReaders)) {
      const rows: PlainRow[] = [];
      for (const file of result.files) rows.push(...(await read(file)));
      assertSameRows(rows, expected, name);
    }
  } finally {
    tmp.dispose();
  }
});

test('parts are ZSTD-compressed, dictionary-encoded for short columns, and split into row groups', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, columns: threadColumns, rowGroupRows: 4 });
    const { files } = await writeAll(writer, THREADS.slice(0, 10));
    assert.equal(files.length, 1);
    const file = files[0]!.replace(/'/g, "''");
    const chunks = await duckdbRows(`SELECT path_in_schema, compression, encodings FROM parquet_metadata('${file}')`);
    assert.ok(chunks.every((c) => c.compression === 'ZSTD'), 'every column chunk is ZSTD');
    const encodingsOf = (column: string) => chunks.find((c) => c.path_in_schema === column)!.encodings as string;
    assert.match(encodingsOf('subreddit'), /RLE_DICTIONARY/);
    assert.doesNotMatch(encodingsOf('selftext'), /DICTIONARY/, 'long text skips the dictionary');
    const answerBody = chunks.find((c) => String(c.path_in_schema).endsWith('body'));
    assert.ok(answerBody, `a column chunk for the answers' body among ${chunks.map((c) => c.path_in_schema).join(' | ')}`);
    assert.doesNotMatch(answerBody.encodings as string, /DICTIONARY/, 'nested text is never dictionary-encoded');
    const [meta] = await duckdbRows(`SELECT num_rows, num_row_groups FROM parquet_file_metadata('${file}')`);
    assert.deepEqual(meta, { num_rows: 10, num_row_groups: 3 });
  } finally {
    tmp.dispose();
  }
});

test('maxBytesPerPart closes a part before the row that would overflow it', async () => {
  const tmp = tempDir();
  try {
    const rows = Array.from({ length: 30 }, (_, i) => ({ ...thread(i % 4 === 3 ? 4 : i % 4), id: `r${i}`, selftext: 'x'.repeat(1000) }));
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, prefix: 'threads', columns: threadColumns, maxBytesPerPart: 5_000 });
    const result = await writeAll(writer, rows);
    assert.ok(result.files.length >= 6, `expected >= 6 parts, got ${result.files.length}`);
    const readBack: unknown[] = [];
    for (const file of result.files) readBack.push(...(await readWithParquetWasm(file)));
    assertSameRows(readBack, rows.map((r) => normalize(r)), 'parquet-wasm');
  } finally {
    tmp.dispose();
  }
});

test('finalName renames parts once the count is known (Hugging Face shard names)', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, columns: threadColumns, maxRowsPerPart: 8, finalName: huggingFaceShardName('train') });
    const result = await writeAll(writer, THREADS);
    const names = ['train-00000-of-00003.parquet', 'train-00001-of-00003.parquet', 'train-00002-of-00003.parquet'];
    assert.deepEqual(result.files.map((f) => basename(f)), names);
    assert.deepEqual(readdirSync(tmp.path).sort(), names, 'no interim or temp names left');
  } finally {
    tmp.dispose();
  }
});

test('fileName writes one file however many rows', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, fileName: 'validation.parquet', columns: threadColumns, rowGroupRows: 5 });
    const result = await writeAll(writer, THREADS);
    assert.deepEqual(result.files, [join(tmp.path, 'validation.parquet')]);
    assertSameRows(await readWithParquetWasm(result.files[0]!), THREADS.map((t) => normalize(t)), 'parquet-wasm');
    assert.throws(() => new ParquetPartWriter<Thread>({ dir: tmp.path, fileName: 'x.parquet', maxRowsPerPart: 5, columns: threadColumns }));
  } finally {
    tmp.dispose();
  }
});

test('a writer with no rows still writes one empty part that carries the schema', async () => {
  const tmp = tempDir();
  try {
    const result = await new ParquetPartWriter<Thread>({ dir: tmp.path, columns: threadColumns }).close();
    assert.deepEqual({ rows: result.rows, files: result.files.map((f) => basename(f)) }, { rows: 0, files: ['part-00000.parquet'] });
    for (const [name, read] of Object.entries(parquetReaders)) assert.deepEqual(await read(result.files[0]!), [], name);
    const columns = await duckdbRows(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${result.files[0]}'))`);
    assert.deepEqual(columns.map((c) => c.column_name), threadColumns.map((c) => c.name));
  } finally {
    tmp.dispose();
  }
});

test('every scalar column type round-trips through all three readers', async () => {
  interface Mixed {
    s: string | null;
    i64: number;
    i32: number | null;
    f64: number;
    b: boolean | null;
    ts: number;
    items: { k: string; v: number | null; at: number }[] | null;
  }
  const columns = defineColumns<Mixed>({
    s: { type: 'string', nullable: true },
    i64: { type: 'int64', nullable: false },
    i32: { type: 'int32', nullable: true },
    f64: { type: 'float64', nullable: false },
    b: { type: 'bool', nullable: true },
    ts: { type: 'timestamp_s', nullable: false },
    items: { type: { list: { k: { type: 'string', nullable: false }, v: { type: 'float64', nullable: true }, at: { type: 'timestamp_s', nullable: false } } }, nullable: true },
  });
  const rows: Mixed[] = [
    { s: 'a😀', i64: -(2 ** 53) + 1, i32: -(2 ** 31), f64: 0.1, b: true, ts: 0, items: null },
    { s: null, i64: 2 ** 53 - 1, i32: 2 ** 31 - 1, f64: -1e300, b: null, ts: 1_700_000_000, items: [] },
    { s: '', i64: 0, i32: null, f64: 2.5, b: false, ts: -86_400, items: [{ k: '鍵', v: null, at: 1 }, { k: '', v: 3.25, at: 2_000_000_000 }] },
  ];
  const tmp = tempDir();
  try {
    const { files } = await writeAll(new ParquetPartWriter<Mixed>({ dir: tmp.path, columns }), rows);
    for (const [name, read] of Object.entries(parquetReaders)) assertSameRows(await read(files[0]!), rows, name);
  } finally {
    tmp.dispose();
  }
});

test('rows that do not fit the columns are rejected with the column path, and the writer stays usable', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, columns: threadColumns });
    await writer.add(THREADS[0]!);
    const bad = (patch: Record<string, unknown>) => ({ ...THREADS[1]!, ...patch }) as unknown as Thread;
    await assert.rejects(writer.add(bad({ title: null })), { name: 'ParquetRowError', message: /column title: null in a non-nullable column/ });
    await assert.rejects(writer.add(bad({ score: 1.5 })), /column score: expected a safe integer/);
    await assert.rejects(writer.add(bad({ created_utc: '2020' })), /column created_utc: expected a safe integer/);
    await assert.rejects(writer.add(bad({ answers: [answer(1, 0), { ...answer(1, 1), body: 7 }] })), /column answers\[1\]\.body: expected a string, got number 7/);
    await assert.rejects(writer.add(bad({ answers: null })), ParquetRowError);
    await writer.add(THREADS[2]!);
    const { files, rows } = await writer.close();
    assert.equal(rows, 2);
    assertSameRows(await readWithParquetWasm(files[0]!), [normalize(THREADS[0]), normalize(THREADS[2])], 'parquet-wasm');
  } finally {
    tmp.dispose();
  }
});

test('a rejected row mid-part leaves no part under its final name, and abort() removes the temp file', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, columns: threadColumns, maxRowsPerPart: 100 });
    // ~9 MiB of text: the first batch has been streamed into the part's temp file.
    for (let i = 0; i < 9; i++) await writer.add({ ...THREADS[0]!, id: `big${i}`, selftext: ONE_MB_TEXT });
    await assert.rejects(writer.add({ ...THREADS[0]!, num_comments: Number.NaN }), ParquetRowError);
    assert.equal(existsSync(join(tmp.path, 'part-00000.parquet')), false);
    // The encoder thread opens the temp file on its own time: wait for it rather than race it.
    const tempFiles = () => hiddenEntries(tmp.path).filter((n) => n.includes('.tmp-')).length;
    for (let waited = 0; tempFiles() === 0 && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(tempFiles(), 1, 'the in-progress part is a temp file');
    await writer.abort();
    assert.deepEqual(readdirSync(tmp.path), []);
    await assert.rejects(writer.add(THREADS[0]!), /writer is failed/);
  } finally {
    tmp.dispose();
  }
});

test('a row that throws while being encoded aborts the writer and removes every part it wrote', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Thread>({ dir: tmp.path, columns: threadColumns, maxRowsPerPart: 3 });
    for (const row of THREADS.slice(0, 7)) await writer.add(row);
    assert.ok(readdirSync(tmp.path).includes('part-00001.parquet'), 'two parts were finished');
    let reads = 0;
    const treacherous = { ...THREADS[8]! };
    Object.defineProperty(treacherous, 'title', {
      enumerable: true,
      get() {
        // valid when checked, throws when encoded
        if (++reads > 1) throw new Error('source went away');
        return 'fine';
      },
    });
    await assert.rejects(writer.add(treacherous), /source went away/);
    assert.deepEqual(readdirSync(tmp.path), [], 'finished parts and the temp file are gone');
    await assert.rejects(writer.close(), /writer is failed/);
  } finally {
    tmp.dispose();
  }
});

test('writeFileAtomic replaces content and leaves no temp file, even when it fails', async () => {
  const tmp = tempDir();
  try {
    const target = join(tmp.path, 'manifest.json');
    await writeFileAtomic(target, '{"v":1}');
    await writeFileAtomic(target, new TextEncoder().encode('{"v":2} 😀'));
    assert.equal(readFileSync(target, 'utf8'), '{"v":2} 😀');
    await assert.rejects(writeFileAtomic(join(tmp.path, 'missing-dir', 'x.json'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(readdirSync(tmp.path), ['manifest.json']);
  } finally {
    tmp.dispose();
  }
});

test('replaceDirAtomically swaps a staging dir in for the old content', async () => {
  const tmp = tempDir();
  try {
    const finalDir = join(tmp.path, 'threads');

    const first = await makeStagingDir(finalDir);
    assert.equal(dirname(first), tmp.path);
    assert.deepEqual(readdirSync(first), []);
    writeFileSync(join(first, 'part-00000.parquet'), 'old');
    writeFileSync(join(first, 'part-00001.parquet'), 'old');
    await replaceDirAtomically(first, finalDir);
    assert.deepEqual(readdirSync(finalDir).sort(), ['part-00000.parquet', 'part-00001.parquet']);

    const second = await makeStagingDir(finalDir);
    writeFileSync(join(second, 'part-00000.parquet'), 'new');
    await replaceDirAtomically(second, finalDir);
    assert.deepEqual(readdirSync(finalDir), ['part-00000.parquet'], 'nothing of the old content survives');
    assert.equal(readFileSync(join(finalDir, 'part-00000.parquet'), 'utf8'), 'new');
    assert.deepEqual(readdirSync(tmp.path), ['threads'], 'no staging or old dir left beside it');

    const elsewhere = join(tmp.path, 'sub', 'staging');
    mkdirSync(elsewhere, { recursive: true });
    await assert.rejects(replaceDirAtomically(elsewhere, finalDir), /must be a sibling/);
    assert.equal(readFileSync(join(finalDir, 'part-00000.parquet'), 'utf8'), 'new');
    rmSync(join(tmp.path, 'sub'), { recursive: true });
  } finally {
    tmp.dispose();
  }
});

test('schemas/threads.schema.json describes exactly the columns the writer uses', () => {
  interface JsonColumn {
    name: string;
    type: string | { list: JsonColumn[] };
    nullable: boolean;
    description: string;
  }
  const json = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'threads.schema.json'), 'utf8')) as { table: string; columns: JsonColumn[] };
  const strip = (columns: readonly (JsonColumn | ColumnSpec)[]): unknown =>
    columns.map((c) => ({ name: c.name, nullable: c.nullable, type: typeof c.type === 'string' ? c.type : { list: strip(c.type.list) } }));
  assert.equal(json.table, 'threads');
  assert.deepEqual(strip(json.columns), strip(threadColumns));

  const undocumented = (columns: JsonColumn[], prefix = ''): string[] =>
    columns.flatMap((c) => [
      ...(c.description?.trim() ? [] : [prefix + c.name]),
      ...(typeof c.type === 'string' ? [] : undocumented(c.type.list, `${prefix}${c.name}.`)),
    ]);
  assert.deepEqual(undocumented(json.columns), []);
});

test('readParquetRows streams a subset of columns', async () => {
  const tmp = tempDir();
  try {
    const { files } = await writeAll(new ParquetPartWriter<Thread>({ dir: tmp.path, columns: threadColumns, rowGroupRows: 4 }), THREADS);
    const rows: PlainRow[] = [];
    for await (const row of readParquetRows(files[0]!, { columns: ['id', 'created_utc'], batchSize: 3 })) rows.push(row);
    assert.deepEqual(rows, THREADS.map((t) => ({ id: t.id, created_utc: t.created_utc })));
  } finally {
    tmp.dispose();
  }
});

test('a writer that died mid-swap is recovered: its old dataset comes back, its staging dirs go', async () => {
  const { makeStagingDir } = await import('../src/io/atomic.js');
  const { mkdirSync, writeFileSync, readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = tempDir();
  try {
    const deadPid = 2 ** 22 + 12345; // above Linux's default pid_max: never a running process
    mkdirSync(join(dir.path, `.threads.old-${deadPid}-abcd`));
    writeFileSync(join(dir.path, `.threads.old-${deadPid}-abcd`, 'part-00000.parquet'), 'previous dataset');
    mkdirSync(join(dir.path, `.threads.staging-${deadPid}-xyz`));
    mkdirSync(join(dir.path, `.other.staging-${deadPid}-xyz`));
    const staging = await makeStagingDir(join(dir.path, 'threads'));
    assert.equal(readFileSync(join(dir.path, 'threads', 'part-00000.parquet'), 'utf8'), 'previous dataset');
    const left = readdirSync(dir.path).sort();
    assert.deepEqual(left, ['.other.staging-' + deadPid + '-xyz', staging.split('/').pop()!, 'threads'].sort(), 'only this run’s staging dir and other outputs’ leftovers remain');
  } finally {
    dir.dispose();
  }
});
