import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describeDecoder, type DecoderChoice } from '../io/decompress.js';
import { classifyDumpFile, expandInputs, fileFingerprint } from '../io/inputs.js';
import { ParquetPartWriter } from '../io/parquet.js';
import { warmEncoderThread } from '../io/parquet-encoder.js';
import { isProcessRunning, makeStagingDir, replaceDirAtomically, writeFileAtomic } from '../io/atomic.js';
import { Progress, formatBytes } from '../io/progress.js';
import { ThreadJoiner, type JoinStats } from './join.js';
import { DEFAULT_MEMORY_BUDGET, DEFAULT_PARTITIONS } from './join-defaults.js';
import { defaultParseWorkers, ParsePool } from './parse-pool.js';
import { Quarantine } from './quarantine.js';
import { readDumpFile, type FileReport } from './read-dump.js';
import type { Comment, Submission, Thread } from './records.js';
import { threadColumns } from './thread-table.js';
import type { RecordKind } from './parse-batch.js';

export interface IngestOptions {
  submissions: string[];
  comments: string[];
  /** required for monthly all-Reddit files; matched case-insensitively against the top-level field */
  subreddit?: string | null;
  out: string;
  memoryBudgetBytes?: number;
  partitions?: number;
  workers?: number;
  maxErrorRate?: number;
  rowsPerPart?: number;
  quiet?: boolean;
  /** auto: the zstd CLI where installed, else node:zlib (Node >= 22.15) */
  decoder?: DecoderChoice;
}

export interface IngestManifest {
  stage: 'ingest';
  tool: string;
  started_at: string;
  seconds: number;
  decoder: string;
  options: {
    subreddit: string | null;
    memory_budget_bytes: number;
    partitions: number;
    workers: number;
    max_error_rate: number;
  };
  inputs: (FileReport & { size: number; mtimeMs: number; headTailSha256: string })[];
  totals: { lines: number; decoded_bytes: number; records: number; rejected: number; replies: number; other_subreddit: number; blank_lines: number };
  quarantine: ReturnType<Quarantine['toJSON']>;
  join: JoinStats;
  output: { threads_dir: string; files: string[]; rows: number; bytes: number };
}

export { DEFAULT_MEMORY_BUDGET, DEFAULT_PARTITIONS };

/** Bad arguments found before any work starts. */
export class IngestUsageError extends Error {}

interface PlannedInput {
  file: string;
  kind: RecordKind;
}

/** Expands globs and checks that every file is of the kind its flag says and that monthly files get a subreddit. */
export async function planInputs(options: Pick<IngestOptions, 'submissions' | 'comments' | 'subreddit'>): Promise<PlannedInput[]> {
  if (options.submissions.length === 0) throw new IngestUsageError('no --submissions given: name the submission dumps (files or globs)');
  const planned: PlannedInput[] = [];
  for (const [kind, patterns] of [['submission', options.submissions], ['comment', options.comments]] as const) {
    for (const file of await expandInputs(patterns)) {
      const info = classifyDumpFile(file);
      const expected = kind === 'submission' ? 'submissions' : 'comments';
      if (info.kind !== 'unknown' && info.kind !== expected) {
        throw new IngestUsageError(`${file} looks like a ${info.kind} dump but was given as --${expected}`);
      }
      if (info.scope === 'monthly' && !options.subreddit) {
        throw new IngestUsageError(`${file} is a monthly all-Reddit dump: add --subreddit NAME to select one subreddit`);
      }
      planned.push({ file, kind });
    }
  }
  return planned;
}

