// Fuzzes the core's raw ABI (docs/ABI.md): random numbers into every export of
// build/core.wasm, instantiated alone. No call may trap, no call may touch the bytes of a map
// it was not given (guard maps filled with a pattern are checked after every call), and bytes
// handed out (read, readline, slices) must lie in the target's region or the scratch area.
// `node --import tsx test/fuzz/abi.ts [--seconds N] [--seed S]` runs it for a while.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Rng } from './generator.ts';

/** The builds of the core: with SIMD, and the scalar reference. */
export const CORES = ['core.wasm', 'core-scalar.wasm'] as const;
const modules = new Map<string, WebAssembly.Module>();
function compiled(core: string): WebAssembly.Module {
  if (!modules.has(core)) modules.set(core, new WebAssembly.Module(fs.readFileSync(fileURLToPath(new URL(`../../build/${core}`, import.meta.url)))));
  return modules.get(core)!;
}

type Fn = (...args: number[]) => number;
type Exports = Record<string, Fn> & { memory: WebAssembly.Memory; out: WebAssembly.Global };

/** Parameter kinds: `h` handle, `n` a number (f64), `a` an address, `i` a small i32. */
const SIGNATURES: Record<string, string> = {
  map_new: 'nniiini', map_close: 'hi', map_data: 'h', map_length: 'h',
  map_access: 'h', map_writable: 'h', map_set_limit: 'hn', map_take_dirty: 'h', open_count: '',
  free_pages: '', scratch: 'n', read: 'hn', read_byte: 'h', readline: 'h', write: 'han',
  write_byte: 'hi', seek: 'hni', tell: 'h', find: 'hannni', get_item: 'hn', set_item: 'hnn',
  get_slice: 'hnnn', set_slice: 'hnnnan', move: 'hnnn', flush: 'hnn', madvise: 'hinn',
  resize_prepare: 'hn', resize_abort: 'h', resize_commit: 'hn', set_address_bias: 'i',
};
/** Calls whose non-negative result is a count of bytes at OUT[0]. */
const BYTES_OUT = new Set(['read', 'readline', 'get_slice']);
const GUARD_LENGTH = 8192;

/** One failed call: what was called, and why it failed. */
export interface AbiFailure {
  call: string;
  why: string;
  /** The calls before it on the same core (the last 30), to replay it. */
  before: string[];
}

export interface AbiReport {
  calls: number;
  failures: AbiFailure[];
}

interface Guard {
  handle: number;
  address: number;
  bytes: Uint8Array;
}

/** The fuzzer's state: one core instance, its guard maps and the target between them. */
export class AbiFuzz {
  readonly x: Exports;
  readonly guards: Guard[] = [];
  target = 0;
  readonly stale: number[] = [];
  readonly failures: AbiFailure[] = [];
  readonly history: string[] = [];
  /** Every call made, when a caller wants to replay them (see `replay`). */
  log: [string, number[]][] | null = null;

  constructor(readonly rng: Rng, core: string = CORES[0]) {
    this.x = new WebAssembly.Instance(compiled(core), {}).exports as unknown as Exports;
    this.guards.push(this.guard());
    this.openTarget();
    this.guards.push(this.guard());
  }

