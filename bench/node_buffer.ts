// The searches on Node's own Buffer.indexOf / lastIndexOf, over the same bytes read into a Buffer.
import type { Results, Spec } from './ops.ts';
import { time } from './timing.ts';

export function runBuffer(spec: Spec, bytes: Buffer): Results {
  const needle1 = Buffer.from(spec.needle1, 'latin1');
  const needle8 = Buffer.from(spec.needle8, 'latin1');
  return {
    find1: time(spec.plans.find1, bytes.length, () => bytes.indexOf(needle1), { expect: -1 }),
    find8: time(spec.plans.find8, bytes.length, () => bytes.indexOf(needle8), { expect: -1 }),
    rfind8: time(spec.plans.rfind8, bytes.length, () => bytes.lastIndexOf(needle8), { expect: -1 }),
  };
}
