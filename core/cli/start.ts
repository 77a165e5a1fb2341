import { startHub, type Hub, type Role } from '../hub.ts';
import type { ReloadOutcome } from '../reload/live-reload.ts';
import { CommandError, configOption, parseOptions } from './command.ts';

const roles: Role[] = ['api', 'worker', 'all'];

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions('start', args, { ...configOption, role: { type: 'string' } });
  const role = values.role as Role | undefined;
  if (role && !roles.includes(role)) {
    throw new CommandError(`--role must be one of ${roles.join(', ')}`);
  }

  const hub = await startHub({ role, configFile: values.config });
  announce(hub, role ?? hub.services.config.server.role);

  const onHangUp = () => {
    hub.reload('config').then(describeReload, (error: unknown) => {
      process.stderr.write(`hub: reload failed: ${(error as Error).message}\n`);
    });
  };
  process.on('SIGHUP', onHangUp);

  await untilStopSignal();
  process.off('SIGHUP', onHangUp);
  await hub.stop();
  return 0;
}

/** The quick start's user needs to know where the hub is and which key opens it. */
function announce(hub: Hub, role: Role): void {
  const lines = role === 'worker'
    ? [`Messaging hub worker running; health and metrics on ${hub.url}`]
    : [
      `Messaging hub listening on ${hub.url}`,
      `API docs: ${hub.url}/docs`,
      `Admin key: ${hub.adminKey}`,
    ];
  process.stderr.write(`\n${lines.map((line) => `  ${line}`).join('\n')}\n\n`);
}

function describeReload(outcome: ReloadOutcome): void {
  if (!outcome.applied) {
    const problems = outcome.problems.map((problem) => `\n  ${problem}`).join('');
    const message = 'reload refused, still running on the previous version:';
    process.stderr.write(`hub: ${message}${problems}\n`);
    return;
  }

  process.stderr.write('hub: reloaded the config and templates\n');
  if (outcome.restartNeeded.length > 0) {
    const settings = outcome.restartNeeded.join(', ');
    process.stderr.write(`hub: takes effect at the next restart: ${settings}\n`);
  }
}

function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
