// A truncation storm: another process truncates and regrows a file in a loop (ftruncate(c),
// ftruncate(S), pwrite) while this one reads and writes a native map of it, on the main thread
// or in a worker. Counts what a caller could see go wrong:
//   stale: bytes the map shows that differ from the file while the file is whole and nobody
//          else writes (a zero page the fault handler left where the file is again);
//   lost:  bytes of a write that returned without error and are not in the file, again while
//          the file stayed whole (a write into such a zero page);
// then, after the storm with the file whole, the same two counts over the whole map (a getSlice
// of it, and a setSlice of it plus flush()). All four must be 0.
// Used by test/storm.test.ts (bounded), and run by hand for longer:
//   node --import tsx test/storm.ts --seconds 60 [--where main|worker]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

type Counts = Omit<StormResult, 'where' | 'seconds' | 'cycles'>;

export interface StormResult {
  where: 'main' | 'worker';
  seconds: number;
  cycles: number;
  reads: number;
  writes: number;
  efaults: number;
  stale: number;
  lost: number;
  staleAfter: number;
  lostAfter: number;
}

interface Job { file: string; counter: string; size: number; seconds: number }

const PAGE = 4096;

// The truncating side. gen (8 bytes of the counter file) is odd while a cycle runs: a window in
// which it stayed even and unchanged saw no truncation, so the file was whole throughout.
const TRUNCATOR = `
import mmap, os, random, struct, sys, time
path, counter, size, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
pattern = bytes((i * 7 + 3) & 255 for i in range(size))
fd = os.open(path, os.O_RDWR)
cfd = os.open(counter, os.O_RDWR)
gen = mmap.mmap(cfd, 8)
g, cycles, end = 0, 0, time.monotonic() + seconds
while time.monotonic() < end:
    g += 1; struct.pack_into('<Q', gen, 0, g)
    os.ftruncate(fd, random.randrange(0, size, 512))
    if random.random() < 0.5: time.sleep(random.random() * 0.001)  # so that touches meet the short file
    os.ftruncate(fd, size)
    os.pwrite(fd, pattern, 0)
    g += 1; struct.pack_into('<Q', gen, 0, g)
    cycles += 1
    time.sleep(random.random() * 0.002)
print(cycles)
`;

/**
 * The map's side: opens the map, calls `ready` (which starts the truncating side), reads and
 * writes random pages for the storm's seconds, waits for `whole`, then checks the whole map.
 */
async function hammer(job: Job, ready: () => void, whole: () => Promise<void>): Promise<Counts> {
  const { MMap } = await import('../src/index.ts');
  const fd = fs.openSync(job.file, 'r+');
  const cfd = fs.openSync(job.counter, 'r');
  const m = new MMap(fd, job.size, { backing: 'native' });
  ready();
  const deadline = Date.now() + job.seconds * 1000;
  const gen = new BigUint64Array(1);
  const readGen = () => (fs.readSync(cfd, gen, 0, 8, 0), gen[0]);
  const fileBytes = (from: number, to: number) => {
    const out = new Uint8Array(to - from);
    fs.readSync(fd, out, 0, to - from, from);
    return out;
  };
  const differ = (a: Uint8Array, b: Uint8Array) => {
    let n = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
    return n;
  };
  let reads = 0;
  let writes = 0;
  let efaults = 0;
  let stale = 0;
  let lost = 0;
  let stamp = 0;
  const pages = job.size / PAGE;
  while (Date.now() < deadline) {
    // Up to 4 pages from a random page: one call may meet several truncated pages.
    const from = Math.floor(Math.random() * pages) * PAGE;
    const to = Math.min(job.size, from + (1 + Math.floor(Math.random() * 4)) * PAGE);
    const g1 = readGen();
    try {
      if (Math.random() < 0.5) {
        const got = m.getSlice(from, to);
        const inFile = fileBytes(from, to);
        reads++;
        if (readGen() === g1 && g1 % 2n === 0n) stale += differ(got, inFile);
      } else {
        const data = new Uint8Array(to - from).fill(++stamp % 255 + 1);
        m.setSlice(from, to, data);
        writes++;
        const inFile = fileBytes(from, to);
        if (readGen() === g1 && g1 % 2n === 0n) lost += differ(data, inFile);
      }
    } catch (error) {
      if ((error as { errno?: number }).errno !== 14) throw error;
      efaults++;
    }
  }
  await whole();
  // The file is whole and nobody else writes: the map must show it, and take a write of all of it.
  const staleAfter = differ(m.getSlice(0, job.size), fileBytes(0, job.size));
  const data = new Uint8Array(job.size);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13 + 5) & 255;
  m.setSlice(0, job.size, data);
  m.flush();
  const lostAfter = differ(data, fileBytes(0, job.size));
  m.close();
  fs.closeSync(fd);
  fs.closeSync(cfd);
  return { reads, writes, efaults, stale, lost, staleAfter, lostAfter };
}

