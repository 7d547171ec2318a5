/** Entry point of the bundled `runtrail` command. */
import { runCli } from './program';

runCli(
  process.argv.slice(2),
  (text) => process.stdout.write(text + '\n'),
  (text) => process.stderr.write(text + '\n'),
).then((code) => {
  process.exitCode = code;
});
