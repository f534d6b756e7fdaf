import type { Argv } from 'yargs';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function gradeCommand(cli: Argv) {
  return cli.command(
    'grade',
    'Grade questions with a language model on an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama) and apply the pipeline\'s keep rule; grades are cached, so reruns and new keep rules cost no request',
    (y) =>
      y
        .option('threads', { type: 'string', demandOption: true, describe: 'a directory of thread parts: OUT.work/filter of a run or build, or threads/ of an ingest run' })
        .option('out', { type: 'string', demandOption: true, describe: 'work directory: writes grade/cache/, grade/grades.jsonl and grade/manifest.json; `build --work` with the same directory reuses the grades' })
        .option('pipeline', { type: 'string', default: 'askhistorians', describe: 'a pipeline name from pipelines/ or a YAML file (its grade section)' })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config value, e.g. --set grade.keep.quantile=0.75 (repeatable)' })
        .option('grader', { type: 'string', choices: ['openai', 'local'] as const, default: 'openai' as const, describe: 'grader: openai = an OpenAI-compatible chat/completions server; local = a GGUF model on the CPU (--model)' })
        .option('grader-url', { type: 'string', array: true, default: [] as string[], describe: 'with --grader openai: server base URL, e.g. http://localhost:8000 (repeatable: requests spread over all)' })
        .option('model', { type: 'string', describe: 'with --grader local: the GGUF model file' })
        .option('grader-model', { type: 'string', describe: 'the model name the server serves (default: the pipeline\'s grade.model); part of the cache key' })
        .option('api-key-env', { type: 'string', describe: 'environment variable holding the API key (default: no key, as local servers need none)' })
        .option('concurrency', { type: 'number', describe: 'requests in flight at once (default: the pipeline\'s grade.concurrency)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress on stderr' }),
    async (args) => {
      const { loadPipelineConfig } = await import('../pipeline/config.js');
      const { openGrader } = await import('../grade/open-grader.js');
      const { runGrade } = await import('../grade/stage.js');
      if (!existsSync(args.threads) || !statSync(args.threads).isDirectory()) {
        throw new Error(`--threads ${args.threads}: no such directory (give OUT.work/filter of a run or build, or threads/ of an ingest run)`);
      }
      const pipeline = loadPipelineConfig(args.pipeline, args.set);
      const { grader, config } = openGrader(pipeline.grade, {
        kind: args.grader,
        urls: args['grader-url'],
        modelPath: args.model,
        model: args['grader-model'],
        apiKeyEnv: args['api-key-env'],
        concurrency: args.concurrency,
        quiet: args.quiet,
      });
      try {
        const result = await runGrade({ threads: args.threads, config, grader, workDir: args.out, quiet: args.quiet });
        const { stats, decision } = result;
        process.stdout.write(
          `${stats.posts} posts: ${stats.graded} graded, ${stats.cached} cached, ${stats.failed} failed; ` +
            `kept ${decision.kept} (${decision.description})\n` +
            `grades: ${join(args.out, 'grade', 'grades.jsonl')} (manifest: ${result.manifestPath})\n`,
        );
        if (stats.failed > 0) process.exitCode = 3;
      } finally {
        await grader.close();
      }
    },
  );
}
