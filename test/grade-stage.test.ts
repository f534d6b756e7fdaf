import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import yargs from 'yargs';
import { gradeCommand } from '../src/cli/grade-command.js';
import { GradeCache } from '../src/grade/cache.js';
import { gradeConfigProblems } from '../src/grade/config-checks.js';
import { decideKeep, expectedValue, quantileOf } from '../src/grade/keep.js';
import { openGrader } from '../src/grade/open-grader.js';
import { answerGradeKey, gradeKey, questionMessages } from '../src/grade/prompt.js';
import { GradeAbortedError, runGrade, type GradeResult } from '../src/grade/stage.js';
import type { Grader, GradeOutcome, GradeRequest, GraderStats } from '../src/grade/types.js';
import type { Thread } from '../src/ingest/records.js';
import { threadColumns } from '../src/ingest/thread-table.js';
import { ParquetPartWriter } from '../src/io/parquet.js';
import { loadPipelineConfig } from '../src/pipeline/config.js';
import type { GradeConfig } from '../src/pipeline/config-types.js';
import { FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { tempDir } from './helpers/paths.js';

// ---------------------------------------------------------------------------------------------------
// Fixtures

/** Self-contained (no outside references): its source is also sent to the child process of the kill test. */
function makeThread(i: number): Thread {
  // A P(yes) per post, carried in the title so that a fake grader can answer from the request alone.
  const p = ((i * 37) % 101) / 100;
  return {
    id: `p${i}`, name: `t3_p${i}`, subreddit: 'AskHistorians', author: `u${i}`,
    title: `Question number ${i} about the past, p=${p.toFixed(2)}?`, selftext: `body ${i}`,
    url: null, score: 10, num_comments: 2, created_utc: 1_400_000_000 + i, edited: false, distinguished: null,
    stickied: false, over_18: false, link_flair_text: null, removed_by_category: null,
    answers: [
      { id: `a${i}x`, author: 'h1', body: `answer x to ${i}, p=0.90`, score: 5, created_utc: 1_400_000_100 + i, edited: false, distinguished: null, stickied: false },
      { id: `a${i}y`, author: 'h2', body: `answer y to ${i}, p=0.10`, score: 1, created_utc: 1_400_000_200 + i, edited: false, distinguished: null, stickied: false },
    ],
  };
}

/** The P(yes) a fake answers with: the `p=` in the last message. Self-contained, as makeThread. */
function fakeOutcome(request: { messages: { content: string }[] }): GradeOutcome {
  const last = request.messages[request.messages.length - 1]!.content;
  // The last p= in it: an answer's request shows the question's title (with its p=) before the answer.
  const match = [...last.matchAll(/p=([0-9.]+)/g)].at(-1);
  if (!match) return { ok: false, reason: 'no p= in the question', retryable: false };
  const p = Number(match[1]);
  return { ok: true, label: p >= 0.5 ? 'yes' : 'no', probabilities: { yes: p, no: 1 - p }, expected: p, prompt_tokens: 100, completion_tokens: 1 };
}

function threadsOf(count: number, from = 0): Thread[] {
  return Array.from({ length: count }, (_, i) => makeThread(from + i));
}

async function* stream(threads: Thread[]): AsyncGenerator<Thread> {
  yield* threads;
}

/** A Grader that records its calls and how many were open at once. */
class FakeGrader implements Grader {
  readonly description = 'fake grader';
  readonly calls: GradeRequest[] = [];
  open = 0;
  maxOpen = 0;
  constructor(
    private readonly answer: (request: GradeRequest) => GradeOutcome = fakeOutcome,
    private readonly delayMs = 0,
  ) {}

  async grade(request: GradeRequest): Promise<GradeOutcome> {
    this.calls.push(request);
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      return this.answer(request);
    } finally {
      this.open--;
    }
  }

  stats(): GraderStats {
    return { requests: this.calls.length, retries: 0, failures: 0, prompt_tokens: 0, completion_tokens: 0 };
  }

  async close(): Promise<void> {}
}

function studyGrade(changes: Partial<GradeConfig> = {}): GradeConfig {
  return { ...loadPipelineConfig('askhistorians-study').grade, model: 'fake-model', ...changes };
}

function grade(threads: Thread[], config: GradeConfig, grader: Grader, workDir: string, extra: { maxInFlight?: number } = {}): Promise<GradeResult> {
  return runGrade({ threads: stream(threads), config, grader, workDir, quiet: true, ...extra });
}

function segmentFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^seg-\d+\.ndjson$/.test(name)).sort() : [];
}

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const KEY_C = 'c'.repeat(64);

// ---------------------------------------------------------------------------------------------------

