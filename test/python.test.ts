// The Python host (python/wasm_mmap) against CPython, from `npm test`: this file makes the
// Python environment itself (a venv in build/pyenv with pinned packages, wasm_mmap installed
// from python/ with the core and host/pages.c just built), then runs CPython's own
// test_mmap.py with wasm_mmap in mmap's place, the corpus and a seeded batch of the fuzzer's
// cases through the Python host (compared by test/fuzz/runner.ts's normalisation table), the
// host's own tests (fork, threads, 50,000 maps, truncation, buffer protocol, the error table)
// and a short Hypothesis stateful run. WASM_MMAP_BACKING (set by test/run.mjs) picks the
// backing for file maps, so the two runs of the suite cover both.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Case, Result } from './oracle/cpython.ts';
import { check } from './fuzz/runner.ts';
import { caseSeed, generate, Rng, type Backing } from './fuzz/generator.ts';

const test = suite('python host (wasm_mmap)');
const root = fileURLToPath(new URL('..', import.meta.url));
const venv = path.join(root, 'build/pyenv');
const python = path.join(venv, 'bin/python');
const here = path.join(root, 'test/python');
const backing = (process.env.WASM_MMAP_BACKING === 'copy' ? 'copy' : 'native') as Backing;
// Pinned, as python/pyproject.toml pins wasmtime; setuptools builds the extension.
const PACKAGES = ['wasmtime==50.0.1', 'setuptools==80.9.0', 'hypothesis==6.155.2'];
const env = { ...process.env, WASM_MMAP_BACKING: backing, PYTHONDONTWRITEBYTECODE: '1' };

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 1 << 28, ...options });
  if (r.error) throw r.error;
  return r;
}

function must(command: string, args: string[], cwd?: string) {
  const r = run(command, args, { cwd });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** What the installed package was built from: reinstall when it changes. */
function sourceStamp(): string {
  const hash = createHash('sha256').update(PACKAGES.join(' '));
  const files = ['build/core.wasm', 'host/pages.c', 'host/pages.h', 'python/setup.py', 'python/pyproject.toml',
    ...fs.readdirSync(path.join(root, 'python/wasm_mmap')).filter((f) => /^_.*\.(py|c)$|^__init__\.py$/.test(f))
      .map((f) => `python/wasm_mmap/${f}`)];
  for (const f of files.sort()) hash.update(f).update(fs.readFileSync(path.join(root, f)));
  return hash.digest('hex');
}

test.before(() => {
  const stampFile = path.join(venv, 'wasm-mmap.stamp');
  const stamp = sourceStamp();
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return;
  if (!fs.existsSync(python)) must('python3', ['-m', 'venv', venv]);
  must(python, ['-m', 'pip', 'install', '-q', ...PACKAGES]);
  must(python, ['-m', 'pip', 'install', '-q', '--no-build-isolation', '--no-deps', '--force-reinstall', path.join(root, 'python')]);
  fs.writeFileSync(stampFile, stamp);
});

interface TestMmapRun { run: number; failures: string[]; errors: string[]; skipped: string[] }

function testMmap(...args: string[]): TestMmapRun {
  const r = run(python, [path.join(here, 'run_test_mmap.py'), ...args]);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as TestMmapRun;
  } catch {
    throw new Error(`run_test_mmap.py gave no report (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
  }
}

test(`CPython's test_mmap.py, unchanged, with wasm_mmap as mmap (${backing}): no failures, no more skips than CPython's own run`, () => {
  const ours = testMmap();
  const cpython = testMmap('--cpython');
  assert.equal(cpython.failures, []);
  assert.equal(cpython.errors, []);
  assert.is(ours.run, cpython.run);
  assert.equal(ours.failures, []);
  // The one deliberate difference: test_around_4GB maps a file of 4 GiB + 6 bytes whole, more
  // than one wasm32 memory holds; wasm_mmap says OSError ENOMEM (README, the Python host).
  assert.equal(ours.errors, ['test_around_4GB (test.test_mmap.LargeMmapTests.test_around_4GB)']);
  assert.equal(ours.skipped, cpython.skipped);
});

/** The Python host's answers to a batch of cases, from oracle.py run on wasm_mmap. */
function runPython(cases: Case[]): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(here, 'oracle_wasm.py')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`oracle_wasm.py exited with ${code}: ${Buffer.concat(err)}`));
      else resolve(JSON.parse(Buffer.concat(out).toString()) as Result[]);
    });
    child.stdin.end(JSON.stringify(cases));
  });
}

test('the corpus through the Python host gives CPython\'s answers', async () => {
  const dir = path.join(root, 'test/corpus');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const entries = files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { case: Case; backing: string });
  // Each case on the backing it was found on; the runner allows for the copy backing's differences.
  const cases = entries.map((e) => e.case);
  const verdicts = await check(cases, runPython);
  const diverging = verdicts.flatMap((v, i) => (v.divergence === null ? [] : [`${files[i]}: ${JSON.stringify(v.divergence)}`]));
  assert.equal(diverging, []);
  assert.ok(cases.length >= 30);
});

test(`a seeded batch of the fuzzer's cases (${backing}) through the Python host gives CPython's answers`, async () => {
  const seed = 11;
  const cases = Array.from({ length: 150 }, (_, i) => generate(new Rng(caseSeed(seed, i)), backing));
  const verdicts = await check(cases, runPython);
  const diverging = verdicts.flatMap((v, i) => (v.divergence === null ? [] : [`case ${i}: ${JSON.stringify(v.divergence)}`]));
  assert.equal(diverging, []);
});

for (const [file, what] of [
  ['test_host.py', 'the host: fork, threads, 50,000 maps, truncation, buffer protocol, error table'],
  ['test_stateful.py', 'Hypothesis: wasm_mmap and mmap side by side (RuleBasedStateMachine)'],
]) {
  test(what, () => {
    const r = run(python, ['-W', 'error::ResourceWarning', path.join(here, file)], { cwd: here });
    assert.is(r.status, 0, `${file}:\n${r.stdout}\n${r.stderr.slice(-4000)}`);
    assert.match(r.stderr, /\nOK/);
  });
}

test.run();