/** Runs one storm of `seconds` over a file of `size` bytes, with the map on the main thread or in a worker. */
export async function storm(seconds: number, where: 'main' | 'worker', size = 256 << 10): Promise<StormResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-mmap-storm-'));
  try {
    const file = path.join(dir, 'data');
    const counter = path.join(dir, 'gen');
    const pattern = new Uint8Array(size);
    for (let i = 0; i < size; i++) pattern[i] = (i * 7 + 3) & 255;
    fs.writeFileSync(file, pattern);
    fs.writeFileSync(counter, new Uint8Array(PAGE));
    let exited: Promise<number> | undefined;
    /** Starts the truncating side, once the map is open (a map of a short file is refused). */
    const start = () => {
      const child = spawn('python3', ['-c', TRUNCATOR, file, counter, String(size), String(seconds)],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      exited = new Promise<number>((resolve, reject) => child.on('exit', (code) => {
        if (code === 0) resolve(Number(out.trim()));
        else reject(new Error(`the truncating python3 exited with ${code}`));
      }));
    };
    const job: Job = { file, counter, size, seconds };
    let counts: Counts;
    if (where === 'main') {
      counts = await hammer(job, start, async () => { await exited; });
    } else {
      const worker = new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
        .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`,
      { eval: true, workerData: job });
      counts = await new Promise((resolve, reject) => {
        worker.on('message', (message) => {
          if (message === 'ready') start();
          else if (message === 'deadline') exited!.then(() => worker.postMessage('whole'), reject);
          else resolve(message);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`the storm worker exited with ${code}`)));
      });
      await worker.terminate();
    }
    return { where, seconds, cycles: await exited!, ...counts };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread && workerData?.seconds !== undefined) {
  // In the storm's worker: the main thread starts the truncating side when the map is open, and
  // says when the file is whole again after the storm.
  const whole = () => new Promise<void>((resolve) => {
    parentPort!.once('message', () => resolve());
    parentPort!.postMessage('deadline');
  });
  parentPort!.postMessage(await hammer(workerData as Job, () => parentPort!.postMessage('ready'), whole));
} else if (isMainThread && process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const arg = (name: string, fallback: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at < 0 ? fallback : process.argv[at + 1];
  };
  const seconds = Number(arg('seconds', '60'));
  const wheres = arg('where', 'main,worker').split(',') as Array<'main' | 'worker'>;
  // The main thread holds a native map of its own throughout, as an application would.
  const { MMap } = await import('../src/index.ts');
  const mine = new MMap(-1, PAGE);
  let failed = false;
  for (const where of wheres) {
    const result = await storm(seconds, where);
    console.log(JSON.stringify(result));
    failed ||= result.stale + result.lost + result.staleAfter + result.lostAfter > 0;
  }
  mine.close();
  process.exit(failed ? 1 : 0);
}
