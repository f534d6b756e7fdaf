import { stat } from 'node:fs/promises';
import { decodedLineBatches } from '../io/decoded-batches.js';
import type { DecoderChoice } from '../io/decompress.js';
import { formatBytes, formatRate, type Progress } from '../io/progress.js';
import type { ParseBatchCounts, ParseBatchResult, RecordKind } from './parse-batch.js';
import type { ParsePool } from './parse-pool.js';
import type { Quarantine } from './quarantine.js';
import type { Comment, Submission } from './records.js';

export interface FileReport extends ParseBatchCounts {
  file: string;
  kind: RecordKind;
  compressedBytes: number;
  decodedBytes: number;
  seconds: number;
}

export interface ReadOptions {
  kind: RecordKind;
  subreddit: string | null;
  topLevelOnly: boolean;
  pool: ParsePool;
  quarantine: Quarantine;
  progress: Progress;
  /** batches handed to workers before the reader waits: bounds memory to about this many x batch size */
  maxInFlight?: number;
  batchBytes?: number;
  decoder?: DecoderChoice;
  /** hand each record's own line (bytes [lineStart, lineEnd) of lineBuf, `\n` included) to onRecord too */
  keepLines?: boolean;
}

/** A record, and with ReadOptions.keepLines the bytes of the line it came from. */
export type OnRecord = (record: Submission | Comment, lineBuf?: Uint8Array, lineStart?: number, lineEnd?: number) => void;

/**
 * Streams one dump file through the parse workers and hands every record to `onRecord` in file order.
 * Errors (decoder, quarantine limit) name the file and the line they stopped at.
 */
export async function readDumpFile(
  file: string,
  options: ReadOptions,
  onRecord: OnRecord,
): Promise<FileReport> {
  const started = Date.now();
  const compressedBytes = (await stat(file)).size;
  const report: FileReport = {
    file,
    kind: options.kind,
    compressedBytes,
    decodedBytes: 0,
    seconds: 0,
    lines: 0,
    blankLines: 0,
    otherSubreddit: 0,
    replies: 0,
    records: 0,
    rejected: 0,
  };
  const maxInFlight = options.maxInFlight ?? Math.max(2, options.pool.size * 2);
  const inFlight: Promise<ParseBatchResult>[] = [];

  const absorb = (result: ParseBatchResult) => {
    for (const key of ['lines', 'blankLines', 'otherSubreddit', 'replies', 'records', 'rejected'] as const) {
      report[key] += result.counts[key];
    }
    for (const reject of result.rejects) options.quarantine.add(file, reject.line, reject.reason, reject.detail, reject.excerpt);
    options.quarantine.check(file, report.lines, false);
    const lines = result.lines;
    if (lines) {
      let start = 0;
      for (let i = 0; i < result.records.length; i++) {
        const end = lines.ends[i]!;
        onRecord(result.records[i]!, lines.buf, start, end);
        start = end;
      }
    } else {
      for (const record of result.records) onRecord(record);
    }
    const seconds = (Date.now() - started) / 1000;
    options.progress.update(
      () =>
        `${options.kind}s ${shortName(file)}: ${formatBytes(report.decodedBytes)} decoded, ${report.lines.toLocaleString()} lines ` +
        `(${formatRate(report.lines, seconds)} lines/s, ${formatBytes(report.decodedBytes / Math.max(seconds, 1e-3))}/s), ` +
        `${report.records.toLocaleString()} kept, ${report.rejected} quarantined`,
    );
  };

  try {
    for await (const batch of decodedLineBatches(file, { targetBytes: options.batchBytes ?? 4 << 20, decoder: options.decoder ?? 'auto' })) {
      report.decodedBytes += batch.buf.length;
      inFlight.push(
        options.pool.submit({
          kind: options.kind,
          file,
          firstLine: batch.firstLine,
          buf: batch.buf,
          subreddit: options.subreddit,
          topLevelOnly: options.topLevelOnly,
          keepLines: options.keepLines ?? false,
        }),
      );
      while (inFlight.length >= maxInFlight) absorb(await inFlight.shift()!);
    }
    while (inFlight.length > 0) absorb(await inFlight.shift()!);
  } catch (error) {
    // Settle the remaining promises so none rejects unobserved after we rethrow.
    await Promise.allSettled(inFlight);
    const message = (error as Error).message;
    const where = message.includes(file) ? message : `${file}: ${message}`;
    const wrapped = new Error(`${where} (after ${report.lines.toLocaleString()} lines)`);
    (wrapped as Error & { cause?: unknown }).cause = error;
    throw wrapped;
  }
  options.quarantine.check(file, report.lines, true);
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

function shortName(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash === -1 ? file : file.slice(slash + 1);
}
