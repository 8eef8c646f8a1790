// The hostile caller (issue 9): seeded cases that call one member of MMap with arguments built
// to mislead it (typed arrays whose length/byteLength/byteOffset/buffer getters lie or act,
// proxies, valueOf/toPrimitive/getters that close or resize the map or open other maps and so
// grow the memory, detached, resizable and shared buffers, views over earlier results), while
// seven other maps are open. Each map's bytes come from its own alphabet, so a byte that
// crossed from one map to another names where it came from.
//
// Checked after every case: only documented error classes, with CPython's message where there
// is one; the target's answer and bytes as a model computes them from the argument's genuine
// contents (its internal slots, not its getters), or a documented error that changed nothing;
// no foreign byte in a result or in the ArrayBuffer behind it; every other map and its file
// unchanged. test/hostile.test.ts runs this in a child process, so a crash is a failure too.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as url from 'node:url';
import {
  ACCESS_COPY, ACCESS_DEFAULT, ACCESS_READ, ACCESS_WRITE, IndexError, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL,
  MADV_WILLNEED, MAP_PRIVATE, MAP_SHARED, MMap, OSError, OverflowError, PROT_READ, PROT_WRITE, ValueError,
} from '../../src/index.ts';
import { caseSeed, Rng } from './generator.ts';

/** A failure of one case: its kind (the report groups by it) and what was seen. */
export interface Failure {
  kind: string;
  detail: string;
}

/** The error a hostile hook throws when told to: it may escape only where user code may run. */
class HostileError extends Error {
  override name = 'HostileError';
}

// ---- alphabets -------------------------------------------------------------------------------
// The target's bytes: 0x0A, 0x80-0xBF, 0xF0-0xFF (UTF-8 of U+10000-U+3FFFF stays inside), and
// 0 (fresh pages). The other 174 values: 24 for each of the seven bystanders, the last six
// ("marker") for padding around arguments and for the maps that hooks open.
const TARGET_SET = new Uint8Array(256);
TARGET_SET[0] = 1;
TARGET_SET[0x0a] = 1;
for (let b = 0x80; b <= 0xbf; b++) TARGET_SET[b] = 1;
for (let b = 0xf0; b <= 0xff; b++) TARGET_SET[b] = 1;
const TARGET_ALPHABET = [...TARGET_SET.keys()].filter((b) => TARGET_SET[b] === 1 && b !== 0 && b !== 0x0a);
const OTHER = [...TARGET_SET.keys()].filter((b) => TARGET_SET[b] === 0);
const BYSTANDERS = 7;
const ALPHABETS = Array.from({ length: BYSTANDERS }, (_, k) => OTHER.slice(24 * k, 24 * k + 24));
const MARKER = OTHER.slice(24 * BYSTANDERS);
/** Who owns each byte value: -1 the target (and 0), k a bystander, 99 the marker. */
const OWNER = new Int8Array(256).fill(-1);
ALPHABETS.forEach((alphabet, k) => alphabet.forEach((b) => { OWNER[b] = k; }));
for (const b of MARKER) OWNER[b] = 99;

function fill(rng: Rng, n: number, alphabet: readonly number[], newlines = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = newlines > 0 && rng.chance(newlines) ? 0x0a : alphabet[rng.int(0, alphabet.length - 1)];
  return out;
}

/** The first byte of `u` outside `owner`'s alphabet (0 allowed everywhere), as text, or null. */
function foreign(u: Uint8Array, owner: number): string | null {
  for (let i = 0; i < u.length; i++) {
    const b = u[i];
    if (b === 0) continue;
    if (owner === -1 ? TARGET_SET[b] === 1 : OWNER[b] === owner) continue;
    const from = OWNER[b] === -1 ? 'the target' : OWNER[b] === 99 ? 'a marker (padding or a hook map)' : `bystander ${OWNER[b]}`;
    return `byte 0x${b.toString(16)} at ${i} of ${u.length} (from ${from})`;
  }
  return null;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;
const show = (u: Uint8Array) => `${u.length}B ${Buffer.from(u.buffer, u.byteOffset, Math.min(u.length, 12)).toString('hex')}${u.length > 12 ? '…' : ''}`;

// ---- intrinsics: what an argument genuinely holds ----------------------------------------------
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)!.get!;
const TA_BUFFER = getter(TypedArrayProto, 'buffer');
const TA_OFFSET = getter(TypedArrayProto, 'byteOffset');
const TA_LENGTH = getter(TypedArrayProto, 'byteLength');
const DV_BUFFER = getter(DataView.prototype, 'buffer');
const DV_OFFSET = getter(DataView.prototype, 'byteOffset');
const DV_LENGTH = getter(DataView.prototype, 'byteLength');
const AB_LENGTH = getter(ArrayBuffer.prototype, 'byteLength');
const SAB_LENGTH = getter(SharedArrayBuffer.prototype, 'byteLength');
const utf8 = new TextEncoder();

/**
 * The bytes `value` holds by its internal slots, or null when it is not bytes-like, or
 * 'detached' for a buffer (or a view of one) that is detached.
 */
function genuine(value: unknown): Uint8Array | null | 'detached' {
  if (typeof value === 'string') return utf8.encode(value);
  if (typeof value !== 'object' || value === null) return null;
  const slots = (buffer: () => ArrayBufferLike, offset: () => number, length: () => number) => {
    try {
      const b = buffer();
      if (b instanceof ArrayBuffer && AB_LENGTH.call(b) === 0 && isDetached(b)) return 'detached' as const;
      return new Uint8Array(b, offset(), length()).slice();
    } catch {
      return 'detached' as const;
    }
  };
  try {
    TA_LENGTH.call(value);
    return slots(() => TA_BUFFER.call(value), () => TA_OFFSET.call(value), () => TA_LENGTH.call(value));
  } catch { /* not a typed array */ }
  try {
    DV_BUFFER.call(value);
    return slots(() => DV_BUFFER.call(value), () => DV_OFFSET.call(value), () => DV_LENGTH.call(value));
  } catch { /* not a DataView (or detached) */ }
  try {
    const n = AB_LENGTH.call(value);
    return isDetached(value as ArrayBuffer) ? 'detached' : new Uint8Array(value as ArrayBuffer, 0, n).slice();
  } catch { /* not an ArrayBuffer */ }
  try {
    const n = SAB_LENGTH.call(value);
    return new Uint8Array(value as SharedArrayBuffer, 0, n).slice();
  } catch { /* not a SharedArrayBuffer */ }
  return null;
}

function isDetached(b: ArrayBuffer): boolean {
  if (AB_LENGTH.call(b) !== 0) return false;
  try {
    new Uint8Array(b);
    return false;
  } catch {
    return true;
  }
}

function detach(b: ArrayBuffer): void {
  structuredClone(b, { transfer: [b] });
}

// ---- the world: seven bystanders, a target, and what hooks did ---------------------------------
interface Bystander {
  label: string;
  make: () => MMap;
  m: MMap;
  content: Uint8Array;
  file?: string;
  fileContent?: Uint8Array;
  writable: boolean;
}

/** The model of the target map: what it must hold. */
interface Model {
  closed: boolean;
  content: Uint8Array;
  pos: number;
  readonly: boolean;
  /** ACCESS_COPY: not resizable (MAP_PRIVATE with ACCESS_DEFAULT is, as in CPython). */
  cow: boolean;
  anonymous: boolean;
}

interface Target {
  m: MMap;
  label: string;
  file?: string;
  /** Whether its bytes reach its file (a shared, writable file map). */
  sharedFile: boolean;
  backing: string;
  model: Model;
}

const cloneModel = (s: Model): Model => ({ ...s, content: s.content.slice() });

class World {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-mmap-hostile-'));
  readonly bystanders: Bystander[] = [];
  target!: Target;
  /** Maps opened by hooks, closed at the end of the case. */
  kept: MMap[] = [];
  /** Files whose bytes must not change: the hooks' marker file. */
  markerFile: string;
  markerContent: Uint8Array;
  /** Results of earlier calls, whose buffers later arguments view. */
  results: Uint8Array[] = [];
  effects: string[] = [];
  /** Where a HostileError may legitimately come from in this case (user code the API runs). */
  /** Where the description of the call about to be made goes (a crash report names it). */
  progress = -1;
  private files = 0;

