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

main().catch((error: Error) => {
  process.stderr.write(`threadsift: ${error.message}\n`);
  if (process.env.THREADSIFT_DEBUG) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
