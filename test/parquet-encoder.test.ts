import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParquetPartWriter, defineColumns } from '../src/io/parquet.js';
import { stopEncoderThread } from '../src/io/parquet-encoder.js';
import { readParquetRows } from '../src/io/parquet-read.js';
import { repoRoot, tempDir } from './helpers/paths.js';
import { TEXTS } from './helpers/texts.js';
import { firstDifference } from './helpers/first-difference.js';

interface Row {
  id: string;
  n: number;
  body: string;
}
const columns = defineColumns<Row>({
  id: { type: 'string', nullable: false },
  n: { type: 'int64', nullable: false },
  body: { type: 'string', nullable: false, longText: true },
});
const LONG = 'x'.repeat(64 * 1024);
async function readBack(path: string): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of readParquetRows(path)) rows.push({ ...row, n: Number(row.n) });
  return rows;
}

function assertSameRows(actual: unknown[], expected: unknown[]): void {
  const diff = firstDifference(actual, expected, '$', false);
  assert.equal(diff, null, diff ?? '');
}

const row = (i: number, body = TEXTS[i % TEXTS.length]!): Row => ({ id: `r${i}`, n: i, body });

test('two writers share the encoder thread and each file reads back exactly', async () => {
  const tmp = tempDir();
  try {
    const a = new ParquetPartWriter<Row>({ dir: join(tmp.path), prefix: 'a', columns, rowGroupRows: 100 });
    const b = new ParquetPartWriter<Row>({ dir: join(tmp.path), prefix: 'b', columns, rowGroupRows: 100 });
    const expectedA: Row[] = [];
    const expectedB: Row[] = [];
    // Interleaved, with batches large enough that both parts have several batches in flight.
    for (let i = 0; i < 600; i++) {
      const ra = row(i, i % 50 === 0 ? LONG + i : undefined);
      const rb = row(10_000 + i);
      expectedA.push(ra);
      expectedB.push(rb);
      await a.add(ra);
      await b.add(rb);
    }
    const [writtenA, writtenB] = await Promise.all([a.close(), b.close()]);
    assertSameRows(await readBack(writtenA.files[0]!), expectedA);
    assertSameRows(await readBack(writtenB.files[0]!), expectedB);
  } finally {
    tmp.dispose();
  }
});

test('a part that cannot be created fails add/close with the path, and does not hang', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Row>({ dir: join(tmp.path, 'missing', 'dir'), columns });
    const attempt = (async () => {
      for (let i = 0; i < 400; i++) await writer.add(row(i, LONG));
      await writer.close();
    })();
    await assert.rejects(attempt, /ENOENT.*missing\/dir/);
  } finally {
    tmp.dispose();
  }
});

test('when the encoder thread dies, open parts fail with the reason, leave no file, and the next writer works', async () => {
  const tmp = tempDir();
  try {
    const writer = new ParquetPartWriter<Row>({ dir: tmp.path, columns });
    for (let i = 0; i < 300; i++) await writer.add(row(i, LONG));
    await stopEncoderThread();
    await assert.rejects(
      (async () => {
        for (let i = 300; i < 600; i++) await writer.add(row(i, LONG));
        await writer.close();
      })(),
      /Parquet encoder thread exited/,
    );
    await writer.abort();
    assert.deepEqual(readdirSync(tmp.path), [], 'no part, and the dead thread’s temp file is removed');

    const next = new ParquetPartWriter<Row>({ dir: tmp.path, prefix: 'next', columns });
    await next.add(row(1));
    const written = await next.close();
    assertSameRows(await readBack(written.files[0]!), [row(1)]);
  } finally {
    tmp.dispose();
  }
});

test('a process that wrote Parquet exits on its own: the idle encoder thread does not keep it alive', () => {
  const tmp = tempDir();
  try {
    const script = join(tmp.path, 'write.mjs');
    writeFileSync(
      script,
      `import { ParquetPartWriter } from ${JSON.stringify(join(repoRoot, 'dist', 'src', 'io', 'parquet.js'))};
       const writer = new ParquetPartWriter({ dir: ${JSON.stringify(tmp.path)}, columns: [{ name: 'id', type: 'string', nullable: false }] });
       await writer.add({ id: 'a' });
       await writer.close();`,
    );
    const result = spawnSync(process.execPath, [script], { timeout: 20_000, encoding: 'utf8' });
    assert.equal(result.signal, null, 'the process had to be killed');
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(join(tmp.path, 'part-00000.parquet')));
  } finally {
    tmp.dispose();
  }
});