  constructor(rng: Rng) {
    this.markerContent = fill(rng, 65536, MARKER);
    this.markerFile = this.file(this.markerContent);
    const specs: [string, number, (fd: number, n: number) => MMap, string, boolean][] = [
      ['anonymous', 3 * 4096, (_, n) => new MMap(-1, n), '', true],
      ['anonymous small', 100, (_, n) => new MMap(-1, n), '', true],
      ['file DEFAULT', 3 * 4096 + 17, (fd, n) => new MMap(fd, n), 'r+', true],
      ['file READ (read-only fd)', 8192, (fd, n) => new MMap(fd, n, { access: ACCESS_READ }), 'r', false],
      ['file WRITE', 4096, (fd, n) => new MMap(fd, n, { access: ACCESS_WRITE }), 'r+', true],
      ['file COPY', 5000, (fd, n) => new MMap(fd, n, { access: ACCESS_COPY }), 'r+', true],
      ['file MAP_PRIVATE', 4097, (fd, n) => new MMap(fd, n, { flags: MAP_PRIVATE, prot: PROT_READ | PROT_WRITE }), 'r+', true],
    ];
    specs.forEach(([label, n, open, mode, writable], k) => {
      const content = fill(rng, n, ALPHABETS[k]);
      const file = mode === '' ? undefined : this.file(content);
      const make = () => {
        if (file === undefined) {
          const m = open(-1, n);
          m.setSlice(null, null, content);
          return m;
        }
        const fd = fs.openSync(file, mode);
        try {
          return open(fd, n);
        } finally {
          fs.closeSync(fd);
        }
      };
      this.bystanders.push({ label: `bystander ${k} (${label})`, make, m: make(), content, file, fileContent: file && content.slice(), writable });
    });
  }

  file(content: Uint8Array): string {
    const p = path.join(this.dir, `f${this.files++}`);
    fs.writeFileSync(p, content);
    return p;
  }

  /** Closes and reopens bystander k: the layout of the memory changes, its bytes do not. */
  recycle(k: number): void {
    const b = this.bystanders[k];
    b.m.close();
    b.m = b.make();
  }

  /** Puts every bystander back as it must be (after a case that changed one). */
  restore(): void {
    for (const b of this.bystanders) {
      try { b.m.close(); } catch { /* a broken map: replaced below */ }
      if (b.file !== undefined) fs.writeFileSync(b.file, b.fileContent!);
      b.m = b.make();
    }
    fs.writeFileSync(this.markerFile, this.markerContent);
  }

