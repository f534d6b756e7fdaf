/**
 * Ingest, reduce side: one partition of every file's extract -> the threads of that partition.
 * Posts come first (all submission extracts, in input order), then answers, as the joiner requires; the
 * threads file is written under a temp name and renamed when complete.
 */
import { basename, dirname } from 'node:path';
import { ParquetPartWriter } from '../io/parquet.js';
import { readExtractPartition } from './extract.js';
import { ThreadJoiner, type JoinStats } from './join.js';
import type { RecordKind } from './parse-batch.js';
import type { Comment, Submission, Thread } from './records.js';
import { threadColumns } from './thread-table.js';

// Prime, so the joiner's own spill partitions do not line up with the extract partitions (same hash).
const SUB_PARTITIONS = 61;

export interface PartitionJoinOptions {
  partition: number;
  /** extract directories with their record kind, in input order */
  extracts: readonly { dir: string; kind: RecordKind }[];
  /** the threads file to write */
  out: string;
  memoryBudgetBytes: number;
  spillDir: string;
}

/** A joiner for one partition, fed record by record: from extracts on disk, or live while extracting. */
export function partitionJoiner(memoryBudgetBytes: number, spillDir: string): ThreadJoiner {
  return new ThreadJoiner({ memoryBudgetBytes, spillDir, partitions: SUB_PARTITIONS });
}

/** Adds a record of either kind; posts must all come before the first answer. */
export function addRecord(joiner: ThreadJoiner, kind: RecordKind, record: Submission | Comment): void {
  if (kind === 'submission') joiner.addSubmission(record as Submission);
  else joiner.addComment(record as Comment);
}

export async function joinPartition(options: PartitionJoinOptions): Promise<{ stats: JoinStats; bytes: number }> {
  const joiner = partitionJoiner(options.memoryBudgetBytes, options.spillDir);
  for (const kind of ['submission', 'comment'] as const) {
    for (const extract of options.extracts.filter((e) => e.kind === kind)) {
      for await (const record of readExtractPartition(extract.dir, kind, options.partition)) addRecord(joiner, kind, record);
    }
  }
  return writeJoined(joiner, options.out);
}

/** Writes a joiner's threads to one Parquet file. */
export async function writeJoined(joiner: ThreadJoiner, out: string): Promise<{ stats: JoinStats; bytes: number }> {
  const writer = new ParquetPartWriter<Thread>({ dir: dirname(out), fileName: basename(out), columns: threadColumns });
  try {
    for await (const thread of joiner.threads()) await writer.add(thread);
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
  const written = await writer.close();
  return { stats: joiner.stats, bytes: written.bytes };
}