  get heap(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer); // fresh each time: memory may have grown
  }

  out(i: number): number {
    return new Float64Array(this.x.memory.buffer, this.x.out.value as number, 4)[i];
  }

  /** An anonymous map filled with a pattern; its bytes must never change. */
  guard(): Guard {
    const handle = this.x.map_new(GUARD_LENGTH, 0, 1, 3, 0, 0, 0);
    const address = this.x.map_data(handle);
    const capacity = this.out(0);
    const bytes = new Uint8Array(capacity);
    for (let i = 0; i < capacity; i++) bytes[i] = (i * 7 + handle) & 255;
    this.heap.set(bytes, address);
    return { handle, address, bytes };
  }

  openTarget(): void {
    const r = this.rng;
    const length = r.pick([1, 10, 100, 4095, 4096, 4097, 10000]);
    const access = r.pick([0, 0, 1, 2, 3]);
    // flags other than MAP_SHARED with an access are refused (docs/spec/mmap-semantics.md §2.2): MAP_PRIVATE only with DEFAULT.
    // Anonymous, or a regular file's map as a host maps it itself or copies it (FD_* bits: 55, and 64 external).
    this.target = this.x.map_new(length, 0, access === 0 ? r.pick([1, 2]) : 1, 3, access, 2 ** 40, r.pick([0, 0, 55, 119]));
    if (this.target < 0) throw new Error(`map_new refused the target: ${this.target}`);
    // Give the target some bytes, as a host would.
    const address = this.x.map_data(this.target);
    for (let i = 0; i < length; i++) this.heap[address + i] = 0x30 + (i % 10);
  }

  handle(): number {
    const r = this.rng;
    const g = r.pick(this.guards).handle;
    const h = r.pick([
      this.target, this.target, this.target, this.target,
      r.pick(this.stale.length > 0 ? this.stale : [0]),
      0, -1, 1, 0x7fffffff, -0x80000000, g ^ 0x10000, g + 0x10000, g - 0x10000, this.target ^ (1 << 16),
      r.int(-5, 70000), NaN, Infinity, 2 ** 32 + this.target, 1.5,
    ]);
    return this.guards.some((guard) => guard.handle === (h | 0)) ? this.target : h;
  }

  number(): number {
    const r = this.rng;
    const length = this.x.map_length(this.target);
    return r.pick([
      0, 1, 2, 3, 5, 10, -1, -2, -10, 0.5, -0.5, 1.5, -0, NaN, NaN, Infinity, -Infinity,
      2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 - 1, 2 ** 53, -(2 ** 53), 2 ** 63, -(2 ** 63), 2 ** 64, 1e308, -1e308,
      Number.MIN_VALUE, length, length - 1, length + 1, -length, 4096, 4097, r.int(-20, 20), r.int(0, 1 << 20),
    ]);
  }

  address(): number {
    const r = this.rng;
    const end = this.x.memory.buffer.byteLength;
    const data = this.x.map_data(this.target);
    const g = r.pick(this.guards).address;
    return r.pick([
      0, 8, end - 1, end, end + 1, end - 16, 2 ** 32 - 1, -1, -4096, 2 ** 31, NaN, 1.5, Infinity,
      data, data + 1, data - 1, g, g + GUARD_LENGTH - 1, g - 1, this.x.scratch(16), r.int(0, end),
    ]);
  }

  small(): number {
    return this.rng.pick([0, 1, 2, 3, 4, 5, 8, 9, 12, 32, 100, -1, 1.5, NaN, 2 ** 31, 12345678, 0x7fffffff]);
  }

  args(signature: string): number[] {
    return [...signature].map((k) => (k === 'h' ? this.handle() : k === 'n' ? this.number() : k === 'a' ? this.address() : this.small()));
  }

  /** Sizes asked of map_new and scratch: mostly modest, so memory does not grow for nothing. */
  modest(args: number[], at: number): void {
    if (Math.abs(args[at]) > 2 ** 22 && this.rng.chance(0.9)) args[at] = this.rng.int(0, 1 << 16);
  }

  fail(call: string, why: string): void {
    if (this.failures.length < 50) this.failures.push({ call, why, before: this.history.slice(0, -1) });
  }

  /** One random call. */
  step(): void {
    const r = this.rng;
    const name = r.pick(Object.keys(SIGNATURES));
    const args = this.args(SIGNATURES[name]);
    if (name === 'map_new' || name === 'scratch') this.modest(args, 0);
    if (name === 'resize_prepare' || name === 'resize_commit') this.modest(args, 1);
    this.call(name, args);
  }

  call(name: string, args: number[]): void {
    const call = `${name}(${args.join(', ')})`;
    this.history.push(call);
    this.log?.push([name, args]);
    if (this.history.length > 30) this.history.shift();
    const before = this.x.map_data(this.target);
    const capacity = this.out(0);
    let result: number;
    try {
      result = this.x[name](...args);
    } catch (e) {
      this.fail(call, `threw ${(e as Error).name}: ${(e as Error).message}`);
      return;
    }
    const at = this.out(0); // before the checks' own calls overwrite OUT
    this.checkGuards(call);
    if (BYTES_OUT.has(name) && result >= 0) this.checkBytesOut(call, name, args, result, at, before, capacity);
    if (name === 'map_new' && result > 0) {
      if (this.x.open_count() > 40) this.x.map_close(result, 0);
    }
    if (name === 'map_close' && result === 0 && (args[0] | 0) === (this.target | 0)) {
      this.stale.push(this.target);
      this.openTarget();
    }
  }

  checkGuards(call: string): void {
    const heap = this.heap;
    for (const g of this.guards) {
      const now = heap.subarray(g.address, g.address + g.bytes.length);
      if (!Buffer.from(now.buffer, now.byteOffset, now.length).equals(g.bytes)) {
        const at = now.findIndex((b, i) => b !== g.bytes[i]);
        this.fail(call, `guard map ${g.handle} changed at byte ${at}`);
        now.set(g.bytes); // restore, to keep checking the next calls
      }
      if (this.x.map_data(g.handle) !== g.address || this.x.map_length(g.handle) !== GUARD_LENGTH) {
        this.fail(call, `guard map ${g.handle} moved or changed length`);
      }
    }
  }

  /** Bytes handed out must be the target's (a step of 1) or gathered in the scratch area. */
  checkBytesOut(call: string, name: string, args: number[], count: number, at: number, data: number, capacity: number): void {
    const end = at + count;
    if (end > this.x.memory.buffer.byteLength) return this.fail(call, `bytes out [${at}, ${end}) past the memory`);
    for (const g of this.guards) {
      if (at < g.address + g.bytes.length && g.address < end && count > 0) {
        return this.fail(call, `bytes out [${at}, ${end}) overlap guard map ${g.handle}`);
      }
    }
    const gathered = name === 'get_slice' && args[3] !== 1 && !Number.isNaN(args[3]);
    if ((args[0] | 0) === (this.target | 0) && !gathered && count > 0 && (at < data || end > data + capacity)) {
      this.fail(call, `bytes out [${at}, ${end}) outside the target's region [${data}, ${data + capacity})`);
    }
  }
}

