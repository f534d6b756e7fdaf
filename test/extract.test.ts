import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFile, readExtractPartition } from '../src/ingest/extract.js';
import { ParsePool } from '../src/ingest/parse-pool.js';
import { parseBatch } from '../src/ingest/parse-batch.js';
import type { Comment } from '../src/ingest/records.js';
import { Progress } from '../src/io/progress.js';
import { tempDir } from './helpers/paths.js';

const PARTITIONS = 3;

/** Comment lines of several eras and byte formats: escaped, raw UTF-8, python-style separators, \r\n. */
function commentLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const record = {
      id: `c${i}`,
      link_id: `t3_p${i % 7}`,
      parent_id: i % 4 === 3 ? `t1_c${i - 1}` : `t3_p${i % 7}`,
      subreddit: 'AskHistorians',
      author: i % 5 === 0 ? '[deleted]' : `user_${i}`,
      body: `Answer ${i}: "quoted" 日本語 🇫🇷\nsecond paragraph &amp; more`,
      score: i % 6 === 0 ? null : i,
      created_utc: i % 2 === 0 ? 1_500_000_000 + i : String(1_500_000_000 + i),
      edited: i % 3 === 0 ? 1_500_000_100 + i : false,
    };
    let line = JSON.stringify(record);
    if (i % 3 === 1) line = line.replace(/[^\x00-\x7f]/gu, (c) => [...c].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''));
    if (i % 5 === 2) line = JSON.stringify(JSON.parse(line), null, 0).replace(/","/g, '", "').replace(/":"/g, '": "');
    lines.push(line + (i % 9 === 4 ? '\r' : ''));
  }
  lines.push('{"id":"broken", "body": "unterminated');
  return lines;
}

for (const workers of [0, 1]) test(`an extract stores the dump’s own lines of the records it keeps, and reading it back gives the same records (${workers} parse workers)`, async () => {
  const tmp = tempDir();
  const pool = new ParsePool(workers);
  try {
    const lines = commentLines();
    const dump = join(tmp.path, 'X_comments.zst');
    execFileSync('zstd', ['--long=31', '-q', '-f', '-o', dump], { input: lines.join('\n') + '\n' });
    const tapped: Comment[][] = Array.from({ length: PARTITIONS }, () => []);
    const dir = join(tmp.path, 'extract');
    const result = await extractFile({
      file: dump, kind: 'comment', subreddit: null, partitions: PARTITIONS, dir, pool, progress: new Progress(true), maxErrorRate: 0.5,
      tap: (partition, record) => tapped[partition]!.push(record as Comment),
    });
    assert.equal(result.report.replies, 15);
    assert.equal(result.report.rejected, 1);

    const dumpLines = new Set(lines.map((line) => line.replace(/\r$/, '')));
    let stored = 0;
    for (const name of readdirSync(dir)) {
      for (const line of readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean)) {
        assert.ok(dumpLines.has(line), `not a line of the dump: ${line}`);
        stored++;
      }
    }
    assert.equal(stored, 60 - 15);

    // What a join reads back is what the live join was handed while extracting.
    const expected = parseBatch({ kind: 'comment', file: dump, firstLine: 1, buf: Buffer.from(lines.join('\n')), subreddit: null, topLevelOnly: true }).records;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const readBack: unknown[] = [];
      for await (const record of readExtractPartition(dir, 'comment', partition)) readBack.push(record);
      assert.deepEqual(readBack, tapped[partition]);
    }
    assert.equal(tapped.flat().length, expected.length);
  } finally {
    await pool.close();
    tmp.dispose();
  }
});

test('a damaged extract line stops the join with the extract file, the line and what to do', async () => {
  const tmp = tempDir();
  const pool = new ParsePool(0);
  try {
    const dump = join(tmp.path, 'X_comments.zst');
    execFileSync('zstd', ['--long=31', '-q', '-f', '-o', dump], { input: commentLines().slice(0, 8).join('\n') + '\n' });
    const dir = join(tmp.path, 'extract');
    await extractFile({ file: dump, kind: 'comment', subreddit: null, partitions: 1, dir, pool, progress: new Progress(true), maxErrorRate: 0.5 });
    const file = join(dir, readdirSync(dir)[0]!);
    const good = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    appendFileSync(file, '{"id":"x","link_id":"t3_p1","body":"cut off\n');
    const records: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const record of readExtractPartition(dir, 'comment', 0)) records.push(record);
      })(),
      (error: Error) => {
        assert.ok(error.message.includes(file), error.message);
        assert.match(error.message, new RegExp(`line ${good + 1}:`));
        assert.match(error.message, /damaged; delete .* and run again/);
        return true;
      },
    );
  } finally {
    await pool.close();
    tmp.dispose();
  }
});
