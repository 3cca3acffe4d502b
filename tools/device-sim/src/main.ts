import { runSimulator } from './simulator';

runSimulator(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  progress: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`device-sim: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
