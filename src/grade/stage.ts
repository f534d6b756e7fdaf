/**
 * The grade stage: threads in, a grade per post and the set of posts to keep out.
 *
 * Posts stream through once. A post whose request is in the cache costs nothing; the others go to the
 * grader with a bounded number of requests in flight, and every outcome is appended to the cache the
 * moment it arrives, so a killed run loses only what was in flight. The keep rule runs at the end, over
 * all grades: a quantile needs them all, and a new rule needs no request.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { Progress } from '../io/progress.js';
import type { GradeConfig } from '../pipeline/config-types.js';
import { GradeCache, type CachedGrade, type GradeCacheStats } from './cache.js';
import { gradeConfigProblems } from './config-checks.js';
import { writeGradeLines } from './grades-file.js';
import { decideKeep, scoreOf, type KeepDecision } from './keep.js';
import { answerGradeKey, answerRequest, gradeKey, gradingFingerprint, questionRequest, requireModel } from './prompt.js';
import { countThreads, threadStream, type ThreadInput } from './thread-source.js';
import type { Thread } from '../ingest/records.js';
import type { Grader, GraderStats, GradeOutcome, GradeRequest } from './types.js';

export interface GradeStageOptions {
  /** the threads to grade: a stream, or a directory of thread parts (e.g. <work>/filter of a pipeline run) */
  threads: ThreadInput;
  /** grade.model must be set (the command line's --grader-model goes there: it is part of the key) */
  config: GradeConfig;
  grader: Grader;
  /** the stage writes <workDir>/grade/{cache/, manifest.json, grades.jsonl} */
  workDir: string;
  quiet?: boolean;
  /** how many threads come, for the progress total and ETA; counted from the part footers for a directory */
  total?: number;
  /** requests started and not finished at most; default 2 x config.concurrency (the grader bounds its own concurrency) */
  maxInFlight?: number;
  /** stop when this many requests in a row fail (no server, a wrong model name); default 100 */
  maxConsecutiveFailures?: number;
}

export interface PostGrade {
  /** what the keep rule compares (keep.score; answers.score for answers) */
  score: number;
  label: string;
  probabilities: Record<string, number>;
}

export interface GradeCounts {
  /** posts (or answers) graded by a request in this run */
  graded: number;
  /** taken from the cache */
  cached: number;
  /** whose request failed in this run: neither graded nor kept; sent again by the next run */
  failed: number;
}

export interface GradeStats extends GradeCounts {
  /** threads read */
  posts: number;
  /** requests sent in this run (posts with the same request text share one) */
  requests: number;
  requests_per_s: number;
  prompt_tokens: number;
  completion_tokens: number;
  seconds: number;
  /** null unless grade.answers.enabled */
  answers: GradeCounts | null;
}

export interface GradeResult {
  /** post id -> grade, for every post graded now or before */
  grades: Map<string, PostGrade>;
  /** post ids the keep rule keeps */
  keep: Set<string>;
  /** answer id -> grade; empty unless grade.answers.enabled */
  answerGrades: Map<string, PostGrade>;
  /** answer ids at or above answers.keep_threshold; empty unless grade.answers.enabled */
  answerKeep: Set<string>;
  /** post id -> why its grading failed */
  failures: Map<string, string>;
  decision: KeepDecision;
  stats: GradeStats;
  manifestPath: string;
}

/** The grader kept failing; what it graded so far is in the cache, and a rerun goes on from there. */
export class GradeAbortedError extends Error {
  override name = 'GradeAbortedError';
}

const FAILURE_EXAMPLES = 10;
const FAILURE_REASONS = 20;

/** What grading a stream of threads produced, before any keep rule. */
export interface GradedThreads {
  /** post id -> the grader's label and probabilities */
  grades: Map<string, RawGrade>;
  /** answer id -> the same; empty unless grade.answers.enabled */
  answerGrades: Map<string, RawGrade>;
  /** post id -> why its grading failed */
  failures: Map<string, string>;
  /** answer id -> the post it belongs to, for the answers graded here */
  answerPosts: Map<string, string>;
  stats: GradeStats;
}

export interface RawGrade {
  label: string;
  probabilities: Record<string, number>;
}

export interface GradeThreadsOptions {
  config: GradeConfig;
  grader: Grader;
  cache: GradeCache;
  quiet?: boolean;
  total?: number | null;
  maxInFlight?: number;
  maxConsecutiveFailures?: number;
}

