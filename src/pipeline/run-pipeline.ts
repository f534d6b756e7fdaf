/**
 * threadsift run: the pipeline as a build system. Plans every unit (plan.ts), runs the stale ones this
 * task owns, writes a completion marker after each, and records what ran and why in WORK/run.json.
 *
 * Steps, for running as many tasks on a cluster (one task does all three when not sharded):
 *   map     extract the input files this task owns              (an array job)
 *   reduce  join, filter and grade the partitions it owns        (an array job, after every map task)
 *   merge   grade keep rule, build and export the dataset        (one job, after every reduce task)
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../io/atomic.js';
import { warmEncoderThread } from '../io/parquet-encoder.js';
import { classifyDumpFile, expandInputs } from '../io/inputs.js';
import { formatBytes, Progress } from '../io/progress.js';
import type { DecoderChoice } from '../io/decompress.js';
import { assertOutputDirUsable, type DatasetLayout } from '../export/dataset-writer.js';
import type { RejectionExample } from '../export/report.js';
import { mergeExamples, mergeFunnels, filterPartition, parseIdsFile, type FilterPartitionResult } from '../filter/stage.js';
import { compareByTimeThenId } from '../ingest/thread.js';
import type { Funnel } from '../filter/types.js';
import { GradeCache } from '../grade/cache.js';
import { gradeConfigProblems } from '../grade/config-checks.js';
import { gradeConfigFor, openGrader, type OpenedGrader } from '../grade/open-grader.js';
import { requireModel } from '../grade/prompt.js';
import { applyKeepRule, gradeThreads, writeGradeOutputs, type GradeResult, type GradeStats, type RawGrade } from '../grade/stage.js';
import { extractFile, removeDeadExtractStaging, type ExtractResult } from '../ingest/extract.js';
import type { JoinStats, ThreadJoiner } from '../ingest/join.js';
import { DEFAULT_MEMORY_BUDGET } from '../ingest/join-defaults.js';
import { addRecord, joinPartition, partitionJoiner, writeJoined } from '../ingest/partition-join.js';
import { defaultParseWorkers, ParsePool } from '../ingest/parse-pool.js';
import { Quarantine, type QuarantineManifest } from '../ingest/quarantine.js';
import { partitionOf } from '../ingest/spill.js';
import { planInputs } from '../ingest/stage.js';
import { loadPipelineConfig } from './config.js';
import type { PipelineConfig } from './config-types.js';
import { buildAndExport, describeLayout } from './export-dataset.js';
import { readMarker, writeMarker } from './markers.js';
import { DEFAULT_RUN_PARTITIONS, partName, unusedExtracts, type GradeMarkerResult, type PartitionUnit, planRun, staleFor, summarizePlan, workPaths, type RunPlan, type StageName, type Unit } from './plan.js';
import { readThreadFiles } from './read-threads.js';
import { SINGLE_TASK, type Shard } from './shard.js';

export const RUN_STEPS = ['all', 'map', 'reduce', 'merge'] as const;
export type RunStep = (typeof RUN_STEPS)[number];

export interface PipelineRunOptions {
  /** files or globs; default: the pipeline's inputs.submissions */
  submissions?: string[];
  /** files or globs; default: the pipeline's inputs.comments */
  comments?: string[];
  out: string;
  /** stage outputs and markers; default: OUT + ".work" */
  work?: string;
  pipeline: string;
  overrides?: string[];
  subreddit?: string | null;
  grader?: 'none' | 'openai' | 'local';
  graderUrls?: string[];
  modelPath?: string;
  graderModel?: string;
  apiKeyEnv?: string;
  graderConcurrency?: number;
  memoryBudgetBytes?: number;
  workers?: number;
  maxErrorRate?: number;
  decoder?: DecoderChoice;
  quiet?: boolean;
  /** re-run these stages even where their fingerprints match */
  force?: StageName[];
  shard?: Shard;
  step?: RunStep;
  /** hash partitions of the posts; part of every partition fingerprint (default 16) */
  partitions?: number;
  /** after the merge, remove extracts of inputs this run does not read */
  prune?: boolean;
}

export interface StageRecord {
  stage: StageName;
  /** units this task ran */
  ran: number;
  /** units that were fresh and skipped (whoever owns them) */
  skipped: number;
  /** units other tasks own that were stale when this task planned */
  others: number;
  reasons: string[];
  seconds: number;
  /** ingest: the input files decoded in this run */
  extracted?: string[];
  /** grade: requests sent to the grader in this run */
  requests?: number;
}

