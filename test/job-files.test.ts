/**
 * The cluster job files in docs/jobs/ are meant to be copied and run, so they are checked like code: the
 * scripts parse, the manifest is valid YAML with the Jobs docs/scale-out.md describes, every threadsift
 * option they (and the guide's examples) use exists, and the scripts submit the steps in the right order (against fake sbatch and
 * kubectl commands that record what they were asked to do).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot, tempDir } from './helpers/paths.js';

const jobsDir = join(repoRoot, 'docs', 'jobs');
const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const slurmScript = join(jobsDir, 'slurm-threadsift.sh');
const k8sScript = join(jobsDir, 'k8s-run.sh');
const manifestPath = join(jobsDir, 'k8s-threadsift.yaml');
const shellScripts = [slurmScript, k8sScript];
const guide = join(repoRoot, 'docs', 'scale-out.md');

interface Container {
  name?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface K8sObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    completionMode?: string;
    completions?: number;
    accessModes?: string[];
    template?: { spec: { containers: Container[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] } };
  };
}

function manifestObjects(): K8sObject[] {
  const docs = parseAllDocuments(readFileSync(manifestPath, 'utf8'));
  assert.ok(Array.isArray(docs), 'the manifest is a YAML stream');
  for (const doc of docs) assert.deepEqual(doc.errors, [], `${manifestPath}: ${doc.errors[0]?.message}`);
  return docs.map((doc) => doc.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

function job(objects: K8sObject[], name: string): K8sObject {
  const found = objects.find((o) => o.kind === 'Job' && o.metadata.name === name);
  assert.ok(found, `${manifestPath} has a Job named ${name}`);
  return found;
}

function container(j: K8sObject): Container {
  const first = j.spec.template?.spec.containers[0];
  assert.ok(first, `${j.metadata.name} has a container`);
  return first;
}

/** What the container runs, as one text: an exec-form list joined, or the script of `sh -c`. */
function commandText(c: Container): string {
  return [...(c.command ?? []), ...(c.args ?? [])].join(' ');
}

/** Shell text as logical lines: backslash continuations joined, and multi-line `name=( ... )` arrays too. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current: string | null = null;
  let inArray = false;
  for (const raw of text.split('\n')) {
    current = current === null ? raw : `${current} ${raw.trim()}`;
    if (inArray) {
      if (raw.trim() === ')') inArray = false;
      else continue;
    } else if (/\w\+?=\(\s*$/.test(raw)) {
      inArray = true;
      continue;
    }
    if (current.endsWith('\\')) {
      current = current.slice(0, -1);
      continue;
    }
    lines.push(current);
    current = null;
  }
  if (current !== null) lines.push(current);
  return lines;
}

const optionWords = (text: string) => [...text.matchAll(/(?:^|[\s(])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);

interface ThreadsiftCall {
  file: string;
  command: 'run' | 'status';
  options: string[];
  line: string;
}

/**
 * Every `threadsift run|status` call in a shell text, with its options. Options kept in shell arrays named
 * threadsift_* (the Slurm script builds its common options so) count for every call that expands one.
 */
