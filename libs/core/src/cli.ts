// The one command line of every experiment (nx.json's targetDefaults call it for each exp-<name>):
//   tsx libs/core/src/cli.ts run experiments/<name> [options]      runs a profile (--help lists the options)
//   tsx libs/core/src/cli.ts verify experiments/<name> [--profile P] [--out DIR]
// A separate file from commands.ts: the experiments import @claimlab/core, which must not wait on
// this entry module's top-level await.
import { cliMain, experimentCommand } from './commands.ts';

await cliMain(() => experimentCommand(process.argv.slice(2)));