export interface IngestSummary {
  inputs: { file: string; kind: string; size: number; headTailSha256: string; lines: number; records: number; rejected: number }[];
  totals: { lines: number; decoded_bytes: number; records: number; rejected: number };
  join: JoinStats;
  quarantine: QuarantineManifest;
}

export interface PipelineRunResult {
  config: PipelineConfig;
  shard: Shard;
  step: RunStep;
  stages: StageRecord[];
  /** set when this run reached the merge: the dataset and what went into it */
  dataset: { out: string; report: string; layout: DatasetLayout; funnel: Funnel; ingest: IngestSummary; built: boolean } | null;
  runRecord: string;
  seconds: number;
}

/** Bad arguments or a step started before the steps it needs; nothing was written. */
export class RunUsageError extends Error {}

interface Context {
  options: PipelineRunOptions;
  config: PipelineConfig;
  plan: RunPlan;
  progress: Progress;
  paths: ReturnType<typeof workPaths>;
  records: Map<StageName, StageRecord>;
  opened: OpenedGrader | null;
  /**
   * Partition joiners fed while extracting, when this process extracts every file and joins every
   * partition (a first run, or --force ingest): the joins then skip reading the extracts back.
   */
  liveJoins: Map<number, ThreadJoiner> | null;
}

/** Everything a run decides before its first unit of work: config, inputs, and the plan with freshness. */
export async function preparePlan(options: PipelineRunOptions): Promise<{ config: PipelineConfig; plan: RunPlan; graded: boolean; step: RunStep; shard: Shard }> {
  const config = loadPipelineConfig(options.pipeline, options.overrides ?? []);
  const shard = options.shard ?? SINGLE_TASK;
  const step = options.step ?? 'all';
  if (shard.count > 1 && step === 'all') {
    throw new RunUsageError(`task ${shard.index}/${shard.count} (${shard.source}): a task of several runs one step at a time: --step map, then reduce, then merge (see docs/scale-out.md)`);
  }
  const submissions = options.submissions?.length ? options.submissions : (config.inputs?.submissions ?? []);
  const comments = options.comments ?? config.inputs?.comments ?? [];
  if (submissions.length === 0) {
    throw new RunUsageError(`no submission dumps: pass --submissions FILES or set inputs.submissions in the pipeline config (${options.pipeline})`);
  }
  const monthly = (await expandInputs([...submissions, ...comments])).some((file) => classifyDumpFile(file).scope === 'monthly');
  const rawSubreddit = options.subreddit ?? (monthly ? config.subreddit : null);
  const subreddit = rawSubreddit ? rawSubreddit.replace(/^\/?r\//i, '').toLowerCase() : null;
  const inputs = await planInputs({ submissions, comments, subreddit });
  const graded = config.grade.enabled && (options.grader === 'openai' || options.grader === 'local');
  if (graded) {
    // The model named on the command line is part of every grade's key, so it goes into the config first.
    config.grade = gradeConfigFor(config.grade, { kind: options.grader as 'openai' | 'local', model: options.graderModel, modelPath: options.modelPath });
    const problems = gradeConfigProblems({ grade: config.grade });
    if (problems.length > 0) throw new RunUsageError(`grade config: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
  const work = resolve(options.work ?? `${options.out.replace(/\/+$/, '')}.work`);
  const partitions = options.partitions ?? DEFAULT_RUN_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1) throw new RunUsageError(`--partitions must be a whole number >= 1 (got ${partitions})`);
  const plan = await planRun({ config, inputs, subreddit, work, partitions, shard, graded, force: options.force ?? [] });
  return { config, plan, graded, step, shard };
}

export async function runPipeline(options: PipelineRunOptions): Promise<PipelineRunResult> {
  const started = Date.now();
  const step = options.step ?? 'all';
  const merging = step === 'all' || step === 'merge';
  if (merging) await assertOutputDirUsable(options.out);
  const { config, plan, graded, shard } = await preparePlan(options);
  const { work, partitions } = plan;
  const progress = new Progress(options.quiet ?? false);
  if (shard.count > 1) progress.log(`task ${shard.index} of ${shard.count} (${shard.source}), step ${step}`);

  // Opened before any work so that a bad URL, model or key variable fails now, not after ingest.
  const needsGrader = graded && (step === 'all' || step === 'reduce') && staleFor(plan.grades, shard.index).length > 0;
  const opened = needsGrader
    ? openGrader(config.grade, {
        kind: options.grader as 'openai' | 'local',
        urls: options.graderUrls ?? [],
        modelPath: options.modelPath,
        model: options.graderModel,
        apiKeyEnv: options.apiKeyEnv,
        concurrency: options.graderConcurrency,
        quiet: options.quiet ?? false,
      })
    : null;

  const records = new Map<StageName, StageRecord>();
  const rows = summarizePlan(plan, step);
  for (const row of rows) {
    records.set(row.stage, { stage: row.stage, ran: 0, skipped: row.units - row.stale, others: row.stale - row.mine, reasons: row.reasons, seconds: 0 });
  }
  if (rows.some((row) => row.mine > 0 && row.stage !== 'grade')) warmEncoderThread();
  if (opened) config.grade = opened.config;
  const context: Context = { options, config, plan, progress, paths: workPaths(work), records, opened, liveJoins: null };
  let dataset: PipelineRunResult['dataset'] = null;
  try {
    if (step === 'all' || step === 'map') await runExtracts(context, step === 'map');
    if (step === 'all' || step === 'reduce') {
      for (const stage of ['ingest', 'filter', 'grade']) await mkdir(join(work, stage), { recursive: true });
      await runJoins(context);
      await runFilters(context);
      if (graded) await runGrades(context);
    }
    if (merging) dataset = await runMerge(context);
    if (merging) await reportUnusedExtracts(context);
  } finally {
    await opened?.grader.close();
  }

  const stages = STAGE_ORDER.map((stage) => records.get(stage)!);
  const seconds = (Date.now() - started) / 1000;
  const runRecord = shard.count > 1 ? join(work, 'tasks', `${step}-task-${shard.index}-of-${shard.count}.json`) : context.paths.runRecord;
  await mkdir(dirname(runRecord), { recursive: true });
  await writeFileAtomic(
    runRecord,
    JSON.stringify({ tool: 'threadsift', started_at: new Date(started).toISOString(), seconds, pipeline: config.name, shard, step, partitions, by: who(shard), stages }, null, 2) + '\n',
  );
  for (const record of stages) progress.log(`  ${describeStage(record)}`);
  return { config, shard, step, stages, dataset, runRecord, seconds };
}

const STAGE_ORDER: StageName[] = ['ingest', 'filter', 'grade', 'build'];

/** "filter: ran 16 (filters.min_score: 4 -> 5)", "ingest: fresh, skipped 18". */
export function describeStage(record: StageRecord): string {
  if (record.ran + record.skipped + record.others === 0) {
    return record.stage === 'grade' && record.reasons.length === 0 ? 'grade: not part of this run (no grader, or not in this step)' : `${record.stage}: not part of this step`;
  }
  if (record.ran === 0 && record.others === 0) return `${record.stage}: fresh${record.skipped > 0 ? ` (${record.skipped} unit${record.skipped === 1 ? '' : 's'} skipped)` : ''}`;
  const parts = [`${record.stage}: ran ${record.ran}`];
  if (record.skipped > 0) parts.push(`skipped ${record.skipped} fresh`);
  if (record.others > 0) parts.push(`${record.others} left to other tasks`);
  const why = record.reasons.length > 0 ? ` (${record.reasons.join('; ')})` : '';
  return `${parts.join(', ')}${why} in ${record.seconds.toFixed(1)} s`;
}

function who(shard: Shard): string {
  return `task ${shard.index}/${shard.count} on ${hostname()} (pid ${process.pid})`;
}

async function timed(context: Context, stage: StageName, work: () => Promise<number>): Promise<void> {
  const started = Date.now();
  const ran = await work();
  const record = context.records.get(stage)!;
  record.ran += ran;
  record.seconds += (Date.now() - started) / 1000;
}

function markerOf<T>(context: Context, unit: Unit, started: number, result: T) {
  return writeMarker(unit.marker, {
    fingerprint: unit.fingerprint,
    parts: unit.parts,
    finished_at: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    by: who(context.plan.shard),
    result,
  });
}

// ---------------------------------------------------------------------------------------------------
// map: extract

async function runExtracts(context: Context, mapStep: boolean): Promise<void> {
  const { plan, options, progress } = context;
  // Extracts feed the joins; when every join is fresh there is nothing to extract for (a deleted
  // extract/ directory does not cost a decode of every dump). A map task cannot know that, so it extracts.
  const joinsStale = plan.joins.some((j) => !j.fresh);
  const mine = staleFor(plan.extracts, plan.shard.index);
  if (mine.length === 0) return;
  if (!mapStep && !joinsStale) {
    const record = context.records.get('ingest')!;
    record.skipped += mine.length;
    record.reasons = ['extracts are missing, but every join is fresh: nothing to extract for'];
    return;
  }
  const everything = !mapStep && mine.length === plan.extracts.length && plan.joins.every((j) => !j.fresh && j.owner === plan.shard.index);
  if (everything) {
    context.liveJoins = new Map(plan.joins.map((j) => [(j as PartitionUnit).partition, partitionJoiner(Infinity, context.paths.spill((j as PartitionUnit).partition))]));
  }
  // The budget is for all join state together, split over the partitions that fill at once. A partition
  // past its share is dropped and joined from its extracts later: spilling it would write it twice.
  const liveBudget = Math.floor((options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET) / plan.partitions);
  await timed(context, 'ingest', async () => {
    await removeDeadExtractStaging(join(plan.work, 'extract'));
    const pool = new ParsePool(options.workers ?? defaultParseWorkers());
    try {
      let done = 0;
      for (const unit of mine) {
        const started = Date.now();
        progress.log(`ingest: extracting ${unit.input.file} (${formatBytes(unit.input.fingerprint.size)}; file ${++done} of ${mine.length} for this task)`);
        const result = await extractFile({
          file: unit.input.file,
          kind: unit.input.kind,
          subreddit: unit.parts.subreddit as string | null,
          partitions: plan.partitions,
          dir: unit.dir,
          pool,
          progress,
          maxErrorRate: options.maxErrorRate ?? 0.01,
          ...(options.decoder ? { decoder: options.decoder } : {}),
          ...(context.liveJoins ? { tap: tapInto(context.liveJoins, unit.input.kind, liveBudget) } : {}),
        });
        await markerOf(context, unit, started, { ...result, identity: unit.input.fingerprint });
        (context.records.get('ingest')!.extracted ??= []).push(unit.input.file);
      }
    } finally {
      await pool.close();
    }
    return mine.length;
  });
}

// ---------------------------------------------------------------------------------------------------
// reduce: join, filter, grade per partition

function tapInto(joiners: Map<number, ThreadJoiner>, kind: 'submission' | 'comment', budget: number) {
  return (partition: number, record: Parameters<typeof addRecord>[2]) => {
    const joiner = joiners.get(partition);
    if (!joiner) return;
    addRecord(joiner, kind, record);
    if (joiner.stats.peakMemoryEstimateBytes > budget) joiners.delete(partition);
  };
}

async function runJoins(context: Context): Promise<void> {
  const { plan, options, paths, progress } = context;
  const mine = staleFor(plan.joins, plan.shard.index);
  if (mine.length === 0) return;
  const missing = [];
  for (const extract of plan.extracts) if (!(await readMarker(extract.marker))) missing.push(extract);
  if (missing.length > 0) {
    throw new RunUsageError(
      `reduce: ${missing.length} input file(s) are not extracted yet: ${missing.slice(0, 5).map((m) => m.input.file).join(', ')}` +
        `${missing.length > 5 ? ', ...' : ''}; run --step map for every task first`,
    );
  }
  await timed(context, 'ingest', async () => {
    const extracts = plan.extracts.map((e) => ({ dir: e.dir, kind: e.input.kind }));
    // Two joins run at once (see overlapping): each gets half the budget, so together they stay within it.
    const joinBudget = Math.floor((options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET) / 2);
    await overlapping(mine, async (unit) => {
      const started = Date.now();
      const spillDir = paths.spill(unit.partition);
      try {
        const live = context.liveJoins?.get(unit.partition);
        context.liveJoins?.delete(unit.partition);
        const result = live
          ? await writeJoined(live, unit.output)
          : await joinPartition({ partition: unit.partition, extracts, out: unit.output, memoryBudgetBytes: joinBudget, spillDir });
        await markerOf(context, unit, started, result);
      } finally {
        await rm(spillDir, { recursive: true, force: true });
      }
      progress.update(() => `ingest: joined ${partName(unit.partition)}`);
    });
    return mine.length;
  });
}

/**
 * Runs partition units two at a time: while one waits for the Parquet encoder thread to finish its file,
 * the main thread reads and computes the next. Units write distinct files and markers. On a failure no
 * new unit starts, the running ones finish, and the first error is thrown.
 */
async function overlapping<T>(units: readonly T[], run: (unit: T) => Promise<void>): Promise<void> {
  const limit = pLimit(2);
  let failed = false;
  const settled = await Promise.allSettled(
    units.map((unit) =>
      limit(async () => {
        if (failed) return;
        try {
          await run(unit);
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
    ),
  );
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

async function runFilters(context: Context): Promise<void> {
  const { plan, config, paths, progress } = context;
  const mine = staleFor(plan.filters, plan.shard.index);
  if (mine.length === 0) return;
  await timed(context, 'filter', async () => {
    await overlapping(mine, async (unit) => {
      const started = Date.now();
      const result = await filterPartition(config.filters, paths.partFile('ingest', unit.partition), unit.output, paths.idsFile(unit.partition));
      await markerOf(context, unit, started, result);
      progress.update(() => `filter: ${partName(unit.partition)} kept ${result.kept}`);
    });
    return mine.length;
  });
}

async function runGrades(context: Context): Promise<void> {
  const { plan, config, paths, progress, opened } = context;
  const stale = staleFor(plan.grades, plan.shard.index);
  if (stale.length === 0) return;
  const record = context.records.get('grade')!;
  const mine: PartitionUnit[] = [];
  for (const unit of stale) {
    if (unit.coverageCheck && (await gradesCover(context, unit))) {
      record.skipped++;
      continue;
    }
    mine.push(unit);
  }
  if (mine.length === 0 || !opened) return;
  await timed(context, 'grade', async () => {
    requireModel(config.grade);
    const started = Date.now();
    const { shard } = plan;
    let cache: GradeCache;
    if (shard.count === 1) {
      cache = await GradeCache.open(paths.gradeCache);
    } else {
      // A task appends to a cache of its own (tasks may run on different machines) and reads the shared
      // cache and every other task's, so a post graded anywhere before is not sent again.
      const own = join(paths.taskCaches, `task-${shard.index}-of-${shard.count}`);
      const others = (await readdir(paths.taskCaches).catch(() => [] as string[])).map((name) => join(paths.taskCaches, name)).filter((dir) => dir !== own);
      cache = await GradeCache.open(own, { readAlso: [paths.gradeCache, ...others], ownedByTask: true });
    }
    const total = (await Promise.all(mine.map(async (u) => (await readMarker<FilterPartitionResult>(paths.marker('filter', u.partition)))?.result.kept ?? 0))).reduce((a, b) => a + b, 0);
    let graded;
    try {
      graded = await gradeThreads(readThreadFiles(mine.map((u) => paths.partFile('filter', u.partition))), {
        config: config.grade,
        grader: opened.grader,
        cache,
        quiet: context.options.quiet ?? false,
        total,
      });
    } finally {
      await cache.close();
    }
    // One file per partition: the merge reads grades by partition, whichever task graded them.
    const lines = new Map<number, string[]>(mine.map((u) => [u.partition, []]));
    const counts = new Map<number, { posts: number; failed: number }>(mine.map((u) => [u.partition, { posts: 0, failed: 0 }]));
    const partitionOfPost = (postId: string) => partitionOf(postId, plan.partitions);
    for (const [postId, grade] of graded.grades) {
      const p = partitionOfPost(postId);
      lines.get(p)!.push(JSON.stringify({ post_id: postId, label: grade.label, probabilities: grade.probabilities }));
      counts.get(p)!.posts++;
    }
    for (const [postId, reason] of graded.failures) {
      const p = partitionOfPost(postId);
      lines.get(p)!.push(JSON.stringify({ post_id: postId, error: reason }));
      counts.get(p)!.posts++;
      counts.get(p)!.failed++;
    }
    for (const [answerId, grade] of graded.answerGrades) {
      const postId = graded.answerPosts.get(answerId)!;
      lines.get(partitionOfPost(postId))!.push(JSON.stringify({ answer_id: answerId, post_id: postId, label: grade.label, probabilities: grade.probabilities }));
    }
    for (const unit of mine) {
      // Sorted: grades arrive in completion order, and the file's hash must not depend on it.
      const text = lines.get(unit.partition)!.sort();
      const body = text.length > 0 ? text.join('\n') + '\n' : '';
      await writeFileAtomic(unit.output, body);
      const result: GradeMarkerResult & { stats: GradeStats; run: string } = {
        covers: filterFingerprint(context, unit.partition),
        content: createHash('sha256').update(body).digest('hex'),
        ...counts.get(unit.partition)!,
        stats: graded.stats,
        run: `${who(plan.shard)} at ${new Date(started).toISOString()}`,
      };
      await markerOf(context, unit, started, result);
    }
    record.requests = (record.requests ?? 0) + graded.stats.requests;
    const failed = graded.failures.size;
    if (failed > 0 && context.options.step === 'reduce') {
      // A scheduler's afterok must not start the merge: exit non-zero so the task is retried.
      throw new RunUsageError(`grade: ${failed} posts failed to grade (their partitions are not done); re-run this task, cached grades cost nothing`);
    }
    progress.log(
      `grade: ${graded.stats.posts.toLocaleString('en-US')} posts, ${graded.stats.graded.toLocaleString('en-US')} graded, ` +
        `${graded.stats.cached.toLocaleString('en-US')} cached, ${failed.toLocaleString('en-US')} failed (${graded.stats.requests} requests)`,
    );
    return mine.length;
  });
}

function filterFingerprint(context: Context, partition: number): string {
  return context.plan.filters[partition]!.fingerprint;
}

/**
 * Whether a grade partition's grades cover every post its (changed) filter now keeps; if so its marker
 * moves on to the new filter output and nothing is graded. Answer grades are not checked: with the
 * answer grader on, the partition is graded again through the cache instead.
 */
async function gradesCover(context: Context, unit: PartitionUnit): Promise<boolean> {
  if (context.config.grade.answers.enabled) return false;
  const { paths } = context;
  const graded = new Set<string>();
  for (const line of (await readFile(unit.output, 'utf8').catch(() => '')).split('\n')) {
    if (!line) continue;
    const row = JSON.parse(line) as { post_id: string; answer_id?: string; error?: string };
    if (row.error === undefined && row.answer_id === undefined) graded.add(row.post_id);
  }
  const ids = parseIdsFile(await readFile(paths.idsFile(unit.partition), 'utf8')).map((entry) => entry.id);
  if (!ids.every((id) => graded.has(id))) return false;
  const marker = (await readMarker<GradeMarkerResult>(unit.marker))!;
  await writeMarker(unit.marker, { ...marker, result: { ...marker.result, covers: filterFingerprint(context, unit.partition) } });
  return true;
}

// ---------------------------------------------------------------------------------------------------
// merge: keep rule, build, export

async function runMerge(context: Context): Promise<NonNullable<PipelineRunResult['dataset']>> {
  const { plan, config, paths, options, progress } = context;
  // Every partition must be done: re-plan from the markers as they are now (other tasks wrote them).
  // Grades computed in this process (failures retried under the same fingerprint) may have changed the
  // build's inputs; other tasks' markers only show in a fresh plan.
  const gradedHere = context.records.get('grade')!.ran > 0;
  const now = context.plan.shard.count > 1 || options.step === 'merge' || gradedHere ? await replan(context) : plan;
  const build = now.build;
  const notDone = [...now.joins, ...now.filters, ...now.grades].filter((u) => !u.fresh && !ranHere(context, u));
  if (notDone.length > 0) {
    throw new RunUsageError(
      `merge: ${notDone.length} partition unit(s) are not done: ${notDone.slice(0, 6).map((u) => `${u.name} (${u.reasons[0]})`).join(', ')}` +
        `${notDone.length > 6 ? ', ...' : ''}; run --step reduce for every task first (partition p belongs to task p mod N)`,
    );
  }
  const ingest = await ingestSummary(context);
  const out = options.out;
  const report = join(out, 'report.html');
  if (!build.fresh) context.records.get('build')!.reasons = build.reasons;
  if (build.fresh) {
    const marker = await readMarker<{ layout: DatasetLayout; funnel: Funnel }>(build.marker);
    const manifest = await readFile(join(out, 'threadsift-manifest.json'), 'utf8').catch(() => null);
    if (marker && manifest && (JSON.parse(manifest) as { fingerprint?: string }).fingerprint === build.fingerprint) {
      progress.log(`build: fresh, ${describeLayout(marker.result.layout)} in ${out}`);
      return { out, report, layout: marker.result.layout, funnel: marker.result.funnel, ingest, built: false };
    }
    const record = context.records.get('build')!;
    record.reasons = ['the dataset directory is missing or was changed'];
  }

  let built: NonNullable<PipelineRunResult['dataset']> | null = null;
  await timed(context, 'build', async () => {
    const started = Date.now();
    const filterResults: FilterPartitionResult[] = [];
    for (const unit of plan.filters) filterResults.push((await readMarker<FilterPartitionResult>(unit.marker))!.result);
    const funnel = mergeFunnels(filterResults.map((r) => r.funnel));
    const examples: RejectionExample[] = mergeExamples(filterResults.map((r) => r.examples.filter((e) => !('answer_id' in e) || e.answer_id === undefined)));
    await writeFileAtomic(join(plan.work, 'filter', 'funnel.json'), JSON.stringify(funnel, null, 2) + '\n');
    // In the order the dataset's rows come (by time, then id), whatever the partitioning.
    const entries = [];
    for (const unit of plan.filters) entries.push(...parseIdsFile(await readFile(paths.idsFile(unit.partition), 'utf8')));
    const ids = entries.sort(compareByTimeThenId).map((entry) => entry.id);
    const graded = plan.graded ? await mergeGrades(context, new Set(ids)) : null;
    if (!plan.graded && config.grade.enabled) {
      const gradedBefore = (await readdir(join(plan.work, 'grade')).catch(() => [] as string[])).some((name) => name.endsWith('.done.json'));
      progress.log(
        gradedBefore
          ? `grade: WARNING: ${join(plan.work, 'grade')} holds grades, but no grader was named: this dataset is built ungraded (pass the same --grader and --grader-model as the reduce tasks to use them)`
          : 'grade: no grader given (--grader none): the questions the rules kept go on ungraded',
      );
    }
    const runManifest = (layout: DatasetLayout) => ({
      tool: 'threadsift',
      fingerprint: build.fingerprint,
      started_at: new Date(started).toISOString(),
      pipeline: config,
      inputs: ingest.inputs,
      ingest: { totals: ingest.totals, join: ingest.join, quarantine: { rejected: ingest.quarantine.rejected, by_reason: ingest.quarantine.by_reason } },
      funnel,
      grade: graded ? { manifest: graded.manifestPath, keep: graded.decision.description, stats: graded.stats } : null,
      datasets: layout.configs.map((c) => ({ name: c.name, splits: c.splits.map((s) => ({ split: s.split, rows: s.rows, files: s.files })) })),
      partitions: plan.partitions,
      stages: [...context.records.values()].map(({ stage, ran, skipped, reasons }) => ({ stage, ran: stage === 'build' ? 1 : ran, skipped, reasons })),
    });
    const result = await buildAndExport(config, plan.filters.map((f) => f.output), ids, out, funnel, examples, progress, runManifest, graded);
    await markerOf(context, build, started, { layout: result.layout, funnel });
    progress.log(`build: ${describeLayout(result.layout)} -> ${out}`);
    built = { out, report, layout: result.layout, funnel, ingest, built: true };
    await removeExtraPartitions(context);
    return 1;
  });
  return built!;
}

function ranHere(context: Context, unit: Unit): boolean {
  return context.plan.shard.count === 1 && context.options.step !== 'merge' && unit.owner === 0;
}

async function replan(context: Context): Promise<RunPlan> {
  const { plan, config } = context;
  const inputs = plan.extracts.map((e) => ({ file: e.input.file, kind: e.input.kind }));
  const force = (context.options.force ?? []).filter((stage) => stage === 'build');
  return planRun({ config, inputs, subreddit: (plan.extracts[0]?.parts.subreddit as string | null) ?? null, work: plan.work, partitions: plan.partitions, shard: plan.shard, graded: plan.graded, force });
}

/** Folds finished tasks' grade caches into the shared one, then reads every partition's grades. */
async function mergeGrades(context: Context, kept: ReadonlySet<string>): Promise<GradeResult> {
  const { plan, config, paths } = context;
  const started = Date.now();
  const cache = await GradeCache.open(paths.gradeCache);
  try {
    for (const name of await readdir(paths.taskCaches).catch(() => [] as string[])) await cache.absorb(join(paths.taskCaches, name));
  } finally {
    await cache.close();
  }
  const grades = new Map<string, RawGrade>();
  const answerGrades = new Map<string, RawGrade>();
  const failures = new Map<string, string>();
  const stats: GradeStats = { posts: 0, graded: 0, cached: 0, failed: 0, requests: 0, requests_per_s: 0, prompt_tokens: 0, completion_tokens: 0, seconds: 0, answers: null };
  const seenRuns = new Set<string>();
  for (const unit of plan.grades) {
    const text = await readFile(unit.output, 'utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line) as { post_id: string; answer_id?: string; label?: string; probabilities?: Record<string, number>; error?: string };
      // Grade files may hold posts an earlier, looser filter kept: only the posts kept now count.
      if (!kept.has(row.post_id)) continue;
      if (row.error !== undefined) failures.set(row.post_id, row.error);
      else if (row.answer_id !== undefined) answerGrades.set(row.answer_id, { label: row.label!, probabilities: row.probabilities! });
      else grades.set(row.post_id, { label: row.label!, probabilities: row.probabilities! });
    }
    const marker = await readMarker<GradeMarkerResult & { stats: GradeStats; run: string }>(unit.marker);
    // Every partition of one grading run carries that run's stats: count each run once.
    const runStats = marker?.result.stats;
    if (runStats && !seenRuns.has(marker.result.run)) {
      seenRuns.add(marker.result.run);
      for (const key of ['posts', 'graded', 'cached', 'failed', 'requests', 'prompt_tokens', 'completion_tokens', 'seconds'] as const) stats[key] += runStats[key];
    }
  }
  stats.posts = grades.size + failures.size;
  stats.failed = failures.size;
  stats.requests_per_s = stats.seconds > 0 ? stats.requests / stats.seconds : 0;
  const decided = applyKeepRule(config.grade, { grades, answerGrades });
  const grader = context.opened?.grader ?? { description: `graded in ${plan.partitions} partitions`, stats: () => ({}) as ReturnType<NonNullable<Context['opened']>['grader']['stats']> };
  return writeGradeOutputs({ gradeDir: join(plan.work, 'grade'), config: config.grade, grader, started, quiet: context.options.quiet ?? false, kept: decided, failures, stats, cache: { grades: 0, failures: 0, segments: 0, lines_read: 0, torn_lines: 0, bad_lines: 0, appended: 0 } });
}

/** The ingest numbers of the whole input: extract reports and join stats added up. */
async function ingestSummary(context: Context): Promise<IngestSummary> {
  const { plan } = context;
  const quarantine = new Quarantine();
  const inputs: IngestSummary['inputs'] = [];
  const totals = { lines: 0, decoded_bytes: 0, records: 0, rejected: 0 };
  for (const unit of plan.extracts) {
    const marker = await readMarker<ExtractResult>(unit.marker);
    if (!marker) continue;
    const { report } = marker.result;
    quarantine.merge(marker.result.quarantine);
    inputs.push({ file: unit.input.file, kind: unit.input.kind, size: unit.input.fingerprint.size, headTailSha256: unit.input.fingerprint.headTailSha256, lines: report.lines, records: report.records, rejected: report.rejected });
    totals.lines += report.lines;
    totals.decoded_bytes += report.decodedBytes;
    totals.records += report.records;
    totals.rejected += report.rejected;
  }
  const join: JoinStats = { submissions: 0, duplicateSubmissions: 0, topLevelComments: 0, duplicateComments: 0, commentsWithoutPost: 0, inconsistentParent: 0, threads: 0, spilled: false, spillBytes: 0, peakMemoryEstimateBytes: 0 };
  for (const unit of plan.joins) {
    const stats = (await readMarker<{ stats: JoinStats }>(unit.marker))?.result.stats;
    if (!stats) continue;
    for (const key of ['submissions', 'duplicateSubmissions', 'topLevelComments', 'duplicateComments', 'commentsWithoutPost', 'inconsistentParent', 'threads', 'spillBytes'] as const) join[key] += stats[key];
    join.spilled ||= stats.spilled;
    join.peakMemoryEstimateBytes = Math.max(join.peakMemoryEstimateBytes, stats.peakMemoryEstimateBytes);
  }
  return { inputs, totals, join, quarantine: quarantine.toJSON() };
}

async function reportUnusedExtracts(context: Context): Promise<void> {
  const unused = await unusedExtracts(context.plan);
  if (unused.dirs.length === 0) return;
  if (context.options.prune) {
    for (const dir of unused.dirs) {
      await rm(`${dir}.done.json`, { force: true });
      await rm(dir, { recursive: true, force: true });
    }
    context.progress.log(`removed ${unused.dirs.length} extract(s) this run does not use (${formatBytes(unused.bytes)})`);
  } else {
    context.progress.log(`${unused.dirs.length} extract(s) in ${join(context.plan.work, 'extract')} are not used by this run (${formatBytes(unused.bytes)}); --prune removes them`);
  }
}

/** Parts of an earlier run with more partitions would be read by `threadsift grade --threads DIR`: remove them. */
async function removeExtraPartitions(context: Context): Promise<void> {
  const { plan } = context;
  for (const stage of ['ingest', 'filter', 'grade'] as const) {
    const dir = join(plan.work, stage);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const match = /^part-(\d{5})\./.exec(name);
      if (match && Number(match[1]) >= plan.partitions) await rm(join(dir, name), { force: true });
    }
  }
}
