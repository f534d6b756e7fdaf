#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ingestCommand } from './ingest-command.js';
import { demoCommand } from './demo-command.js';
import { buildCommand } from './build-command.js';
import { gradeCommand } from './grade-command.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';

const commands = [runCommand, statusCommand, buildCommand, ingestCommand, gradeCommand, demoCommand];

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('threadsift')
    .usage('$0 <command> [options]\n\nTurn Pushshift Reddit dumps into question-answer training datasets.\n\n  dumps -> ingest -> filter -> grade -> build -> export')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error, y) => {
      if (error) throw error;
      process.stderr.write(`${y.help()}\n\nthreadsift: ${message}\n`);
      process.exit(2);
    });
  for (const add of commands) cli = add(cli) as typeof cli;
  await cli.parseAsync();
}

// A scheduler stops a task with SIGTERM (Slurm's scancel, Kubernetes' pod deletion): exit through
// process.exit so that exit handlers release the grade cache's lock. Outputs need no cleanup: every one is
// renamed into place only when complete.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nthreadsift: stopped by ${signal}; finished units are kept, a rerun goes on from there\n`);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  });
}

main().catch((error: Error) => {
  process.stderr.write(`threadsift: ${error.message}\n`);
  if (process.env.THREADSIFT_DEBUG) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