  cleanup(): void {
    for (const b of this.bystanders) b.m.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- hooks: what hostile user code does when the API runs it ------------------------------------
type Action = 'close' | 'resize' | 'churn' | 'grow' | 'throw' | 'handles' | 'detach-own' | 'resize-own' | 'none';

function pickAction(rng: Rng, own: boolean): Action {
  if (rng.chance(0.004)) return 'handles';
  const actions: Action[] = ['close', 'resize', 'churn', 'grow', 'throw', 'none'];
  if (own) actions.push('detach-own', 'resize-own', 'detach-own', 'resize-own');
  return rng.pick(actions);
}

/** A function that performs `action` the first time it runs ('throw': every time). */
function hook(w: World, rng: Rng, action: Action, own?: ArrayBufferLike): () => void {
  const r = new Rng(rng.int(0, 2 ** 31));
  let done = false;
  return () => {
    if (action === 'throw') throw new HostileError('thrown by a hostile hook');
    if (done) return;
    done = true;
    w.effects.push(action);
    const t = w.target;
    switch (action) {
      case 'close':
        t.m.close();
        t.model.closed = true;
        break;
      case 'resize': {
        const n = r.pick([1, 7, 4095, 4096, 4097, 3 * 4096 + 100, 70000]);
        try {
          t.m.resize(n);
        } catch {
          break; // a read-only or copy-on-write target: nothing happened
        }
        const c = new Uint8Array(n);
        c.set(t.model.content.subarray(0, n));
        t.model.content = c;
        break;
      }
      case 'churn':
        for (let i = r.int(1, 4); i > 0; i--) {
          let m: MMap;
          if (r.chance(0.4)) {
            const fd = fs.openSync(w.markerFile, 'r');
            m = new MMap(fd, 0, { access: ACCESS_READ });
            fs.closeSync(fd);
          } else {
            m = new MMap(-1, r.pick([4096, 65536, 1 << 20, 3 << 20]));
            m.setSlice(0, 4096, w.markerContent.subarray(0, 4096));
          }
          m.close();
        }
        break;
      case 'grow': {
        const m = new MMap(-1, r.pick([1 << 20, 8 << 20, 32 << 20]));
        m.setSlice(0, 64, w.markerContent.subarray(0, 64));
        w.kept.push(m);
        break;
      }
      case 'handles':
        // A 15-bit generation wraps after 32,768 reuses of a slot (issue 9).
        t.m.close();
        t.model.closed = true;
        for (let i = 0; i < 32769; i++) new MMap(-1, 1).close();
        break;
      case 'detach-own':
        if (own instanceof ArrayBuffer && !(own as ArrayBuffer & { resizable?: boolean }).resizable) detach(own);
        else if (own instanceof ArrayBuffer) (own as any).resize(0);
        break;
      case 'resize-own':
        if (own instanceof ArrayBuffer && (own as any).resizable) (own as any).resize(r.int(0, (own as any).maxByteLength));
        break;
      case 'none':
        break;
    }
  };
}

// ---- arguments -------------------------------------------------------------------------------
interface Arg {
  value: unknown;
  desc: string;
  /** For a bytes-like argument: its genuine bytes when the call starts (and, re-read, when it ends). */
  bytes?: boolean;
  /** A proxy: it may be refused (TypeError) or read as what it wraps; either is accepted. */
  wraps?: object;
}

const TYPED = [Uint8Array, Uint8ClampedArray, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;

/** A lie for a numeric getter: bigger, smaller, 0, huge, negative, NaN, or the truth after a hook. */
function lie(rng: Rng, truth: number): [() => number, string, boolean] {
  const kinds: [number | 'throw' | 'hook', string][] = [
    [truth + 1, '+1'], [truth + 3 * 4096, '+3 pages'], [Math.max(0, truth - 1), '-1'], [0, '0'], [14, '14'],
    [2 ** 32, '2**32'], [2 ** 53, '2**53'], [-1, '-1 (negative)'], [NaN, 'NaN'], ['throw', 'throws'], ['hook', 'acts'],
  ];
  const [v, d] = rng.pick(kinds);
  if (v === 'throw') return [() => { throw new HostileError('lying getter throws'); }, d, true];
  if (v === 'hook') return [() => truth, d, true];
  return [() => v, `returns ${d}`, false];
}

/** A bytes-like argument of `n` genuine bytes from the target's alphabet, hostile in some way. */
function dataArg(w: World, rng: Rng, n: number): Arg {
  const data = fill(rng, n, TARGET_ALPHABET, 0.02);
  const kind = rng.weighted({
    plain: 1, string: 1, lyingU8: 6, lyingTyped: 3, lyingDataView: 3, proxy: 2, detached: 1, resizable: 2,
    shared: 1, result: 2, notBytes: 2,
  });
  // The genuine bytes sit between marker bytes: an over-read or an offset lie shows as markers.
  const pre = rng.pick([0, 0, 8, 4096]);
  const post = rng.pick([0, 8, 4096]);
  const backing = (resizable = false) => {
    const size = pre + n + post;
    const buf = resizable ? new (ArrayBuffer as any)(size, { maxByteLength: size + 8192 }) as ArrayBuffer : new ArrayBuffer(size);
    const u = new Uint8Array(buf);
    u.set(w.markerContent.subarray(0, pre));
    u.set(data, pre);
    u.set(w.markerContent.subarray(0, post), pre + n);
    return buf;
  };
  const lying = <T extends object>(base: new (...a: any[]) => T, props: string[], make: (C: new (...a: any[]) => T) => T,
    truths: Record<string, () => unknown>, own?: ArrayBufferLike): [T, string] => {
    class Lying extends (base as any) {}
    const descs: string[] = [];
    const chosen = props.filter(() => rng.chance(0.5));
    if (chosen.length === 0) chosen.push(rng.pick(props));
    const onInstance = rng.chance(0.3);
    const defs: [string, () => unknown][] = [];
    for (const prop of chosen) {
      if (prop === 'buffer') {
        const choice = rng.pick(['foreign', 'marker', 'detached', 'shared', 'hook', 'result']);
        let other: () => unknown;
        if (choice === 'foreign') {
          const k = rng.int(0, BYSTANDERS - 1);
          const b = new Uint8Array(fill(rng, pre + n + post + 4096, ALPHABETS[k])).buffer;
          other = () => b;
        } else if (choice === 'marker') {
          const b = new ArrayBuffer(1 << 16);
          new Uint8Array(b).set(w.markerContent);
          other = () => b;
        } else if (choice === 'detached') {
          const b = new ArrayBuffer(64);
          detach(b);
          other = () => b;
        } else if (choice === 'shared') {
          const b = new SharedArrayBuffer(pre + n + post + 16);
          new Uint8Array(b).set(w.markerContent.subarray(0, b.byteLength));
          other = () => b;
        } else if (choice === 'result' && w.results.length > 0) {
          const b = rng.pick(w.results).buffer;
          other = () => b;
        } else {
          const h = hook(w, rng, pickAction(rng, true), own);
          other = () => { h(); return truths.buffer(); };
        }
        defs.push([prop, other]);
        descs.push(`buffer getter returns ${choice}`);
      } else {
        const truth = truths[prop]() as number;
        const [get, d, acts] = lie(rng, truth);
        if (acts && d === 'acts') {
          const action = pickAction(rng, true);
          const h = hook(w, rng, action, own);
          defs.push([prop, () => { h(); return truth; }]);
          descs.push(`${prop} getter ${action}s`);
        } else {
          defs.push([prop, get]);
          descs.push(`${prop} getter ${d}`);
        }
      }
    }
    const instance = make(Lying as any);
    for (const [prop, get] of defs) Object.defineProperty(onInstance ? instance : Lying.prototype, prop, { get, configurable: true });
    return [instance, `${descs.join(', ')}${onInstance ? ' (own properties)' : ' (subclass)'}`];
  };

  switch (kind) {
    case 'plain':
      return { value: data, desc: `Uint8Array ${show(data)}`, bytes: true };
    case 'string': {
      let s = '';
      while (utf8.encode(s).length + 4 <= n) s += String.fromCodePoint(0x10000 + rng.int(0, 0x2ffff));
      return { value: s, desc: `string of ${utf8.encode(s).length} UTF-8 bytes`, bytes: true };
    }
    case 'lyingU8': {
      const buf = backing(rng.chance(0.2));
      const [v, d] = lying(Uint8Array, ['length', 'byteLength', 'byteOffset', 'buffer'], (C) => new C(buf, pre, n), {
        length: () => n, byteLength: () => n, byteOffset: () => pre, buffer: () => buf,
      }, buf);
      return { value: v, desc: `Uint8Array(${n} at ${pre}) ${d}`, bytes: true };
    }
    case 'lyingTyped': {
      const T = rng.pick(TYPED);
      const width = T.BYTES_PER_ELEMENT;
      const count = Math.floor(n / width);
      const buf = backing();
      const offset = pre - (pre % width);
      const [v, d] = lying(T as any, ['length', 'byteLength', 'byteOffset', 'buffer'], (C) => new C(buf, offset, count), {
        length: () => count, byteLength: () => count * width, byteOffset: () => offset, buffer: () => buf,
      }, buf);
      return { value: v, desc: `${T.name}(${count}) ${d}`, bytes: true };
    }
    case 'lyingDataView': {
      const buf = backing(rng.chance(0.2));
      const [v, d] = lying(DataView, ['byteLength', 'byteOffset', 'buffer'], (C) => new C(buf, pre, n), {
        byteLength: () => n, byteOffset: () => pre, buffer: () => buf,
      }, buf);
      return { value: v, desc: `DataView(${n} at ${pre}) ${d}`, bytes: true };
    }
    case 'proxy': {
      const buf = backing();
      const inner = rng.chance(0.7) ? new Uint8Array(buf, pre, n) : buf;
      const trap = rng.pick(['get', 'getPrototypeOf', 'none']);
      const action = pickAction(rng, true);
      const h = hook(w, rng, action, buf);
      const handler: ProxyHandler<object> = {};
      if (trap === 'get') handler.get = (t, p) => { h(); const v = Reflect.get(t, p, t); return typeof v === 'function' ? v.bind(t) : v; };
      if (trap === 'getPrototypeOf') handler.getPrototypeOf = (t) => { h(); return Reflect.getPrototypeOf(t); };
      return { value: new Proxy(inner, handler), desc: `Proxy(${inner.constructor.name}) ${trap} trap ${action}s`, bytes: true, wraps: inner };
    }
    case 'detached': {
      const buf = backing();
      const which = rng.pick(['buffer', 'Uint8Array', 'DataView', 'Float64Array']);
      const view = which === 'buffer' ? buf : which === 'Uint8Array' ? new Uint8Array(buf, pre, n)
        : which === 'DataView' ? new DataView(buf, pre, n) : new Float64Array(buf, 0, Math.floor(buf.byteLength / 8));
      detach(buf);
      return { value: view, desc: `detached ${which}`, bytes: true };
    }
    case 'resizable': {
      const buf = backing(true);
      const tracking = rng.chance(0.5);
      const action = rng.pick(['resize-own', 'detach-own', 'none'] as Action[]);
      const h = hook(w, rng, action, buf);
      class Sneaky extends Uint8Array {}
      const prop = rng.pick(['length', 'byteLength', 'byteOffset', 'buffer']);
      const truth = () => Reflect.get(Object.getPrototypeOf(Sneaky.prototype), prop, v);
      Object.defineProperty(Sneaky.prototype, prop, { get() { h(); return truth(); } });
      const v: Uint8Array = tracking ? new Sneaky(buf, pre) : new Sneaky(buf, pre, n);
      if (tracking && post > 0) (buf as any).resize(pre + n); // a length-tracking view of exactly the data
      return { value: v, desc: `resizable ArrayBuffer, ${tracking ? 'length-tracking' : 'fixed'} view, ${prop} getter ${action}s`, bytes: true };
    }
    case 'shared': {
      const buf = new SharedArrayBuffer(pre + n + post);
      const u = new Uint8Array(buf);
      u.set(data, pre);
      u.fill(MARKER[0], 0, pre);
      u.fill(MARKER[0], pre + n);
      const whole = pre === 0 && post === 0 && rng.chance(0.5);
      return { value: whole ? buf : new Uint8Array(buf, pre, n), desc: whole ? 'SharedArrayBuffer' : 'Uint8Array over a SharedArrayBuffer', bytes: true };
    }
    case 'result': {
      // A view of an earlier result of the target (its own bytes), through result.buffer.
      const mine = w.results.filter((r) => foreign(r, -1) === null && r.length > 0);
      if (mine.length === 0) return { value: data, desc: `Uint8Array ${show(data)} (no result to view yet)`, bytes: true };
      const r = rng.pick(mine);
      const [v, d] = lying(Uint8Array, ['length', 'byteLength', 'byteOffset', 'buffer'], (C) => new C(r.buffer, r.byteOffset, r.length), {
        length: () => r.length, byteLength: () => r.length, byteOffset: () => r.byteOffset, buffer: () => r.buffer,
      });
      return rng.chance(0.5)
        ? { value: new DataView(r.buffer, r.byteOffset, r.length), desc: `DataView over result.buffer (${r.length}B)`, bytes: true }
        : { value: v, desc: `view over result.buffer (${r.length}B), ${d}`, bytes: true };
    }
    default: {
      let arg = numberish(w, rng);
      while (typeof arg.value === 'string') arg = numberish(w, rng); // a string is bytes-like
      return { ...arg, bytes: true };
    }
  }
}

/** A value that is not an integer (or is one out of range), possibly acting when looked at. */
function numberish(w: World, rng: Rng): Arg {
  const action = pickAction(rng, false);
  const h = hook(w, rng, action);
  const kinds: (() => Arg)[] = [
    () => ({ value: NaN, desc: 'NaN' }),
    () => ({ value: Infinity, desc: 'Infinity' }),
    () => ({ value: -Infinity, desc: '-Infinity' }),
    () => ({ value: 1.5, desc: '1.5' }),
    () => ({ value: -0, desc: '-0' }),
    () => ({ value: 2 ** 53, desc: '2**53' }),
    () => ({ value: -(2 ** 53), desc: '-(2**53)' }),
    () => ({ value: 2 ** 31, desc: '2**31' }),
    () => ({ value: 1e300, desc: '1e300' }),
    () => ({ value: '3', desc: "'3'" }),
    () => ({ value: null, desc: 'null' }),
    () => ({ value: true, desc: 'true' }),
    () => ({ value: 3n, desc: '3n' }),
    () => ({ value: [1, 2, 3], desc: '[1, 2, 3]' }),
    () => ({ value: new Number(3), desc: 'new Number(3)' }),
    () => ({ value: { valueOf() { h(); return 3; } }, desc: `{ valueOf() ${action}s }` }),
    () => ({ value: { [Symbol.toPrimitive]() { h(); return 3; } }, desc: `{ [Symbol.toPrimitive]() ${action}s }` }),
    () => ({ value: { toString() { h(); return '3'; } }, desc: `{ toString() ${action}s }` }),
    () => ({ value: { get constructor() { h(); return Object; } }, desc: `{ get constructor() ${action}s }` }),
    () => ({ value: new Proxy({}, { get(t, p) { h(); return Reflect.get(t, p); } }), desc: `Proxy({}) get trap ${action}s` }),
  ];
  return rng.pick(kinds)();
}

/** An integer argument: mostly a good one from `good`, else a hostile one. */
function intArg(w: World, rng: Rng, good: () => number, hostile = 0.3): Arg {
  if (!rng.chance(hostile)) {
    const v = good();
    return { value: v, desc: String(v) };
  }
  return numberish(w, rng);
}

// ---- the model -------------------------------------------------------------------------------
/** An expected error: class and message (a RegExp where the message names a JS type). */
class Expected {
  constructor(readonly cls: Function, readonly message: string | RegExp) {}
}
const INT_MESSAGE = /^'[^']*' object cannot be interpreted as an integer$/;
const BYTES_MESSAGE = /^a bytes-like object is required, not '[^']*'$/;
const CLOSED = new Expected(ValueError, 'mmap closed or invalid');
const READONLY = new Expected(TypeError, "mmap can't modify a readonly memory map.");

function ssize(v: unknown, overflow = true): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new Expected(TypeError, typeof v === 'number' ? "'float' object cannot be interpreted as an integer" : INT_MESSAGE);
  }
  if (!Number.isSafeInteger(v) && overflow) throw new Expected(OverflowError, /./);
  return v;
}
/** A C int argument (Python's `i` format): converted as ssize, then its range. */
function cInt(v: unknown): number {
  const n = ssize(v);
  if (n > 0x7fffffff) throw new Expected(OverflowError, 'signed integer is greater than maximum');
  if (n < -0x80000000) throw new Expected(OverflowError, 'signed integer is less than minimum');
  return n;
}
const optSsize = (v: unknown) => (v === undefined ? NaN : ssize(v));
function sliceIndex(v: unknown): number {
  if (v === undefined || v === null) return NaN;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new Expected(TypeError, 'slice indices must be integers or None or have an __index__ method');
  }
  return v;
}
function bytesOf(v: unknown, g: Uint8Array | null | 'detached'): Uint8Array {
  if (g === null) throw new Expected(TypeError, BYTES_MESSAGE);
  return g === 'detached' ? new Uint8Array(0) : g;
}