/**
 * Makes `calls` random calls into a fresh core and reports every failure.
 * @param seed the seed
 * @param calls how many calls
 * @param core which build of the core (CORES)
 * @returns the count of calls made and the failures (at most 50)
 * @example fuzzAbi(1, 10_000).failures // []
 */
export function fuzzAbi(seed: number, calls: number, core: string = CORES[0]): AbiReport {
  const fuzz = new AbiFuzz(new Rng(seed), core);
  let made = 0;
  for (; made < calls && fuzz.failures.length < 50; made++) {
    // A fresh target now and then, so that calls meet new maps, closed ones and resized ones.
    if (made % 500 === 499) {
      fuzz.call('map_close', [fuzz.target, 0]);
    }
    fuzz.step();
  }
  return { calls: made, failures: fuzz.failures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, seed: { type: 'string' } } });
  const deadline = Date.now() + Number(values.seconds) * 1000;
  let seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  let calls = 0;
  let failures = 0;
  while (Date.now() < deadline) {
    const report = fuzzAbi(seed, 20_000, CORES[seed % CORES.length]);
    calls += report.calls;
    failures += report.failures.length;
    for (const f of report.failures.slice(0, 3)) console.log(`seed ${seed} (${CORES[seed % CORES.length]}): ${f.call}: ${f.why}\n  after ${f.before.join('\n        ')}`);
    seed++;
  }
  console.log(`${calls} calls, ${failures} failures`);
}
