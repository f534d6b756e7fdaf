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

export async function joinPartition(options: PartitionJoinOptions): Promise<{ stats: JoinStats; bytes: number }> {
  const joiner = new ThreadJoiner({ memoryBudgetBytes: options.memoryBudgetBytes, spillDir: options.spillDir, partitions: SUB_PARTITIONS });
  for (const kind of ['submission', 'comment'] as const) {
    for (const extract of options.extracts.filter((e) => e.kind === kind)) {
      for await (const record of readExtractPartition(extract.dir, kind, options.partition)) {
        if (kind === 'submission') joiner.addSubmission(record as Submission);
        else joiner.addComment(record as Comment);
      }
    }
  }
  const writer = new ParquetPartWriter<Thread>({ dir: dirname(options.out), fileName: basename(options.out), columns: threadColumns });
  try {
    for await (const thread of joiner.threads()) await writer.add(thread);
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
  const written = await writer.close();
  return { stats: joiner.stats, bytes: written.bytes };
}
