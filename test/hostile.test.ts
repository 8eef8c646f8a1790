// Issue 9: a hostile caller. test/fuzz/adversary.ts calls every member of MMap with lying typed
// arrays, proxies, acting valueOf/getters, detached, resizable and shared buffers, with seven
// other maps open; here it runs in a child process, so a SIGSEGV or SIGBUS is a failure that
// names its case (the run then resumes after it). Every failing case is listed with the seed;
// `HOSTILE_CASES=N` runs more, `HOSTILE_SEED=S` another seed, `HOSTILE_ONLY=i` one case.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';

const backing = process.env.WASM_MMAP_BACKING === 'copy' || !MMap.nativeAvailable ? 'copy' : 'native';
const SEED = Number(process.env.HOSTILE_SEED ?? 20260917) + (backing === 'copy' ? 1 : 0);
const CASES = Number(process.env.HOSTILE_CASES ?? 1500);
const ONLY = process.env.HOSTILE_ONLY;
/** Cases per child: a child has two minutes, and 1,500 cases take about 20 s on a loaded machine. */
const BATCH = 1500;
/** Crashes after which the run gives up (each restart costs a second of start-up). */
const RESTARTS = Number(process.env.HOSTILE_RESTARTS ?? 25);
const adversary = new URL('./fuzz/adversary.ts', import.meta.url).pathname;

interface Report {
  seed: number;
  case: number;
  desc: string;
  failures: { kind: string; detail: string }[];
}

test(`${ONLY === undefined ? CASES : 1} hostile-argument cases on the ${backing} backing (seed ${SEED}): no crash, documented errors, no foreign bytes, other maps untouched`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-mmap-hostile-run-'));
  const outFile = path.join(dir, 'failures.jsonl');
  const progressFile = path.join(dir, 'progress');
  const [first, end] = ONLY === undefined ? [0, CASES] : [Number(ONLY), Number(ONLY) + 1];
  const reports: Report[] = [];
  let from = first;
  let restarts = 0;
  try {
    while (from < end) {
      fs.writeFileSync(progressFile, '');
      const to = Math.min(end, from + BATCH);
      const script = `import { run } from ${JSON.stringify(adversary)}; run(${SEED}, ${from}, ${to}, ${JSON.stringify(outFile)}, ${JSON.stringify(progressFile)});`;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8', env: process.env, maxBuffer: 1 << 26, timeout: 120_000,
      });
      const lines = fs.readFileSync(progressFile, 'utf8').trim().split('\n');
      const progress = lines.filter((l) => !l.startsWith('# '));
      const call = lines.at(-1)?.startsWith('# ') ? lines.at(-1)!.slice(2) : 'before the call';
      if (progress.at(-1) === 'done' && child.status === 0) {
        from = to;
        continue;
      }
      const last = Number(progress.at(-1));
      const at = Number.isInteger(last) && progress.at(-1) !== '' ? last : from;
      const how = (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' ? 'timed out' : child.signal ?? `exit ${child.status}`;
      reports.push({
        seed: SEED, case: at, desc: `the child died in case ${at} (${how}): ${call}`,
        failures: [{ kind: 'crash', detail: `${how}: ${child.stderr.trim().split('\n').slice(-4).join(' | ')}` }],
      });
      from = at + 1;
      if (++restarts > RESTARTS) {
        reports.push({ seed: SEED, case: from, desc: `cases ${from}..${end - 1} not run`, failures: [{ kind: 'not run (too many crashes)', detail: `${end - from} cases` }] });
        break;
      }
    }
    if (fs.existsSync(outFile)) {
      for (const line of fs.readFileSync(outFile, 'utf8').split('\n')) if (line !== '') reports.push(JSON.parse(line));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  reports.sort((a, b) => a.case - b.case);

  // Cases per kind of failure (a case counts once per kind), then the cases themselves.
  const byKind = new Map<string, number[]>();
  for (const r of reports) {
    for (const kind of new Set(r.failures.map((f) => f.kind))) byKind.set(kind, [...(byKind.get(kind) ?? []), r.case]);
  }
  const summary = [...byKind].sort((a, b) => b[1].length - a[1].length)
    .map(([kind, cases]) => `  ${kind}: ${cases.length} cases (e.g. ${cases.slice(0, 5).join(', ')})`);
  const lines = reports.slice(0, 40).map((r) => `seed ${r.seed} case ${r.case}: ${r.desc}\n${r.failures.slice(0, 4).map((f) => `    ${f.kind}: ${f.detail}`).join('\n')}`);
  if (process.env.HOSTILE_JSON) fs.writeFileSync(process.env.HOSTILE_JSON, JSON.stringify(reports));
  assert.ok(reports.length === 0, `${reports.length} of ${end - first} cases broke (rerun one: HOSTILE_ONLY=<case> node test/run.mjs hostile):\n${summary.join('\n')}\n${lines.join('\n')}`);
});

test.run();
