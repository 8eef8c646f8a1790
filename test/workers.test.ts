// Maps in worker threads: a fault is the EFAULT of the thread whose map it hit and of no other;
// the helper outlives the worker that loaded it first; a worker that exits gives back its fds
// and its slots in the helper's table of watched memories; close() in a worker prints nothing;
// an MMap cannot be posted to another thread. Runs only where the suite runs with
// WASM_MMAP_BACKING=native.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { MessageChannel, Worker } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../src/index.ts';
import { TempDir, text } from './helpers.ts';

const test = suite('worker threads');
const tmp = new TempDir();
test.after(() => tmp.cleanup());
const enabled = process.env.WASM_MMAP_BACKING === 'native';

const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
const lib = JSON.stringify(new URL('../src/index.ts', import.meta.url).href);
const helperPath = JSON.stringify(new URL('../build/mmap_helper.node', import.meta.url).pathname);

/**
 * Code for a worker (or a child's main thread) that runs `body` with the library's exports
 * in scope (`MMap`, `fs`, `post`: postMessage to the parent) and ends it.
 */
function workerCode(body: string): string {
  return `import(${tsx}).then(({ register }) => { register(); return import(${lib}); }).then(async ({ MMap }) => {
    const fs = require('node:fs');
    const { parentPort } = require('node:worker_threads');
    const post = (m) => parentPort.postMessage(m);
    ${body}
  });`;
}

/** Runs `body` in a worker; resolves with what it posted, its stderr, and its exit code. */
function inWorker(body: string): Promise<{ messages: unknown[]; stderr: string; code: number }> {
  const worker = new Worker(workerCode(body), { eval: true, stderr: true });
  const messages: unknown[] = [];
  let stderr = '';
  worker.on('message', (m) => messages.push(m));
  worker.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => resolve({ messages, stderr, code }));
  });
}

/** A map of a 3-page file of 'a's in this thread. */
function mapFile(): [MMap, string] {
  const path = tmp.file('a'.repeat(3 * 4096));
  const fd = fs.openSync(path, 'r+');
  const m = new MMap(fd, 0, { backing: 'native' });
  fs.closeSync(fd);
  return [m, path];
}

/** What a worker does with a 3-page file truncated to one page under its map. */
const truncatedInWorker = (path: string) => `
  const fd = fs.openSync(${JSON.stringify(path)}, 'r+');
  const m = new MMap(fd, 0, { backing: 'native' });
  fs.closeSync(fd);
  fs.truncateSync(${JSON.stringify(path)}, 4096);
  const outcome = (call) => { try { return String(call()); } catch (e) { return e.name + ' ' + e.message; } };
  post([outcome(() => m.getItem(5000)), outcome(() => m.write('x')), outcome(() => m.setItem(9000, 0x78)), m.tell()]);
  m.close();`;

test('in a worker, a touch of a truncated page is EFAULT; the main thread, which watched first, sees none of it', async () => {
  if (!enabled) return;
  const [mine, minePath] = mapFile(); // the main thread's memory is watched before the worker's
  const path = tmp.file('a'.repeat(3 * 4096));
  const { messages, code } = await inWorker(truncatedInWorker(path));
  assert.is(code, 0);
  // m.write('x') at 0 is inside the page the file still covers: it succeeds.
  assert.equal(messages, [['OSError [Errno 14] Bad address', '1', 'OSError [Errno 14] Bad address', 1]]);
  assert.is(fs.readFileSync(path, 'latin1'), 'x' + 'a'.repeat(4095), 'the failed setItem did not reach the file');
  // No spurious EFAULT here: this write succeeds and is in the file.
  mine.setItem(8000, 0x62);
  assert.is(mine.getItem(8000), 0x62);
  mine.close();
  assert.is(fs.readFileSync(minePath, 'latin1')[8000], 'b');
});