/**
 * Sends every thread's question (and answers, when graded) to the grader unless the cache holds its grade,
 * with a bounded number of requests in flight. Throws GradeAbortedError when the grader keeps failing.
 */
export async function gradeThreads(threads: AsyncIterable<Thread>, options: GradeThreadsOptions): Promise<GradedThreads> {
  const started = Date.now();
  const config = options.config;
  const total = options.total ?? null;
  const progress = new Progress(options.quiet ?? false);
  const run = new GradeRun(options.cache, options.grader, options.maxInFlight ?? 2 * config.concurrency, options.maxConsecutiveFailures ?? 100);

  const grades = new Map<string, RawGrade>();
  const answerGrades = new Map<string, RawGrade>();
  const answerPosts = new Map<string, string>();
  const failures = new Map<string, string>();
  const questions: GradeCounts = { graded: 0, cached: 0, failed: 0 };
  const answers: GradeCounts = { graded: 0, cached: 0, failed: 0 };
  let posts = 0;

  const onQuestion = (postId: string) => (outcome: OutcomeLike, fromCache: boolean) => {
    if (outcome.ok) {
      grades.set(postId, { label: outcome.label, probabilities: outcome.probabilities });
      if (fromCache) questions.cached++;
      else questions.graded++;
    } else {
      questions.failed++;
      failures.set(postId, outcome.reason);
    }
  };
  const onAnswer = (answerId: string) => (outcome: OutcomeLike, fromCache: boolean) => {
    if (outcome.ok) {
      answerGrades.set(answerId, { label: outcome.label, probabilities: outcome.probabilities });
      if (fromCache) answers.cached++;
      else answers.graded++;
    } else {
      answers.failed++;
    }
  };
  const render = () => progressLine(posts, total, questions, run, (Date.now() - started) / 1000);

  try {
    for await (const thread of threads) {
      posts++;
      await run.submit(gradeKey(thread, config), () => questionRequest(thread, config), onQuestion(thread.id));
      if (config.answers.enabled) {
        for (const answer of thread.answers) {
          answerPosts.set(answer.id, thread.id);
          await run.submit(answerGradeKey(thread, answer, config), () => answerRequest(thread, answer, config), onAnswer(answer.id));
        }
      }
      progress.update(render);
      if (run.abortReason) break;
    }
  } finally {
    // Also when reading threads failed: requests in flight still land in the cache.
    await run.drain();
  }
  if (run.abortReason) {
    throw new GradeAbortedError(
      `grade: stopped after ${run.abortReason}; ` +
        `${(questions.graded + questions.cached).toLocaleString('en-US')} posts are graded and cached, and a rerun goes on from there`,
    );
  }
  const seconds = (Date.now() - started) / 1000;
  const stats: GradeStats = {
    posts,
    ...questions,
    requests: run.requests,
    requests_per_s: seconds > 0 ? run.requests / seconds : 0,
    prompt_tokens: run.promptTokens,
    completion_tokens: run.completionTokens,
    seconds,
    answers: config.answers.enabled ? answers : null,
  };
  return { grades, answerGrades, failures, answerPosts, stats };
}

/** The keep rule over all grades: which posts (and answers) stay, with each grade's score. */
export function applyKeepRule(
  config: GradeConfig,
  raw: Pick<GradedThreads, 'grades' | 'answerGrades'>,
): Pick<GradeResult, 'grades' | 'keep' | 'answerGrades' | 'answerKeep' | 'decision'> {
  const score = (grade: RawGrade, spec: string): PostGrade => ({ score: scoreOf(grade, spec, config.values), label: grade.label, probabilities: grade.probabilities });
  const grades = new Map<string, PostGrade>();
  const scores = new Map<string, number>();
  for (const [id, grade] of raw.grades) {
    const scored = score(grade, config.keep.score);
    grades.set(id, scored);
    scores.set(id, scored.score);
  }
  const decision = decideKeep(scores, config.keep);
  const answerGrades = new Map<string, PostGrade>();
  const answerKeep = new Set<string>();
  if (config.answers.enabled) {
    for (const [id, grade] of raw.answerGrades) {
      const scored = score(grade, config.answers.score);
      answerGrades.set(id, scored);
      if (Number.isFinite(scored.score) && scored.score >= config.answers.keep_threshold) answerKeep.add(id);
    }
  }
  return { grades, keep: decision.keep, answerGrades, answerKeep, decision };
}

