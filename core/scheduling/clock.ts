import type { Clock } from '../services.ts';

/** A clock that can be stopped and moved, for tests and for trying out schedules. */
export interface ControlledClock extends Clock {
  /** Stops the clock at `moment`. */
  set(moment: Date | string): void;
  /** Moves a stopped clock on by `ms`. */
  advance(ms: number): void;
  /** Lets the clock follow real time again. */
  release(): void;
}

/**
 * Follows real time until it is set, then stays where it is put. The job queue keeps the
 * database's own time, so a job planned for a stopped clock's future waits for real time to
 * reach it: set the clock ahead of real time to watch plans without sends, and release it to
 * watch sends.
 */
export function controlledClock(): ControlledClock {
  let stopped: number | undefined;

  const clock = (() => new Date(stopped ?? Date.now())) as ControlledClock;
  clock.set = (moment) => {
    stopped = new Date(moment).getTime();
  };
  clock.advance = (ms) => {
    stopped = (stopped ?? Date.now()) + ms;
  };
  clock.release = () => {
    stopped = undefined;
  };
  return clock;
}
