// Timing: warm-up runs first (V8 tiers wasm and JS up between calls, so a cold first call would
// measure the baseline compiler), then N timed runs, of which the best counts.

/** How one operation is timed: `warmup` untimed runs, then `reps` timed ones. */
export interface Plan {
  warmup: number;
  reps: number;
}

/** Seconds of each timed run, and how much work (bytes, lines, calls) one run does. */
export interface Timing {
  seconds: number[];
  work: number;
}

/** The fastest run's seconds: on a shared machine other work only ever adds time, so the best run is the most repeatable figure. */
export function best(t: Timing): number {
  return Math.min(...t.seconds);
}

/** Work per second in the best run. */
export function rate(t: Timing): number {
  return t.work / best(t);
}

/** Seconds per unit of work (e.g. one open+close) in the best run. */
export function perUnit(t: Timing): number {
  return best(t) / t.work;
}

/** The runs of the same measurement made in several rounds (processes), as one. */
export function merge(a: Timing | undefined, b: Timing): Timing {
  if (a === undefined) return b;
  if (a.work !== b.work) throw new Error('merging timings of different work');
  return { seconds: [...a.seconds, ...b.seconds], work: a.work };
}

/** What a run's result must be, and what to do with it untimed (e.g. close a map that was opened). */
export interface Check<T> {
  expect?: T;
  after?: (value: T) => void;
}

/**
 * Times `run` (one run does `work` units) by `plan`. A run's result must equal `check.expect`
 * when given, so no implementation is timed while giving a wrong answer (and the engine
 * cannot drop the work as unused); `check.after` gets each result outside the timed span.
 */
export function time<T>(plan: Plan, work: number, run: () => T, check: Check<T> = {}): Timing {
  const finish = (value: T) => {
    if (check.expect !== undefined && value !== check.expect) {
      throw new Error(`benchmark run returned ${String(value)}, expected ${String(check.expect)}`);
    }
    check.after?.(value);
  };
  for (let i = 0; i < plan.warmup; i++) finish(run());
  const seconds: number[] = [];
  for (let i = 0; i < plan.reps; i++) {
    const start = process.hrtime.bigint();
    const value = run();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    finish(value);
  }
  return { seconds, work };
}

/** {@link time} for a run that is asynchronous (node:readline). */
export async function timeAsync<T>(plan: Plan, work: number, run: () => Promise<T>, check: Check<T> = {}): Promise<Timing> {
  const finish = (value: T) => {
    if (check.expect !== undefined && value !== check.expect) {
      throw new Error(`benchmark run returned ${String(value)}, expected ${String(check.expect)}`);
    }
  };
  for (let i = 0; i < plan.warmup; i++) finish(await run());
  const seconds: number[] = [];
  for (let i = 0; i < plan.reps; i++) {
    const start = process.hrtime.bigint();
    const value = await run();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    finish(value);
  }
  return { seconds, work };
}
