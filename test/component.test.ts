// The component (build/mmap.component.wasm) against CPython: the corpus (test/corpus/) and a
// seeded batch of the fuzzer's cases (test/fuzz/generator.ts), in Node (jco transpile +
// preview2-shim) and in Wasmtime (wasmtime-py's component API), judged by the fuzzer's runner
// (its normalisation table, copy backing rows). The component is a copy backing, so corpus
// cases of the native backing run when they have no other writer and one file map.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { runCPython, type Case, type NewOp, type Result } from './oracle/cpython.ts';
import { check, type Verdict } from './fuzz/runner.ts';
import { caseSeed, generate, Rng } from './fuzz/generator.ts';
import type { CorpusEntry } from './fuzz/shrink.ts';
import { inexpressible, planOf, type Plan } from './guests/plan.ts';
import { guestRun, guestTest, noWasmtime, PYTHON, wasmtimeTest } from './guests/setup.ts';
import { test } from 'uvu';

const SEED = 20260512;
const FUZZ_CASES = 150;
const DIR = fileURLToPath(new URL('./corpus/', import.meta.url));
const DRIVER = fileURLToPath(new URL('./guests/component_wasmtime.py', import.meta.url));

/** The corpus as copy-backing cases: a native one only without other writers and with one file map. */
function corpusCases(): Case[] {
  const entries = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as CorpusEntry);
  return entries.flatMap((e) => {
    const ops = e.case.ops;
    const fileMaps = ops.filter((op) => op.op === 'new' && typeof (op as NewOp).fileno === 'object').length;
    if (e.backing === 'native' && (fileMaps > 1 || ops.some((op) => op.op === 'fileWrite' || op.op === 'fileTruncate'))) return [];
    return [{ ...e.case, ops: ops.map((op) => (op.op === 'new' && 'backing' in op ? { ...op, backing: 'copy' } : op)) }];
  });
}

const fuzzCases = Array.from({ length: FUZZ_CASES }, (_, i) => generate(new Rng(caseSeed(SEED, i)), 'copy'));
const batches = { corpus: corpusCases(), fuzz: fuzzCases };

/**
 * The cases the WIT can express, and how many ops and cases were dropped: an op it cannot
 * express is dropped when CPython refuses it (an error changes nothing, so the rest of the case
 * means the same); a case where CPython accepts one is left out.
 */
async function expressible(all: Case[]): Promise<[Case[], Plan[], string]> {
  const py = await runCPython(all);
  let droppedOps = 0;
  const cases = all.flatMap((c, i) => {
    const why = inexpressible(c);
    // An op on an empty slot (`nomap`) is no call at all: as droppable as a refused one.
    const accepted = (j: number) => py[i].results[j] !== undefined && !('err' in py[i].results[j]) && !('nomap' in py[i].results[j]);
    if ([...why.keys()].some(accepted)) return [];
    droppedOps += why.size;
    return [{ ...c, ops: c.ops.filter((_, j) => !why.has(j)) }];
  });
  const ops = cases.reduce((n, c) => n + c.ops.length, 0);
  return [cases, cases.map(planOf), `${cases.length} of ${all.length} cases, ${ops} ops (${droppedOps} ops the WIT cannot express and CPython refuses or has no map for, dropped)`];
}

function runWasmtime(plans: Plan[]): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`component_wasmtime.py exited with ${code}: ${Buffer.concat(err)}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as Result[]);
    });
    child.stdin.end(JSON.stringify(plans));
  });
}

const describe = (v: Verdict[], cases: Case[]) => v.flatMap((x, i) => (x.divergence === null ? [] : [
  `${JSON.stringify(cases[i]).slice(0, 600)}\n  diverges: ${JSON.stringify(x.divergence).slice(0, 600)}`])).slice(0, 3).join("\n");

for (const [batch, all] of Object.entries(batches)) {
  let cases: Case[] = [];
  let plans: Plan[] = [];
  let label = '';
  test.before(async () => {
    if (guestRun) [cases, plans, label] = await expressible(all);
  });
  guestTest(`component in Node (jco + preview2-shim) = CPython: ${batch}`, async () => {
    console.log(`# ${batch} in Node: ${label}`);
    const { runPlan } = await import('./guests/component-node.ts');
    const verdicts = await check(cases, async () => plans.map(runPlan));
    const bad = verdicts.filter((v) => v.divergence !== null).length;
    assert.is(bad, 0, `${bad} of ${cases.length} diverge:\n${describe(verdicts, cases)}`);
  });
  wasmtimeTest(`component in Wasmtime (wasmtime-py) = CPython: ${batch}`, async () => {
    console.log(`# ${batch} in Wasmtime: ${label}`);
    const verdicts = await check(cases, () => runWasmtime(plans));
    const bad = verdicts.filter((v) => v.divergence !== null).length;
    assert.is(bad, 0, `${bad} of ${cases.length} diverge:\n${describe(verdicts, cases)}`);
  });
}

if (guestRun && noWasmtime !== undefined) console.log(`# component in Wasmtime skipped: ${noWasmtime}`);
test.run();
