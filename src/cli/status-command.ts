import type { Argv } from 'yargs';
import { pipelineRunOptions, withPipelineOptions } from './pipeline-options.js';

export function statusCommand(cli: Argv) {
  return cli.command(
    'status <pipeline>',
    'Show which units of a pipeline run are fresh and which are stale, and why: what `run` with the same options would do. Runs nothing',
    (y) =>
      withPipelineOptions(y.positional('pipeline', { type: 'string', demandOption: true, describe: 'a pipeline name from pipelines/ or a YAML file' }))
        .option('shard', { type: 'string', describe: 'also count the share of task i/N (default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)' })
        .option('tasks', { type: 'number', describe: 'with a Kubernetes Indexed Job: the task count' })
        .option('step', { type: 'string', choices: ['all', 'map', 'reduce', 'merge'] as const, default: 'all' as const, describe: 'only the units of this step' })
        .option('json', { type: 'boolean', default: false, describe: 'print the plan as JSON' }),
    async (args) => {
      const { resolveShard } = await import('../pipeline/shard.js');
      const { preparePlan } = await import('../pipeline/run-pipeline.js');
      const { summarizePlan, unusedExtracts } = await import('../pipeline/plan.js');
      const { formatBytes } = await import('../io/progress.js');
      const shard = resolveShard(args.shard, process.env, args.tasks);
      // The plan of a task is the same whatever its step; only which units are shown depends on --step.
      const { plan } = await preparePlan({ ...pipelineRunOptions(args, args.pipeline as string), shard, step: shard.count > 1 ? 'reduce' : 'all' });
      const rows = summarizePlan(plan, args.step);
      const unused = await unusedExtracts(plan);
      if (args.json) {
        process.stdout.write(JSON.stringify({ work: plan.work, partitions: plan.partitions, graded: plan.graded, shard, step: args.step, stages: rows, unused_extracts: { count: unused.dirs.length, bytes: unused.bytes } }, null, 2) + '\n');
        return;
      }
      const task = shard.count > 1 ? `, task ${shard.index} of ${shard.count}` : '';
      process.stdout.write(`work: ${plan.work} (${plan.partitions} partitions${plan.graded ? ', graded' : ', no grader'}${task})\n`);
      for (const row of rows) {
        const share = shard.count > 1 && row.stale > 0 ? ` (${row.mine} for this task)` : '';
        const state = row.units === 0 ? (args.step === 'all' ? 'not part of this run' : `not in step ${args.step}`) : row.stale === 0 ? 'fresh' : `stale: ${row.stale} of ${row.units} units${share}`;
        process.stdout.write(`${row.stage.padEnd(7)} ${state}\n`);
        for (const reason of row.reasons) process.stdout.write(`        - ${reason}\n`);
      }
      if (unused.dirs.length > 0) process.stdout.write(`unused: ${unused.dirs.length} extract(s) of inputs this run does not read (${formatBytes(unused.bytes)}); run --prune removes them\n`);
    },
  );
}
