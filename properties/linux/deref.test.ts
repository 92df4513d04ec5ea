/**
 * src/linux/deref.ts contracts: dereferencing stack garbage (UNINIT), an error pointer or NULL is
 * a 'page-fault' violation with the x86 Oops title, found by DPOR on a publish / consume pair of
 * threads; the twins that initialise the slot to NULL and test IS_ERR / NULL first are clean.
 */
import { describe, expect, it } from 'vitest';
import {
  ERR_PTR, type ErrPtr, Field, GFP_KERNEL, IS_ERR, type CPtr, UNINIT, defineModel, deref, isValidPtr,
  kernelConfig, kfree, kzalloc, nonNull,
} from '../../src/index.js';
import { dpor, expectClean, expectKind } from './helpers.js';

interface Obj { readonly kblock: number; readonly x: Field<number> }
interface S { readonly slot: Field<CPtr<Obj>> }
type P = { readonly careful: boolean; readonly initNull: boolean };

/** T0 allocates an object (allocation may fail) and publishes it or ERR_PTR(-ENOMEM); T1 uses it. */
const publish = defineModel<S, P>({
  name: 'test/deref-publish',
  scenarios: {
    uninit: { careful: false, initNull: false },
    'err-ptr': { careful: false, initNull: true },
    careful: { careful: true, initNull: true },
  },
  setup: (p) => {
    kernelConfig({ failAllocs: true });
    return { slot: new Field<CPtr<Obj>>(p.initNull ? null : UNINIT('consumer: obj'), 'slot') };
  },
  threads: (s, p) => [
    {
      name: 'producer',
      body: function* () {
        const o = yield* kzalloc<{ x: Field<number> }>('obj', GFP_KERNEL, (b) => ({ x: new Field(7, 'x', b) }), 'producer: kzalloc');
        const v: Obj | ErrPtr = o === null ? ERR_PTR(-12) : o;
        yield* s.slot.setOnce(v, 'producer: WRITE_ONCE(slot, obj)');
      },
    },
    {
      name: 'consumer',
      body: function* () {
        const v = yield* s.slot.once('consumer: READ_ONCE(slot)');
        if (p.careful ? isValidPtr(v) && !IS_ERR(v) : nonNull(v)) {
          yield* deref(v, 'consumer: obj->x').x.get('consumer: obj->x');
        }
      },
    },
  ],
  leakCheck: false,
});

describe('deref: bad pointers oops as page faults', () => {
  it('stack garbage read before the producer published is a page fault at the garbage address', () => {
    const v = expectKind(dpor(publish, 'uninit'), 'page-fault');
    expect(v.title).toContain('unable to handle page fault');
    expect(v.message).toContain('uninitialised pointer consumer: obj');
  });

  it('an ERR_PTR used as a struct is a page fault at 0xfffffffffffffff4', () => {
    const v = expectKind(dpor(publish, 'err-ptr'), 'page-fault');
    expect(v.title).toContain('fffffffffffffff4');
  });

  it('the careful consumer (NULL-initialised slot, IS_ERR test) is clean in every interleaving', () => {
    const r = dpor(publish, 'careful');
    expectClean(r);
    expect(r.executions).toBeGreaterThan(1);
  });

  it('a NULL dereference has the NULL-pointer title; a valid pointer is returned as is', () => {
    const m = defineModel<{ f: Field<number> }, { nul: boolean }>({
      name: 'test/deref-null',
      scenarios: { nul: { nul: true }, ok: { nul: false } },
      setup: () => ({ f: new Field(1, 'f') }),
      threads: (s, p) => [{
        name: 't',
        body: function* () {
          const o: CPtr<{ f: Field<number> }> = p.nul ? null : s;
          yield* deref(o, 't: o->f').f.get('t: o->f');
          const k = yield* kzalloc('k', GFP_KERNEL);
          yield* kfree(k);
        },
      }],
    });
    expect(expectKind(dpor(m, 'nul'), 'page-fault').title).toBe('BUG: kernel NULL pointer dereference, address: 0000000000000000');
    expectClean(dpor(m, 'ok'));
  });
});
