/**
 * From command-line grader options and a grade config to a Grader and the config it grades under. Shared
 * by `threadsift grade` and `threadsift build`, so both put the same model into the cache key.
 */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { GradeConfig } from '../pipeline/config-types.js';
import { LocalGrader } from './local/local-grader.js';
import { OpenAIGrader, type GraderEvent } from './openai-client.js';
import type { Grader } from './types.js';

export const GRADER_KINDS = ['openai', 'local'] as const;
export type GraderKind = (typeof GRADER_KINDS)[number];

export interface GraderChoice {
  kind: GraderKind;
  /** openai: base URLs of OpenAI-compatible servers (http://host:8000 or .../v1); requests spread over them */
  urls: string[];
  /** local: a GGUF model file run on the CPU by the embedded llama.cpp engine */
  modelPath?: string | undefined;
  /** overrides grade.model; one of the two must name the served model */
  model?: string | undefined;
  /** name of the environment variable holding the API key; none: no key (local servers) */
  apiKeyEnv?: string | undefined;
  /** overrides grade.concurrency */
  concurrency?: number | undefined;
  /** no breaker messages on stderr */
  quiet?: boolean;
}

export interface OpenedGrader {
  grader: Grader;
  /** the grade config with the model and concurrency actually used: pass this one to runGrade */
  config: GradeConfig;
}

/**
 * The grade config a choice grades under (the model that goes into every cache key), without opening
 * anything: a merge step needs the model name to find the grades, not a server.
 */
export function gradeConfigFor(grade: GradeConfig, choice: Pick<GraderChoice, 'kind' | 'modelPath' | 'model'>): GradeConfig {
  if (choice.kind === 'local') {
    const modelPath = choice.modelPath;
    if (!modelPath) throw new Error('--grader local needs --model FILE.gguf');
    if (!existsSync(modelPath) || !statSync(modelPath).isFile()) throw new Error(`--model ${modelPath}: no such file`);
    return { ...grade, model: `gguf:${basename(modelPath)}:${statSync(modelPath).size}`, concurrency: 1 };
  }
  const model = choice.model ?? grade.model;
  if (model === null || model === '') {
    throw new Error('no model to grade with: pass --grader-model NAME (the name the server serves), or set grade.model in the pipeline');
  }
  return { ...grade, model };
}

/** Checks the choice against the config before any request; throws a message naming the flag to fix. */
export function openGrader(grade: GradeConfig, choice: GraderChoice): OpenedGrader {
  if (choice.kind === 'local') return openLocalGrader(grade, choice);
  const model = gradeConfigFor(grade, choice).model!;
  if (choice.urls.length === 0) throw new Error('no grader URL: pass --grader-url http://HOST:PORT (repeatable)');
  const concurrency = choice.concurrency ?? grade.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer (got ${concurrency})`);
  let apiKey: string | null = null;
  if (choice.apiKeyEnv !== undefined) {
    apiKey = process.env[choice.apiKeyEnv] ?? null;
    if (!apiKey) throw new Error(`--api-key-env ${choice.apiKeyEnv}: that environment variable is not set`);
  }
  const config: GradeConfig = { ...grade, model, concurrency };
  const grader = new OpenAIGrader({
    baseUrls: choice.urls,
    model,
    apiKey,
    concurrency,
    timeoutMs: Math.round(grade.request_timeout_s * 1000),
    maxRetries: grade.max_retries,
    ...(choice.quiet ? {} : { onProgress: reportServerTrouble }),
  });
  return { grader, config };
}

/** Only what a user must know while a run waits: a server stopped answering, came back, or was given up on. */
function reportServerTrouble(event: GraderEvent): void {
  if (event.type === 'breaker-open') process.stderr.write(`\ngrade: ${event.server} is failing (${event.reason}); pausing it until its health check answers\n`);
  else if (event.type === 'breaker-closed') process.stderr.write(`\ngrade: ${event.server} is back after ${(event.pausedMs / 1000).toFixed(0)} s\n`);
  else if (event.type === 'breaker-gave-up') process.stderr.write(`\ngrade: gave up on ${event.server} after ${(event.waitedMs / 1000).toFixed(0)} s (${event.reason})\n`);
}

/** The embedded engine: the model file (name and size) stands in the cache key for the served model name. */
function openLocalGrader(grade: GradeConfig, choice: GraderChoice): OpenedGrader {
  const config = gradeConfigFor(grade, choice);
  return { grader: new LocalGrader({ modelPath: choice.modelPath! }), config };
}
