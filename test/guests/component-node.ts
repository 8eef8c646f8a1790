// Runs plans (plan.ts) on build/mmap.component.wasm in Node: jco transpile's output over
// @bytecodealliance/preview2-shim, one instance for the process, with one preopened directory
// (/data) that holds each case's file. Answers in the oracle's shape (test/oracle/FORMAT.md).
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';
import type { OpResult, Result, Value } from '../oracle/cpython.ts';
import { className, type Options, type Plan, type WitArg } from './plan.ts';

// The shim preopens the host's "/" unless told otherwise; the adapter reads the preopens once,
// at the component's first filesystem call, so they are set before the module loads.
const DIR = fs.mkdtempSync(join(tmpdir(), 'wasm-mmap-component-'));
_setPreopens({ '/data': DIR });
const { mmap } = await import(new URL('../../build/component-js/mmap.js', import.meta.url).href);

type Obj = Record<string, (...a: unknown[]) => unknown> & { [Symbol.dispose]?: () => void };
const MmapObject = mmap.MmapObject as {
  open(path: string, length: bigint, options: object): Obj;
  anonymous(length: bigint, options: object): Obj;
};

const big = (n: number | null) => (n === null ? undefined : BigInt(n));
const options = (o: Options) => ({ flags: o.flags ?? undefined, prot: o.prot ?? undefined, access: o.access ?? undefined, offset: big(o.offset) });

function lower(a: WitArg, method: string, i: number): unknown {
  if (a === null) return undefined;
  if (typeof a === 'object') return new Uint8Array(Buffer.from(a.hex, 'hex'));
  // write-byte's u8 and madvise's s32 are numbers in JS; every other integer is an s64: a bigint.
  return (method === 'write-byte' || (method === 'madvise' && i === 0) || (method === 'seek' && i === 1)) ? a : BigInt(a);
}

function value(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
  return v as Value;
}

/** A WIT error (jco throws it with the record as `payload`) as [class, message]; anything else is a bug. */
function failure(e: unknown): [string, string] {
  const p = (e as { payload?: { kind: string; message: string } }).payload;
  if (p === undefined) throw e;
  return [className(p.kind), p.message];
}

const camel = (kebab: string) => kebab.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

let next = 0;

/** Runs one plan. */
export function runPlan(plan: Plan): Result {
  const name = `case-${next++}`;
  const path = join(DIR, name);
  if (plan.file !== null) fs.writeFileSync(path, Buffer.from(plan.file, 'hex'));
  const maps = new Map<number, Obj>();
  const replaced: Obj[] = [];
  const pos = (slot: number) => {
    const m = maps.get(slot);
    return m === undefined || m.closed() ? null : Number(m.tell());
  };
  const results: OpResult[] = [];
  for (const s of plan.steps) {
    if (s.kind === 'fileWrite') {
      const fd = fs.openSync(path, 'r+');
      fs.writeSync(fd, Buffer.from(s.hex, 'hex'), 0, s.hex.length / 2, s.offset);
      fs.closeSync(fd);
      results.push({ ok: null });
    } else if (s.kind === 'fileTruncate') {
      fs.truncateSync(path, s.length);
      results.push({ ok: null });
    } else if (s.kind === 'fileRead') {
      results.push({ ok: { hex: fs.readFileSync(path).toString('hex') } });
    } else if (s.kind === 'call') {
      const m = maps.get(s.slot);
      if (m === undefined) { results.push({ nomap: true, pos: null }); continue; }
      let r: OpResult;
      try {
        r = { ok: value(m[camel(s.method)](...s.args.map((a, i) => lower(a, s.method, i)))) };
      } catch (e) {
        r = { err: failure(e) };
      }
      results.push({ ...r, pos: pos(s.slot) });
    } else {
      let r: OpResult;
      try {
        const m = s.kind === 'open'
          ? MmapObject.open(`/data/${name}`, BigInt(s.length), options(s.options))
          : MmapObject.anonymous(BigInt(s.length), options(s.options));
        const old = maps.get(s.slot);
        if (old !== undefined) replaced.push(old);
        maps.set(s.slot, m);
        r = { ok: m.toString() as string };
      } catch (e) {
        r = { err: failure(e) };
      }
      results.push({ ...r, pos: pos(s.slot) });
    }
  }
  // As interpret.ts: every map closes (a shared map writes back), then the file is read.
  for (const m of [...replaced, ...maps.values()]) {
    try { m.close(); } catch { /* the answer is the file as it is */ }
    m[Symbol.dispose]?.();
  }
  const file = plan.file === null ? null : { hex: fs.readFileSync(path).toString('hex') };
  fs.rmSync(path, { force: true });
  return { results, file };
}
