import { closeSync, createReadStream, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { forEachLine, lineBatches } from '../io/lines.js';

/** FNV-1a over the id's UTF-16 units: stable across runs and processes, so partitions are reproducible. */
export function partitionOf(postId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < postId.length; i++) {
    hash ^= postId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Append-only NDJSON files, one per (partition, stream). Buffers are small and flushed synchronously so
 * that memory stays bounded without back-pressure plumbing through the join.
 */
export class SpillFiles {
  private readonly buffers = new Map<string, { parts: string[]; bytes: number }>();
  private readonly fds = new Map<string, number>();
  bytesWritten = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  append(partition: number, stream: string, value: unknown): void {
    const key = this.fileName(partition, stream);
    let buffer = this.buffers.get(key);
    if (!buffer) this.buffers.set(key, (buffer = { parts: [], bytes: 0 }));
    const line = JSON.stringify(value) + '\n';
    buffer.parts.push(line);
    buffer.bytes += line.length;
    if (buffer.bytes >= FLUSH_BYTES) this.flush(key, buffer);
  }

  flushAll(): void {
    for (const [key, buffer] of this.buffers) this.flush(key, buffer);
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  read<T>(partition: number, stream: string): AsyncGenerator<T> {
    return readSpilled<T>(this.dir, partition, stream);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private fileName(partition: number, stream: string): string {
    return partitionFileName(partition, stream);
  }

  private flush(key: string, buffer: { parts: string[]; bytes: number }): void {
    if (buffer.parts.length === 0) return;
    let fd = this.fds.get(key);
    if (fd === undefined) this.fds.set(key, (fd = openSync(join(this.dir, key), 'a')));
    const data = Buffer.from(buffer.parts.join(''), 'utf8');
    writeSync(fd, data);
    this.bytesWritten += data.length;
    buffer.parts = [];
    buffer.bytes = 0;
  }
}

/** `p0007.answers.ndjson`: the file of one (partition, stream), in spills and extracts alike. */
export function partitionFileName(partition: number, stream: string): string {
  return `p${String(partition).padStart(4, '0')}.${stream}.ndjson`;
}

/** The values of one (partition, stream) file of a spill directory, in write order; none when it has no file. */
export async function* readSpilled<T>(dir: string, partition: number, stream: string): AsyncGenerator<T> {
  const path = join(dir, partitionFileName(partition, stream));
  if (!existsSync(path)) return;
  // Batches of whole lines cut on the newline byte: readline's per-line string events cost twice as much.
  for await (const { buf } of lineBatches(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    const values: T[] = [];
    forEachLine(buf, 0, (start, end) => {
      if (end > start) values.push(JSON.parse(buf.toString('utf8', start, end)) as T);
    });
    yield* values;
  }
}
