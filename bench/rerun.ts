// bench/rerun: what an incremental rerun costs next to a full run of `threadsift run askhistorians`.
// Target (the issue): a rerun after a rule change costs < 5% of the full run's time, and the run record
// (OUT.work/run.json) proves which stages ran. Measured on the sample dumps (data-samples/), on the samples
// graded over HTTP by a fake OpenAI-compatible server (in this process), and on a few hundred MB of
// generated dumps. Every run is a child process, timed on the wall clock from spawn to exit.
//   node dist/bench/rerun.js [--mb 300] [--skip-large] [--grader-latency-ms 0] [--keep]
// Exit code: 0 whatever the timings (a measurement); 1 when a rule-change rerun ran ingest or sent a
// grading request (correctness bugs), or when a run failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateLines } from '../src/samples/generate.js';
import { FakeOpenAIServer } from '../test/helpers/fake-openai-server.js';
import { repoRoot } from '../test/helpers/paths.js';
import { ratingFor } from '../test/helpers/ratings.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '300' },
    'skip-large': { type: 'boolean', default: false },
    'grader-latency-ms': { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
  },
});
const mb = Number(values.mb);
const latencyMs = Number(values['grader-latency-ms']);
if (!Number.isFinite(mb) || mb <= 0) throw new Error(`--mb must be a positive number (got ${values.mb})`);
if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`--grader-latency-ms must be >= 0 (got ${values['grader-latency-ms']})`);

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const benchDir = join(repoRoot, '.bench', 'rerun');
const samplesDir = join(repoRoot, 'data-samples');

// ---------------------------------------------------------------------------------------------------
// inputs

interface Input { name: string; submissions: string; comments: string }

/** Generated dumps like bench/ingest's, made once per size and reused (a stamp file marks them done). */
async function generatedInput(targetMb: number): Promise<Input> {
  const dir = join(benchDir, `${targetMb}MB`);
  const submissions = join(dir, 'Bench_submissions.zst');
  const comments = join(dir, 'Bench_comments.zst');
  const stamp = join(dir, 'made');
  const input = { name: `generated ${targetMb} MB`, submissions, comments };
  if (existsSync(stamp)) return input;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = process.hrtime.bigint();
  const compress = (file: string) => spawn('zstd', ['--long=31', '-3', '-T2', '-q', '-f', '-o', file], { stdio: ['pipe', 'inherit', 'inherit'] });
  const subs = compress(submissions);
  const coms = compress(comments);
  let written = 0;
  // About 14 kB of NDJSON per post on average (bench/ingest's figure); overshooting a little is fine.
  for (const { kind, line } of generateLines({ seed: 7, posts: Math.ceil((targetMb * 1e6) / 14_000), malformedRate: 0.0005 })) {
    const target = kind === 'submission' ? subs : coms;
    const data = line + '\n';
    written += Buffer.byteLength(data);
    if (!target.stdin!.write(data)) await new Promise((resolve) => target.stdin!.once('drain', resolve));
  }
  await Promise.all([subs, coms].map((child) => new Promise<void>((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`zstd exited ${code}`))));
    child.stdin!.end();
  })));
  writeFileSync(stamp, `${written}\n`);
  process.stderr.write(`generated ${(written / 1e6).toFixed(0)} MB of NDJSON in ${seconds(started).toFixed(1)} s (not part of any timing)\n`);
  return input;
}

// ---------------------------------------------------------------------------------------------------
// runs

interface StageRow { stage: string; ran: number; skipped: number; others: number; reasons: string[]; seconds: number; requests?: number }
interface RunJson { seconds: number; stages: StageRow[] }
interface Measured { input: string; run: string; seconds: number; record: RunJson; chatRequests: number | null }

const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/**
 * One CLI invocation as a child process. Spawned asynchronously (not spawnSync) so that the fake grading
 * server living in this process can answer while the child runs; the timing is the same wall clock.
 */
async function runCli(args: string[]): Promise<{ seconds: number; stdout: string; stderr: string; code: number | null }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exit) => resolve(exit));
  });
  return { seconds: seconds(started), stdout, stderr, code };
}

const results: Measured[] = [];
let failed = false;

async function measure(input: Input, run: string, out: string, extra: string[], server: FakeOpenAIServer | null = null): Promise<Measured> {
  const args = ['run', 'askhistorians', '--submissions', input.submissions, '--comments', input.comments, '--out', out, '--quiet', ...extra];
  const before = server?.chatCount ?? 0;
  const result = await runCli(args);
  if (result.code !== 0) {
    process.stderr.write(`${input.name} / ${run}: threadsift exited ${result.code}\n${result.stderr}${result.stdout}`);
    process.exit(1);
  }
  const record = JSON.parse(readFileSync(join(`${out}.work`, 'run.json'), 'utf8')) as RunJson;
  const measured: Measured = { input: input.name, run, seconds: result.seconds, record, chatRequests: server ? server.chatCount - before : null };
  results.push(measured);
  const stages = record.stages.map((s) => `${s.stage} ran ${s.ran}/skipped ${s.skipped} ${s.seconds.toFixed(2)}s${s.requests !== undefined ? ` (${s.requests} req)` : ''}`).join(' | ');
  process.stderr.write(`  ${input.name.padEnd(20)} ${run.padEnd(26)} ${result.seconds.toFixed(2).padStart(7)} s  run.json ${record.seconds.toFixed(2)} s  ${stages}\n`);
  return measured;
}

const fresh = (out: string) => {
  rmSync(out, { recursive: true, force: true });
  rmSync(`${out}.work`, { recursive: true, force: true });
};

