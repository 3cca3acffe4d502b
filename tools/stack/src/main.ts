import { resolve } from 'node:path';
import { stackSettingsFromEnv, startStack, type RunningStack } from './stack';

/**
 * `npm start` after install and build: runs the stack until Ctrl-C, SIGTERM
 * or a service exiting, then stops the services and Postgres, in that order.
 */
async function main(): Promise<void> {
  const settings = stackSettingsFromEnv(process.env, resolve(__dirname, '../../..'));
  const starting = startStack(settings);
  let signalled = false;
  const stopAndExit = (stack: RunningStack, code: number) => void stack.stop().then(() => process.exit(code));
  // Installed before startStack's first await: a signal during startup (initdb
  // takes seconds) still stops whatever was started.
  const onSignal = () => {
    signalled = true;
    starting.then((stack) => stopAndExit(stack, 0), () => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stack = await starting;
  const { service, code } = await stack.firstExit;
  if (signalled) return;
  settings.log(`${service} exited (code ${code}); stopping`);
  stopAndExit(stack, code || 1);
}

main().catch((error: unknown) => {
  console.error(`[dsts] ${(error as Error).message}`);
  process.exit(1);
});