/** PySlice_AdjustIndices, None as NaN: the slice's indices. */
function sliceIndices(size: number, start: number, stop: number, step: number): number[] {
  const by = Number.isNaN(step) ? 1 : step;
  let a = Number.isNaN(start) ? (by < 0 ? Infinity : 0) : start;
  let b = Number.isNaN(stop) ? (by < 0 ? -Infinity : Infinity) : stop;
  const adjust = (x: number) => {
    if (x < 0) {
      x += size;
      if (x < 0) x = by < 0 ? -1 : 0;
    } else if (x >= size) {
      x = by < 0 ? size - 1 : size;
    }
    return x;
  };
  a = adjust(a);
  b = adjust(b);
  const out: number[] = [];
  if (by > 0) for (let i = a; i < b; i += by) out.push(i);
  else for (let i = a; i > b; i += by) out.push(i);
  return out;
}

function search(content: Uint8Array, needle: Uint8Array, start: number, end: number, reverse: boolean): number {
  if (end < start) return -1;
  const n = needle.length;
  const matches = (i: number) => {
    for (let j = 0; j < n; j++) if (content[i + j] !== needle[j]) return false;
    return true;
  };
  if (!reverse) {
    for (let i = start; i + n <= end; i++) if (matches(i)) return i;
  } else {
    for (let i = end - n; i >= start; i--) if (matches(i)) return i;
  }
  return -1;
}

/** The non-overlapping occurrences of `needle` in content[start:end], left to right, as bytes.count takes them. */
function occurrences(content: Uint8Array, needle: Uint8Array, start: number, end: number): number[] {
  if (end < start) return [];
  if (needle.length === 0) return Array.from({ length: end - start + 1 }, (_, k) => start + k);
  const out: number[] = [];
  for (let i = search(content, needle, start, end, false); i !== -1; i = search(content, needle, i + needle.length, end, false)) out.push(i);
  return out;
}

/** The lines from `pos` as lines() yields them: without `\n`, or `\r\n`; a last one without a newline too. */
function linesOf(content: Uint8Array, pos: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (pos < content.length) {
    const nl = content.indexOf(0x0a, pos);
    const end = nl === -1 ? content.length : nl;
    out.push(content.slice(pos, end > pos && nl !== -1 && content[end - 1] === 0x0d ? end - 1 : end));
    pos = nl === -1 ? content.length : nl + 1;
  }
  return out;
}

const utf8Lines = new TextDecoder('utf-8', { ignoreBOM: true });

/** A search's arguments: a needle, then maybe a start, then maybe an end. */
function searchArgs(w: World, rng: Rng): Arg[] {
  const args = [dataArg(w, rng, rng.pick([0, 1, 2, 3, 8, 100, 4096, 5000]))];
  if (rng.chance(0.6)) args.push(intArg(w, rng, () => rng.int(-5000, 15000), 0.2));
  if (args.length === 2 && rng.chance(0.6)) args.push(intArg(w, rng, () => rng.int(-5000, 15000), 0.2));
  return args;
}

/** find()'s window: the cursor and the end when not given (NaN), negatives from the end, both clamped. */
function searchWindow(s: Model, start: number, end: number): [number, number] {
  const size = s.content.length;
  const clamp = (x: number) => (x < 0 ? Math.max(0, x + size) : Math.min(x, size));
  return [clamp(Number.isNaN(start) ? s.pos : start), clamp(Number.isNaN(end) ? size : end)];
}

/** What a call must do: return `value` leaving the map as `state`; or raise; or (lenient) either. */
type Expectation = { value: unknown; state: Model } | Expected | { lenient: true };

interface Method {
  name: string;
  weight: number;
  /** The arguments; `data` marks the index of a bytes-like one. */
  gen(w: World, rng: Rng): Arg[];
  call(m: MMap, a: unknown[]): unknown;
  /** Conversion (before the hooks' effects count) and then the action on `s` (the state after them). */
  model(s: Model, a: unknown[], g: (Uint8Array | null | 'detached')[]): Expectation;
}

function act(s: Model, f: (s: Model) => unknown): { value: unknown; state: Model } {
  const state = cloneModel(s);
  return { value: f(state), state };
}