/** ingest: dumps -> normalized threads (Parquet parts) + manifest, all written atomically. */
export async function runIngest(options: IngestOptions): Promise<IngestManifest> {
  const startedAt = new Date();
  const progress = new Progress(options.quiet ?? false);
  const subreddit = options.subreddit ? options.subreddit.replace(/^\/?r\//i, '').toLowerCase() : null;
  const inputs = await planInputs(options);
  const memoryBudgetBytes = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  const workers = options.workers ?? defaultParseWorkers();
  const maxErrorRate = options.maxErrorRate ?? 0.01;

  await mkdir(options.out, { recursive: true });
  await removeDeadSpills(options.out);
  const threadsDir = join(options.out, 'threads');
  const staging = await makeStagingDir(threadsDir);
  const spillDir = join(options.out, `.spill-${process.pid}`);
  const quarantine = new Quarantine({ maxErrorRate });
  const joiner = new ThreadJoiner({ memoryBudgetBytes, spillDir, partitions });
  const pool = new ParsePool(workers);
  warmEncoderThread();
  const reports: IngestManifest['inputs'] = [];
  try {
    // Posts first: the join needs every post before it can tell an orphan comment from an answer.
    const totalBytes = (await Promise.all(inputs.map((i) => fileFingerprint(i.file)))).reduce((sum, f) => sum + f.size, 0);
    let doneBytes = 0;
    let fileIndex = 0;
    for (const kind of ['submission', 'comment'] as const) {
      for (const input of inputs.filter((i) => i.kind === kind)) {
        const size = (await fileFingerprint(input.file)).size;
        fileIndex++;
        progress.log(
          `reading file ${fileIndex}/${inputs.length}: ${input.file} (${formatBytes(size)}; ` +
            `${formatBytes(doneBytes)} of ${formatBytes(totalBytes)} compressed input done)`,
        );
        doneBytes += size;
        const onRecord =
          kind === 'submission'
            ? (record: Submission | Comment) => joiner.addSubmission(record as Submission)
            : (record: Submission | Comment) => joiner.addComment(record as Comment);
        const report = await readDumpFile(input.file, { kind, subreddit, topLevelOnly: true, pool, quarantine, progress, decoder: options.decoder ?? 'auto' }, onRecord);
        const fingerprint = await fileFingerprint(input.file);
        reports.push({ ...report, size: fingerprint.size, mtimeMs: fingerprint.mtimeMs, headTailSha256: fingerprint.headTailSha256 });
      }
    }
    await pool.close();

    const writer = new ParquetPartWriter<Thread>({ dir: staging, prefix: 'part', columns: threadColumns, maxRowsPerPart: options.rowsPerPart ?? 50_000 });
    let joined = 0;
    for await (const thread of joiner.threads()) {
      await writer.add(thread);
      joined++;
      progress.update(() => `joining: ${joined.toLocaleString()} threads written`);
    }
    const written = await writer.close();
    await replaceDirAtomically(staging, threadsDir);

    const manifest: IngestManifest = {
      stage: 'ingest',
      tool: 'threadsift',
      started_at: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      decoder: describeDecoder(options.decoder ?? 'auto'),
      options: { subreddit, memory_budget_bytes: memoryBudgetBytes, partitions, workers, max_error_rate: maxErrorRate },
      inputs: reports,
      totals: {
        lines: sum(reports, 'lines'),
        decoded_bytes: sum(reports, 'decodedBytes'),
        records: sum(reports, 'records'),
        rejected: sum(reports, 'rejected'),
        replies: sum(reports, 'replies'),
        other_subreddit: sum(reports, 'otherSubreddit'),
        blank_lines: sum(reports, 'blankLines'),
      },
      quarantine: quarantine.toJSON(),
      join: joiner.stats,
      output: { threads_dir: 'threads', files: written.files.map((f) => basename(f)), rows: written.rows, bytes: written.bytes },
    };
    await writeFileAtomic(join(options.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    progress.log(
      `ingest: ${manifest.join.threads.toLocaleString()} threads, ${manifest.join.topLevelComments.toLocaleString()} answers, ` +
        `${manifest.totals.rejected} lines quarantined, ${manifest.seconds.toFixed(1)} s -> ${threadsDir}`,
    );
    return manifest;
  } finally {
    await pool.close();
    await rm(staging, { recursive: true, force: true });
    await rm(spillDir, { recursive: true, force: true });
  }
}

/** Spill partitions of a run that was killed (its pid is gone) would otherwise stay on disk for ever. */
async function removeDeadSpills(out: string): Promise<void> {
  for (const name of await readdir(out)) {
    const match = /^\.spill-(\d+)$/.exec(name);
    if (match && !isProcessRunning(Number(match[1]))) await rm(join(out, name), { recursive: true, force: true });
  }
}

function sum(reports: FileReport[], key: keyof FileReport): number {
  return reports.reduce((total, report) => total + (report[key] as number), 0);
}
