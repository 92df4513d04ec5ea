/**
 * A structural hash of a model's state (the value its `setup()` returned, as the execution left
 * it) and of what its threads returned: the fingerprint the audit (audit.ts) compares between two
 * runs of one schedule, which a deterministic model must reproduce bit for bit. Walks plain
 * objects (own enumerable keys in insertion order), arrays, Maps and Sets (in insertion order:
 * the same schedule inserts in the same order), typed arrays, Dates and primitives; a revisited
 * object hashes as a back reference to its first visit, so cycles and sharing are part of the
 * shape. Functions hash by nothing but their presence (their text does not change between runs;
 * their closures are reached only through the state), and so do objects that belong to the engine
 * (an Execution or its tables) or are marked opaque.
 * Leaves out: state reachable only from closures or module scope (module-level counters show up
 * when a model copies them into its state or acts on them differently), symbols as keys, and
 * getters (their values are not read, so reading the state has no side effects). Past `limit`
 * nodes the walk stops and the hash covers what it saw.
 */
import { fnv1a, fnvMix } from './hash.js';

/** Objects the walk must not enter (the engine's own machinery reachable from a model's state). */
const opaque = new WeakSet<object>();

/** Mark an object so state hashes treat it as an opaque leaf (the engine marks its Execution). */
export function markOpaque(o: object): void {
  opaque.add(o);
}

export function stateHash(root: unknown, limit = 200_000): number {
  const seen = new Map<object, number>();
  let h = 0x811c9dc5;
  let nodes = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0 && nodes < limit) {
    const v = stack.pop();
    nodes++;
    switch (typeof v) {
      case 'undefined': h = fnvMix(h, 1); continue;
      case 'boolean': h = fnvMix(h, v ? 3 : 2); continue;
      case 'number': h = fnv1a(Object.is(v, -0) ? '-0' : String(v), fnvMix(h, 4)); continue;
      case 'bigint': h = fnv1a(v.toString(), fnvMix(h, 5)); continue;
      case 'string': h = fnv1a(v, fnvMix(h, 6)); continue;
      case 'symbol': h = fnv1a(v.description ?? '', fnvMix(h, 7)); continue;
      case 'function': h = fnvMix(h, 8); continue;
      default:
    }
    if (v === null) {
      h = fnvMix(h, 9);
      continue;
    }
    const o = v as object;
    const back = seen.get(o);
    if (back !== undefined) {
      h = fnvMix(fnvMix(h, 10), back);
      continue;
    }
    seen.set(o, seen.size);
    if (opaque.has(o)) {
      h = fnvMix(h, 11);
      continue;
    }
    if (ArrayBuffer.isView(o)) {
      const bytes = new Uint8Array(o.buffer, o.byteOffset, o.byteLength);
      h = fnvMix(h, 12 + bytes.length);
      for (let i = 0; i < bytes.length; i++) h = fnvMix(h, bytes[i] as number);
      continue;
    }
    if (o instanceof Date) {
      h = fnv1a(String(o.getTime()), fnvMix(h, 13));
      continue;
    }
    if (Array.isArray(o)) {
      h = fnvMix(h, 14 + o.length);
      for (let i = o.length - 1; i >= 0; i--) stack.push(o[i]);
      continue;
    }
    if (o instanceof Map) {
      h = fnvMix(h, 15 + o.size);
      const es = [...o.entries()];
      for (let i = es.length - 1; i >= 0; i--) stack.push((es[i] as [unknown, unknown])[1], (es[i] as [unknown, unknown])[0]);
      continue;
    }
    if (o instanceof Set) {
      h = fnvMix(h, 16 + o.size);
      const es = [...o.values()];
      for (let i = es.length - 1; i >= 0; i--) stack.push(es[i]);
      continue;
    }
    const keys = Object.keys(o);
    h = fnv1a(o.constructor?.name ?? '', fnvMix(h, 17 + keys.length));
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i] as string;
      const d = Object.getOwnPropertyDescriptor(o, k);
      stack.push(d !== undefined && 'value' in d ? d.value : undefined, k);
    }
  }
  return h >>> 0;
}