const METHODS: Method[] = [
  {
    name: 'write', weight: 6,
    gen: (w, rng) => [dataArg(w, rng, rng.pick([0, 0, 1, 3, 40, 100, 4096, 5000, 3 * 4096, 70000]))],
    call: (m, [d]) => m.write(d as any),
    model: (s, [d], [g0]) => {
      const bytes = bytesOf(d, g0);
      if (s.closed) return CLOSED;
      if (s.readonly) return READONLY;
      if (s.pos > s.content.length || s.content.length - s.pos < bytes.length) return new Expected(ValueError, 'data out of range');
      return act(s, (t) => { t.content.set(bytes, t.pos); t.pos += bytes.length; return bytes.length; });
    },
  },
  ...(['find', 'rfind'] as const).map((name): Method => ({
    name, weight: 3,
    gen: searchArgs,
    call: (m, [sub, start, end]) => (m as any)[name](sub, start, end),
    model: (s, [sub, start, end], [g0]) => {
      const needle = bytesOf(sub, g0);
      const [from, to] = [optSsize(start), optSsize(end)];
      if (s.closed) return CLOSED;
      return act(s, (t) => search(t.content, needle, ...searchWindow(t, from, to), name === 'rfind'));
    },
  })),
  ...(['count', 'findAll'] as const).map((name): Method => ({
    name, weight: 2,
    gen: searchArgs,
    call: (m, [sub, start, end]) => (name === 'count' ? m.count(sub as any, start as any, end as any)
      : JSON.stringify(Array.from(m.findAll(sub as any, start as any, end as any)))),
    model: (s, [sub, start, end], [g0]) => {
      const needle = bytesOf(sub, g0);
      const bound = (v: unknown) => (v === undefined || v === null ? NaN : ssize(v));
      const [from, to] = [bound(start), bound(end)];
      if (s.closed) return CLOSED;
      const found = occurrences(s.content, needle, ...searchWindow(s, from, to));
      return act(s, () => (name === 'count' ? found.length : JSON.stringify(found)));
    },
  })),
  {
    // The options' getter or proxy may act (close, resize, open other maps) while lines() reads them.
    name: 'lines', weight: 2,
    gen: (w, rng) => {
      const encoding = rng.pick(['utf8', 'latin1', 'bytes', undefined]);
      const kind = rng.pick(['none', 'plain', 'getter', 'proxy', 'numberish']);
      if (kind === 'none') return [];
      if (kind === 'plain') return [{ value: { encoding }, desc: `{ encoding: ${String(encoding)} }` }];
      if (kind === 'numberish') {
        const value = numberish(w, rng);
        return [{ value: { encoding: value.value }, desc: `{ encoding: ${value.desc} }` }];
      }
      // Not 'throw': reading the options is the caller's own code, whose error would propagate.
      const picked = pickAction(rng, false);
      const action = picked === 'throw' ? 'close' : picked;
      const h = hook(w, rng, action);
      const fields = { encoding };
      const value = kind === 'getter' ? { get encoding() { h(); return encoding; } }
        : new Proxy(fields, { get(t, p) { h(); return Reflect.get(t, p); } });
      return [{ value, desc: `${kind} options { encoding: ${String(encoding)} }, hook ${action}s` }];
    },
    call: (m, a) => JSON.stringify(Array.from((m.lines as any)(...a) as Iterable<string | Uint8Array>,
      (l) => (typeof l === 'string' ? l : Array.from(l)))),
    model: (s, [options]) => {
      const encoding = (options as { encoding?: unknown } | undefined)?.encoding ?? 'utf8';
      if (encoding !== 'utf8' && encoding !== 'latin1' && encoding !== 'bytes') {
        return new Expected(TypeError, typeof encoding === 'string'
          ? `encoding must be 'utf8', 'latin1' or 'bytes', not ${JSON.stringify(encoding)}`
          : /^encoding must be 'utf8', 'latin1' or 'bytes', not a value of type '[^']*'$/);
      }
      if (s.closed) return CLOSED;
      return act(s, (t) => {
        const lines = linesOf(t.content, t.pos);
        t.pos = Math.max(t.pos, t.content.length);
        return JSON.stringify(lines.map((l) => (encoding === 'bytes' ? Array.from(l)
          : encoding === 'latin1' ? String.fromCharCode(...l) : utf8Lines.decode(l))));
      });
    },
  },
  {
    name: 'setSlice', weight: 5,
    gen: (w, rng) => {
      const n = rng.pick([0, 1, 3, 40, 100, 4096, 5000, 3 * 4096]);
      const size = w.target.model.content.length;
      const step = rng.pick([1, 1, 1, 2, 3, -1, -2]);
      let start: number;
      let stop: number;
      if (step > 0) {
        start = rng.int(0, size);
        stop = start + step * n - (step - 1);
        if (n === 0) stop = start;
      } else {
        start = rng.int(0, size - 1);
        stop = start + step * n - (step + 1);
        if (n === 0) stop = start;
      }
      const a = rng.chance(0.85) ? { value: start, desc: String(start) } : numberish(w, rng);
      const b = rng.chance(0.85) ? { value: stop < 0 && step < 0 ? (stop === -1 ? null : stop) : stop, desc: String(stop) } : numberish(w, rng);
      const c = rng.chance(0.85) ? { value: step, desc: String(step) } : numberish(w, rng);
      return [a, b, dataArg(w, rng, n), c];
    },
    call: (m, [a, b, d, c]) => m.setSlice(a as any, b as any, d as any, c as any),
    model: (s, [a, b, d, c], [, , g2]) => {
      if (s.readonly) return READONLY;
      const step = sliceIndex(c);
      if (step === 0) return new Expected(ValueError, 'slice step cannot be zero');
      const start = sliceIndex(a);
      const stop = sliceIndex(b);
      const bytes = bytesOf(d, g2);
      if (s.closed) return CLOSED;
      const at = sliceIndices(s.content.length, start, stop, step);
      if (at.length !== bytes.length) return new Expected(IndexError, 'mmap slice assignment is wrong size');
      return act(s, (t) => { at.forEach((i, k) => { t.content[i] = bytes[k]; }); return undefined; });
    },
  },
  {
    name: 'read', weight: 2,
    gen: (w, rng) => (rng.chance(0.2) ? [] : [intArg(w, rng, () => rng.int(-2, 20000))]),
    call: (m, a) => (m.read as any)(...a),
    model: (s, [n]) => {
      let want = NaN;
      if (n !== undefined && n !== null) {
        if (typeof n !== 'number' || !Number.isInteger(n)) {
          throw new Expected(TypeError, typeof n === 'number' ? "argument should be integer or None, not 'float'" : /^argument should be integer or None, not '[^']*'$/);
        }
        if (!Number.isSafeInteger(n)) throw new Expected(OverflowError, /./);
        want = n;
      }
      if (s.closed) return CLOSED;
      return act(s, (t) => {
        const remaining = t.pos < t.content.length ? t.content.length - t.pos : 0;
        const count = Number.isNaN(want) || want < 0 || want > remaining ? remaining : want;
        const r = t.content.slice(t.pos, t.pos + count);
        t.pos += count;
        return r;
      });
    },
  },
  {
    name: 'readline', weight: 1,
    gen: () => [],
    call: (m) => m.readline(),
    model: (s) => (s.closed ? CLOSED : act(s, (t) => {
      if (t.pos >= t.content.length) return new Uint8Array(0);
      const nl = t.content.indexOf(0x0a, t.pos);
      const end = nl === -1 ? t.content.length : nl + 1;
      const r = t.content.slice(t.pos, end);
      t.pos = end;
      return r;
    })),
  },
  {
    name: 'readByte', weight: 1,
    gen: () => [],
    call: (m) => m.readByte(),
    model: (s) => {
      if (s.closed) return CLOSED;
      if (s.pos >= s.content.length) return new Expected(ValueError, 'read byte out of range');
      return act(s, (t) => t.content[t.pos++]);
    },
  },
  {
    name: 'writeByte', weight: 1,
    gen: (w, rng) => [intArg(w, rng, () => rng.pick([0x80, 0xf5, 0xbf, -1, 256]))],
    call: (m, [v]) => m.writeByte(v as any),
    model: (s, [v]) => {
      const b = ssize(v);
      if (b > 255) return new Expected(OverflowError, 'unsigned byte integer is greater than maximum');
      if (b < 0) return new Expected(OverflowError, 'unsigned byte integer is less than minimum');
      if (s.closed) return CLOSED;
      if (s.readonly) return READONLY;
      if (s.pos >= s.content.length) return new Expected(ValueError, 'write byte out of range');
      return act(s, (t) => { t.content[t.pos++] = b; return undefined; });
    },
  },
  {
    name: 'seek', weight: 1,
    gen: (w, rng) => [intArg(w, rng, () => rng.int(-100, 20000)), ...(rng.chance(0.5) ? [intArg(w, rng, () => rng.int(0, 3), 0.2)] : [])],
    call: (m, a) => (m.seek as any)(...a),
    model: (s, [pos, whence]) => {
      const dist = ssize(pos);
      const how = whence === undefined ? 0 : cInt(whence);
      if (s.closed) return CLOSED;
      const size = s.content.length;
      const where = how === 0 ? dist : how === 1 ? s.pos + dist : how === 2 ? size + dist : NaN;
      if (Number.isNaN(where)) return new Expected(ValueError, 'unknown seek type');
      if (where > size || where < 0) return new Expected(ValueError, 'seek out of range');
      return act(s, (t) => { t.pos = where; return where; });
    },
  },
  {
    name: 'move', weight: 2,
    gen: (w, rng) => [0, 1, 2].map(() => intArg(w, rng, () => rng.int(-1, 9000), 0.15)),
    call: (m, [d, s, c]) => m.move(d as any, s as any, c as any),
    model: (s, [d, src, c]) => {
      const [dest, from, count] = [ssize(d), ssize(src), ssize(c)];
      if (s.closed) return CLOSED;
      if (s.readonly) return READONLY;
      const size = s.content.length;
      if (dest < 0 || from < 0 || count < 0 || size - dest < count || size - from < count) {
        return new Expected(ValueError, 'source, destination, or count out of range');
      }
      return act(s, (t) => { t.content.copyWithin(dest, from, from + count); return undefined; });
    },
  },
  {
    name: 'getItem', weight: 1,
    gen: (w, rng) => [intArg(w, rng, () => rng.int(-9000, 9000))],
    call: (m, [i]) => m.getItem(i as any),
    model: (s, [i]) => {
      if (typeof i !== 'number' || !Number.isInteger(i)) return new Expected(TypeError, 'mmap indices must be integers');
      if (!Number.isSafeInteger(i)) return new Expected(IndexError, /./);
      if (s.closed) return CLOSED;
      const k = i < 0 ? i + s.content.length : i;
      if (k < 0 || k >= s.content.length) return new Expected(IndexError, 'mmap index out of range');
      return act(s, (t) => t.content[k]);
    },
  },
  {
    name: 'setItem', weight: 1,
    gen: (w, rng) => [intArg(w, rng, () => rng.int(-9000, 9000), 0.2), intArg(w, rng, () => rng.pick([0x80, 0xff, 0xa0, 256, -1]), 0.2)],
    call: (m, [i, v]) => m.setItem(i as any, v as any),
    model: (s, [i, v]) => {
      if (s.readonly) return READONLY;
      if (typeof i !== 'number' || !Number.isInteger(i)) return new Expected(TypeError, 'mmap indices must be integer');
      if (!Number.isSafeInteger(i)) return new Expected(IndexError, /./);
      if (s.closed) return CLOSED;
      const k = i < 0 ? i + s.content.length : i;
      if (k < 0 || k >= s.content.length) return new Expected(IndexError, 'mmap index out of range');
      if (typeof v !== 'number' || !Number.isInteger(v)) return new Expected(TypeError, 'mmap item value must be an int');
      if (!Number.isSafeInteger(v)) return { lenient: true };
      if (v < 0 || v > 255) return new Expected(ValueError, 'mmap item value must be in range(0, 256)');
      return act(s, (t) => { t.content[k] = v; return undefined; });
    },
  },
  {
    name: 'getSlice', weight: 3,
    gen: (w, rng) => {
      const size = w.target.model.content.length;
      return [intArg(w, rng, () => rng.int(-size - 5, size + 5), 0.15), intArg(w, rng, () => rng.int(-size - 5, size + 5), 0.15),
        intArg(w, rng, () => rng.pick([1, 1, 2, 3, -1, -3, 0]), 0.15)].map((a) => (a.value === 0 || rng.chance(0.15) ? { value: null, desc: 'null' } : a));
    },
    call: (m, [a, b, c]) => m.getSlice(a as any, b as any, c as any),
    model: (s, [a, b, c]) => {
      const step = sliceIndex(c);
      if (step === 0) return new Expected(ValueError, 'slice step cannot be zero');
      const start = sliceIndex(a);
      const stop = sliceIndex(b);
      if (s.closed) return CLOSED;
      return act(s, (t) => Uint8Array.from(sliceIndices(t.content.length, start, stop, step), (i) => t.content[i]));
    },
  },
  {
    name: 'resize', weight: 1,
    // Not 0: resize(0) truncates the file and then fails EINVAL, as CPython on Linux.
    gen: (w, rng) => {
      const draw = () => intArg(w, rng, () => rng.pick([1, 100, 4096, 8193, 70000]));
      let size = draw();
      // A size that succeeds stays small: checking a 2 GiB map (2**31) took most of a minute.
      while (Number.isSafeInteger(size.value) && (size.value as number) > 1 << 20) size = draw();
      return [size];
    },
    call: (m, [n]) => m.resize(n as any),
    model: (s, [n]) => {
      const size = ssize(n);
      if (s.closed) return CLOSED;
      if (s.readonly || s.cow) return new Expected(TypeError, "mmap can't resize a readonly or copy-on-write memory map.");
      if (size <= 0) return { lenient: true };
      return act(s, (t) => {
        const c = new Uint8Array(size);
        c.set(t.content.subarray(0, size));
        t.content = c;
        return undefined;
      });
    },
  },
  {
    name: 'flush', weight: 1,
    gen: (w, rng) => (rng.chance(0.3) ? [] : [intArg(w, rng, () => rng.pick([0, 4096, 1])), intArg(w, rng, () => rng.pick([0, 10, 4096]))]),
    call: (m, a) => (m.flush as any)(...a),
    model: (s, [o, n]) => {
      optSsize(o);
      optSsize(n);
      return s.closed ? CLOSED : { lenient: true };
    },
  },
  {
    name: 'madvise', weight: 1,
    gen: (w, rng) => [intArg(w, rng, () => rng.pick([MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED])),
      ...(rng.chance(0.5) ? [intArg(w, rng, () => rng.pick([0, 4096])), intArg(w, rng, () => rng.pick([1, 4096, 100000]))] : [])],
    call: (m, a) => (m.madvise as any)(...a),
    model: (s, [opt, start, len]) => {
      cInt(opt);
      optSsize(start);
      optSsize(len);
      return s.closed ? CLOSED : { lenient: true };
    },
  },
  {
    name: 'tell/length/size/seekable/toString/backing/closed', weight: 1,
    gen: () => [],
    call: (m) => [m.tell(), m.length, m.size(), m.seekable(), m.toString(), m.backing, m.closed],
    model: (s) => (s.closed ? CLOSED : { lenient: true }),
  },
  {
    name: 'close', weight: 1,
    gen: () => [],
    call: (m) => { m.close(); m.close(); return m.closed; },
    model: (s) => ({ value: true, state: { ...cloneModel(s), closed: true } }),
  },
];

