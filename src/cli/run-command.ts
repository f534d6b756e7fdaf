import type { Argv } from 'yargs';
import { pipelineRunOptions, withPipelineOptions } from './pipeline-options.js';

export function runCommand(cli: Argv) {
  return cli.command(
    'run <pipeline>',
    'Run a pipeline like a build system: only stages whose inputs, config or code changed run again. With --shard i/N (or a Slurm array / Kubernetes Indexed Job), run one task\'s share of one step: map, reduce, merge',
    (y) =>
      withPipelineOptions(y.positional('pipeline', { type: 'string', demandOption: true, describe: 'a pipeline name from pipelines/ or a YAML file' }))
        .option('shard', { type: 'string', describe: 'this task\'s share, i/N (0-based); default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX, else one task' })
        .option('tasks', { type: 'number', describe: 'with a Kubernetes Indexed Job: the task count (the Job\'s completions); or set THREADSIFT_TASK_COUNT' })
        .option('prune', { type: 'boolean', default: false, describe: 'after the merge, remove the extracts of input files this run does not read (changed, removed, or another --partitions)' })
        .option('step', { type: 'string', choices: ['all', 'map', 'reduce', 'merge'] as const, describe: 'map: extract input files; reduce: join, filter and grade partitions; merge: build and export (default: all, one task only)' })
        .example('$0 run askhistorians --submissions "dumps/RS_*.zst" --comments "dumps/RC_*.zst" --out ds', 'the whole pipeline; rerun after a change and only what it touches runs')
        .example('$0 run askhistorians ... --set filters.min_score=5', 'a rule change: filter and build run again, ingest and grades are reused')
        .example('$0 run askhistorians ... --step map --shard 2/8', 'task 2 of 8 extracts its share of the dumps (see docs/scale-out.md)'),
    async (args) => {
      const { resolveShard } = await import('../pipeline/shard.js');
      const { runPipeline } = await import('../pipeline/run-pipeline.js');
      const shard = resolveShard(args.shard, process.env, args.tasks);
      const result = await runPipeline({ ...pipelineRunOptions(args, args.pipeline as string), shard, prune: args.prune, ...(args.step ? { step: args.step } : {}) });
      if (result.dataset) {
        for (const config of result.dataset.layout.configs) process.stdout.write(`${config.name}: ${config.splits.map((s) => `${s.split} ${s.rows}`).join(', ')}\n`);
        process.stdout.write(`dataset: ${result.dataset.out}\nreport:  ${result.dataset.report}\n`);
      }
      process.stdout.write(`run record: ${result.runRecord}\n`);
    },
  );
}
