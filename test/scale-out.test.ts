import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignByWeight, parseShard, resolveShard, shardFromEnv } from '../src/pipeline/shard.js';
import { datasetRows } from './helpers/datasets.js';
import { FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { ratingFor } from './helpers/ratings.js';
import { repoRoot, tempDir } from './helpers/paths.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const samples = join(repoRoot, 'data-samples');

test('shards come from --shard, a Slurm array or a Kubernetes Indexed Job', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3, source: '--shard 2/3' });
  assert.throws(() => parseShard('3/3'), /out of range 0\.\.2/);
  assert.throws(() => parseShard('1-3'), /expected i\/N/);
  assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }), { index: 4, count: 8, source: 'SLURM_ARRAY_TASK_ID=5 (min 1, count 8)' });
  assert.equal(shardFromEnv({ JOB_COMPLETION_INDEX: '3', THREADSIFT_TASK_COUNT: '4' })!.index, 3);
  assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' }), /task count/);
  assert.equal(shardFromEnv({}), null);
  assert.deepEqual(resolveShard('0/2', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' }).index, 0, '--shard wins');
  // Largest files first, each to the least loaded task: two big files never share a task while one idles.
  assert.deepEqual(assignByWeight([10, 100, 90, 5], 2), [1, 0, 1, 0]);
});

