/**
 * The run plan: every unit of work of a pipeline run, its fingerprint, and whether its output is fresh
 * (a completion marker with the same fingerprint exists) or stale, and why. `threadsift run` executes the
 * stale units a task owns; `threadsift status` prints the plan.
 *
 * Units, and what each one's fingerprint covers:
 *   extract  one input file     the file's identity (path, size, mtime, head+tail hash), subreddit, partitions, code
 *   join     one partition      the extracts of all inputs, code            } ingest: files -> threads
 *   filter   one partition      its join, config.filters, code
 *   grade    one partition      its filter, the grading prompt/model, code
 *   build    the dataset        all filters and grades, keep rule, build + export config, code
 * Partitions split the posts by a hash of the post id, so they never depend on how many tasks run: one
 * task and many produce the same files.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileFingerprint, type FileFingerprint } from '../io/inputs.js';
import type { RecordKind } from '../ingest/parse-batch.js';
import { gradingFingerprint } from '../grade/prompt.js';
import type { PipelineConfig } from './config-types.js';
import { codeVersion, describeChanges, fingerprintOf, type FingerprintParts } from './fingerprint.js';
import { readMarker, type Marker } from './markers.js';
import { assignByWeight, type Shard } from './shard.js';

export const STAGES = ['ingest', 'filter', 'grade', 'build'] as const;
export type StageName = (typeof STAGES)[number];
export const DEFAULT_RUN_PARTITIONS = 16;

export interface PlannedInput {
  file: string;
  kind: RecordKind;
}

export interface Unit {
  stage: StageName;
  /** extract-<name>, join-00003 ... */
  name: string;
  fingerprint: string;
  parts: FingerprintParts;
  /** the task (0-based) that runs it */
  owner: number;
  marker: string;
  fresh: boolean;
  /** why it must run: empty when fresh */
  reasons: string[];
}

export interface ExtractUnit extends Unit {
  input: PlannedInput & { fingerprint: FileFingerprint };
  dir: string;
}

export interface PartitionUnit extends Unit {
  partition: number;
  /** the unit's main output file */
  output: string;
  /** grade: its grades are current but its filter changed; done if they cover every filtered post */
  coverageCheck?: boolean;
}

/** What a grade partition's marker records. */
export interface GradeMarkerResult {
  /** the filter fingerprint whose posts these grades cover */
  covers: string;
  /** sha256 of the grade file: a partition re-graded under the same fingerprint (failures retried) has new content */
  content: string;
  posts: number;
  failed: number;
}

export interface RunPlan {
  work: string;
  partitions: number;
  shard: Shard;
  graded: boolean;
  extracts: ExtractUnit[];
  joins: PartitionUnit[];
  filters: PartitionUnit[];
  /** empty when the run does not grade */
  grades: PartitionUnit[];
  build: Unit;
}

export interface PlanOptions {
  config: PipelineConfig;
  inputs: PlannedInput[];
  subreddit: string | null;
  work: string;
  partitions: number;
  shard: Shard;
  /** a grader is given and grade.enabled */
  graded: boolean;
  force: readonly StageName[];
}

/** Paths of the work directory, in one place. */
export const workPaths = (work: string) => ({
  extractDir: (key: string) => join(work, 'extract', key),
  extractMarker: (key: string) => join(work, 'extract', `${key}.done.json`),
  partFile: (stage: 'ingest' | 'filter', p: number) => join(work, stage, `${partName(p)}.parquet`),
  idsFile: (p: number) => join(work, 'filter', `${partName(p)}.ids`),
  gradeFile: (p: number) => join(work, 'grade', `${partName(p)}.jsonl`),
  marker: (stage: 'ingest' | 'filter' | 'grade', p: number) => join(work, stage, `${partName(p)}.done.json`),
  buildMarker: join(work, 'build.done.json'),
  gradeCache: join(work, 'grade', 'cache'),
  taskCaches: join(work, 'grade', 'cache-tasks'),
  runRecord: join(work, 'run.json'),
  spill: (p: number) => join(work, 'ingest', `.spill-${partName(p)}-${process.pid}`),
});

export function partName(partition: number): string {
  return `part-${String(partition).padStart(5, '0')}`;
}

// src/io (Parquet, atomic writes) is under every stage: a change there re-runs them all.
const CODE = {
  ingest: () => codeVersion(['ingest', 'io']),
  filter: () => codeVersion(['filter', 'io']),
  grade: () => codeVersion(['grade', 'io']),
  build: () => codeVersion(['build', 'export', 'pipeline', 'io']),
};

