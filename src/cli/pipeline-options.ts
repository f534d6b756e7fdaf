import type { Argv } from 'yargs';
import { parseByteSize } from './units.js';

const STAGE_CHOICES = ['ingest', 'filter', 'grade', 'build'] as const;

/** The options `build`, `run` and `status` share: inputs, config, grader, resources. */
export function withPipelineOptions<T>(y: Argv<T>) {
  return y
    .option('submissions', { type: 'string', array: true, describe: 'submission dumps: files or globs (X_submissions.zst, RS_YYYY-MM.zst); default: the pipeline\'s inputs.submissions' })
    .option('comments', { type: 'string', array: true, describe: 'comment dumps: files or globs (X_comments.zst, RC_YYYY-MM.zst); default: the pipeline\'s inputs.comments' })
    .option('out', { type: 'string', demandOption: true, describe: 'the dataset directory (a Hugging Face dataset repo layout); replaced atomically' })
    .option('work', { type: 'string', describe: 'stage outputs, completion markers and the grade cache (default: OUT.work); shared by all tasks' })
    .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config value, e.g. --set filters.min_score=5 (repeatable; counts as a config change)' })
    .option('subreddit', { type: 'string', describe: 'subreddit to select from monthly RS_/RC_ files (default: the pipeline\'s)' })
    .option('grader', { type: 'string', choices: ['none', 'openai', 'local'] as const, default: 'none' as const, describe: 'question grader: none keeps every question the rules keep; openai grades on an OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp, Ollama); local runs a GGUF model on the CPU (--model)' })
    .option('model', { type: 'string', describe: 'with --grader local: the GGUF model file' })
    .option('grader-url', { type: 'string', array: true, default: [] as string[], describe: 'with --grader openai: server base URL, e.g. http://localhost:8000 (repeatable: requests spread over all)' })
    .option('grader-model', { type: 'string', describe: 'the model name the server serves (default: the pipeline\'s grade.model)' })
    .option('api-key-env', { type: 'string', describe: 'environment variable holding the server\'s API key (never logged)' })
    .option('concurrency', { type: 'number', describe: 'grading requests in flight (default: the pipeline\'s grade.concurrency)' })
    .option('force', { type: 'string', array: true, choices: STAGE_CHOICES, default: [] as (typeof STAGE_CHOICES)[number][], describe: 're-run a stage even if its fingerprint is unchanged (repeatable); cached grades are still reused' })
    .option('partitions', { type: 'number', default: 16, describe: 'hash partitions of the posts (the unit of join, filter and grade work); changing it re-runs ingest' })
    .option('memory-budget', { type: 'string', default: '512MiB', describe: 'join state kept in memory per partition before spilling to disk' })
    .option('workers', { type: 'number', describe: 'parse worker threads; 0 parses in the main thread (default: 0 on two cores, cores - 2 above)' })
    .option('max-error-rate', { type: 'number', default: 0.01, describe: 'fail a dump file when more than this share of its lines are quarantined' })
    .option('decoder', { type: 'string', choices: ['auto', 'cli', 'zlib'] as const, default: 'auto' as const, describe: 'zstd decoder: cli = the zstd binary, zlib = node:zlib (Node >= 22.15)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' });
}

type PipelineArgs = ReturnType<typeof withPipelineOptions>['argv'] extends infer A ? Awaited<A> : never;

/** Command-line arguments -> runPipeline options (the pipeline name comes separately: a flag or a positional). */
export function pipelineRunOptions(args: PipelineArgs, pipeline: string) {
  return {
    ...(args.submissions !== undefined ? { submissions: args.submissions } : {}),
    ...(args.comments !== undefined ? { comments: args.comments } : {}),
    out: args.out,
    ...(args.work !== undefined ? { work: args.work } : {}),
    pipeline,
    overrides: args.set,
    subreddit: args.subreddit ?? null,
    grader: args.grader,
    graderUrls: args['grader-url'],
    ...(args.model !== undefined ? { modelPath: args.model } : {}),
    ...(args['grader-model'] !== undefined ? { graderModel: args['grader-model'] } : {}),
    ...(args['api-key-env'] !== undefined ? { apiKeyEnv: args['api-key-env'] } : {}),
    ...(args.concurrency !== undefined ? { graderConcurrency: args.concurrency } : {}),
    force: args.force,
    partitions: args.partitions,
    memoryBudgetBytes: parseByteSize(args['memory-budget']),
    ...(args.workers !== undefined ? { workers: args.workers } : {}),
    maxErrorRate: args['max-error-rate'],
    decoder: args.decoder,
    quiet: args.quiet,
  };
}