function threadsiftCalls(file: string, text: string): ThreadsiftCall[] {
  // Comments may name threadsift commands too; only code counts.
  const lines = logicalLines(text)
    .filter((line) => !line.trim().startsWith('#'))
    .map((line) => line.replace(/(^|\s)#[^'"]*$/, ''));
  const arrayOptions = lines.flatMap((line) => [...line.matchAll(/\bthreadsift_\w+\+?=\(([^)]*)\)/g)].flatMap((m) => optionWords(m[1]!)));
  const calls: ThreadsiftCall[] = [];
  for (const line of lines) {
    const match = /\bthreadsift\s+(run|status)\b(.*)$/.exec(line);
    if (!match) continue;
    const rest = match[2]!;
    const options = [...optionWords(rest), ...(/\$\{?threadsift_\w+/.test(rest) ? arrayOptions : [])];
    calls.push({ file, command: match[1] as 'run' | 'status', options, line: line.trim() });
  }
  return calls;
}

const helpCache = new Map<string, Set<string>>();
/** The long options `threadsift COMMAND --help` lists. */
function cliOptions(command: 'run' | 'status'): Set<string> {
  const known = helpCache.get(command);
  if (known) return known;
  const result = spawnSync(process.execPath, [cli, command, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0, `threadsift ${command} --help: ${result.stderr}`);
  const options = new Set([...result.stdout.matchAll(/^\s+(?:-\w, )?--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!));
  helpCache.set(command, options);
  return options;
}

test('the job scripts pass bash -n, and the scripts inside the manifest pass sh -n', () => {
  for (const script of shellScripts) {
    const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    assert.equal(result.status, 0, `bash -n ${script}: ${result.stderr}`);
  }
  for (const j of manifestObjects().filter((o) => o.kind === 'Job')) {
    const c = container(j);
    if (c.command?.at(-1) !== '-c') continue;
    const result = spawnSync('sh', ['-n', '-c', c.args?.[0] ?? ''], { encoding: 'utf8' });
    assert.equal(result.status, 0, `sh -n on the script of ${j.metadata.name}: ${result.stderr}`);
  }
});

test('the manifest: Indexed Jobs for map and reduce with their task count, one merge pod, a ReadWriteMany volume at /data', () => {
  const objects = manifestObjects();
  const claim = objects.find((o) => o.kind === 'PersistentVolumeClaim');
  assert.ok(claim, 'a PersistentVolumeClaim for the shared WORK');
  assert.deepEqual(claim.spec.accessModes, ['ReadWriteMany']);

  for (const step of ['map', 'reduce', 'merge']) {
    const j = job(objects, `threadsift-${step}`);
    const c = container(j);
    const text = commandText(c);
    assert.match(text, new RegExp(`--step ${step}\\b`), `${j.metadata.name} runs --step ${step}`);
    assert.doesNotMatch(text, /--shard\b/, `${j.metadata.name}: the shard comes from the Job, not the command line`);
    // kubectl apply -l app=threadsift,step=... (k8s-run.sh) selects the objects by these labels.
    assert.deepEqual(j.metadata.labels, { app: 'threadsift', step });
    const volume = j.spec.template?.spec.volumes?.find((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name);
    assert.ok(volume, `${j.metadata.name} mounts the shared claim`);
    assert.ok(c.volumeMounts?.some((m) => m.name === volume.name && m.mountPath === '/data'), `${j.metadata.name} mounts it at /data`);
    if (step === 'merge') {
      assert.notEqual(j.spec.completionMode, 'Indexed', 'the merge is one task');
      assert.equal(j.spec.completions, 1);
    } else {
      assert.equal(j.spec.completionMode, 'Indexed');
      const count = c.env?.find((e) => e.name === 'THREADSIFT_TASK_COUNT')?.value;
      assert.equal(count, String(j.spec.completions), `${j.metadata.name}: THREADSIFT_TASK_COUNT must equal completions`);
    }
  }
  // Every task must get the same inputs, pipeline, --set, --partitions, WORK and grader model. What may
  // differ: the step, parse threads, and what only grading needs (the servers, requests in flight).
  const common = (step: string) => {
    const calls = threadsiftCalls(step, commandText(container(job(objects, `threadsift-${step}`))));
    assert.equal(calls.length, 1, `one threadsift call in threadsift-${step}`);
    const words = calls[0]!.line.split(/\s+/);
    return withoutFlags(words.slice(words.indexOf('threadsift')), ['--step', '--workers', '--grader-url', '--concurrency', '--api-key-env']);
  };
  assert.ok(common('map').includes('--partitions'), 'the common options were found');
  assert.deepEqual(common('reduce'), common('map'));
  assert.deepEqual(common('merge'), common('map'));
});

test('every threadsift option in the job files is one the CLI lists', () => {
  assert.ok(cliOptions('run').has('step') && cliOptions('run').has('grader-url'), 'the --help output was parsed');
  const calls: ThreadsiftCall[] = [];
  for (const script of shellScripts) calls.push(...threadsiftCalls(script, readFileSync(script, 'utf8')));
  for (const j of manifestObjects().filter((o) => o.kind === 'Job')) calls.push(...threadsiftCalls(`${manifestPath} ${j.metadata.name}`, commandText(container(j))));
  // The guide's examples are copied too; prose mentions of commands are not checked, code blocks are.
  const blocks = [...readFileSync(guide, 'utf8').matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  for (const block of blocks) calls.push(...threadsiftCalls(guide, block));
  assert.ok(calls.filter((c) => c.file === guide).length >= 4, 'the examples in the guide were found');
  assert.ok(calls.filter((c) => c.file.startsWith(manifestPath)).length >= 3, 'a threadsift call in each Job');
  assert.ok(calls.filter((c) => c.file === slurmScript && c.command === 'run').length >= 1, 'the Slurm job runs threadsift');
  for (const call of calls) {
    assert.ok(call.options.length > 0, `${call.file}: no options found in ${call.line}`);
    for (const option of call.options) {
      assert.ok(cliOptions(call.command).has(option), `${call.file}: threadsift ${call.command} has no --${option} (in: ${call.line})`);
    }
  }
});

/** A directory of fake commands that append their arguments (one call per line) to a log. */
function fakeCommands(dir: string, scripts: Record<string, string>): { bin: string; log: string; calls: () => string[][] } {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'calls.log');
  const record = `printf '%s\\037' "$(basename "$0")" "$@" >> "$FAKE_LOG"; printf '\\n' >> "$FAKE_LOG"\n`;
  for (const [name, body] of Object.entries(scripts)) {
    const path = join(bin, name);
    writeFileSync(path, `#!/usr/bin/env bash\n${record}${body}\n`);
    chmodSync(path, 0o755);
  }
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\x1f').slice(0, -1))
      : [];
  return { bin, log, calls };
}

/** args without the given flags and the value after each. */
function withoutFlags(args: string[], flags: string[]): string[] {
  return args.filter((arg, i) => !flags.includes(arg) && !flags.includes(args[i - 1] ?? ''));
}

/** The environment of a login node: no scheduler variables from whatever runs the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(SLURM_|THREADSIFT_|JOB_COMPLETION_INDEX$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

test('the Slurm script submits map, then reduce after map, then merge after reduce; a task runs its step with the shard from Slurm', () => {
  const dir = tempDir();
  try {
    const fake = fakeCommands(dir.path, {
      // --parsable on a multi-cluster setup prints "id;cluster": the script must keep only the id.
      sbatch: 'n=$(( $(cat "$FAKE_LOG.n" 2>/dev/null || echo 100) + 1 )); echo "$n" > "$FAKE_LOG.n"; echo "$n;cluster1"',
      threadsift: 'true',
    });
    const settings = {
      PATH: `${fake.bin}:${process.env.PATH ?? ''}`,
      FAKE_LOG: fake.log,
      N: '3',
      DUMPS: '/shared/dumps',
      OUT: join(dir.path, 'out'),
      SETS: 'filters.min_score=5',
      GRADER_MODEL: 'served-model',
      GRADER_URLS: 'http://gpu01:8000 http://gpu02:8000',
    };
    const submit = spawnSync('bash', [slurmScript], { encoding: 'utf8', env: cleanEnv(settings) });
    assert.equal(submit.status, 0, submit.stderr);

    const calls = fake.calls();
    assert.equal(calls.length, 4, `a preflight and three submissions: ${JSON.stringify(calls)}`);
    const [status, map, reduce, merge] = calls as [string[], string[], string[], string[]];
    assert.deepEqual(status.slice(0, 3), ['threadsift', 'status', 'askhistorians'], 'the preflight checks the options first');
    assert.ok(status.includes('/shared/dumps/RS_*.zst'), 'globs reach threadsift unexpanded');
    assert.equal(map[0], 'sbatch');
    assert.ok(map.includes('--parsable') && map.includes('--array=0-2') && map.includes('--export=ALL,THREADSIFT_STEP=map'), map.join(' '));
    assert.ok(reduce.includes('--array=0-2') && reduce.includes('--dependency=afterok:101') && reduce.includes('--export=ALL,THREADSIFT_STEP=reduce'), reduce.join(' '));
    assert.ok(merge.includes('--dependency=afterok:102') && merge.includes('--export=ALL,THREADSIFT_STEP=merge'), merge.join(' '));
    assert.ok(!merge.some((arg) => arg.startsWith('--array')), 'the merge is one job');
    for (const submitted of [map, reduce, merge]) assert.equal(submitted.at(-1), slurmScript, 'each job runs this same script');

    // Inside reduce array task 1 of 3: the same options, --step reduce, and the shard left to the environment.
    writeFileSync(fake.log, '');
    const task = spawnSync('bash', [slurmScript], {
      encoding: 'utf8',
      env: cleanEnv({ ...settings, THREADSIFT_STEP: 'reduce', SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3', SLURM_CPUS_PER_TASK: '4' }),
    });
    assert.equal(task.status, 0, task.stderr);
    const taskCalls = fake.calls();
    assert.equal(taskCalls.length, 1, JSON.stringify(taskCalls));
    const run = taskCalls[0]!;
    assert.deepEqual(run.slice(0, 3), ['threadsift', 'run', 'askhistorians']);
    assert.deepEqual(run.slice(-2), ['--step', 'reduce']);
    assert.ok(!run.includes('--shard') && !run.includes('--tasks'), 'Slurm says which task this is');
    const value = (flag: string) => run.flatMap((arg, i) => (arg === flag ? [run[i + 1]] : []));
    assert.deepEqual(value('--grader-url'), ['http://gpu01:8000', 'http://gpu02:8000']);
    assert.deepEqual(value('--set'), ['filters.min_score=5']);
    assert.deepEqual(value('--submissions'), ['/shared/dumps/RS_*.zst']);
    assert.deepEqual(value('--work'), [`${settings.OUT}.work`]);
    assert.deepEqual(value('--workers'), ['2']);
    // The same options the preflight checked, apart from what only a job adds.
    assert.deepEqual(withoutFlags(run.slice(2), ['--step', '--workers']), status.slice(2));
  } finally {
    dir.dispose();
  }
});

test('k8s-run.sh creates map, reduce and merge in order, each after the one before completed, and stops at a failure', () => {
  const dir = tempDir();
  try {
    const fake = fakeCommands(dir.path, {
      // kubectl --namespace NS get job NAME -o jsonpath=...: the Job's true conditions.
      kubectl: 'if [ "$3" = get ]; then if [ "$5" = "${FAKE_FAILED_JOB:-}" ]; then printf "Failed "; else printf "Complete "; fi; fi',
    });
    const env = { PATH: `${fake.bin}:${process.env.PATH ?? ''}`, FAKE_LOG: fake.log, POLL_S: '0' };
    const ok = spawnSync('bash', [k8sScript], { encoding: 'utf8', env: cleanEnv(env) });
    assert.equal(ok.status, 0, ok.stderr);
    const steps = fake.calls().map((args) => {
      const verb = args[3];
      if (verb === 'apply') return `apply ${args.at(-1)}`;
      if (verb === 'get') return `wait ${args[5]}`;
      return verb ?? '';
    });
    assert.deepEqual(steps, [
      'apply app=threadsift,step=storage',
      'delete',
      'apply app=threadsift,step=map',
      'wait threadsift-map',
      'apply app=threadsift,step=reduce',
      'wait threadsift-reduce',
      'apply app=threadsift,step=merge',
      'wait threadsift-merge',
    ]);
    for (const args of fake.calls().filter((a) => a[3] === 'apply')) assert.ok(args.includes(manifestPath), `applies the manifest beside the script: ${args.join(' ')}`);

    writeFileSync(fake.log, '');
    const failed = spawnSync('bash', [k8sScript], { encoding: 'utf8', env: cleanEnv({ ...env, FAKE_FAILED_JOB: 'threadsift-reduce' }) });
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /threadsift-reduce failed/);
    assert.ok(!fake.calls().some((args) => args.includes('app=threadsift,step=merge')), 'no merge after a failed reduce');
  } finally {
    dir.dispose();
  }
});
