// Reduces a diverging case to a small one with the same divergence: delta debugging over the
// ops (Zeller's ddmin, complements only), then simpler arguments and a shorter file, and saves
// it as JSON under test/corpus/.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Arg, Case, Op } from '../oracle/cpython.ts';
import { backingOf, check, type Divergence } from './runner.ts';

/** One saved case: what corpus.test.ts replays. */
export interface CorpusEntry {
  /** The backing of its file maps (each `new` also names it), or `anonymous`. */
  backing: string;
  /** The op's name and both answers' kinds, as the shrinker kept them. */
  signature: string;
  divergence: Omit<Divergence, 'signature'>;
  case: Case;
}

/** The first of `cases` that still diverges with `signature`, and how; null when none does. */
async function firstFailing(cases: Case[], signature: string): Promise<{ index: number; divergence: Divergence } | null> {
  if (cases.length === 0) return null;
  const verdicts = await check(cases);
  const index = verdicts.findIndex((v) => v.divergence?.signature === signature);
  return index < 0 ? null : { index, divergence: verdicts[index].divergence! };
}

/** Smaller numbers first, so that simplification always moves towards 0. */
function simplerNumbers(x: number): number[] {
  const out = [0, 1, -1, Math.trunc(x / 2), x - Math.sign(x)];
  return [...new Set(out)].filter((y) => Math.abs(y) < Math.abs(x) || (Math.abs(y) === Math.abs(x) && y > x));
}

function simplerArgs(a: Arg): Arg[] {
  if (typeof a === 'number') return Number.isInteger(a) ? simplerNumbers(a) : [0, Math.trunc(a)];
  if (a !== null && typeof a === 'object' && 'hex' in a) {
    const h = a.hex;
    if (h.length === 0) return [];
    const half = h.slice(0, 2 * Math.floor(h.length / 4));
    return [{ hex: '' }, { hex: half }, { hex: h.slice(0, -2) }, ...(/^(30)*$/.test(h) ? [] : [{ hex: '30'.repeat(h.length / 2) }])];
  }
  return [];
}

/** Every one-step simplification of `c` (arguments, optional fields, the file). */
function simplifications(c: Case): Case[] {
  const out: Case[] = [];
  const withOp = (i: number, op: Op): Case => ({ ...c, ops: c.ops.map((o, j) => (j === i ? op : o)) });
  if (c.file) {
    for (const f of simplerArgs(c.file)) out.push({ ...c, file: f as { hex: string } });
  }
  c.ops.forEach((op, i) => {
    const rec = op as unknown as Record<string, unknown>;
    if (op.op === 'new') {
      for (const key of ['flags', 'prot', 'access', 'offset']) {
        if (key in rec) {
          const { [key]: _, ...rest } = rec;
          out.push(withOp(i, rest as unknown as Op));
        }
      }
      for (const v of simplerArgs(rec.length as Arg)) out.push(withOp(i, { ...op, length: v } as Op));
      return;
    }
    if (op.op === 'fileWrite') {
      for (const v of simplerArgs(op.data)) out.push(withOp(i, { ...op, data: v as { hex: string } }));
      for (const v of simplerNumbers(op.offset)) out.push(withOp(i, { ...op, offset: v }));
      return;
    }
    if (op.op === 'fileTruncate') {
      for (const v of simplerNumbers(op.length)) if (v >= 0) out.push(withOp(i, { ...op, length: v }));
      return;
    }
    const args = (rec.args as Arg[] | undefined) ?? [];
    if (args.length > 0) out.push(withOp(i, { ...op, args: args.slice(0, -1) } as Op));
    args.forEach((a, k) => {
      for (const v of simplerArgs(a)) out.push(withOp(i, { ...op, args: args.map((b, m) => (m === k ? v : b)) } as Op));
    });
  });
  return out;
}

/**
 * Shrinks a case that diverges with `signature` until no single step keeps the divergence.
 * @param c the diverging case
 * @param signature its divergence's signature (runner.ts), kept fixed while shrinking
 * @param rounds the most simplification rounds (each one batch through both runtimes)
 * @returns the smallest case found and its divergence
 * @example const small = await shrink(c, verdict.divergence.signature);
 */
export async function shrink(c: Case, signature: string, rounds = 60): Promise<{ case: Case; divergence: Divergence | null }> {
  let best = c;
  let divergence: Divergence | null = null;
  // ddmin over the ops, testing every complement of one chunk in one batch.
  let n = 2;
  while (best.ops.length >= 2) {
    const size = Math.ceil(best.ops.length / n);
    const candidates: Case[] = [];
    for (let start = 0; start < best.ops.length; start += size) {
      candidates.push({ ...best, ops: [...best.ops.slice(0, start), ...best.ops.slice(start + size)] });
    }
    const hit = await firstFailing(candidates, signature);
    if (hit !== null) {
      best = candidates[hit.index];
      divergence = hit.divergence;
      n = Math.max(n - 1, 2);
    } else if (n >= best.ops.length) {
      break;
    } else {
      n = Math.min(best.ops.length, 2 * n);
    }
  }
  for (let round = 0; round < rounds; round++) {
    const candidates = simplifications(best);
    const hit = await firstFailing(candidates, signature);
    if (hit === null) break;
    best = candidates[hit.index];
    divergence = hit.divergence;
  }
  if (best.file && !best.ops.some((op) => op.op.startsWith('file') || (op.op === 'new' && typeof (op as { fileno?: unknown }).fileno === 'object'))) {
    const hit = await firstFailing([{ ...best, file: null }], signature);
    if (hit !== null) ({ case: best, divergence } = { case: { ...best, file: null }, divergence: hit.divergence });
  }
  if (divergence === null) divergence = (await check([best]))[0].divergence;
  const { name: _, ...rest } = best;
  return { case: rest, divergence };
}

/** Signatures of the cases already saved under `dir` (and its `pending/`), with their backing. */
export function savedSignatures(dir: string): Set<string> {
  const seen = new Set<string>();
  for (const d of [dir, path.join(dir, 'pending')]) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).filter((f) => f.endsWith('.json'))) {
      const e = JSON.parse(fs.readFileSync(path.join(d, f), 'utf8')) as CorpusEntry;
      seen.add(`${e.backing} ${e.signature}`);
    }
  }
  return seen;
}

/**
 * Saves a shrunk case as `<dir>/<short hash>-<backing>.json`.
 * @param dir the folder (created when missing)
 * @param c the case
 * @param divergence how it diverges
 * @returns the file's path
 * @example saveCase('test/corpus/pending', small.case, small.divergence);
 */
export function saveCase(dir: string, c: Case, divergence: Divergence): string {
  const backing = backingOf(c);
  const { signature, ...where } = divergence;
  const entry: CorpusEntry = { backing, signature, divergence: where, case: c };
  const hash = createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 10);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${hash}-${backing}.json`);
  fs.writeFileSync(file, `${JSON.stringify(entry, null, 1)}\n`);
  return file;
}