export async function planRun(options: PlanOptions): Promise<RunPlan> {
  const { config, work, partitions, shard, force } = options;
  const paths = workPaths(work);
  const forced = (stage: StageName) => force.includes(stage);

  const fingerprints = await Promise.all(options.inputs.map((input) => fileFingerprint(input.file)));
  const owners = assignByWeight(fingerprints.map((f) => f.size), shard.count);
  const extracts: ExtractUnit[] = [];
  for (const [i, input] of options.inputs.entries()) {
    const identity = fingerprints[i]!;
    const parts = {
      stage: 'extract',
      file: { path: resolve(input.file), size: identity.size, mtimeMs: identity.mtimeMs, headTailSha256: identity.headTailSha256 },
      kind: input.kind,
      subreddit: options.subreddit,
      partitions,
      code: CODE.ingest(),
    };
    // The key names the extract's directory: a changed file is a new extract, never an overwritten one.
    const key = fingerprintOf(parts).slice(0, 32);
    const marker = paths.extractMarker(key);
    const existing = await readMarker(marker);
    const reasons = forced('ingest') ? ['forced (--force ingest)'] : existing ? [] : [`${input.file} not extracted yet`];
    extracts.push({ stage: 'ingest', name: `extract ${input.file}`, fingerprint: key, parts, owner: owners[i]!, marker, fresh: reasons.length === 0, reasons, input: { ...input, fingerprint: identity }, dir: paths.extractDir(key) });
  }

  const extractList = extracts.map((e) => ({ file: resolve(e.input.file), kind: e.input.kind, key: e.fingerprint }));
  const joins: PartitionUnit[] = [];
  const filters: PartitionUnit[] = [];
  const grades: PartitionUnit[] = [];
  for (let p = 0; p < partitions; p++) {
    const owner = p % shard.count;
    const join = await partitionUnit('ingest', p, owner, paths.marker('ingest', p), paths.partFile('ingest', p), forced('ingest'), {
      stage: 'join',
      partition: p,
      partitions,
      extracts: extractList,
      code: CODE.ingest(),
    }, { extracts: describeInputChanges });
    joins.push(join);
    const filter = await partitionUnit('filter', p, owner, paths.marker('filter', p), paths.partFile('filter', p), forced('filter'), {
      stage: 'filter',
      threads: join.fingerprint,
      filters: config.filters,
      code: CODE.filter(),
    }, { threads: 'its ingested threads changed' });
    filters.push(filter);
    if (options.graded) {
      // Not keyed on the filter's output: a stricter rule needs no grading at all, and a looser one only
      // the posts it adds. The grades must cover the filtered posts, which is checked once filter ran.
      const grade = await partitionUnit('grade', p, owner, paths.marker('grade', p), paths.gradeFile(p), forced('grade'), {
        stage: 'grade',
        partition: p,
        partitions,
        grading: { fingerprint: gradingFingerprint(config.grade), model: config.grade.model },
        code: CODE.grade(),
      }, { grading: 'the grading prompt or model changed' });
      if (grade.fresh) {
        const result = (await readMarker<GradeMarkerResult>(grade.marker))?.result;
        if (!result || result.failed > 0) {
          // Posts whose request failed are not graded: the partition is not done until a rerun grades them.
          grade.fresh = false;
          grade.reasons.push(`${result?.failed ?? 'some'} posts failed to grade last time`);
        } else if (result.covers !== filter.fingerprint) {
          grade.fresh = false;
          grade.coverageCheck = true;
          grade.reasons.push('the filtered posts changed: only posts without a grade are graded');
        }
      }
      grades.push(grade);
    }
  }

  const buildParts = {
    stage: 'build',
    filters: fingerprintOf({ list: filters.map((f) => f.fingerprint) }),
    grades: options.graded ? fingerprintOf({ list: await Promise.all(grades.map(async (g) => (await readMarker<GradeMarkerResult>(g.marker))?.result.content ?? null)) }) : null,
    keep: options.graded ? { keep: config.grade.keep, values: config.grade.values, answers: config.grade.answers.enabled ? { score: config.grade.answers.score, keep_threshold: config.grade.answers.keep_threshold } : null } : null,
    build: config.build,
    export: config.export,
    card: { name: config.name, description: config.description, subreddit: config.subreddit },
    code: CODE.build(),
  };
  const build = await unitFromMarker('build', 'build', 0, paths.buildMarker, forced('build'), buildParts, {
    filters: 'the filtered threads changed',
    grades: 'the grades changed',
  });
  return { work, partitions, shard, graded: options.graded, extracts, joins, filters, grades, build };
}

async function partitionUnit(
  stage: 'ingest' | 'filter' | 'grade',
  partition: number,
  owner: number,
  marker: string,
  output: string,
  forced: boolean,
  parts: FingerprintParts,
  labels: Record<string, string | ((a: unknown, b: unknown) => string[])>,
): Promise<PartitionUnit> {
  const unit = await unitFromMarker(stage, `${stage} ${partName(partition)}`, owner, marker, forced, parts, labels);
  return { ...unit, partition, output };
}

