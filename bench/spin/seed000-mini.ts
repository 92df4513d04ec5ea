/**
 * A miniature of seed 000 fixed with K callers, for the SPIN side-by-side (bench/spin/run.ts;
 * the Promela text is seed000-mini.pml beside it): the shape every fixed seed design shares.
 * Each caller, under one spinlock (vmap_area_lock), looks the published area up and takes a
 * reference with refcount_inc_not_zero, or kmallocs a fresh one and publishes it; uses it outside
 * the lock (a plain read: KASAN reports a use after free); under the lock again drops its
 * reference with refcount_dec_and_test and, on the last one, unpublishes and kfrees it.
 * Follows the fixed design of /work/shared/seeds seed 000 (find_vm_area + refcount under the
 * lock, one dec_and_test). Leaves out: the page-table mapping and the physical range checks of
 * the full model (models/ioremap-reuse), which SPIN's miniature leaves out too.
 */
import {
  Field, GFP_ATOMIC, type KPtr, type Op, RefcountT, SpinlockT, defineModel, kfree, kmalloc, refcount_dec_and_test,
  refcount_inc_not_zero, spin_lock, spin_unlock, thread,
} from '../../src/index.js';

type G = Generator<Op, void, unknown>;

interface Area { readonly ref: RefcountT; readonly data: Field<number> }
interface MiniState { readonly lock: SpinlockT; readonly slot: Field<KPtr<Area> | null> }

function* caller(s: MiniState, i: number): G {
  yield* spin_lock(s.lock, `caller${i}: spin_lock(&vmap_area_lock)`);
  let a = yield* s.slot.get(`caller${i}: find_vm_area`);
  if (a === null || !(yield* refcount_inc_not_zero(a.ref, `caller${i}: refcount_inc_not_zero`))) {
    a = yield* kmalloc<Area>('vm_struct', GFP_ATOMIC, (b) => ({ ref: new RefcountT(1, 'refcount', b), data: new Field(0, 'data', b) }), `caller${i}: kmalloc`);
    if (a === null) throw new Error('bench/seed000-mini: kmalloc cannot fail here (no injected faults)');
    yield* s.slot.set(a, `caller${i}: publish area`);
  }
  yield* spin_unlock(s.lock, `caller${i}: spin_unlock(&vmap_area_lock)`);
  yield* a.data.get(`caller${i}: use area->data`);
  yield* spin_lock(s.lock, `caller${i}: put: spin_lock(&vmap_area_lock)`);
  if (yield* refcount_dec_and_test(a.ref, `caller${i}: put: refcount_dec_and_test`)) {
    if ((yield* s.slot.get(`caller${i}: put: published?`)) === a) yield* s.slot.set(null, `caller${i}: put: unpublish`);
    yield* kfree(a, `caller${i}: put: kfree`);
  }
  yield* spin_unlock(s.lock, `caller${i}: put: spin_unlock(&vmap_area_lock)`);
}

/** `bench/seed000-mini` with scenario parameters `{ k }` (callers). */
export const seed000Mini = defineModel<MiniState, { k: number }>({
  name: 'bench/seed000-mini',
  description: 'seed 000 fixed in miniature: K callers doing lookup-then-get / put-then-free under one lock (SPIN side-by-side)',
  scenarios: { k2: { k: 2 }, k3: { k: 3 }, k4: { k: 4 }, k5: { k: 5 } },
  setup: () => ({ lock: new SpinlockT('vmap_area_lock'), slot: new Field<KPtr<Area> | null>(null, 'vmap_area_list') }),
  threads: (s, p) => {
    const ts = [];
    for (let i = 0; i < p.k; i++) ts.push(thread(`caller${i}`, () => caller(s, i), { symmetry: 'caller' }));
    return ts;
  },
  source: String(caller),
});
