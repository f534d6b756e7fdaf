import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Thread } from '../ingest/records.js';
import { readParquetRows } from '../io/parquet-read.js';
import { compareByTimeThenId } from '../ingest/thread.js';

/** The Parquet parts of a threads directory, in name order (hidden temp files left out). */
export async function threadParts(dir: string): Promise<string[]> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile() && entry.name.endsWith('.parquet')) parts.push(join(dir, entry.name));
  }
  return parts.sort();
}

/** Streams the threads of a directory of parts, one row group at a time. */
export async function* readThreads(dir: string): AsyncGenerator<Thread> {
  yield* readThreadFiles(await threadParts(dir));
}

/** Streams the threads of the given Parquet files, in the order given. */
export async function* readThreadFiles(files: readonly string[]): AsyncGenerator<Thread> {
  for (const part of files) {
    for await (const row of readParquetRows(part)) yield row as unknown as Thread;
  }
}

/**
 * Threads of several files that are each ordered by (created_utc, id), merged into that order: the
 * dataset's row order then does not depend on how the posts were partitioned.
 */
export async function* mergeOrderedThreadFiles(files: readonly string[]): AsyncGenerator<Thread> {
  const streams = files.map((file) => readThreadFiles([file])[Symbol.asyncIterator]());
  const heads: (Thread | null)[] = await Promise.all(streams.map(async (stream) => (await stream.next()).value ?? null));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head && (best === -1 || compareByTimeThenId(head, heads[best]!) < 0)) best = i;
    }
    if (best === -1) return;
    yield heads[best]!;
    heads[best] = (await streams[best]!.next()).value ?? null;
  }
}