/** Grades every thread (cached grades cost nothing), applies the keep rule, writes the manifest. */
export async function runGrade(options: GradeStageOptions): Promise<GradeResult> {
  const started = Date.now();
  const config = options.config;
  requireModel(config);
  // A keep rule that cannot be applied must fail now, not after hours of grading.
  const problems = gradeConfigProblems({ grade: config });
  if (problems.length > 0) throw new Error(`grade config: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const gradeDir = join(options.workDir, 'grade');
  const total = options.total ?? (await countThreads(options.threads));
  const cache = await GradeCache.open(join(gradeDir, 'cache'));
  let graded: GradedThreads;
  try {
    graded = await gradeThreads(threadStream(options.threads), {
      config,
      grader: options.grader,
      cache,
      quiet: options.quiet ?? false,
      total,
      ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
      ...(options.maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures: options.maxConsecutiveFailures } : {}),
    });
  } finally {
    await cache.close();
  }
  const kept = applyKeepRule(config, graded);
  const stats = { ...graded.stats, seconds: (Date.now() - started) / 1000 };
  return writeGradeOutputs({ gradeDir, config, grader: options.grader, started, quiet: options.quiet ?? false, kept, failures: graded.failures, stats, cache: cache.stats() });
}

/** grades.jsonl and manifest.json of the grade directory, and the log lines; the same for one run or a merge. */
export async function writeGradeOutputs(input: {
  gradeDir: string;
  config: GradeConfig;
  grader: Grader | { description: string; stats(): GraderStats };
  started: number;
  quiet: boolean;
  kept: ReturnType<typeof applyKeepRule>;
  failures: Map<string, string>;
  stats: GradeStats;
  cache: GradeCacheStats;
}): Promise<GradeResult> {
  const { gradeDir, config, kept, failures, stats } = input;
  const { decision } = kept;
  const progress = new Progress(input.quiet);
  progress.log(
    `grade: ${stats.posts.toLocaleString('en-US')} posts, ${stats.graded.toLocaleString('en-US')} graded, ${stats.cached.toLocaleString('en-US')} cached, ` +
      `${stats.failed.toLocaleString('en-US')} failed; kept ${decision.kept.toLocaleString('en-US')} (${decision.description}) in ${stats.seconds.toFixed(1)} s`,
  );
  if (stats.failed > 0) progress.log(`grade: ${stats.failed.toLocaleString('en-US')} posts failed (see ${join(gradeDir, 'manifest.json')}); a rerun sends them again`);

  await writeGradeLines(join(gradeDir, 'grades.jsonl'), kept.grades, decision.keep, failures);
  const manifestPath = join(gradeDir, 'manifest.json');
  const manifest = {
    stage: 'grade',
    tool: 'threadsift',
    started_at: new Date(input.started).toISOString(),
    seconds: stats.seconds,
    grader: input.grader.description,
    model: requireModel(config),
    grading_fingerprint: gradingFingerprint(config),
    config,
    keep: { ...config.keep, cutoff: decision.cutoff, inclusive: decision.inclusive, scored: decision.scored, kept: decision.kept, description: decision.description },
    answers_keep: config.answers.enabled ? { threshold: config.answers.keep_threshold, score: config.answers.score, graded: kept.answerGrades.size, kept: kept.answerKeep.size } : null,
    stats,
    grader_stats: input.grader.stats(),
    failures: summarizeFailures(failures),
    cache: input.cache,
    outputs: { grades: 'grades.jsonl' },
  } satisfies GradeManifest;
  await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return { ...kept, failures, stats, manifestPath };
}

export interface GradeManifest {
  stage: 'grade';
  tool: string;
  started_at: string;
  seconds: number;
  grader: string;
  model: string;
  grading_fingerprint: string;
  config: GradeConfig;
  keep: GradeConfig['keep'] & { cutoff: number | null; inclusive: boolean; scored: number; kept: number; description: string };
  answers_keep: { threshold: number; score: string; graded: number; kept: number } | null;
  stats: GradeStats;
  grader_stats: GraderStats;
  failures: { posts: number; by_reason: Record<string, number>; examples: { post_id: string; reason: string }[] };
  cache: GradeCacheStats;
  outputs: { grades: string };
}

type GradeSuccessLike = { label: string; probabilities: Record<string, number> };
/** A fresh outcome or a cached grade: both carry ok, and a grade's label and probabilities. */
type OutcomeLike = GradeOutcome | CachedGrade;
type Consumer = (outcome: OutcomeLike, fromCache: boolean) => void;

/**
 * The requests of one run: at most `maxInFlight` unfinished, one request per distinct key (posts with the
 * same text wait for the same answer), each outcome appended to the cache before anyone consumes it.
 */
class GradeRun {
  requests = 0;
  promptTokens = 0;
  completionTokens = 0;
  consecutiveFailures = 0;
  abortReason: string | null = null;
  private readonly inFlight = new Map<string, { done: Promise<void>; waiters: Consumer[] }>();
  /** keys that failed in this run: a second post with the same text fails without a second request */
  private readonly failedNow = new Map<string, GradeOutcome>();

  constructor(
    private readonly cache: GradeCache,
    private readonly grader: Grader,
    private readonly maxInFlight: number,
    private readonly maxConsecutiveFailures: number,
  ) {}

  /** Consumes the cached grade, or sends the request once there is room; resolves once it is sent. */
  async submit(key: string, makeRequest: () => GradeRequest, consume: Consumer): Promise<void> {
    for (;;) {
      const cached = this.cache.grade(key);
      if (cached) return consume(cached, true);
      const failed = this.failedNow.get(key);
      if (failed) return consume(failed, false);
      const pending = this.inFlight.get(key);
      if (pending) {
        pending.waiters.push(consume);
        return;
      }
      if (this.abortReason) return;
      if (this.inFlight.size < this.maxInFlight) break;
      // Wait for a slot; the key may have been answered meanwhile, so look again.
      await Promise.race([...this.inFlight.values()].map((entry) => entry.done));
    }
    const entry = { done: Promise.resolve(), waiters: [consume] };
    this.inFlight.set(key, entry);
    entry.done = this.send(key, makeRequest(), entry.waiters);
  }

  /** Waits until every request has been answered and consumed. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
  }

  private async send(key: string, request: GradeRequest, waiters: Consumer[]): Promise<void> {
    let outcome: GradeOutcome;
    try {
      outcome = await this.grader.grade(request);
    } catch (error) {
      // A Grader reports failures as outcomes; a throw is a bug or a dead transport, retried next run.
      outcome = { ok: false, reason: `grader error: ${(error as Error).message}`, retryable: true };
    }
    this.requests++;
    try {
      this.cache.append(key, outcome);
    } finally {
      this.inFlight.delete(key);
    }
    if (outcome.ok) {
      this.consecutiveFailures = 0;
      this.promptTokens += outcome.prompt_tokens ?? 0;
      this.completionTokens += outcome.completion_tokens ?? 0;
    } else {
      this.failedNow.set(key, outcome);
      this.consecutiveFailures++;
      if (this.consecutiveFailures >= this.maxConsecutiveFailures) this.abortReason ??= `${this.consecutiveFailures} failed requests in a row (last: ${outcome.reason})`;
    }
    for (const consume of waiters) consume(outcome, false);
  }
}

function progressLine(posts: number, total: number | null, counts: GradeCounts, run: GradeRun, elapsed: number): string {
  const done = counts.graded + counts.cached + counts.failed;
  const rate = elapsed > 0 ? run.requests / elapsed : 0;
  const postRate = elapsed > 0 ? (counts.graded + counts.failed) / elapsed : 0;
  const of = total !== null ? ` / ${total.toLocaleString('en-US')}` : '';
  const eta = total !== null && postRate > 0 ? `, ETA ${formatDuration((total - done) / postRate)}` : '';
  return (
    `grade: ${done.toLocaleString('en-US')}${of} posts (${counts.cached.toLocaleString('en-US')} cached, ${counts.failed.toLocaleString('en-US')} failed), ` +
    `${rate.toFixed(1)} req/s${eta}` + (posts > done ? `, ${(posts - done).toLocaleString('en-US')} waiting` : '')
  );
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function summarizeFailures(failures: ReadonlyMap<string, string>): GradeManifest['failures'] {
  const byReason: Record<string, number> = {};
  let distinct = 0;
  const examples: { post_id: string; reason: string }[] = [];
  for (const [postId, reason] of failures) {
    if (examples.length < FAILURE_EXAMPLES) examples.push({ post_id: postId, reason });
    // Reasons carry numbers (token counts, ports); the first 80 characters group them well enough.
    const group = reason.slice(0, 80);
    if (byReason[group] === undefined) {
      if (distinct >= FAILURE_REASONS) continue;
      distinct++;
      byReason[group] = 0;
    }
    byReason[group]!++;
  }
  return { posts: failures.size, by_reason: byReason, examples };
}
