import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline, type PipelineRunOptions, type PipelineRunResult, type StageRecord } from '../src/pipeline/run-pipeline.js';
import { FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { ratingFor } from './helpers/ratings.js';
import { datasetRows } from './helpers/datasets.js';
import { repoRoot, tempDir } from './helpers/paths.js';

const samples = join(repoRoot, 'data-samples');



function ran(result: PipelineRunResult): Record<string, number> {
  return Object.fromEntries(result.stages.map((s: StageRecord) => [s.stage, s.ran]));
}

/** The AskHistorians samples through the recommended pipeline. */
function samplesRun(out: string): PipelineRunOptions {
  return {
    submissions: [join(samples, 'AskHistorians_submissions.zst')],
    comments: [join(samples, 'AskHistorians_comments.zst')],
    out,
    pipeline: 'askhistorians',
    quiet: true,
  };
}

/** The same, graded by the fake server. */
function gradedSamples(out: string, server: FakeOpenAIServer): PipelineRunOptions {
  return { ...samplesRun(out), grader: 'openai', graderUrls: [server.baseUrl], graderModel: 'test-model' };
}

test('a rule change re-runs filter and build only, sends no grading request, and equals a run from scratch', async () => {
  const server = await FakeOpenAIServer.start({ answer: ratingFor, maxRecorded: 50_000 });
  const dir = tempDir();
  try {
    const base = gradedSamples(join(dir.path, 'ds'), server);
    const first = await runPipeline(base);
    assert.deepEqual(ran(first), { ingest: 2 + 16, filter: 16, grade: 16, build: 1 }, 'a first run runs every unit: 2 extracts, 16 joins ...');
    const requests = server.chatCount;
    assert.ok(requests > 100);

    const again = await runPipeline(base);
    assert.deepEqual(ran(again), { ingest: 0, filter: 0, grade: 0, build: 0 }, 'nothing changed: nothing runs');
    assert.equal(server.chatCount, requests);
    assert.deepEqual(again.dataset!.funnel, first.dataset!.funnel);

    const stricter = await runPipeline({ ...base, overrides: ['filters.min_score=5'] });
    assert.deepEqual(ran(stricter), { ingest: 0, filter: 16, grade: 0, build: 1 });
    assert.equal(server.chatCount, requests, 'a stricter rule sends no request');
    const filterRecord = stricter.stages.find((s) => s.stage === 'filter')!;
    assert.deepEqual(filterRecord.reasons, ['filters.min_score: 4 -> 5'], 'the run record says why filter ran');
    const record = JSON.parse(readFileSync(join(dir.path, 'ds.work', 'run.json'), 'utf8'));
    assert.deepEqual(record.stages.map((s: StageRecord) => [s.stage, s.ran]), [['ingest', 0], ['filter', 16], ['grade', 0], ['build', 1]], 'run.json proves which stages ran');
    const manifest = JSON.parse(readFileSync(join(base.out, 'threadsift-manifest.json'), 'utf8'));
    assert.equal(manifest.pipeline.filters.min_score, 5);

    // The same rule from scratch (a new work directory, its own cache) gives the same dataset, row for row.
    const scratch = await runPipeline({ ...base, out: join(dir.path, 'scratch'), overrides: ['filters.min_score=5'] });
    assert.deepEqual(ran(scratch), { ingest: 18, filter: 16, grade: 16, build: 1 });
    assert.deepEqual(stricter.dataset!.funnel, scratch.dataset!.funnel);
    assert.deepEqual(await datasetRows(base.out), await datasetRows(join(dir.path, 'scratch')));

    // Back to the looser rule: the posts it adds were graded before, so again no request.
    const countBefore = server.chatCount;
    const looser = await runPipeline({ ...base, overrides: ['filters.min_score=3'] });
    assert.equal(looser.stages.find((s) => s.stage === 'ingest')!.ran, 0);
    const newPosts = server.chatCount - countBefore;
    assert.ok(newPosts > 0, 'a looser rule grades the posts it adds');
    assert.ok(newPosts < looser.dataset!.funnel.posts_out, `only the added posts are graded (${newPosts})`);

    // A keep-rule change is a build change; a prompt change re-grades.
    const keep = await runPipeline({ ...base, overrides: ['grade.keep.threshold=4.5'] });
    assert.deepEqual(ran(keep), { ingest: 0, filter: 16, grade: 0, build: 1 });
    const before = server.chatCount;
    const prompt = await runPipeline({ ...base, overrides: ['grade.question_template=Q: {title}'] });
    assert.deepEqual(ran(prompt), { ingest: 0, filter: 0, grade: 16, build: 1 });
    assert.ok(server.chatCount - before >= requests - 5, 'a new prompt grades every question again');

    // --force re-runs one stage; cached grades are still not paid for twice.
    const forcedBefore = server.chatCount;
    const forced = await runPipeline({ ...base, overrides: ['grade.question_template=Q: {title}'], force: ['grade'] });
    assert.deepEqual(ran(forced), { ingest: 0, filter: 0, grade: 16, build: 0 }, 'same grades: build stays fresh');
    assert.equal(server.chatCount, forcedBefore);
  } finally {
    await server.close();
    dir.dispose();
  }
});

test('a new monthly dump is the only file decoded; the result equals a run over all months from scratch', async () => {
  const dir = tempDir();
  try {
    // Split the March comments into two monthly files: the second stands for next month's dump.
    const dumps = join(dir.path, 'dumps');
    mkdirSync(dumps);
    const lines = execFileSync('zstd', ['-dc', '--long=31', join(samples, 'RC_2015-03.zst')], { maxBuffer: 1 << 26 }).toString('utf8').split('\n').filter(Boolean);
    const half = Math.floor(lines.length / 2);
    const write = (name: string, part: string[]) => {
      writeFileSync(join(dumps, `${name}.ndjson`), part.join('\n') + '\n');
      execFileSync('zstd', ['-q', '--long=31', '-f', '--rm', join(dumps, `${name}.ndjson`), '-o', join(dumps, `${name}.zst`)]);
    };
    execFileSync('cp', [join(samples, 'RS_2015-03.zst'), dumps]);
    write('RC_2015-03', lines.slice(0, half));
    const base: PipelineRunOptions = {
      submissions: [join(dumps, 'RS_*.zst')],
      comments: [join(dumps, 'RC_*.zst')],
      out: join(dir.path, 'ds'),
      pipeline: 'askhistorians',
      overrides: ['filters.min_answers=1', 'filters.min_score=0', 'filters.min_chars=0'],
      quiet: true,
    };
    const first = await runPipeline(base);
    assert.deepEqual(first.stages.find((s) => s.stage === 'ingest')!.extracted, [join(dumps, 'RS_2015-03.zst'), join(dumps, 'RC_2015-03.zst')]);

    write('RC_2015-04', lines.slice(half));
    const next = await runPipeline(base);
    const ingest = next.stages.find((s) => s.stage === 'ingest')!;
    assert.deepEqual(ingest.extracted, [join(dumps, 'RC_2015-04.zst')], 'only the new month is decoded');
    assert.ok(ingest.reasons.includes(`new input ${join(dumps, 'RC_2015-04.zst')}`), ingest.reasons.join('; '));
    assert.ok(next.dataset!.ingest.join.topLevelComments > first.dataset!.ingest.join.topLevelComments, 'answers from the new month joined their posts');

    const scratch = await runPipeline({ ...base, out: join(dir.path, 'scratch') });
    assert.deepEqual(next.dataset!.funnel, scratch.dataset!.funnel);
    assert.deepEqual(next.dataset!.ingest.join, scratch.dataset!.ingest.join);
    assert.deepEqual(await datasetRows(base.out), await datasetRows(join(dir.path, 'scratch')));

    // Other partitions: every file is extracted anew; the old extracts stay until --prune.
    const extractDir = join(dir.path, 'ds.work', 'extract');
    const repartitioned = await runPipeline({ ...base, partitions: 5 });
    assert.equal(repartitioned.stages.find((s) => s.stage === 'ingest')!.extracted!.length, 3);
    assert.equal(readdirSync(extractDir).filter((name) => !name.includes('.')).length, 6);
    await runPipeline({ ...base, partitions: 5, prune: true });
    assert.equal(readdirSync(extractDir).filter((name) => !name.includes('.')).length, 3, 'the unused extracts are gone');
    assert.equal(readdirSync(extractDir).filter((name) => name.endsWith('.done.json')).length, 3);
    assert.deepEqual(await datasetRows(base.out), await datasetRows(join(dir.path, 'scratch')), 'the partition count does not change the dataset');
  } finally {
    dir.dispose();
  }
});

test('a reduce task whose grades partly failed exits with an error; its rerun sends only the failed posts', async () => {
  let failing = true;
  const server = await FakeOpenAIServer.start({
    maxRecorded: 50_000,
    // Every question whose rating would be 5 comes back without a readable label while `failing` is on.
    answer: (body) => {
      const rated = ratingFor(body);
      return failing && rated.text === '5' ? { text: 'x', topLogprobs: [{ token: 'x', logprob: 0 }], usage: rated.usage } : rated;
    },
  });
  const dir = tempDir();
  try {
    const base = gradedSamples(join(dir.path, 'ds'), server);
    await runPipeline({ ...base, step: 'map' });
    await assert.rejects(runPipeline({ ...base, step: 'reduce' }), /posts failed to grade .*re-run this task/);
    const firstRequests = server.chatCount;
    await assert.rejects(runPipeline({ ...base, step: 'merge' }), /partition unit\(s\) are not done/);
    failing = false;
    const rerun = await runPipeline({ ...base, step: 'reduce' });
    const resent = server.chatCount - firstRequests;
    assert.ok(resent > 0 && resent < firstRequests / 3, `only the failed posts are sent again (${resent} of ${firstRequests})`);
    assert.ok(rerun.stages.find((s) => s.stage === 'grade')!.reasons.some((r) => /failed to grade last time/.test(r)));
    const merged = await runPipeline({ ...base, step: 'merge' });
    assert.equal(merged.dataset!.funnel.steps.find((s) => s.rule === 'grade')!.description.includes('failed'), false, 'no failures left');

    // One process: the build with failures is rebuilt once the retried grades are in, though no
    // fingerprint of a filter or grade unit changed.
    failing = true;
    const single = gradedSamples(join(dir.path, 'single'), server);
    const withFailures = await runPipeline(single);
    assert.match(withFailures.dataset!.funnel.steps.find((s) => s.rule === 'grade')!.description, /failed to grade/);
    failing = false;
    const retried = await runPipeline(single);
    assert.deepEqual(ran(retried), { ingest: 0, filter: 0, grade: 16, build: 1 });
    assert.deepEqual(retried.dataset!.funnel, merged.dataset!.funnel, 'the same dataset as the sharded steps');
  } finally {
    await server.close();
    dir.dispose();
  }
});

test('a pipeline config can name its inputs: `run pipelines/x.yaml --out DIR` needs no file flags', async () => {
  const dir = tempDir();
  try {
    const yaml = readFileSync(join(repoRoot, 'pipelines', 'askhistorians.yaml'), 'utf8').replace(
      /^subreddit: AskHistorians$/m,
      `subreddit: AskHistorians\ninputs:\n  submissions: ['${join(samples, 'AskHistorians_sub*.zst')}']\n  comments: ['${join(samples, 'AskHistorians_comments.zst')}']`,
    );
    const pipeline = join(dir.path, 'mine.yaml');
    writeFileSync(pipeline, yaml);
    const result = await runPipeline({ pipeline, out: join(dir.path, 'ds'), quiet: true });
    assert.equal(result.dataset!.ingest.inputs.length, 2);
    assert.equal(result.dataset!.funnel.posts_in, 3000);
    // The command line's files replace the config's.
    await assert.rejects(runPipeline({ pipeline, out: join(dir.path, 'ds'), submissions: [join(dir.path, 'none*.zst')], quiet: true }), /none\*\.zst/);
    await assert.rejects(runPipeline({ pipeline: 'askhistorians', out: join(dir.path, 'ds2'), quiet: true }), /no submission dumps: pass --submissions FILES or set inputs\.submissions/);
  } finally {
    dir.dispose();
  }
});

test('a damaged threads partition stops the filter stage naming the file; the other partitions keep their work', async () => {
  const dir = tempDir();
  try {
    const base = samplesRun(join(dir.path, 'ds'));
    await runPipeline(base);
    const filterDir = join(dir.path, 'ds.work', 'filter');
    const fingerprints = () =>
      new Map(readdirSync(filterDir).filter((name) => name.endsWith('.done.json')).map((name) => [name, JSON.parse(readFileSync(join(filterDir, name), 'utf8')).fingerprint as string]));
    const before = fingerprints();
    const damaged = join(dir.path, 'ds.work', 'ingest', 'part-00005.parquet');
    writeFileSync(damaged, readFileSync(damaged).subarray(0, 200));
    await assert.rejects(runPipeline({ ...base, overrides: ['filters.min_score=5'] }), (error: Error) => {
      assert.ok(error.message.includes('part-00005'), error.message);
      return true;
    });
    // Partitions run two at a time: those that finished before the failure (0-4, and 6 if it had started)
    // have their new markers; none started after it.
    const redone = [...fingerprints()].filter(([name, fingerprint]) => before.get(name) !== fingerprint).map(([name]) => name);
    for (let p = 0; p < 5; p++) assert.ok(redone.includes(`part-0000${p}.done.json`), `partition ${p} kept its work (${redone.join(', ')})`);
    assert.ok(!redone.includes('part-00005.done.json') && redone.length <= 6, redone.join(', '));

    // Re-joining the damaged partition (its marker no longer matches once the file is gone) repairs the run.
    rmSync(join(dir.path, 'ds.work', 'ingest', 'part-00005.done.json'));
    const repaired = await runPipeline({ ...base, overrides: ['filters.min_score=5'] });
    const filter = repaired.stages.find((s) => s.stage === 'filter')!;
    assert.equal(filter.ran, 16 - redone.length, 'only what the failure left undone runs again');
    const scratch = await runPipeline({ ...base, out: join(dir.path, 'scratch'), overrides: ['filters.min_score=5'] });
    assert.deepEqual(await datasetRows(base.out), await datasetRows(join(dir.path, 'scratch')));
    assert.deepEqual(repaired.dataset!.funnel, scratch.dataset!.funnel);
  } finally {
    dir.dispose();
  }
});