describe('the study prompt', () => {
  it('is the system message, six few-shot pairs, then the title and a newline', () => {
    const config = studyGrade();
    const thread = makeThread(7);
    const messages = questionMessages(thread, config);
    assert.equal(messages.length, 1 + 6 * 2 + 1);
    assert.equal(messages[0]!.role, 'system');
    assert.match(messages[0]!.content, /^You are an expert historian\. You curate questions to create a high-quality dataset of history questions\.\n/);
    for (const rule of ['should be about an event or person or culture in history', 'do not contain a personal reference', 'are not suggestive questions', 'do not ask for book recommendations', 'do not contain hateful statements', 'are not poll-type questions']) {
      assert.ok(messages[0]!.content.includes(rule), rule);
    }
    const lead = 'Is the following question a good question (Answer with yes/no)? ';
    const expected: [string, string][] = [
      ['What caused the Wall Street Crash of 1929?', 'yes'],
      ['Wednesday AMA: Magic, Alchemy, and the Occult', 'no'],
      ['What were the consequences for the British in choosing to hold on to Northern Ireland after World War I?', 'yes'],
      ['When does one become a historian?', 'no'],
      ["How much of a threat was Ivan VI to Catherine the Great's reign as empress?", 'yes'],
      ['I need some books on the Asian continent in general.', 'no'],
    ];
    expected.forEach(([question, answer], i) => {
      assert.deepEqual(messages[1 + 2 * i], { role: 'user', content: lead + question });
      assert.deepEqual(messages[2 + 2 * i], { role: 'assistant', content: answer });
    });
    assert.deepEqual(messages.at(-1), { role: 'user', content: `${thread.title}\n` });
  });

  it('shares a byte-identical prefix across posts; only the last message differs', () => {
    for (const name of ['askhistorians-study', 'askhistorians', 'askscience']) {
      const config = { ...loadPipelineConfig(name).grade, model: 'm' };
      const a = questionMessages(makeThread(1), config);
      const b = questionMessages(makeThread(2), config);
      assert.equal(JSON.stringify(a.slice(0, -1)), JSON.stringify(b.slice(0, -1)), name);
      assert.notEqual(a.at(-1)!.content, b.at(-1)!.content, name);
    }
  });

  it('does not fill placeholders inside the post text', () => {
    const config = studyGrade({ question_template: '{title} | {selftext}' });
    const thread = { ...makeThread(1), title: 'A {selftext} title', selftext: 'B' };
    assert.equal(questionMessages(thread, config).at(-1)!.content, 'A {selftext} title | B');
  });

  it('the three shipped grade sections pass the grade checks', () => {
    for (const name of ['askhistorians-study', 'askhistorians', 'askscience']) assert.deepEqual(gradeConfigProblems(loadPipelineConfig(name)), [], name);
  });
});

describe('gradeKey', () => {
  const thread = makeThread(3);
  const base = studyGrade();
  const key = gradeKey(thread, base);

  it('ignores keep, values, answers and transport settings', () => {
    const same: Partial<GradeConfig>[] = [
      { keep: { method: 'absolute', threshold: 0.2, quantile: null, score: 'p_label:yes' } },
      { keep: { ...base.keep, quantile: 0.8 } },
      { values: { yes: 10, no: -1 } },
      { enabled: false },
      { answers: { ...base.answers, enabled: true, keep_threshold: 0.9 } },
      { concurrency: 1, request_timeout_s: 5, max_retries: 0 },
    ];
    for (const change of same) assert.equal(gradeKey(thread, studyGrade(change)), key, JSON.stringify(change));
    // The template shows only the title: the body is not part of the request, nor of the key.
    assert.equal(gradeKey({ ...thread, selftext: 'edited body', score: 999 }, base), key);
  });

  it('changes with the post text, the model, the prompt and the reading settings', () => {
    const different: Partial<GradeConfig>[] = [
      { model: 'other-model' },
      { system_prompt: `${base.system_prompt} ` },
      { examples: base.examples.slice(1) },
      { examples: [...base.examples].reverse() },
      { question_template: '{title}' },
      { labels: { yes: ['Yes', 'yes'], no: ['No', 'no', 'n'] } },
      { temperature: 0.5 },
      { top_logprobs: 5 },
      { max_tokens: 2 },
      { mode: 'constrained' },
    ];
    const keys = new Set([key]);
    for (const change of different) keys.add(gradeKey(thread, studyGrade(change)));
    keys.add(gradeKey({ ...thread, title: `${thread.title} ` }, base));
    assert.equal(keys.size, different.length + 2);
    // With the body in the template, the body is part of the key.
    const withBody = studyGrade({ question_template: '{title}\n{selftext}' });
    assert.notEqual(gradeKey({ ...thread, selftext: 'edited' }, withBody), gradeKey(thread, withBody));
  });

  it('keys answers apart from questions, by the answer text', () => {
    const answer = thread.answers[0]!;
    const answerKey = answerGradeKey(thread, answer, base);
    assert.notEqual(answerKey, key);
    assert.notEqual(answerGradeKey(thread, { ...answer, body: 'other' }, base), answerKey);
    assert.equal(answerGradeKey(thread, answer, studyGrade({ answers: { ...base.answers, keep_threshold: 0.5 } })), answerKey);
  });
});

