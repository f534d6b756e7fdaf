import type { Argv } from 'yargs';
import { checkPushArguments, hubTokenFromEnv } from '../export/push-arguments.js';
import { pipelineRunOptions, withPipelineOptions } from './pipeline-options.js';

export function buildCommand(cli: Argv) {
  return cli.command(
    'build',
    'Run the whole pipeline in one process: ingest -> filter -> grade -> build -> export a Hugging Face dataset (sft, preference) with a card and report.html; stages whose inputs did not change are skipped',
    (y) =>
      withPipelineOptions(y)
        .option('pipeline', { type: 'string', default: 'askhistorians', describe: 'a pipeline name from pipelines/ or a YAML file' })
        .option('push-to-hub', { type: 'string', describe: 'after export, upload OUT to this Hugging Face dataset repo (owner/name; token from HF_TOKEN)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'with --push-to-hub: list the files that would be uploaded, upload nothing' }),
    async (args) => {
      const pushRepo = args['push-to-hub'];
      if (pushRepo !== undefined) checkPushArguments(pushRepo, args['dry-run']);
      // Stage code loads when a command runs, so `--help` and the other commands start fast.
      const { runBuild } = await import('../pipeline/run-build.js');
      const { planPush, pushToHub } = await import('../export/push.js');
      const summary = await runBuild(pipelineRunOptions(args, args.pipeline));
      for (const config of summary.layout.configs) {
        process.stdout.write(`${config.name}: ${config.splits.map((s) => `${s.split} ${s.rows}`).join(', ')}\n`);
      }
      process.stdout.write(`dataset: ${summary.out}\nreport:  ${summary.report}\n`);
      if (pushRepo === undefined) return;
      const plan = await planPush(summary.out, pushRepo);
      if (args['dry-run']) {
        process.stdout.write(`dry run: would upload ${plan.files.length} files to datasets/${pushRepo}:\n`);
        for (const file of plan.files) process.stdout.write(`  ${file.path}  (${file.bytes} bytes)\n`);
        return;
      }
      await pushToHub(summary.out, plan, hubTokenFromEnv()!);
      process.stdout.write(`pushed ${plan.files.length} files to https://huggingface.co/datasets/${pushRepo}\n`);
    },
  );
}
