// Model-based property tests (fast-check) for the user address space and the page table: random
// sequences of mmap / munmap / mprotect / fork / touch / exit on a driver file must keep the VMA
// list sorted, disjoint and inside TASK_SIZE, keep the driver's reference count (f_op->mmap and
// vm_ops->open minus vm_ops->close) equal to the number of live VMAs that use it in every mm, and
// end with nothing leaked; random map / unmap on a page table must agree with a plain Map.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type File, MAP_PRIVATE, MAP_SHARED, Mm, PAGE_SIZE, PageTable, PhysMem, PROT_READ_U, PROT_WRITE_U, type VmOps, assert, check,
  defineModel, fput, openFile, thread,
} from '../../src/index.js';

type Cmd =
  | { readonly k: 'mmap'; readonly pages: number; readonly shared: boolean; readonly file: boolean }
  | { readonly k: 'munmap' | 'mprotect'; readonly at: number; readonly pages: number; readonly ro: boolean }
  | { readonly k: 'touch'; readonly at: number; readonly write: boolean }
  | { readonly k: 'fork' }
  | { readonly k: 'exitChild' };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ k: fc.constant('mmap' as const), pages: fc.integer({ min: 1, max: 6 }), shared: fc.boolean(), file: fc.boolean() }),
  fc.record({ k: fc.constantFrom('munmap' as const, 'mprotect' as const), at: fc.integer({ min: 0, max: 11 }), pages: fc.integer({ min: 1, max: 2 }), ro: fc.boolean() }),
  fc.record({ k: fc.constant('touch' as const), at: fc.integer({ min: 0, max: 15 }), write: fc.boolean() }),
  fc.record({ k: fc.constant('fork' as const) }),
  fc.record({ k: fc.constant('exitChild' as const) }),
);

const BASE = 0x10000;

function wellFormed(mm: Mm): string | null {
  let prev = mm.mmapBase;
  for (const v of mm.vmas) {
    if (v.vmStart < prev || v.vmEnd <= v.vmStart || v.vmEnd > mm.taskSize) return `${mm.name}: bad ${v.describe()} after ${prev.toString(16)}`;
    prev = v.vmEnd;
  }
  return null;
}

function runProgram(cmds: readonly Cmd[]): string | null {
  const m = defineModel({
    name: 'hw-test/mm-program',
    scenarios: { default: {} },
    setup: () => {
      const phys = new PhysMem();
      const buf = phys.addRam(0x80000000, 2);
      for (const p of buf) p.reserved = true;
      phys.addRam(0x90000000, 24);
      return { phys, buf, refs: 0, mm: new Mm('parent', phys, { mmapBase: BASE, taskSize: BASE + 16 * PAGE_SIZE }) };
    },
    threads: (s) => [thread('main', function* () {
      const vmOps: VmOps = {
        open: function* () { s.refs++; },
        close: function* () { s.refs--; },
        nopage: function* (vma, address) { return s.buf[(address - vma.vmStart) / PAGE_SIZE + vma.vmPgoff] ?? null; },
      };
      const f = (yield* openFile('drv', { mmap: function* (_f, vma) { s.refs++; vma.vmOps = vmOps; return 0; } })) as File;
      let child: Mm | null = null;
      const mms = (): Mm[] => (child ? [s.mm, child] : [s.mm]);
      for (const c of cmds) {
        if (c.k === 'mmap') yield* s.mm.mmap(c.file ? f : null, { len: c.pages * PAGE_SIZE, prot: PROT_READ_U | PROT_WRITE_U, flags: c.shared ? MAP_SHARED : MAP_PRIVATE });
        else if (c.k === 'munmap') yield* s.mm.munmap(BASE + c.at * PAGE_SIZE, c.pages * PAGE_SIZE);
        else if (c.k === 'mprotect') yield* s.mm.mprotect(BASE + c.at * PAGE_SIZE, c.pages * PAGE_SIZE, c.ro ? PROT_READ_U : PROT_READ_U | PROT_WRITE_U);
        else if (c.k === 'touch') {
          const r = yield* s.mm.access(BASE + c.at * PAGE_SIZE, { write: c.write, value: 1 });
          const v = s.mm.findVma(BASE + c.at * PAGE_SIZE);
          const expectOk = v !== undefined && (!c.write || (v.vmFlags & 2) !== 0) && (v.vmOps === null || (BASE + c.at * PAGE_SIZE - v.vmStart) / PAGE_SIZE + v.vmPgoff < 2);
          assert(r.ok === expectOk, `touch ${c.at} ${c.write ? 'W' : 'R'}: got ${JSON.stringify(r)}`);
        } else if (c.k === 'fork' && !child) child = yield* s.mm.fork('child');
        else if (c.k === 'exitChild' && child) { yield* child.exit(); child = null; }
        for (const mm of mms()) { const bad = wellFormed(mm); assert(bad === null, bad ?? ''); }
        const live = mms().reduce((n, mm) => n + mm.vmas.filter((v) => v.vmOps === vmOps).length, 0);
        assert(s.refs === live, `driver refs ${s.refs} but ${live} live driver VMAs after ${c.k}`);
      }
      for (const mm of mms()) yield* mm.exit();
      yield* fput(f);
      assert(s.refs === 0, `refs ${s.refs} after exit`);
      assert(s.phys.allPages().every((p) => p.reserved || p.count === 0), 'every anonymous frame freed');
    })],
  });
  const r = check(m, { strategy: 'random', maxExecutions: 1 });
  return r.finding ? `${r.finding.violation.kind}: ${r.finding.violation.message}` : null;
}