test('the worker that loaded the helper first may exit: faults in later workers are theirs, and a later SIGBUS is still a SIGBUS', () => {
  if (!enabled) return;
  // In a child whose main thread never loads the helper: the first worker loads it and exits.
  const first = tmp.file('a'.repeat(3 * 4096));
  const second = tmp.file('a'.repeat(3 * 4096));
  const script = `
    const { Worker } = require('node:worker_threads');
    const run = (body) => new Promise((resolve, reject) => {
      const w = new Worker(${JSON.stringify(workerCode('__BODY__'))}.replace('__BODY__', body), { eval: true });
      const got = [];
      w.on('message', (m) => got.push(m));
      w.on('error', reject);
      w.on('exit', () => resolve(got));
    });
    (async () => {
      const a = await run(${JSON.stringify(truncatedInWorker(first))});
      const b = await run(${JSON.stringify(truncatedInWorker(second))});
      console.log(JSON.stringify([a, b]));
      // The helper's handler is still installed, and nothing of the helper is unloaded: a SIGBUS
      // that is not a fault in a watched memory meets the default action.
      process.kill(process.pid, 'SIGBUS');
      setTimeout(() => console.log('still alive'), 1000);
    })();`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const outcome = ['OSError [Errno 14] Bad address', '1', 'OSError [Errno 14] Bad address', 1];
  assert.equal(JSON.parse(run.stdout.split('\n')[0]), [[outcome], [outcome]], run.stderr);
  assert.is(run.signal, 'SIGBUS', run.stderr);
});

test('slots of the table of watched memories come back when a worker exits', () => {
  if (!enabled) return;
  // In a child, so that this process's table stays as it is. Each worker watches (cheap,
  // page-sized) buffers until the table is full, then exits: each must find as many slots.
  const script = `
    const { Worker } = require('node:worker_threads');
    const fill = () => new Promise((resolve, reject) => {
      const w = new Worker(\`
        const helper = require(${helperPath});
        let n = 0;
        try { for (;;) { helper.watch(new ArrayBuffer(4096), 4096); n++; } }
        catch (e) { require('node:worker_threads').parentPort.postMessage([n, e.name + ': ' + e.message]); }\`, { eval: true });
      w.on('message', resolve);
      w.on('error', reject);
    });
    (async () => { console.log(JSON.stringify([await fill(), await fill(), await fill()])); })();`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  const [a, b, c] = JSON.parse(run.stdout);
  assert.equal(a, [16384, 'RangeError: too many watched memories']);
  assert.equal(b, a);
  assert.equal(c, a);
});

test('30 workers that exit with maps open leave no fd behind; close() in a worker prints no warning', async () => {
  if (!enabled) return;
  const fdCount = () => fs.readdirSync('/proc/self/fd').length;
  const path = tmp.file('abc'.repeat(5000));
  /** This process's fds open on the file. */
  const fdsOfFile = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
    try { return fs.readlinkSync(`/proc/self/fd/${fd}`) === path; } catch { return false; }
  }).length;
  const before = fdCount();
  const stderrs: string[] = [];
  for (let i = 0; i < 30; i += 3) {
    const runs = await Promise.all([0, 1, 2].map(() => inWorker(`
      const open = () => { const fd = fs.openSync(${JSON.stringify(path)}, 'r+'); const m = new MMap(fd, 0, { backing: 'native' }); fs.closeSync(fd); return m; };
      const closed = open();
      closed.write('worker');
      closed.close();
      globalThis.kept = [open(), open(), new MMap(-1, 100)];
      post(globalThis.kept.map((m) => m.backing));`)));
    for (const { messages, stderr, code } of runs) {
      assert.is(code, 0);
      assert.equal(messages, [['native', 'native', 'anonymous']]);
      stderrs.push(stderr);
    }
  }
  // The whole count may move by one or two with other tests' pipes closing late; a leak of
  // one fd per map would add 60.
  console.log(`      fds: ${before} before 30 workers, ${fdCount()} after`);
  assert.is(fdsOfFile(), 0, 'fds of the file after 30 workers exited with two maps of it open each');
  assert.ok(Math.abs(fdCount() - before) <= 2, 'fds before and after');
  assert.equal(stderrs, new Array(30).fill(''), 'no warning on close() in a worker');
  assert.is(fs.readFileSync(path, 'latin1').slice(0, 6), 'worker');
});

test('an MMap cannot be posted to another thread or cloned: DataCloneError, saying so', () => {
  const m = new MMap(-1, 10);
  const { port1, port2 } = new MessageChannel();
  const message = 'Symbol(wasm-mmap: an MMap cannot be posted to another thread or cloned; open the file there) could not be cloned.';
  for (const send of [() => port1.postMessage(m), () => structuredClone(m), () => port1.postMessage({ maps: [m] })]) {
    assert.throws(send, (e: Error) => e.name === 'DataCloneError' && e.message === message);
  }
  port1.close();
  port2.close();
  // The map is unchanged and still works.
  m.write('abc');
  assert.is(text(m.getSlice(0, 3)), 'abc');
  m.close();
});

test.run();
