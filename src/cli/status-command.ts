import type { Argv } from 'yargs';
import { pipelineRunOptions, withPipelineOptions } from './pipeline-options.js';

export function statusCommand(cli: Argv) {
  return cli.command(
    'status <pipeline>',
    'Show which stages of a pipeline run are fresh and which are stale, and why (what `run` with the same options would do); runs nothing',
    (y) =>
      withPipelineOptions(y.positional('pipeline', { type: 'string', demandOption: true, describe: 'a pipeline name from pipelines/ or a YAML file' }))
        .option('shard', { type: 'string', describe: 'show the work of task i/N' })
        .option('json', { type: 'boolean', default: false, describe: 'print the plan as JSON' }),
    async (args) => {
      const { parseShard, SINGLE_TASK } = await import('../pipeline/shard.js');
      const { preparePlan } = await import('../pipeline/run-pipeline.js');
      const { summarizePlan } = await import('../pipeline/plan.js');
      const shard = args.shard ? parseShard(args.shard) : SINGLE_TASK;
      const { plan } = await preparePlan({ ...pipelineRunOptions(args, args.pipeline as string), shard, step: shard.count > 1 ? 'reduce' : 'all' });
      const rows = summarizePlan(plan);
      if (args.json) {
        process.stdout.write(JSON.stringify({ work: plan.work, partitions: plan.partitions, graded: plan.graded, stages: rows }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`work: ${plan.work} (${plan.partitions} partitions${plan.graded ? ', graded' : ', no grader'})\n`);
      for (const row of rows) {
        const state = row.units === 0 ? 'not part of this run' : row.stale === 0 ? 'fresh' : `stale: ${row.stale} of ${row.units} units`;
        process.stdout.write(`${row.stage.padEnd(7)} ${state}\n`);
        for (const reason of row.reasons) process.stdout.write(`        - ${reason}\n`);
      }
    },
  );
}