// ---- one case --------------------------------------------------------------------------------
function makeTarget(w: World, rng: Rng): Target {
  const kind = rng.pick(['anonymous', 'DEFAULT', 'READ', 'WRITE', 'COPY', 'PRIVATE']);
  const size = rng.pick([1, 13, 4096, 4097, 3 * 4096, 20000]);
  const content = kind === 'anonymous' ? new Uint8Array(size) : fill(rng, size, TARGET_ALPHABET, 0.02);
  let m: MMap;
  let file: string | undefined;
  if (kind === 'anonymous') {
    m = new MMap(-1, size);
    if (rng.chance(0.8)) {
      content.set(fill(rng, size, TARGET_ALPHABET, 0.02));
      m.setSlice(null, null, content);
    }
  } else {
    file = w.file(content);
    const fd = fs.openSync(file, kind === 'READ' ? 'r' : 'r+');
    const options = kind === 'READ' ? { access: ACCESS_READ } : kind === 'WRITE' ? { access: ACCESS_WRITE }
      : kind === 'COPY' ? { access: ACCESS_COPY } : kind === 'PRIVATE' ? { flags: MAP_PRIVATE } : {};
    m = new MMap(fd, 0, options);
    fs.closeSync(fd);
  }
  const pos = rng.pick([0, 0, Math.floor(size / 2), size, rng.int(0, size)]);
  m.seek(pos);
  return {
    m, label: `${kind} ${size}B`, file, backing: m.backing,
    sharedFile: kind === 'DEFAULT' || kind === 'WRITE',
    model: { closed: false, content: content.slice(), pos, readonly: kind === 'READ', cow: kind === 'COPY', anonymous: kind === 'anonymous' },
  };
}

