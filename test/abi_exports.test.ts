// docs/ABI.md is the contract every host is written against: its table of exports must be the
// built binary's, signature for signature, and the constants the TypeScript host shares with
// the core (error codes and their messages, map_new's bits) must be the core's.
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as abi from '../src/abi.ts';

const test = suite('the ABI as documented');
const root = new URL('../', import.meta.url);

/** `name(params) -> result` of every function export of a wasm binary, read from its sections. */
function exportedSignatures(binary: Uint8Array): Map<string, string> {
  const VALUE: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };
  let at = 8; // magic and version
  const leb = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = binary[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const list = <T>(item: () => T) => Array.from({ length: leb() }, item);
  const types: string[][][] = [];
  let functions: number[] = [];
  let imported = 0;
  const exports: [string, number, number][] = [];
  while (at < binary.length) {
    const id = binary[at++];
    const end = leb() + at;
    if (id === 1) {
      types.push(...list(() => {
        at++; // 0x60
        return [list(() => VALUE[binary[at++]]), list(() => VALUE[binary[at++]])];
      }));
    } else if (id === 2) {
      imported = list(() => 0).length; // the core has no imports; count them if it ever does
    } else if (id === 3) {
      functions = list(leb);
    } else if (id === 7) {
      exports.push(...list((): [string, number, number] => {
        const name = Buffer.from(binary.subarray(at + 1, at + 1 + binary[at])).toString();
        at += 1 + binary[at];
        const kind = binary[at++];
        return [name, kind, leb()];
      }));
    }
    at = end;
  }
  const signatures = new Map<string, string>();
  for (const [name, kind, index] of exports) {
    if (kind !== 0) continue;
    const [params, results] = types[functions[index - imported]];
    signatures.set(name, `${name}(${params.join(', ')}) -> ${results[0] ?? 'void'}`);
  }
  return signatures;
}

test('docs/ABI.md lists every function export with its exact signature, and nothing else', () => {
  for (const build of ['core.wasm', 'core-scalar.wasm']) {
    const built = exportedSignatures(fs.readFileSync(new URL(`build/${build}`, root)));
    const doc = fs.readFileSync(new URL('docs/ABI.md', root), 'utf8');
    const documented = [...doc.matchAll(/^\| `(\w+\([^)]*\) -> \w+)` \|/gm)].map((m) => m[1]);
    assert.equal(documented.slice().sort(), [...built.values()].sort(), build);
  }
});

/** `export const NAME: type = value; // comment` lines of an AssemblyScript file. */
function constants(file: string): Map<string, [number, string]> {
  const text = fs.readFileSync(new URL(file, root), 'utf8');
  const found = new Map<string, [number, string]>();
  for (const m of text.matchAll(/^export const (\w+): \w+ = ([^;]+);\s*(?:\/\/ (.*))?$/gm)) {
    const value = Number(m[2].replace(/E_OS \+ /, '1000+').split('+').reduce((sum, term) => sum + Number(term), 0));
    found.set(m[1], [value, m[3] ?? '']);
  }
  return found;
}

test("every error code of assembly/errors.ts has the host's class and message, as its comment says", () => {
  const codes = constants('assembly/errors.ts');
  assert.ok(codes.size > 25);
  for (const [name, [code, comment]] of codes) {
    if (code >= abi.E_OS) {
      const e = abi.coreError(code) as Error & { errno?: number };
      assert.is(e.errno, code - abi.E_OS, name);
      continue;
    }
    const e = abi.coreError(code);
    const said = /^(\w+): (.*)$/.exec(comment);
    if (said === null) {
      assert.match(e.message, /\(a bug\)$/, `${name}: a host bug, said as one`);
      continue;
    }
    assert.is(`${e.name}: ${e.message}`, `${said[1]}: ${said[2]}`, name);
  }
});

test("map_new's fact and decision bits are the core's", () => {
  const core = constants('assembly/mmap.ts');
  for (const name of ['FD_GIVEN', 'FD_VALID', 'FD_REGULAR', 'FD_DEV_ZERO', 'FD_READABLE', 'FD_WRITABLE', 'WANT_EXTERNAL'] as const) {
    assert.is(abi[name], core.get(name)?.[0], name);
  }
  const decided = {
    DECIDED_SHARED: 'SHARED', DECIDED_FILE: 'FILE', DECIDED_EXTERNAL: 'EXTERNAL', DECIDED_FD_WRITABLE: 'FD_WRITABLE_BIT',
    DECIDED_WRITABLE: 'DECIDED_WRITABLE', DECIDED_POPULATE: 'DECIDED_POPULATE',
  } as const;
  for (const [host, name] of Object.entries(decided)) assert.is(abi[host as keyof typeof decided], core.get(name)?.[0], name);
});

test.run();
