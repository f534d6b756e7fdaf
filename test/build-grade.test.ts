import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runBuild, type BuildOptions } from '../src/pipeline/run-build.js';
import { FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { ratingFor } from './helpers/ratings.js';
import { repoRoot, tempDir } from './helpers/paths.js';

const samples = join(repoRoot, 'data-samples');


test('build --grader openai grades over real HTTP, never pays twice, and a keep change costs no request', async () => {
  const server = await FakeOpenAIServer.start({ answer: ratingFor, maxRecorded: 50_000 });
  const dir = tempDir();
  try {
    const base: BuildOptions = {
      submissions: [join(samples, 'AskHistorians_submissions.zst')],
      comments: [join(samples, 'AskHistorians_comments.zst')],
      out: join(dir.path, 'ds'),
      pipeline: 'askhistorians',
      grader: 'openai',
      graderUrls: [server.baseUrl],
      graderModel: 'test-model',
      quiet: true,
    };
    const first = await runBuild(base);
    const gradeStep = first.funnel.steps.find((s) => s.rule === 'grade');
    assert.ok(gradeStep, 'the funnel has a grade step');
    const requests = server.chatCount;
    assert.ok(requests > 100 && requests <= gradeStep.posts_in, `one request per graded question (${requests})`);
    assert.ok(gradeStep.posts_removed > 0 && gradeStep.posts_out > 0);
    const body = server.chatRequests()[0]!.body as Record<string, unknown>;
    assert.equal(body.model, 'test-model');
    assert.equal(body.max_tokens, 1);
    assert.equal(body.logprobs, true);
    const sft = first.layout.configs.find((c) => c.name === 'sft')!;
    assert.equal(sft.rows, gradeStep.posts_out, 'one SFT row per kept question');

    const again = await runBuild(base);
    assert.equal(server.chatCount, requests, 'a rerun sends no request');
    assert.deepEqual(again.funnel, first.funnel);

    const stricter = await runBuild({ ...base, overrides: ['grade.keep.threshold=4.5'] });
    assert.equal(server.chatCount, requests, 'changing only the keep rule sends no request');
    const stricterStep = stricter.funnel.steps.find((s) => s.rule === 'grade')!;
    assert.ok(stricterStep.posts_out < gradeStep.posts_out);

    await runBuild({ ...base, overrides: ['grade.temperature=0.5'] });
    assert.ok(server.chatCount >= requests * 2 - 5, 'changing a grading parameter grades again');
  } finally {
    await server.close();
    dir.dispose();
  }
});

test('build refuses a bad grader setup before ingest starts', async () => {
  const dir = tempDir();
  try {
    const out = join(dir.path, 'ds');
    await assert.rejects(
      runBuild({ submissions: [join(samples, 'AskHistorians_submissions.zst')], comments: [], out, pipeline: 'askhistorians', grader: 'openai', graderUrls: [], quiet: true }),
      /url/i,
    );
  } finally {
    dir.dispose();
  }
});