/** Calls on bystanders that leave their bytes in the scratch area and the result pool. */
function traffic(w: World, rng: Rng, fail: (kind: string, detail: string) => void): void {
  for (let i = 0; i < 2; i++) {
    const k = rng.int(0, BYSTANDERS - 1);
    const b = w.bystanders[k];
    const len = b.content.length;
    const at = rng.int(0, len - 1);
    const n = Math.min(len - at, rng.int(1, 4096));
    try {
      b.m.seek(at);
      const r = b.m.read(Math.max(n, Math.min(65, len - at)));
      const seen = [r, b.m.getSlice(null, null, 2), b.m.getSlice(at, at + n)];
      const needle = b.content.subarray(at, at + Math.min(n, 24));
      const found = b.m.find(needle, 0);
      if (found !== search(b.content, needle, 0, len, false)) fail('bystander call wrong', `${b.label}.find gave ${found}`);
      if (b.writable) {
        b.m.seek(at);
        b.m.write(b.content.subarray(at, at + n));
        const stepped = b.content.subarray(at, at + 2 * Math.floor(n / 2)).filter((_, j) => j % 2 === 0);
        b.m.setSlice(at, at + stepped.length * 2, stepped, 2);
      }
      for (const s of seen) {
        const f = foreign(s, k);
        if (f !== null) fail('foreign bytes in result', `${b.label} result: ${f}`);
        const fb = foreign(new Uint8Array(s.buffer), k);
        if (fb !== null) fail('foreign bytes in result.buffer', `${b.label} result.buffer: ${fb}`);
      }
    } catch (e) {
      fail('bystander call wrong', `${b.label}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
  }
}

function checkBystanders(w: World, fail: (kind: string, detail: string) => void): boolean {
  let ok = true;
  for (const b of w.bystanders) {
    let now: Uint8Array;
    try {
      now = b.m.getSlice();
    } catch (e) {
      fail('other map changed', `${b.label}: getSlice() threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      ok = false;
      continue;
    }
    if (!equal(now, b.content)) {
      const i = now.findIndex((v, j) => v !== b.content[j]);
      fail('other map changed', `${b.label}: byte ${i} is 0x${now[i]?.toString(16)}, was 0x${b.content[i]?.toString(16)}${now.length !== b.content.length ? ` (length ${now.length})` : ''}`);
      ok = false;
    }
    if (b.file !== undefined) {
      const disk = fs.readFileSync(b.file);
      if (!equal(disk, b.fileContent!)) {
        const i = disk.findIndex((v, j) => v !== b.fileContent![j]);
        fail('other file changed', `${b.label}: file byte ${i} is 0x${disk[i]?.toString(16)}, was 0x${b.fileContent![i]?.toString(16)}`);
        ok = false;
      }
    }
  }
  if (!equal(fs.readFileSync(w.markerFile), w.markerContent)) {
    fail('other file changed', 'the marker file (mapped read-only by hooks)');
    ok = false;
  }
  return ok;
}

const DOCUMENTED = [ValueError, IndexError, OverflowError, OSError, TypeError];

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}(${e.name}): ${e.message}` : `a thrown ${typeof e} ${String(e)}`;
}

function matches(e: unknown, x: Expected): boolean {
  if (!(e instanceof x.cls) || (e as Error).name !== (x.cls === OSError ? (e as Error).name : x.cls.name)) return false;
  const msg = (e as Error).message;
  return typeof x.message === 'string' ? msg === x.message : x.message.test(msg);
}

function sameValue(got: unknown, want: unknown): boolean {
  if (want instanceof Uint8Array) return got instanceof Uint8Array && equal(got, want);
  return Object.is(got, want) || got === want;
}

function actualState(t: Target): { content: Uint8Array; pos: number } | string {
  try {
    return { content: t.m.getSlice(), pos: t.m.tell() };
  } catch (e) {
    return describeError(e);
  }
}

/** The constructor with hostile fileno, length and options. */
function constructorCase(w: World, rng: Rng, fail: (kind: string, detail: string) => void): string {
  const content = fill(rng, rng.pick([1, 4096, 5000]), TARGET_ALPHABET);
  const file = w.file(content);
  const fd = fs.openSync(file, 'r+');
  const args: Arg[] = [
    rng.chance(0.8) ? { value: rng.chance(0.7) ? fd : -1, desc: 'fd' } : numberish(w, rng),
    rng.chance(0.8) ? { value: rng.pick([0, content.length, 1]), desc: 'length' } : numberish(w, rng),
  ];
  const action = pickAction(rng, false);
  const h = hook(w, rng, action);
  const fields: Record<string, unknown> = {};
  if (rng.chance(0.5)) fields.access = rng.pick([ACCESS_DEFAULT, ACCESS_READ, ACCESS_WRITE, ACCESS_COPY]);
  else if (rng.chance(0.5)) fields.flags = rng.pick([MAP_SHARED, MAP_PRIVATE]);
  const optionKind = rng.pick(['getters', 'proxy', 'plain', 'numberish']);
  const shown: Record<string, string> = {};
  let options: unknown;
  if (optionKind === 'getters') {
    options = {};
    for (const key of ['flags', 'prot', 'access', 'offset', 'backing']) {
      if (rng.chance(0.5)) Object.defineProperty(options, key, { get() { h(); return fields[key]; }, enumerable: true });
    }
  } else if (optionKind === 'proxy') {
    options = new Proxy(fields, { get(t, p) { h(); return Reflect.get(t, p); }, has(t, p) { h(); return Reflect.has(t, p); } });
  } else if (optionKind === 'numberish') {
    const backing = numberish(w, rng);
    fields.backing = backing.value;
    shown.backing = `<${backing.desc}>`;
    options = fields;
  } else {
    options = fields;
  }
  // Described from a copy that holds no hostile value: JSON.stringify would run its getters and traps.
  args.push({ value: options, desc: `options ${optionKind} ${JSON.stringify({ ...fields, ...shown }, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}, hook ${action}s` });
  // MMap.open instead, by a path (a string, a file: URL, or a hostile value) and the same options
  // (its length among them: not given, the whole file).
  const open = args[0].value === fd && rng.chance(0.3)
    ? rng.pick<Arg>([{ value: file, desc: 'path' }, { value: url.pathToFileURL(file), desc: 'file: URL' }, numberish(w, rng)])
    : undefined;
  const desc = open === undefined ? `new MMap(${args.map((a) => a.desc).join(', ')})` : `MMap.open(${open.desc}, ${args[2].desc})`;
  const length = open === undefined ? args[1].value : 0;
  fs.writeSync(w.progress, `# ${desc}\n`);
  // A constructor whose target does not exist yet: hooks that close or resize act on a dummy.
  w.target = { m: new MMap(-1, 1), label: 'dummy', backing: 'anonymous', sharedFile: false, model: { closed: false, content: new Uint8Array(1), pos: 0, readonly: false, cow: false, anonymous: true } };
  let m: MMap | undefined;
  try {
    m = open === undefined ? new MMap(args[0].value as any, args[1].value as any, options as any) : MMap.open(open.value as any, options as any);
  } catch (e) {
    const userCode = optionKind === 'getters' || optionKind === 'proxy';
    if (e instanceof HostileError && userCode) {
      // the caller's own getter threw: it propagates, as in Python
    } else if (!DOCUMENTED.some((c) => e instanceof c) || /\(a bug\)/.test((e as Error).message)) {
      fail('wrong error class', `${desc}: ${describeError(e)}`);
    }
  }
  if (m !== undefined) {
    try {
      const got = m.getSlice();
      const anonymous = args[0].value === -1;
      const want = anonymous ? new Uint8Array(got.length) : content.subarray(0, got.length);
      if (!equal(got, want) || (!anonymous && length === 0 && got.length !== content.length)) {
        fail('wrong result', `${desc}: the new map holds ${show(got)}, the file ${show(content)}`);
      }
      const f = foreign(got, -1);
      if (f !== null) fail('foreign bytes in result', `${desc}: ${f}`);
      const fb = foreign(new Uint8Array(got.buffer), -1);
      if (fb !== null) fail('foreign bytes in result.buffer', `${desc}: ${fb}`);
    } catch (e) {
      fail('wrong error class', `${desc}: getSlice() of the new map: ${describeError(e)}`);
    }
    m.close();
  }
  if (!w.target.model.closed) w.target.m.close();
  fs.closeSync(fd);
  return desc;
}