describe('keep rules', () => {
  const rule = (method: 'absolute' | 'quantile' | 'above_quantile', value: number) => ({
    method,
    threshold: method === 'absolute' ? value : null,
    quantile: method === 'absolute' ? null : value,
    score: 'p_label:yes',
  });
  const scores = (values: number[]) => new Map(values.map((value, i) => [`p${i}`, value]));

  it('quantiles interpolate as numpy does', () => {
    assert.equal(quantileOf([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantileOf([1, 2, 3, 4], 0.75), 3.25);
    assert.equal(quantileOf([0.1, 0.5, 0.7, 0.9], 0.8), 0.78); // numpy.quantile: 0.78
    assert.equal(quantileOf([0.1, 0.3, 0.7], 0.33), 0.23199999999999998); // numpy.quantile, to the bit
    assert.equal(quantileOf([5], 0.5), 5);
    assert.equal(quantileOf([1, 2, 3], 0), 1);
    assert.equal(quantileOf([1, 2, 3], 1), 3);
  });

  it('the median rule keeps exactly half of distinct scores, like 69,262 -> 34,631', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000 / 1000);
    const decision = decideKeep(scores(values), rule('above_quantile', 0.5));
    assert.equal(decision.kept, 500);
    assert.equal(decision.cutoff, 0.4995);
    assert.equal(decision.inclusive, false);
    assert.match(decision.description, /^P\(yes\) > 0\.4995 \(median of 1,000 graded\)$/);
  });

  it('ties at the cutoff: above_quantile drops them all, quantile keeps them all, absolute keeps >=', () => {
    const tied = scores([0.1, 0.2, 0.2, 0.2, 0.9]);
    const above = decideKeep(tied, rule('above_quantile', 0.5));
    assert.equal(above.cutoff, 0.2);
    assert.deepEqual([...above.keep], ['p4']);
    const atLeast = decideKeep(tied, rule('quantile', 0.5));
    assert.deepEqual([...atLeast.keep].sort(), ['p1', 'p2', 'p3', 'p4']);
    assert.deepEqual([...decideKeep(tied, rule('absolute', 0.2)).keep].sort(), ['p1', 'p2', 'p3', 'p4']);
    // Everything tied: "above the median" keeps nothing, "at least the median" keeps everything.
    assert.equal(decideKeep(scores([0.5, 0.5, 0.5, 0.5]), rule('above_quantile', 0.5)).kept, 0);
    assert.equal(decideKeep(scores([0.5, 0.5, 0.5, 0.5]), rule('quantile', 0.5)).kept, 4);
    // An even count whose two middle values tie with others.
    const evenTies = decideKeep(scores([0.1, 0.3, 0.3, 0.3, 0.3, 0.8]), rule('above_quantile', 0.5));
    assert.equal(evenTies.cutoff, 0.3);
    assert.deepEqual([...evenTies.keep], ['p5']);
  });

  it('0.75 and 0.8 quantiles; scores that are not numbers are neither counted nor kept', () => {
    const values = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
    const withNaN = new Map([...scores(values), ['nan', NaN]]);
    const q75 = decideKeep(withNaN, rule('quantile', 0.75));
    assert.equal(q75.scored, 11);
    assert.equal(q75.cutoff, 0.75);
    assert.deepEqual([...q75.keep].sort(), ['p10', 'p8', 'p9']);
    const q80 = decideKeep(withNaN, rule('quantile', 0.8));
    assert.equal(q80.cutoff, 0.8);
    assert.equal(q80.kept, 3);
    assert.ok(!decideKeep(withNaN, rule('absolute', 0)).keep.has('nan'));
    assert.deepEqual(decideKeep(new Map(), rule('above_quantile', 0.5)), { keep: new Set(), cutoff: null, inclusive: false, scored: 0, kept: 0, description: 'P(yes): nothing graded, nothing kept' });
  });

  it('the expected score is the probability-weighted value over the labels, normalised', () => {
    const values = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5 };
    assert.ok(Math.abs(expectedValue({ '4': 0.3, '5': 0.3 }, values) - 4.5) < 1e-12);
    assert.ok(Math.abs(expectedValue({ '1': 0.1, '3': 0.2, '5': 0.1 }, values) - 3) < 1e-12);
    assert.ok(Number.isNaN(expectedValue({}, values)));
  });
});