describe('model-based properties', () => {
  it('random mmap / munmap / mprotect / fork / touch / exit programs keep VMAs and driver refcounts consistent', () => {
    fc.assert(fc.property(fc.array(cmdArb, { minLength: 3, maxLength: 14 }), (cmds) => {
      expect(runProgram(cmds)).toBeNull();
    }), { numRuns: 300, seed: 42 });
  });

  it('random map / unmap on a page table agree with a reference map', () => {
    const opArb = fc.record({ map: fc.boolean(), page: fc.integer({ min: 0, max: 7 }), n: fc.integer({ min: 1, max: 3 }), frame: fc.integer({ min: 0, max: 7 }) });
    fc.assert(fc.property(fc.array(opArb, { maxLength: 20 }), (ops) => {
      const m = defineModel({
        name: 'hw-test/pt-program',
        scenarios: { default: {} },
        setup: () => {
          const phys = new PhysMem();
          phys.addRam(0x80000000, 16);
          // The reference map is part of the state: every execution (and the audit's re-runs)
          // starts from an empty one.
          return { pt: new PageTable('kpt', phys), ref: new Map<number, number>() };
        },
        threads: (s) => [thread('main', function* () {
          const ref = s.ref;
          for (const o of ops) {
            const va = 0x100000 + o.page * PAGE_SIZE;
            if (o.map) {
              const r = yield* s.pt.map(va, 0x80000000 + o.frame * PAGE_SIZE, o.n * PAGE_SIZE, 'cached', { onPresent: 'eexist' });
              let clash = false;
              for (let i = 0; i < o.n && !clash; i++) {
                if (ref.has(o.page + i)) clash = true; // iommu-style: stop at the first live entry
                else ref.set(o.page + i, o.frame + i);
              }
              assert(r === (clash ? -17 : 0), `map result ${r}, expected ${clash ? '-EEXIST' : 0}`);
            } else {
              yield* s.pt.unmap(va, o.n * PAGE_SIZE);
              for (let i = 0; i < o.n; i++) ref.delete(o.page + i);
            }
            for (let p = 0; p < 10; p++) {
              const t = s.pt.translate(0x100000 + p * PAGE_SIZE + 8);
              const want = ref.get(p);
              assert(want === undefined ? t === null : t?.pa === 0x80000000 + want * PAGE_SIZE + 8, `page ${p}: ${JSON.stringify(t)} vs frame ${String(want)}`);
            }
          }
        })],
      });
      const r = check(m, { strategy: 'random', maxExecutions: 1 });
      expect(r.finding?.violation.message ?? null).toBeNull();
    }), { numRuns: 200, seed: 7 });
  });
});
