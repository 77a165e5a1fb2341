import { readdirSync, readFileSync } from 'node:fs';

/** Linux counts CPU time in clock ticks, 100 per second on every common kernel. */
const ticksPerSecond = 100;

/** Peak resident memory of a process so far, in MB (VmHWM). */
export function peakRss(pid: number): number {
  const status = readProc(pid, 'status');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** User and system CPU time of a process so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const [user, system] = statFields(pid);
  return (user + system) / ticksPerSecond;
}

/**
 * CPU time of every PostgreSQL server process on this machine so far, in seconds, or
 * undefined when none runs here. The server's main process adds the time of the backends it
 * has reaped, so connections closed meanwhile still count.
 */
export function postgresCpuSeconds(): number | undefined {
  const servers = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
    .map(Number).filter((pid) => readProc(pid, 'comm').trim() === 'postgres');
  if (servers.length === 0) return undefined;

  const ticks = servers.map((pid) => statFields(pid).reduce((sum, field) => sum + field, 0));
  return ticks.reduce((sum, value) => sum + value, 0) / ticksPerSecond;
}

/** utime, stime, cutime and cstime of /proc/<pid>/stat, in clock ticks; zeros once gone. */
function statFields(pid: number): number[] {
  const stat = readProc(pid, 'stat');
  if (!stat) return [0, 0, 0, 0];
  // The command name may hold spaces; the fields that follow it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).map(Number);
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}
