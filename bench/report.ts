import type { Baseline } from './baseline.ts';
import type { BurstRun, PacedRun } from './end-to-end.ts';
import type { InboundRun } from './inbound.ts';
import { round, type Latency } from './stats.ts';

export interface AcceptRun {
  requests: number;
  clients: number;
  perSecond: number;
  latency: Latency;
  failures: number;
}

export interface PacedAccept {
  offeredPerSecond: number;
  acceptedPerSecond: number;
  latency: Latency;
  failures: number;
}

export interface ProcessFigures {
  name: string;
  role: string;
  peakRssMb: number;
  cpuSeconds: number;
}

export interface Results {
  date: string;
  machine: { cpus: number; node: string; postgres: string };
  parameters: Record<string, unknown>;
  baseline: Baseline;
  accept: AcceptRun;
  /** Requests at a fixed rate for messages due later, so the workers stay idle. */
  pacedAccept: PacedAccept;
  /** Messages at a fixed rate due at once, accepted while the workers send them. */
  paced: PacedRun;
  oneWorker: BurstRun;
  twoWorkers: BurstRun;
  backlog: BurstRun & { rows: number; fillSeconds: number };
  inbound: InboundRun;
  processes: ProcessFigures[];
  /**
   * CPU seconds of each hub process during each burst, the bench process's own (with the
   * simulator and the host receiver) and, when it runs on this machine, PostgreSQL's.
   */
  cpu: Record<string, Record<string, number>>;
  goals: Goal[];
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

export function judge(results: Omit<Results, 'goals'>): Goal[] {
  const { baseline, pacedAccept, paced, twoWorkers: two, oneWorker: one, backlog, processes } =
    results;
  const e2e = two.calledBackPerSecond;
  const backlogRatio = backlog.calledBackPerSecond / e2e;
  const largest = Math.max(...processes.map((p) => p.peakRssMb));
  return [
    { goal: 'end to end ≥ 1,000 messages/s (to the host callback)',
      measured: `${e2e}/s`, met: e2e >= 1000 },
    { goal: 'end to end ≥ ½ × raw pg-boss send (one job per transaction)',
      measured: `${round(e2e / baseline.sendPerSecond, 2)} ×`,
      met: e2e >= baseline.sendPerSecond / 2 },
    { goal: 'accept p99 < 50 ms at 500 requests/s',
      measured: `${round(pacedAccept.latency.p99)} ms at ${pacedAccept.offeredPerSecond}/s ` +
        `(${round(paced.accept.p99)} ms while the workers send them)`,
      met: pacedAccept.latency.p99 < 50 && pacedAccept.offeredPerSecond >= 500 },
    { goal: 'due-to-sent lag p99 < 2 s below capacity',
      measured: `${round(paced.dueToSent.p99)} ms at ${paced.offeredPerSecond}/s`,
      met: paced.dueToSent.p99 < 2000 },
    { goal: '1,000,000-message backlog costs < 10% of throughput',
      measured: `${round(backlogRatio, 2)} × with ${backlog.rows.toLocaleString('en')} rows`,
      met: backlogRatio >= 0.9 && backlog.rows >= 1_000_000 },
    { goal: 'two workers faster than one',
      measured: `${round(two.calledBackPerSecond / one.calledBackPerSecond, 2)} ×`,
      met: two.calledBackPerSecond > one.calledBackPerSecond },
    { goal: 'RSS < 300 MB per process', measured: `${largest} MB at most`, met: largest < 300 },
  ];
}

export function printTable(results: Results): string {
  const base = results.baseline.sendPerSecond;
  const ratio = (value: number) => `${round(value / base, 2)}`;
  const ms = (value: number) => `${round(value)} ms`;
  const burst = (label: string, run: BurstRun, cpu: Record<string, number> = {}) => [
    [`${label}: sent to the simulator`, `${run.sentPerSecond}/s`, ratio(run.sentPerSecond)],
    [`${label}: delivered reports sent`, `${run.deliveredPerSecond}/s`,
      ratio(run.deliveredPerSecond)],
    [`${label}: host callbacks`, `${run.calledBackPerSecond}/s`, ratio(run.calledBackPerSecond)],
    [`${label}: due → sent p50 / p99`, `${ms(run.dueToSent.p50)} / ${ms(run.dueToSent.p99)}`, ''],
    [`${label}: CPU ms a message`, cpuPerMessage(cpu, run.messages), ''],
  ];
  const { accept, pacedAccept, paced, inbound } = results;
  const rows: string[][] = [
    ['figure', 'value', '÷ baseline'],
    ['baseline: pg-boss send, 1 job/tx, 10 in flight', `${base}/s`, '1'],
    ['baseline: pg-boss fetch 50 + complete', `${results.baseline.workPerSecond}/s`,
      ratio(results.baseline.workPerSecond)],
    [`accept: ${accept.clients} clients`, `${accept.perSecond}/s`, ratio(accept.perSecond)],
    ['accept: p50 / p99', `${ms(accept.latency.p50)} / ${ms(accept.latency.p99)}`, ''],
    [`accept at ${pacedAccept.offeredPerSecond}/s offered, sent later: p50 / p99`,
      `${ms(pacedAccept.latency.p50)} / ${ms(pacedAccept.latency.p99)}`, ''],
    [`paced ${paced.offeredPerSecond}/s, sent at once: accept p99`, ms(paced.accept.p99), ''],
    [`paced ${paced.offeredPerSecond}/s: due → sent p50 / p99`,
      `${ms(paced.dueToSent.p50)} / ${ms(paced.dueToSent.p99)}`, ''],
    [`paced ${paced.offeredPerSecond}/s: due → callback p99`, ms(paced.dueToCallback.p99), ''],
    ...burst('e2e, 2 workers', results.twoWorkers, results.cpu['two workers']),
    ...burst('e2e, 1 worker', results.oneWorker, results.cpu['one worker']),
    ...burst('e2e with backlog', results.backlog, results.cpu['with backlog']),
    ['backlog ÷ no backlog (callbacks)',
      `${round(results.backlog.calledBackPerSecond / results.twoWorkers.calledBackPerSecond, 2)}`,
      ''],
    ['inbound: stored', `${inbound.storedPerSecond}/s`, ratio(inbound.storedPerSecond)],
    ['inbound: called back', `${inbound.calledBackPerSecond}/s`,
      ratio(inbound.calledBackPerSecond)],
    ...results.processes.map((p) => [`peak RSS: ${p.name}`, `${p.peakRssMb} MB`, '']),
  ];
  const goals = results.goals.map((g) => [g.met ? 'met' : 'NOT met', g.goal, g.measured]);
  return `${columns(rows)}\n\n${columns([['', 'goal', 'measured'], ...goals])}\n`;
}

/** Each process's CPU time in the burst, per message: `api 2.1, worker-1 2.5, …, all 9.8`. */
function cpuPerMessage(cpu: Record<string, number>, messages: number): string {
  const perMessage = (seconds: number) => round(seconds * 1000 / messages, 1);
  const total = Object.values(cpu).reduce((sum, seconds) => sum + seconds, 0);
  return [...Object.entries(cpu), ['all', total] as const]
    .map(([name, seconds]) => `${name} ${perMessage(seconds)}`).join(', ');
}

function columns(rows: string[][]): string {
  const widths = rows[0].map((_, index) => Math.max(...rows.map((row) => row[index].length)));
  return rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index])).join('  ')
    .trimEnd()).join('\n');
}