/** Runs case `index` of the run seeded `seed`; returns its description and its failures. */
function runCase(w: World, seed: number, index: number): { desc: string; failures: Failure[] } {
  const rng = new Rng(caseSeed(seed, index));
  const failures: Failure[] = [];
  const fail = (kind: string, detail: string) => {
    if (!failures.some((f) => f.kind === kind && f.detail === detail)) failures.push({ kind, detail });
  };
  w.effects = [];
  if (rng.chance(0.1)) w.recycle(rng.int(0, BYSTANDERS - 1));
  traffic(w, rng, fail);

  let desc: string;
  if (rng.chance(0.07)) {
    desc = constructorCase(w, rng, fail);
  } else {
    const t = makeTarget(w, rng);
    w.target = t;
    if (rng.chance(0.5)) {
      // an earlier result of the target, for arguments to view
      try { w.results.push(t.m.getSlice(rng.int(0, 10), null, 1)); } catch { /* checked elsewhere */ }
    }
    const method = rng.weighted(Object.fromEntries(METHODS.map((m) => [m.name, m.weight])) as Record<string, number>);
    const spec = METHODS.find((m) => m.name === method)!;
    const args = spec.gen(w, rng);
    desc = `${t.label} ${t.backing} pos ${t.model.pos}: ${method}(${args.map((a) => a.desc).join(', ')})`;
    fs.writeSync(w.progress, `# ${desc}\n`);
    const before = cloneModel(t.model);
    const g0 = args.map((a) => (a.bytes ? genuine(a.value) : null));
    let value: unknown;
    let error: unknown;
    let threw = false;
    try {
      value = spec.call(t.m, args.map((a) => a.value));
    } catch (e) {
      threw = true;
      error = e;
    }
    const g1 = args.map((a) => (a.bytes ? genuine(a.value) : null));
    desc += w.effects.length > 0 ? ` [hooks ran: ${w.effects.join(', ')}]` : '';

    // (b) the class
    if (threw && (!DOCUMENTED.some((c) => error instanceof c) || /\(a bug\)/.test((error as Error).message))) {
      fail('wrong error class', describeError(error));
    }
    // (e) against the model, for the argument's genuine bytes at the start or at the end
    const after = t.model; // hooks changed it as they acted
    const expectations: Expectation[] = [];
    const gw = args.map((a) => (a.wraps !== undefined ? genuine(a.wraps) : null));
    for (const g of gw.some((x) => x !== null) ? [g0, g1, gw] : [g0, g1]) {
      try {
        expectations.push(spec.model(after, args.map((a) => a.value), g));
      } catch (x) {
        if (!(x instanceof Expected)) throw x;
        expectations.push(x);
      }
    }
    // A detached buffer has no Python counterpart: empty bytes, or a TypeError or ValueError.
    if ([...g0, ...g1].includes('detached')) expectations.push(new Expected(TypeError, /./), new Expected(ValueError, /./));
    // resize(0) truncates the file and then fails EINVAL, leaving a map over nothing (CPython
    // on Linux too): the target's bytes and file are not judged after it.
    const truncated = spec.name === 'resize' && args[0].value === 0;
    const state = after.closed || truncated ? 'closed' : actualState(t);
    let matched: Expectation | undefined;
    for (const x of expectations) {
      if (x instanceof Expected) {
        if (threw && matches(error, x)) matched = x;
      } else if ('lenient' in x) {
        matched = x;
      } else if (!threw && sameValue(value, x.value)) {
        matched = x;
      }
      if (matched !== undefined) break;
    }
    if (matched === undefined) {
      const want = expectations.map((x) => (x instanceof Expected ? `${x.cls.name}: ${x.message}` : 'lenient' in x ? 'any' : `returns ${x.value instanceof Uint8Array ? show(x.value) : String(x.value)}`));
      const got = threw ? describeError(error) : `returned ${value instanceof Uint8Array ? show(value) : String(value)}`;
      const kind = threw && expectations.some((x) => !(x instanceof Expected)) ? 'error where the model succeeds'
        : !threw && expectations.every((x) => x instanceof Expected) ? 'success where the model raises'
          : threw ? 'wrong error or message' : 'wrong result';
      fail(kind, `${got}; expected ${[...new Set(want)].join(' or ')}`);
    }
    // the target's bytes and cursor: as the model says after success, unchanged after an error
    const wantState = matched !== undefined && !(matched instanceof Expected) && !('lenient' in matched) ? matched.state
      : threw || matched === undefined ? after : undefined;
    if (typeof state === 'string') {
      if (!t.m.closed && !truncated) fail('target unreadable after the call', state);
    } else if (wantState !== undefined && !wantState.closed) {
      if (!equal(state.content, wantState.content)) {
        const i = state.content.findIndex((v, j) => v !== wantState.content[j]);
        fail(threw ? 'failed call changed the target' : 'target bytes wrong', `byte ${i} is 0x${state.content[i]?.toString(16)}, model 0x${wantState.content[i]?.toString(16)} (lengths ${state.content.length}/${wantState.content.length})`);
      } else if (state.pos !== wantState.pos) {
        fail(threw ? 'failed call changed the target' : 'target bytes wrong', `pos ${state.pos}, model ${wantState.pos}`);
      }
      t.model = cloneModel(wantState);
    } else if (typeof state !== 'string') {
      t.model.content = state.content;
      t.model.pos = state.pos;
    }
    if (typeof state !== 'string') {
      const f = foreign(state.content, -1);
      if (f !== null) fail('foreign bytes in the target', f);
    }
    // (d) results: only the target's bytes, in the result and in its whole buffer
    for (const r of [value, ...(Array.isArray(value) ? value : [])]) {
      if (!(r instanceof Uint8Array)) continue;
      w.results.push(r);
      const f = foreign(r, -1);
      if (f !== null) fail('foreign bytes in result', f);
      const fb = foreign(new Uint8Array(r.buffer), -1);
      if (fb !== null) fail('foreign bytes in result.buffer', fb);
    }
    if (w.results.length > 16) w.results.splice(0, w.results.length - 16);
    // the target's file after close: a shared file map's bytes reached it; other files unchanged
    try {
      t.m.close();
    } catch (e) {
      fail('wrong error class', `close(): ${describeError(e)}`);
    }
    if (t.file !== undefined && !truncated) {
      const disk = fs.readFileSync(t.file);
      // A MAP_PRIVATE map's resize still ftruncates its file (CPython's resize): the file's
      // bytes are the original ones at the new length.
      let want = t.sharedFile ? t.model.content : before.content;
      if (!t.sharedFile && !t.model.readonly && !t.model.cow && want.length !== t.model.content.length) {
        want = new Uint8Array(t.model.content.length);
        want.set(before.content.subarray(0, want.length));
      }
      if (!equal(disk, want)) {
        const i = disk.findIndex((v, j) => v !== want[j]);
        fail(t.sharedFile ? 'target file wrong' : 'target file changed', `file byte ${i} is 0x${disk[i]?.toString(16)}, want 0x${want[i]?.toString(16)} (lengths ${disk.length}/${want.length})`);
      }
    }
  }
  for (const m of w.kept) m.close();
  w.kept = [];
  traffic(w, rng, fail);
  // (c) every other map and file
  if (!checkBystanders(w, fail)) w.restore();
  return { desc, failures };
}

/**
 * Runs cases [from, to) of the run seeded `seed`, appending one JSON line per failing case to
 * `outFile` and the index of the case about to run to `progressFile` (so a crash names it).
 */
export function run(seed: number, from: number, to: number, outFile: string, progressFile: string): void {
  const w = new World(new Rng(seed));
  const out = fs.openSync(outFile, 'a');
  const progress = fs.openSync(progressFile, 'a');
  w.progress = progress;
  for (let i = from; i < to; i++) {
    fs.writeSync(progress, `${i}\n`);
    let result: { desc: string; failures: Failure[] };
    try {
      result = runCase(w, seed, i);
    } catch (e) {
      result = { desc: `case ${i}`, failures: [{ kind: 'harness error', detail: (e as Error)?.stack ?? String(e) }] };
      try { w.restore(); } catch { /* the next case reports it */ }
    }
    if (result.failures.length > 0) fs.writeSync(out, `${JSON.stringify({ seed, case: i, desc: result.desc, failures: result.failures })}\n`);
  }
  fs.writeSync(progress, 'done\n');
  w.cleanup();
}
