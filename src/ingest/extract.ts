/**
 * Ingest, map side: one dump file -> the lines of its selected records, hash-partitioned by post id on disk.
 *
 * A file's extract depends on that file alone, so a new monthly dump costs one extract and the others
 * are reused, and files can be extracted by different tasks. Posts and their answers land in the same
 * partition number in every file's extract (partition = hash of the post id), so one join task per
 * partition sees a post and all its answers, whichever files they came from.
 */
import { createReadStream, existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isProcessRunning } from '../io/atomic.js';
import type { DecoderChoice } from '../io/decompress.js';
import { lineBatches } from '../io/lines.js';
import type { Progress } from '../io/progress.js';
import type { ParsePool } from './parse-pool.js';
import { Quarantine, type QuarantineSnapshot } from './quarantine.js';
import { readDumpFile, type FileReport } from './read-dump.js';
import type { Comment, Submission } from './records.js';
import { LinePartitionFiles } from './line-partitions.js';
import { parseBatch, type RecordKind } from './parse-batch.js';
import { partitionFileName, partitionOf } from './spill.js';

/** The record streams of an extract: posts from submission files, top-level comments from comment files. */
export const EXTRACT_STREAMS = { submission: 'posts', comment: 'answers' } as const;

export interface ExtractOptions {
  file: string;
  kind: RecordKind;
  subreddit: string | null;
  partitions: number;
  /** the extract's final directory; written under a temp name and renamed when complete */
  dir: string;
  pool: ParsePool;
  progress: Progress;
  maxErrorRate: number;
  decoder?: DecoderChoice;
  /** also hands every record to this, with its partition (a join fed live on a first run) */
  tap?: (partition: number, record: Submission | Comment) => void;
}

export interface ExtractResult {
  report: FileReport;
  quarantine: QuarantineSnapshot;
  /** records written to each partition */
  partitionRecords: number[];
}

/** Decodes, parses and partitions one file; the directory appears complete or not at all. */
export async function extractFile(options: ExtractOptions): Promise<ExtractResult> {
  const staging = `${options.dir}.staging-${hostname()}-${process.pid}`;
  // This task owns the unit (a scheduler runs one attempt at a time): any other attempt's staging is dead,
  // whatever host it ran on.
  await removeStagingOf(options.dir);
  const files = new LinePartitionFiles(staging);
  const quarantine = new Quarantine({ maxErrorRate: options.maxErrorRate });
  const stream = EXTRACT_STREAMS[options.kind];
  const partitionRecords = new Array<number>(options.partitions).fill(0);
  try {
    const report = await readDumpFile(
      options.file,
      { kind: options.kind, subreddit: options.subreddit, topLevelOnly: true, pool: options.pool, quarantine, progress: options.progress, decoder: options.decoder ?? 'auto', keepLines: true },
      (record, lineBuf, lineStart, lineEnd) => {
        const postId = options.kind === 'submission' ? record.id : postIdOf(record as Comment);
        const partition = partitionOf(postId, options.partitions);
        partitionRecords[partition]!++;
        files.append(partition, stream, lineBuf!, lineStart!, lineEnd!);
        options.tap?.(partition, record);
      },
    );
    files.flushAll();
    await rm(options.dir, { recursive: true, force: true });
    await rename(staging, options.dir);
    return { report, quarantine: quarantine.snapshot(), partitionRecords };
  } catch (error) {
    files.flushAll();
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The post a top-level comment answers: link_id without its t3_ prefix. */
function postIdOf(comment: Comment): string {
  return comment.link_id.startsWith('t3_') ? comment.link_id.slice(3) : comment.link_id;
}

/**
 * The records of one partition of an extract, in file order, normalized again from the stored lines by the
 * dump parser. Every stored line parsed once already: one that does not now is a damaged extract.
 */
export async function* readExtractPartition(dir: string, kind: RecordKind, partition: number): AsyncGenerator<Submission | Comment> {
  const path = join(dir, partitionFileName(partition, EXTRACT_STREAMS[kind]));
  if (!existsSync(path)) return;
  for await (const batch of lineBatches(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    const result = parseBatch({ kind, file: path, firstLine: batch.firstLine, buf: batch.buf, subreddit: null, topLevelOnly: false });
    const damaged = result.rejects[0];
    if (damaged) {
      throw new Error(`${path}: line ${damaged.line}: ${damaged.detail || damaged.reason}: the extract is damaged; delete ${dir} and run again to extract it anew`);
    }
    yield* result.records;
  }
}

async function removeStagingOf(dir: string): Promise<void> {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.staging-`;
  for (const name of await readdir(parent).catch(() => [] as string[])) if (name.startsWith(prefix)) await rm(join(parent, name), { recursive: true, force: true });
}

/** Staging directories of extracts killed on this host (their process is gone); other hosts' are left alone. */
export async function removeDeadExtractStaging(parent: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  const host = hostname();
  for (const name of names) {
    const match = /\.staging-(.+)-(\d+)$/.exec(name);
    if (match && match[1] === host && !isProcessRunning(Number(match[2]))) await rm(join(parent, name), { recursive: true, force: true });
  }
}