/** One threadsift process; resolves with its exit code and output. */
function threadsift(args: string[]): { done: Promise<{ code: number | null; signal: string | null; stderr: string }>; kill: (signal?: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return { done, kill: (signal = 'SIGKILL') => child.kill(signal) };
}

async function succeed(args: string[]): Promise<void> {
  const { code, stderr } = await threadsift(args).done;
  assert.equal(code, 0, `threadsift ${args.join(' ')}\n${stderr}`);
}

test('1 task and 3 tasks (separate processes) give identical datasets; a task killed mid-grading is re-run without paying twice', async () => {
  const server = await FakeOpenAIServer.start({ answer: ratingFor, maxRecorded: 50_000, latencyMs: 15 });
  const dir = tempDir();
  try {
    const common = [
      'askhistorians',
      '--submissions', join(samples, 'AskHistorians_submissions.zst'),
      '--comments', join(samples, 'AskHistorians_comments.zst'),
      '--grader', 'openai', '--grader-url', server.baseUrl, '--grader-model', 'test-model', '--concurrency', '4',
      '--quiet',
    ];
    await succeed(['run', ...common, '--out', join(dir.path, 'one')]);
    const oneTaskRequests = server.chatCount;

    const out = join(dir.path, 'three');
    const task = (step: string, i: number) => threadsift(['run', ...common, '--out', out, '--step', step, '--shard', `${i}/3`]);
    // merge before the other steps refuses and says what is missing
    const early = await threadsift(['run', ...common, '--out', out, '--step', 'merge']).done;
    assert.equal(early.code, 1);
    assert.match(early.stderr, /partition unit\(s\) are not done/);
    const earlyReduce = await task('reduce', 0).done;
    assert.match(earlyReduce.stderr, /not extracted yet.*run --step map for every task first/);

    for (const result of await Promise.all([0, 1, 2].map((i) => task('map', i).done))) assert.equal(result.code, 0, result.stderr);
    for (const result of await Promise.all([0, 2].map((i) => task('reduce', i).done))) assert.equal(result.code, 0, result.stderr);

    // Task 1 dies (kill -9) in the middle of grading; it is submitted again and finishes.
    const beforeKill = server.chatCount;
    const doomed = task('reduce', 1);
    await server.waitFor(() => server.chatCount >= beforeKill + 20, 30_000);
    doomed.kill();
    const killed = await doomed.done;
    assert.equal(killed.signal, 'SIGKILL');
    const gradeMarkers = readdirSync(join(`${out}.work`, 'grade')).filter((name) => name.endsWith('.done.json'));
    assert.ok(gradeMarkers.length < 16, 'the killed task left partitions ungraded');
    const stillMissing = await threadsift(['run', ...common, '--out', out, '--step', 'merge']).done;
    assert.equal(stillMissing.code, 1, 'merge refuses while a partition is missing');
    await succeed(['run', ...common, '--out', out, '--step', 'reduce', '--shard', '1/3']);
    const threeTaskRequests = server.chatCount - oneTaskRequests;
    // Everything graded before the kill was cached; only the <= 8 requests in flight (2 x concurrency) were lost.
    assert.ok(threeTaskRequests >= oneTaskRequests && threeTaskRequests <= oneTaskRequests + 8, `3 tasks sent ${threeTaskRequests} requests, 1 task ${oneTaskRequests}`);

    // The merge needs no server: it names the grader only to say the run is graded.
    await succeed(['run', ...common.filter((arg) => arg !== server.baseUrl && arg !== '--grader-url'), '--out', out, '--step', 'merge']);
    assert.ok(!existsSync(join(`${out}.work`, 'grade', 'cache-tasks')) || readdirSync(join(`${out}.work`, 'grade', 'cache-tasks')).length === 0, 'task caches were folded into the shared cache');

    assert.deepEqual(await datasetRows(out), await datasetRows(join(dir.path, 'one')), 'the same rows in the same files');
    const manifest = (d: string) => JSON.parse(readFileSync(join(d, 'threadsift-manifest.json'), 'utf8'));
    assert.deepEqual(manifest(out).funnel, manifest(join(dir.path, 'one')).funnel);
    const tasks = readdirSync(join(`${out}.work`, 'tasks')).sort();
    assert.deepEqual(tasks, ['map-task-0-of-3.json', 'map-task-1-of-3.json', 'map-task-2-of-3.json', 'reduce-task-0-of-3.json', 'reduce-task-1-of-3.json', 'reduce-task-2-of-3.json']);

    // A re-submitted finished task does nothing.
    const again = spawnSync(process.execPath, [cli, 'run', ...common, '--out', out, '--step', 'reduce', '--shard', '2/3'], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    const record = JSON.parse(readFileSync(join(`${out}.work`, 'tasks', 'reduce-task-2-of-3.json'), 'utf8'));
    assert.deepEqual(record.stages.map((s: { ran: number }) => s.ran), [0, 0, 0, 0]);
  } finally {
    await server.close();
    dir.dispose();
  }
});

test('a sharded task must name its step', () => {
  const result = spawnSync(process.execPath, [cli, 'run', 'askhistorians', '--submissions', join(samples, 'AskHistorians_submissions.zst'), '--out', '/tmp/threadsift-never', '--shard', '0/2', '--quiet'], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /--step map, then reduce, then merge/);
});

test('SIGTERM mid-grading exits 143 and leaves no grade cache lock behind', async () => {
  const server = await FakeOpenAIServer.start({ answer: ratingFor, latencyMs: 50 });
  const dir = tempDir();
  try {
    const out = join(dir.path, 'ds');
    const run = threadsift([
      'run', 'askhistorians',
      '--submissions', join(samples, 'AskHistorians_submissions.zst'),
      '--comments', join(samples, 'AskHistorians_comments.zst'),
      '--grader', 'openai', '--grader-url', server.baseUrl, '--grader-model', 'test-model', '--concurrency', '2',
      '--out', out, '--quiet',
    ]);
    await server.waitFor(() => server.chatCount >= 5, 30_000);
    assert.ok(existsSync(join(`${out}.work`, 'grade', 'cache', 'LOCK')), 'the lock is held while grading');
    run.kill('SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 143, result.stderr);
    assert.match(result.stderr, /stopped by SIGTERM/);
    assert.equal(existsSync(join(`${out}.work`, 'grade', 'cache', 'LOCK')), false);
  } finally {
    await server.close();
    dir.dispose();
  }
});