describe('grade cache', () => {
  it('skips and counts a torn last line, and later lines win', async () => {
    const dir = tempDir();
    try {
      const cacheDir = join(dir.path, 'cache');
      const cache = await GradeCache.open(cacheDir);
      cache.append(KEY_A, { ok: true, label: 'yes', probabilities: { yes: 0.9, no: 0.1 }, expected: 0.9, prompt_tokens: 1, completion_tokens: 1 });
      cache.append(KEY_B, { ok: false, reason: 'HTTP 503', retryable: true });
      cache.append(KEY_C, { ok: true, label: 'no', probabilities: { yes: 0.2, no: 0.8 }, expected: 0.2, prompt_tokens: 1, completion_tokens: 1 });
      cache.append(KEY_C, { ok: false, reason: 'HTTP 400', retryable: false });
      await cache.close();
      // A kill -9 in the middle of a write: half a record, no newline.
      const [segment] = segmentFiles(cacheDir);
      appendFileSync(join(cacheDir, segment!), `{"key":"${KEY_B}","ok":true,"label":"ye`);

      const reopened = await GradeCache.open(cacheDir);
      assert.equal(reopened.grade(KEY_A)?.probabilities.yes, 0.9);
      assert.equal(reopened.grade(KEY_B), undefined, 'a failure is never a grade');
      assert.equal(reopened.failure(KEY_B)?.reason, 'HTTP 503');
      assert.equal(reopened.grade(KEY_C), undefined, 'the later failure wins');
      assert.deepEqual({ ...reopened.stats(), segments: 0 }, { grades: 1, failures: 2, segments: 0, lines_read: 5, torn_lines: 1, bad_lines: 0, appended: 0 });
      // New records go to a new segment, never after the torn line.
      reopened.append(KEY_B, { ok: true, label: 'yes', probabilities: { yes: 0.7, no: 0.3 }, expected: 0.7, prompt_tokens: 1, completion_tokens: 1 });
      await reopened.close();
      assert.equal(segmentFiles(cacheDir).length, 2);
      const third = await GradeCache.open(cacheDir);
      assert.equal(third.grade(KEY_B)?.probabilities.yes, 0.7);
      assert.equal(third.stats().torn_lines, 1);
      await third.close();
    } finally {
      dir.dispose();
    }
  });

  it('writes one JSON line per record with the documented fields', async () => {
    const dir = tempDir();
    try {
      const cache = await GradeCache.open(dir.path);
      cache.append(KEY_A, { ok: true, label: 'yes', probabilities: { yes: 0.9, no: 0.1 }, expected: 0.9, prompt_tokens: 1, completion_tokens: 1 }, Date.UTC(2024, 0, 2));
      cache.append(KEY_B, { ok: false, reason: 'timeout', retryable: true }, Date.UTC(2024, 0, 2));
      await cache.close();
      const lines = readFileSync(join(dir.path, segmentFiles(dir.path)[0]!), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
      assert.deepEqual(lines, [
        { key: KEY_A, ok: true, label: 'yes', probabilities: { yes: 0.9, no: 0.1 }, expected: 0.9, reason: null, at: '2024-01-02T00:00:00.000Z' },
        { key: KEY_B, ok: false, label: null, probabilities: null, expected: null, reason: 'timeout', at: '2024-01-02T00:00:00.000Z' },
      ]);
    } finally {
      dir.dispose();
    }
  });

  it('merges many segments into one, keeping the latest record of each key', async () => {
    const dir = tempDir();
    try {
      for (let run = 0; run < 5; run++) {
        const cache = await GradeCache.open(dir.path, { maxSegments: 3 });
        cache.append(KEY_A, { ok: true, label: 'yes', probabilities: { yes: run / 10, no: 1 - run / 10 }, expected: run / 10, prompt_tokens: 1, completion_tokens: 1 });
        await cache.close();
      }
      assert.ok(segmentFiles(dir.path).length <= 4);
      const cache = await GradeCache.open(dir.path);
      assert.equal(cache.grade(KEY_A)?.probabilities.yes, 0.4);
      await cache.close();
    } finally {
      dir.dispose();
    }
  });

  it('refuses a second open while the first holds the lock, and takes over a dead owner\'s lock', async () => {
    const dir = tempDir();
    try {
      const cache = await GradeCache.open(dir.path);
      await assert.rejects(GradeCache.open(dir.path), /is in use by process \d+ \(this one\)/);
      await cache.close();
      writeFileSync(join(dir.path, 'LOCK'), '999999999\n'); // no such process
      const again = await GradeCache.open(dir.path);
      await again.close();
      assert.ok(!existsSync(join(dir.path, 'LOCK')));
    } finally {
      dir.dispose();
    }
  });
});

describe('runGrade', () => {
  it('grades every post once, then answers a rerun from the cache with no request', async () => {
    const dir = tempDir();
    try {
      const threads = threadsOf(40);
      const config = studyGrade();
      const first = new FakeGrader();
      const result = await grade(threads, config, first, dir.path);
      assert.equal(first.calls.length, 40);
      assert.deepEqual({ graded: result.stats.graded, cached: result.stats.cached, failed: result.stats.failed, posts: result.stats.posts }, { graded: 40, cached: 0, failed: 0, posts: 40 });
      assert.equal(result.grades.size, 40);
      assert.equal(result.stats.prompt_tokens, 4000);
      assert.equal(result.grades.get('p1')!.score, 0.37);
      // The study's rule: strictly above the median of the 40 P(yes).
      const sorted = [...result.grades.values()].map((g) => g.score).sort((a, b) => a - b);
      const median = (sorted[19]! + sorted[20]!) / 2;
      assert.equal(result.decision.cutoff, median);
      assert.deepEqual([...result.keep].sort(), [...result.grades].filter(([, g]) => g.score > median).map(([id]) => id).sort());
      assert.ok(first.calls.every((call) => call.key.length === 64 && call.messages.length === 14 && call.mode === 'logprobs'));

      const second = new FakeGrader();
      const rerun = await grade(threads, config, second, dir.path);
      assert.equal(second.calls.length, 0);
      assert.equal(rerun.stats.cached, 40);
      assert.deepEqual(rerun.keep, result.keep);
      assert.deepEqual(rerun.grades, result.grades);

      const manifest = JSON.parse(readFileSync(join(dir.path, 'grade', 'manifest.json'), 'utf8'));
      assert.equal(manifest.stage, 'grade');
      assert.equal(manifest.model, 'fake-model');
      assert.equal(manifest.keep.kept, rerun.keep.size);
      assert.equal(manifest.stats.cached, 40);
      const lines = readFileSync(join(dir.path, 'grade', 'grades.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
      assert.equal(lines.length, 40);
      assert.equal(lines.filter((line) => line.kept).length, rerun.keep.size);
    } finally {
      dir.dispose();
    }
  });

  it('a new keep rule costs no request and keeps a different set', async () => {
    const dir = tempDir();
    try {
      const threads = threadsOf(50);
      const median = await grade(threads, studyGrade(), new FakeGrader(), dir.path);
      const grader = new FakeGrader();
      const absolute = await grade(threads, studyGrade({ keep: { method: 'absolute', threshold: 0.2, quantile: null, score: 'p_label:yes' } }), grader, dir.path);
      const q80 = await grade(threads, studyGrade({ keep: { method: 'quantile', threshold: null, quantile: 0.8, score: 'p_label:yes' } }), grader, dir.path);
      const byNo = await grade(threads, studyGrade({ keep: { ...studyGrade().keep, score: 'p_label:no' } }), grader, dir.path);
      assert.equal(grader.calls.length, 0);
      assert.equal(median.keep.size, 25);
      assert.equal(absolute.keep.size, [...absolute.grades.values()].filter((g) => g.score >= 0.2).length);
      assert.ok(absolute.keep.size > median.keep.size);
      assert.equal(q80.keep.size, 10);
      assert.notDeepEqual(q80.keep, median.keep);
      assert.ok([...byNo.keep].every((id) => !median.keep.has(id)));
    } finally {
      dir.dispose();
    }
  });

  it('a changed prompt regrades everything', async () => {
    const dir = tempDir();
    try {
      const threads = threadsOf(20);
      await grade(threads, studyGrade(), new FakeGrader(), dir.path);
      const base = studyGrade();
      const grader = new FakeGrader();
      await grade(threads, { ...base, system_prompt: `${base.system_prompt}\n- are in English` }, grader, dir.path);
      assert.equal(grader.calls.length, 20);
      const modelChange = new FakeGrader();
      await grade(threads, { ...base, model: 'another-model' }, modelChange, dir.path);
      assert.equal(modelChange.calls.length, 20);
    } finally {
      dir.dispose();
    }
  });

  it('a failed post is neither graded nor kept, and the next run sends it again', async () => {
    const dir = tempDir();
    try {
      const threads = threadsOf(30);
      const failing = (request: GradeRequest): GradeOutcome =>
        /number (3|7|11)\b/.test(request.messages.at(-1)!.content) ? { ok: false, reason: 'HTTP 400: prompt too long', retryable: false } : fakeOutcome(request);
      const first = await grade(threads, studyGrade({ keep: { method: 'absolute', threshold: 0, quantile: null, score: 'p_label:yes' } }), new FakeGrader(failing), dir.path);
      assert.equal(first.stats.failed, 3);
      assert.equal(first.grades.size, 27);
      for (const id of ['p3', 'p7', 'p11']) {
        assert.ok(!first.grades.has(id) && !first.keep.has(id), id);
        assert.equal(first.failures.get(id), 'HTTP 400: prompt too long');
      }
      assert.equal(first.keep.size, 27, 'threshold 0 keeps every graded post, and no failed one');
      const failedLines = readFileSync(join(dir.path, 'grade', 'grades.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line)).filter((line) => line.error);
      assert.equal(failedLines.length, 3);
      const manifest = JSON.parse(readFileSync(join(dir.path, 'grade', 'manifest.json'), 'utf8'));
      assert.deepEqual(manifest.failures.by_reason, { 'HTTP 400: prompt too long': 3 });

      const healthy = new FakeGrader();
      const second = await grade(threads, studyGrade(), healthy, dir.path);
      assert.deepEqual(healthy.calls.map((call) => /number (\d+)/.exec(call.messages.at(-1)!.content)![1]).sort(), ['11', '3', '7']);
      assert.equal(second.grades.size, 30);
      assert.equal(second.stats.cached, 27);
      assert.equal(second.stats.graded, 3);
    } finally {
      dir.dispose();
    }
  });

  it('holds at most maxInFlight requests, and posts with the same text share one request', async () => {
    const dir = tempDir();
    try {
      const threads = [...threadsOf(60), ...threadsOf(10).map((t) => ({ ...t, id: `dup-${t.id}` }))];
      const grader = new FakeGrader(fakeOutcome, 5);
      const result = await grade(threads, studyGrade(), grader, dir.path, { maxInFlight: 6 });
      assert.ok(grader.maxOpen <= 6, `max open ${grader.maxOpen}`);
      assert.ok(grader.maxOpen >= 2, 'requests do overlap');
      assert.equal(grader.calls.length, 60);
      assert.equal(result.grades.size, 70);
      assert.equal(result.grades.get('dup-p4')!.score, result.grades.get('p4')!.score);
    } finally {
      dir.dispose();
    }
  });

  it('stops when every request fails (no server), keeping what it has', async () => {
    const dir = tempDir();
    try {
      const down = new FakeGrader(() => ({ ok: false, reason: 'connect ECONNREFUSED 127.0.0.1:8000', retryable: true }));
      await assert.rejects(
        runGrade({ threads: stream(threadsOf(300)), config: studyGrade(), grader: down, workDir: dir.path, quiet: true, maxConsecutiveFailures: 20, maxInFlight: 4 }),
        (error: unknown) => error instanceof GradeAbortedError && /20 failed requests in a row \(last: connect ECONNREFUSED/.test(error.message),
      );
      assert.ok(down.calls.length < 40, `${down.calls.length} requests sent`);
      assert.ok(!existsSync(join(dir.path, 'grade', 'cache', 'LOCK')), 'the lock is released');
    } finally {
      dir.dispose();
    }
  });

  it('a failing thread source still lands the requests in flight in the cache and releases it', async () => {
    const dir = tempDir();
    try {
      async function* broken(): AsyncGenerator<Thread> {
        yield* threadsOf(5);
        throw new Error('part-00003.parquet: unexpected end of file');
      }
      const grader = new FakeGrader(fakeOutcome, 10);
      await assert.rejects(runGrade({ threads: broken(), config: studyGrade(), grader, workDir: dir.path, quiet: true }), /unexpected end of file/);
      const cache = await GradeCache.open(join(dir.path, 'grade', 'cache'));
      assert.equal(cache.stats().grades, 5);
      await cache.close();
    } finally {
      dir.dispose();
    }
  });

  it('refuses a keep rule it could not apply before sending anything', async () => {
    const dir = tempDir();
    try {
      const grader = new FakeGrader();
      const config = studyGrade({ keep: { method: 'absolute', threshold: null, quantile: 0.5, score: 'p_label:maybe' } });
      await assert.rejects(grade(threadsOf(3), config, grader, dir.path), /grade\.keep\.threshold: must be a number.*grade\.keep\.score: names no label/);
      await assert.rejects(grade(threadsOf(3), studyGrade({ model: null }), grader, dir.path), /--grader-model/);
      assert.equal(grader.calls.length, 0);
    } finally {
      dir.dispose();
    }
  });

  it('grades answers too when answers.enabled, keeping those at or above keep_threshold', async () => {
    const dir = tempDir();
    try {
      const base = studyGrade();
      const config = { ...base, answers: { ...base.answers, enabled: true } };
      const grader = new FakeGrader();
      const result = await grade(threadsOf(10), config, grader, dir.path);
      assert.equal(grader.calls.length, 30);
      assert.equal(result.answerGrades.size, 20);
      assert.deepEqual([...result.answerKeep].sort(), threadsOf(10).map((t) => t.answers[0]!.id).sort());
      assert.deepEqual(result.stats.answers, { graded: 20, cached: 0, failed: 0 });
      const answerCall = grader.calls.find((call) => call.messages.at(-1)!.content.startsWith('Given the question: '))!;
      assert.equal(answerCall.messages.length, 1 + 3 * 2 + 1);
      assert.match(answerCall.messages.at(-1)!.content, /^Given the question: Question number \d+ .*\nIs the following answer a good answer \(Answer with yes\/no\)\? answer x to \d+, p=0\.90\n$/);
      const rerun = new FakeGrader();
      await grade(threadsOf(10), { ...config, answers: { ...config.answers, keep_threshold: 0.05 } }, rerun, dir.path);
      assert.equal(rerun.calls.length, 0);
    } finally {
      dir.dispose();
    }
  });

  it('a run killed with SIGKILL loses at most its in-flight requests; a rerun grades the rest', async (t) => {
    const dir = tempDir();
    try {
      const total = 400;
      const maxInFlight = 8;
      const workDir = join(dir.path, 'work');
      const callsLog = join(dir.path, 'calls.log');
      const cacheDir = join(workDir, 'grade', 'cache');
      const here = (relative: string) => new URL(relative, import.meta.url).href;
      const child = spawn(process.execPath, ['--input-type=module', '-e', `
        import { appendFileSync } from 'node:fs';
        import { runGrade } from ${JSON.stringify(here('../src/grade/stage.js'))};
        import { loadPipelineConfig } from ${JSON.stringify(here('../src/pipeline/config.js'))};
        ${makeThread.toString()}
        ${fakeOutcome.toString()}
        const config = { ...loadPipelineConfig('askhistorians-study').grade, model: 'fake-model' };
        async function* threads() { for (let i = 0; i < ${total}; i++) yield makeThread(i); }
        const grader = {
          description: 'slow fake',
          async grade(request) {
            appendFileSync(${JSON.stringify(callsLog)}, request.key + '\\n');
            await new Promise((resolve) => setTimeout(resolve, 20));
            return fakeOutcome(request);
          },
          stats: () => ({ requests: 0, retries: 0, failures: 0, prompt_tokens: 0, completion_tokens: 0 }),
          close: async () => {},
        };
        await runGrade({ threads: threads(), config, grader, workDir: ${JSON.stringify(workDir)}, quiet: true, maxInFlight: ${maxInFlight} });
        process.stdout.write('finished\\n');
      `], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

      const recordedLines = () => segmentFiles(cacheDir).reduce((sum, name) => sum + (readFileSync(join(cacheDir, name), 'utf8').match(/\n/g)?.length ?? 0), 0);
      const deadline = Date.now() + 20_000;
      while (recordedLines() < 60) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`the child did not grade 60 posts: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      assert.ok(!output.includes('finished'), 'killed midway');

      const started = readFileSync(callsLog, 'utf8').trimEnd().split('\n').length;
      const cache = await GradeCache.open(cacheDir);
      const saved = cache.stats().grades;
      await cache.close();
      t.diagnostic(`killed after ${started} requests started, ${saved} grades saved`);
      assert.ok(saved >= 60 && saved < total, `saved ${saved}`);
      assert.ok(started - saved <= maxInFlight, `started ${started}, saved ${saved}: lost more than the ${maxInFlight} in flight`);

      const grader = new FakeGrader();
      const rerun = await grade(threadsOf(total), studyGrade(), grader, workDir);
      assert.equal(grader.calls.length, total - saved);
      assert.equal(rerun.stats.cached, saved);
      assert.equal(rerun.grades.size, total);
      assert.equal(rerun.keep.size, decideKeep(new Map([...rerun.grades].map(([id, g]) => [id, g.score])), studyGrade().keep).kept);
    } finally {
      dir.dispose();
    }
  });
});

describe('over HTTP (OpenAIGrader + fake server)', () => {
  let server: FakeOpenAIServer;
  before(async () => {
    server = await FakeOpenAIServer.start({
      answer: (body) => {
        const messages = body.messages as { content: string }[];
        const p = Number(/p=([0-9.]+)/.exec(messages.at(-1)!.content)![1]);
        // The study's P(yes): the largest among Yes/yes/y. Give "yes" a smaller share to check that.
        const top = [
          { token: 'Yes', logprob: Math.log(Math.max(p, 1e-6)) },
          { token: 'No', logprob: Math.log(Math.max(1 - p, 1e-6)) },
          { token: 'yes', logprob: Math.log(Math.max(p / 10, 1e-7)) },
        ];
        return { text: 'Yes', topLogprobs: top, usage: { prompt_tokens: 250, completion_tokens: 1 } };
      },
    });
  });
  after(async () => server.close());

  it('grades through a real server, then reruns with no request; the prompt prefix is identical across requests', async () => {
    const dir = tempDir();
    try {
      const threads = threadsOf(24);
      const before = server.chatCount;
      const opened = openGrader(studyGrade({ model: null }), { kind: 'openai', urls: [server.baseUrl], model: 'served-model', concurrency: 4, quiet: true });
      let result: GradeResult;
      try {
        result = await runGrade({ threads: stream(threads), config: opened.config, grader: opened.grader, workDir: dir.path, quiet: true });
      } finally {
        await opened.grader.close();
      }
      assert.equal(server.chatCount - before, 24);
      assert.equal(result.grades.size, 24);
      assert.ok(Math.abs(result.grades.get('p1')!.score - 0.37) < 1e-9);
      assert.equal(result.keep.size, 12);
      assert.equal(result.stats.prompt_tokens, 24 * 250);
      const bodies = server.requests.filter((r) => r.path.endsWith('/chat/completions')).slice(-24).map((r) => r.body as { model: string; messages: unknown[] });
      assert.ok(bodies.every((body) => body.model === 'served-model'));
      const prefixes = new Set(bodies.map((body) => JSON.stringify(body.messages.slice(0, -1))));
      assert.equal(prefixes.size, 1);

      const again = openGrader(studyGrade(), { kind: 'openai', urls: [server.baseUrl], model: 'served-model', quiet: true });
      try {
        const rerun = await runGrade({ threads: stream(threads), config: { ...again.config, keep: { method: 'absolute', threshold: 0.2, quantile: null, score: 'p_label:yes' } }, grader: again.grader, workDir: dir.path, quiet: true });
        assert.equal(rerun.stats.cached, 24);
        assert.ok(rerun.keep.size > result.keep.size);
      } finally {
        await again.grader.close();
      }
      assert.equal(server.chatCount - before, 24, 'the rerun sent nothing');
    } finally {
      dir.dispose();
    }
  });

  it('threadsift grade: reads a threads directory, writes grades and the manifest', async () => {
    const dir = tempDir();
    try {
      const threadsDir = join(dir.path, 'threads');
      mkdirSync(threadsDir);
      const writer = new ParquetPartWriter<Thread>({ dir: threadsDir, prefix: 'part', columns: threadColumns, maxRowsPerPart: 7 });
      for (const thread of threadsOf(20)) await writer.add(thread);
      await writer.close();
      const out = join(dir.path, 'work');
      const stdout: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string) => (stdout.push(String(chunk)), true)) as typeof process.stdout.write;
      try {
        await gradeCommand(yargs([])).strict().parseAsync([
          'grade', '--threads', threadsDir, '--out', out, '--pipeline', 'askhistorians-study', '--grader-url', server.baseUrl,
          '--grader-model', 'served-model', '--concurrency', '3', '--set', 'grade.keep.quantile=0.75', '--quiet',
        ]);
      } finally {
        process.stdout.write = write;
      }
      assert.match(stdout.join(''), /^20 posts: 20 graded, 0 cached, 0 failed; kept 5 \(P\(yes\) > 0\.\d+ \(0\.75 quantile of 20 graded\)\)\n/);
      const manifest = JSON.parse(readFileSync(join(out, 'grade', 'manifest.json'), 'utf8'));
      assert.equal(manifest.model, 'served-model');
      assert.equal(manifest.config.concurrency, 3);
      assert.match(manifest.grader, /served-model/);
      assert.equal(readFileSync(join(out, 'grade', 'grades.jsonl'), 'utf8').trimEnd().split('\n').length, 20);
    } finally {
      dir.dispose();
    }
  });
});

describe('grade cache lock', () => {
  it('takes over a lock naming this pid that this process does not hold (a container restarted as pid 1)', async () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, 'c'));
      writeFileSync(join(dir.path, 'c', 'LOCK'), `${process.pid} ${hostname()}\n`);
      const cache = await GradeCache.open(join(dir.path, 'c'));
      await assert.rejects(GradeCache.open(join(dir.path, 'c')), /in use by process \d+ \(this one\)/, 'while held, a second open is refused');
      await cache.close();
      assert.equal(existsSync(join(dir.path, 'c', 'LOCK')), false);
    } finally {
      dir.dispose();
    }
  });

  it("refuses another host's lock unless the cache is a task's own", async () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, 'c'));
      writeFileSync(join(dir.path, 'c', 'LOCK'), '4242 some-other-node\n');
      await assert.rejects(GradeCache.open(join(dir.path, 'c')), /in use by process 4242 on some-other-node/);
      const cache = await GradeCache.open(join(dir.path, 'c'), { ownedByTask: true });
      await cache.close();
    } finally {
      dir.dispose();
    }
  });
});
