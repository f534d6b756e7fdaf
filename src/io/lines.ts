/**
 * Newline splitting on raw bytes. Splitting happens before any UTF-8 decoding because decoder chunks
 * end anywhere, including inside a multi-byte character; 0x0a never occurs inside one, so cutting on
 * it is always safe. Hot path: only Buffer.indexOf (memchr) scans bytes, never a JS loop.
 */

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const DEFAULT_TARGET_BYTES = 4 << 20;

/** Whole lines of the input, sized for shipping to a worker thread. */
export interface LineBatch {
  /** Whole lines, each ending in `\n`; only the input's last line may lack it. */
  buf: Buffer;
  /** 1-based line number of the first line in buf. */
  firstLine: number;
}

export interface LineBatchOptions {
  /** A batch is the shortest run of whole lines reaching this size (the last batch may be smaller). */
  targetBytes?: number;
}

/**
 * Regroups a byte stream into batches of whole lines. A batch that lies inside one source chunk is a
 * view of it (no copy); otherwise the pieces are copied once into a buffer that owns its memory, which
 * a worker pool can then transfer instead of copying again.
 */
export async function* lineBatches(source: AsyncIterable<Buffer>, opts: LineBatchOptions = {}): AsyncGenerator<LineBatch> {
  const targetBytes = Math.max(1, Math.floor(opts.targetBytes ?? DEFAULT_TARGET_BYTES));
  // Bytes not yet emitted: complete lines plus at most one unfinished line at the end.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let nextLine = 1;

  const take = (chunk: Buffer, end: number): LineBatch => {
    const head = end === chunk.length ? chunk : chunk.subarray(0, end);
    const buf = pending.length === 0 ? head : joinOwned(pending, head, pendingBytes + end);
    pending = [];
    pendingBytes = 0;
    const batch = { buf, firstLine: nextLine };
    nextLine += countNewlines(buf);
    return batch;
  };

  for await (const input of source) {
    let chunk = input;
    while (chunk.length > 0) {
      const wanted = targetBytes - pendingBytes;
      // The batch ends at the first newline at or after the point where it reaches targetBytes.
      // (Once pending already holds targetBytes, any newline ends it: search from 0, never a negative
      // offset, which indexOf would count from the end.)
      const cut = wanted > chunk.length ? -1 : chunk.indexOf(NEWLINE, Math.max(0, wanted - 1));
      if (cut === -1) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        break;
      }
      yield take(chunk, cut + 1);
      chunk = chunk.subarray(cut + 1);
    }
  }
  if (pendingBytes > 0) {
    const last = pending.pop()!;
    pendingBytes -= last.length;
    yield take(last, last.length);
  }
}

/** Like Buffer.concat, but never into the shared small-buffer pool, so the result owns its memory. */
function joinOwned(parts: Buffer[], last: Buffer, totalBytes: number): Buffer {
  const out = Buffer.allocUnsafeSlow(totalBytes);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  out.set(last, at);
  return out;
}

function countNewlines(buf: Buffer): number {
  let count = 0;
  for (let at = buf.indexOf(NEWLINE); at !== -1; at = buf.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/**
 * Calls fn for every line of a batch with its byte range [start, end), without the `\n` or a `\r`
 * before it. Empty lines are reported too: whether they count is the caller's decision.
 */
export function forEachLine(buf: Buffer, firstLine: number, fn: (start: number, end: number, lineNo: number) => void): void {
  let lineNo = firstLine;
  let start = 0;
  while (start < buf.length) {
    let newline = buf.indexOf(NEWLINE, start);
    if (newline === -1) newline = buf.length;
    const end = newline > start && buf[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    fn(start, end, lineNo++);
    start = newline + 1;
  }
}

/** Empty, or nothing but spaces, tabs and carriage returns. */
export function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