const ranStages = (m: Measured) => m.record.stages.filter((s) => s.ran > 0);
const ingestRan = (m: Measured) => m.record.stages.some((s) => s.stage === 'ingest' && s.ran > 0);

/** A full run from scratch, optionally a no-change rerun, then a rule-change rerun, all on one OUT. */
async function series(input: Input, extra: string[], label: string, server: FakeOpenAIServer | null, noChange: boolean): Promise<void> {
  const out = join(benchDir, 'out', label.replace(/[^a-z0-9]+/gi, '-'));
  fresh(out);
  const named = { ...input, name: label };
  await measure(named, 'full run', out, extra, server);
  if (noChange) await measure(named, 'no-change rerun', out, extra, server);
  const rule = await measure(named, 'rule change (min_score=5)', out, [...extra, '--set', 'filters.min_score=5'], server);
  if (ingestRan(rule)) {
    process.stderr.write(`${label}: ingest ran in the rule-change rerun (run.json): a correctness bug\n`);
    failed = true;
  }
  if (rule.chatRequests !== null && rule.chatRequests > 0) {
    process.stderr.write(`${label}: the rule-change rerun sent ${rule.chatRequests} grading requests (must be 0)\n`);
    failed = true;
  }
  if (!values.keep) fresh(out);
}

/** `threadsift --version`: module loading and process startup, no pipeline work. */
async function startupSeconds(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push((await runCli(['--version'])).seconds);
  times.sort((a, b) => a - b);
  return times[2]!;
}

// ---------------------------------------------------------------------------------------------------

if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
const samples: Input = {
  name: 'samples',
  submissions: join(samplesDir, 'AskHistorians_submissions.zst'),
  comments: join(samplesDir, 'AskHistorians_comments.zst'),
};
const large = values['skip-large'] ? null : await generatedInput(mb);

const startup = await startupSeconds();
process.stderr.write(`process startup (threadsift --version, median of 5): ${startup.toFixed(3)} s\n`);

await series(samples, [], 'samples', null, true);
const server = await FakeOpenAIServer.start({ answer: ratingFor, maxRecorded: 100, record: false, latencyMs });
try {
  await series(samples, ['--grader', 'openai', '--grader-url', server.baseUrl, '--grader-model', 'test-model'], 'samples + grading', server, false);
} finally {
  await server.close();
}
if (large) await series(large, [], `generated ${mb} MB`, null, true);

// ---------------------------------------------------------------------------------------------------
// report

const inputBytes = (input: Input) => statSync(input.submissions).size + statSync(input.comments).size;
const ndjsonMb = large ? Number(readFileSync(join(benchDir, `${mb}MB`, 'made'), 'utf8').trim()) / 1e6 : 0;
console.log(`inputs: samples ${(inputBytes(samples) / 1e6).toFixed(1)} MB zstd` +
  (large ? `; generated ${(inputBytes(large) / 1e6).toFixed(0)} MB zstd (${Number.isFinite(ndjsonMb) && ndjsonMb > 0 ? ndjsonMb.toFixed(0) : `~${mb}`} MB NDJSON, ${large.submissions.replace(/_submissions\.zst$/, '_*.zst')})` : '') +
  `; grading: fake OpenAI server in-process, ${latencyMs} ms per request`);
console.log(`process startup (threadsift --version, median of 5): ${startup.toFixed(3)} s`);
console.log('');
const header = 'input'.padEnd(20) + 'run'.padEnd(27) + 'seconds'.padStart(8) + 'vs full'.padStart(9) + 'run.json s'.padStart(11) + '  stages that ran (units, run.json seconds)';
console.log(header);
console.log('-'.repeat(header.length + 20));
const fullOf = (input: string) => results.find((r) => r.input === input && r.run === 'full run')!;
for (const r of results) {
  const full = fullOf(r.input);
  const ran = ranStages(r).map((s) => `${s.stage} ${s.ran} ${s.seconds.toFixed(2)}s${s.requests ? ` ${s.requests} req` : ''}`).join(', ') || 'none';
  const requests = r.chatRequests === null ? '' : `; server got ${r.chatRequests} chat requests`;
  console.log(r.input.padEnd(20) + r.run.padEnd(27) + r.seconds.toFixed(2).padStart(8) + `${((r.seconds / full.seconds) * 100).toFixed(1)}%`.padStart(9) +
    r.record.seconds.toFixed(2).padStart(11) + `  ${ran}${requests}`);
}
console.log('');
for (const input of [...new Set(results.map((r) => r.input))]) {
  const full = fullOf(input);
  const rule = results.find((r) => r.input === input && r.run.startsWith('rule change'))!;
  const ratio = rule.seconds / full.seconds;
  const inProcess = rule.record.seconds / full.record.seconds;
  const stages = rule.record.stages.map((s) => `${s.stage} ${s.seconds.toFixed(2)}`).join(', ');
  console.log(`${input}: rule-change rerun / full run = ${(ratio * 100).toFixed(1)}% (target < 5%: ${ratio < 0.05 ? 'met' : 'NOT met'}); ` +
    `in-process (run.json) ${(inProcess * 100).toFixed(1)}%; rerun ${rule.seconds.toFixed(2)} s = startup ~${startup.toFixed(2)} + ` +
    `run.json ${rule.record.seconds.toFixed(2)} [${stages}] + other ${Math.max(0, rule.seconds - startup - rule.record.seconds).toFixed(2)}; ` +
    `ingest ${ingestRan(rule) ? 'RAN (bug)' : 'skipped'}${rule.chatRequests === null ? '' : `; ${rule.chatRequests} grading requests`}`);
}
process.exitCode = failed ? 1 : 0;