async function unitFromMarker(
  stage: StageName,
  name: string,
  owner: number,
  markerPath: string,
  forced: boolean,
  parts: FingerprintParts,
  labels: Record<string, string | ((a: unknown, b: unknown) => string[])>,
): Promise<Unit> {
  const fingerprint = fingerprintOf(parts);
  const marker: Marker | null = await readMarker(markerPath);
  let reasons: string[] = [];
  if (forced) reasons = [`forced (--force ${stage})`];
  else if (!marker) reasons = ['not run yet'];
  else if (marker.fingerprint !== fingerprint) {
    const plain: Record<string, string> = {};
    const special: Record<string, (a: unknown, b: unknown) => string[]> = {};
    for (const [key, label] of Object.entries(labels)) {
      if (typeof label === 'string') plain[key] = label;
      else special[key] = label;
    }
    reasons = [];
    for (const [key, describe] of Object.entries(special)) {
      if (JSON.stringify(marker.parts[key]) !== JSON.stringify(parts[key])) reasons.push(...describe(marker.parts[key], parts[key]));
    }
    const rest = (p: FingerprintParts) => Object.fromEntries(Object.entries(p).filter(([key]) => !(key in special)));
    reasons.push(...describeChanges(rest(marker.parts), rest(parts), { code: 'threadsift code changed', ...plain }));
    if (reasons.length === 0) reasons = ['fingerprint changed'];
  }
  return { stage, name, fingerprint, parts, owner, marker: markerPath, fresh: reasons.length === 0, reasons };
}

/** "new input RC_2015-04.zst", "input X changed", "input Y removed". */
function describeInputChanges(before: unknown, after: unknown): string[] {
  type Entry = { file: string; key: string };
  const a = new Map(((before ?? []) as Entry[]).map((e) => [e.file, e.key]));
  const b = new Map(((after ?? []) as Entry[]).map((e) => [e.file, e.key]));
  const out: string[] = [];
  for (const [file, key] of b) {
    if (!a.has(file)) out.push(`new input ${file}`);
    else if (a.get(file) !== key) out.push(`extract of ${file} changed (the file, the subreddit, --partitions or the ingest code)`);
  }
  for (const file of a.keys()) if (!b.has(file)) out.push(`input ${file} removed`);
  return out;
}

/** Units of a stage that the given task runs, stale ones only. */
export function staleFor<T extends Unit>(units: readonly T[], task: number): T[] {
  return units.filter((u) => u.owner === task && !u.fresh);
}

/** The units a step works on: map the extracts, reduce the partitions, merge the build; all of them. */
export function unitsOfStep(plan: RunPlan, step: 'all' | 'map' | 'reduce' | 'merge'): Record<StageName, Unit[]> {
  const take = (inStep: boolean, units: Unit[]) => (inStep ? units : []);
  const map = step === 'all' || step === 'map';
  const reduce = step === 'all' || step === 'reduce';
  return {
    ingest: [...take(map, plan.extracts), ...take(reduce, plan.joins)],
    filter: take(reduce, plan.filters),
    grade: take(reduce, plan.grades),
    build: take(step === 'all' || step === 'merge', [plan.build]),
  };
}

export interface PlanRow {
  stage: StageName;
  units: number;
  stale: number;
  /** stale units the given task runs */
  mine: number;
  reasons: string[];
}

/** One row per stage: how many of the step's units are stale (and the task's share), with the first distinct reasons. */
export function summarizePlan(plan: RunPlan, step: 'all' | 'map' | 'reduce' | 'merge' = 'all'): PlanRow[] {
  const byStage = unitsOfStep(plan, step);
  return STAGES.map((stage) => {
    const units = byStage[stage];
    const stale = units.filter((u) => !u.fresh);
    const reasons = [...new Set(stale.flatMap((u) => u.reasons))];
    return {
      stage,
      units: units.length,
      stale: stale.length,
      mine: stale.filter((u) => u.owner === plan.shard.index).length,
      reasons: reasons.length > 5 ? [...reasons.slice(0, 5), `and ${reasons.length - 5} more`] : reasons,
    };
  });
}

/**
 * Extracts in WORK that this plan does not use (files changed, removed, or another --partitions): kept,
 * because going back to those inputs would decode them again, until `run --prune` removes them.
 */
export async function unusedExtracts(plan: RunPlan): Promise<{ dirs: string[]; bytes: number }> {
  const dir = join(plan.work, 'extract');
  const used = new Set(plan.extracts.map((e) => e.fingerprint));
  const dirs: string[] = [];
  let bytes = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { dirs, bytes };
  }
  for (const name of names) {
    const key = /^([0-9a-f]{32})(?:\.done\.json)?$/.exec(name)?.[1];
    if (!key || used.has(key)) continue;
    if (!name.endsWith('.json')) {
      dirs.push(join(dir, name));
      for (const file of await readdir(join(dir, name)).catch(() => [] as string[])) bytes += (await stat(join(dir, name, file)).catch(() => ({ size: 0 }))).size;
    }
  }
  return { dirs, bytes };
}
