// Contract tests for user address spaces (src/hw/mm.ts): mmap / fork / munmap / mprotect / exit call
// the driver's f_op->mmap and vm_ops->open / close the number of times 2.4 does, nopage maps pages
// or raises SIGBUS, faults beyond a VMA are SIGSEGV, and racing faults never leak a page reference.
import { describe, expect, it } from 'vitest';
import {
  type File, type Json, MAP_PRIVATE, MAP_SHARED, Mm, NOPAGE_SIGBUS, type Page, PhysMem, PROT_READ_U, PROT_WRITE_U,
  type VmOps, type Vma, Atomic, op, assert, check, defineModel, openFile, fput, thread, type ThreadGen,
} from '../../src/index.js';
import { exploreKinds } from './explore-kinds.js';

const P = 4096;

/** A kvmap-like driver: 2 reserved buffer pages, nopage serves them, counts every callback. */
function driver(phys: PhysMem) {
  const pages = phys.addRam(0x80000000, 2);
  for (const p of pages) p.reserved = true;
  const calls = { mmap: 0, open: 0, close: 0, nopage: 0, sigbus: 0, refs: 0 };
  const vmOps: VmOps = {
    open: function* () { calls.open++; calls.refs++; },
    close: function* () { calls.close++; calls.refs--; },
    nopage: function* (vma: Vma, address: number) {
      calls.nopage++;
      const pgoff = (address - vma.vmStart) / P + vma.vmPgoff;
      const page: Page | undefined = pages[pgoff];
      if (!page) { calls.sigbus++; return NOPAGE_SIGBUS; }
      return page;
    },
  };
  const fops = {
    mmap: function* (_f: File, vma: Vma) { calls.mmap++; calls.refs++; vma.vmOps = vmOps; return 0; },
  };
  return { pages, calls, fops };
}

function seq(name: string, body: (s: { phys: PhysMem; mm: Mm; drv: ReturnType<typeof driver> }) => ThreadGen) {
  return defineModel<{ phys: PhysMem; mm: Mm; drv: ReturnType<typeof driver> }, Json>({
    name: `hw-test/mm-${name}`,
    scenarios: { default: {} },
    setup: () => {
      const phys = new PhysMem();
      phys.addRam(0x90000000, 4);
      return { phys, mm: new Mm('proc', phys), drv: driver(phys) };
    },
    threads: (s) => [thread('main', () => body(s))],
  });
}

function runOnce(m: ReturnType<typeof seq>): void {
  // No audit: some sequences count callbacks in a closure of the test, which a re-run would repeat.
  const r = check(m, { strategy: 'random', maxExecutions: 1, audit: false });
  expect(r.finding?.violation.message ?? null).toBeNull();
}

describe('user address spaces', () => {
  it('mmap calls f_op->mmap once and no vm_ops->open; munmap of the whole VMA calls close once; fput releases', () => {
    let released = 0;
    runOnce(seq('mmap-munmap', function* (s) {
      const f = yield* openFile('kiomap', { ...s.drv.fops, release: function* () { released++; } });
      assert(typeof f !== 'number', 'open');
      const a = yield* s.mm.mmap(f as File, { len: 2 * P, prot: PROT_READ_U | PROT_WRITE_U, flags: MAP_SHARED });
      assert(a > 0, `mmap returned ${a}`);
      assert(s.drv.calls.mmap === 1 && s.drv.calls.open === 0, 'mmap: one f_op->mmap, no open');
      yield* fput(f as File, 'close(fd)');
      assert(released === 0, 'the VMA still holds the file');
      yield* s.mm.munmap(a, 2 * P);
      assert(s.drv.calls.close === 1 && s.drv.calls.refs === 0, `close count ${s.drv.calls.close}`);
      assert(released === 1, 'last fput released the file');
      assert(s.mm.vmas.length === 0, 'no VMA left');
    }));
  });

  it('fork calls open once per copied VMA; munmap in both and exit balance opens and closes', () => {
    runOnce(seq('fork', function* (s) {
      const f = (yield* openFile('kiomap', s.drv.fops)) as File;
      const a = yield* s.mm.mmap(f, { len: P, prot: PROT_READ_U, flags: MAP_SHARED });
      const b = yield* s.mm.mmap(f, { len: P, prot: PROT_READ_U, flags: MAP_SHARED });
      const r = yield* s.mm.access(a, { label: 'touch' });
      assert(r.ok, 'fault in');
      const child = (yield* s.mm.fork('child')) as Mm;
      assert(child !== null, 'fork');
      assert(s.drv.calls.open === 2, `fork opened ${s.drv.calls.open} VMAs, expected 2`);
      assert(child.pt.translate(a)?.pa === s.drv.pages[0]?.pa, 'child shares the faulted page');
      yield* s.mm.munmap(a, P);
      yield* child.exit();
      yield* s.mm.munmap(b, P);
      assert(s.drv.calls.close === 4 && s.drv.calls.refs === 0, `closes ${s.drv.calls.close}, refs ${s.drv.calls.refs}`);
      yield* fput(f);
    }));
  });

  it('munmap of a hole makes one new VMA and calls open once; trimming an end calls nothing (2.4 unmap_fixup)', () => {
    runOnce(seq('hole', function* (s) {
      const f = (yield* openFile('kiomap', s.drv.fops)) as File;
      const a = yield* s.mm.mmap(f, { len: 4 * P, prot: PROT_READ_U, flags: MAP_SHARED });
      yield* s.mm.munmap(a + P, P);
      assert(s.mm.vmas.length === 2 && s.drv.calls.open === 1 && s.drv.calls.close === 0, 'hole: 2 VMAs, one open');
      assert(s.mm.vmas[1]?.vmPgoff === 2, `tail pgoff ${s.mm.vmas[1]?.vmPgoff}`);
      yield* s.mm.munmap(a + 3 * P, P);
      assert(s.drv.calls.open === 1 && s.drv.calls.close === 0, 'trim: no callback');
      yield* s.mm.exit();
      assert(s.drv.calls.close === 2 && s.drv.calls.refs === 0, 'exit closes both pieces');
      yield* fput(f);
    }));
  });

  it('mprotect of the middle splits the VMA in three and a write there is SIGSEGV', () => {
    runOnce(seq('mprotect', function* (s) {
      const a = yield* s.mm.mmap(null, { len: 3 * P, prot: PROT_READ_U | PROT_WRITE_U, flags: MAP_PRIVATE });
      const w = yield* s.mm.access(a + P, { write: true, value: 5 });
      assert(w.ok, 'anonymous write');
      assert((yield* s.mm.mprotect(a + P, P, PROT_READ_U)) === 0, 'mprotect');
      assert(s.mm.vmas.length === 3, `${s.mm.vmas.length} VMAs`);
      const w2 = yield* s.mm.access(a + P, { write: true, value: 6 });
      assert(!w2.ok && w2.signal === 'SIGSEGV', 'write to read-only');
      const r = yield* s.mm.access(a + P);
      assert(r.ok && r.value === 5, 'read still works and sees the earlier write');
      assert((yield* s.mm.mprotect(a + P, P, PROT_READ_U | PROT_WRITE_U)) === 0, 'mprotect back');
      const w3 = yield* s.mm.access(a + P, { write: true, value: 8 });
      assert(w3.ok && s.mm.pt.translate(a + P)?.prot === 3, 'writable again, same frame');
      yield* s.mm.exit();
      assert(s.phys.pagesOwnedBy('proc:anon').length === 0, 'anonymous page freed at exit');
    }));
  });

  it('nopage maps buffer pages and returns SIGBUS past the buffer; outside every VMA is SIGSEGV', () => {
    runOnce(seq('nopage', function* (s) {
      const f = (yield* openFile('kiomap', s.drv.fops)) as File;
      const a = yield* s.mm.mmap(f, { len: 3 * P, prot: PROT_READ_U | PROT_WRITE_U, flags: MAP_SHARED });
      const w = yield* s.mm.access(a + P + 8, { write: true, value: 9, expectPa: 0x80001008 });
      assert(w.ok, 'page 1 maps buffer page 1');
      assert(s.drv.pages[1]?.data.get(8) === 9, 'the write reached the buffer frame');
      const x = yield* s.mm.access(a + 2 * P);
      assert(!x.ok && x.signal === 'SIGBUS' && s.drv.calls.sigbus === 1, 'page 2 is past the buffer: SIGBUS');
      const y = yield* s.mm.access(a + 3 * P);
      assert(!y.ok && y.signal === 'SIGSEGV' && s.drv.calls.nopage === 2, 'outside the VMA: SIGSEGV without nopage');
      yield* s.mm.exit();
      yield* fput(f);
    }));
  });

  it('a driver mmap that remap_page_range()s an MMIO window gives user accesses the device and its memory type', () => {
    let wrong: string | null = null;
    const m = (promise: 'device' | 'cached') => defineModel({
      name: `hw-test/mm-remap-${promise}`,
      scenarios: { default: {} },
      setup: () => {
        const phys = new PhysMem();
        const dev = phys.addDevice('uart', 0x20001000, 0x1000);
        return { phys, dev, mm: new Mm('proc', phys) };
      },
      threads: (s) => [thread('main', function* () {
        const fops = {
          mmap: function* (_f: File, vma: Vma) {
            vma.memType = 'device';
            return yield* s.mm.remapPageRange(vma, vma.vmStart, 0x20001000, P);
          },
        };
        const f = (yield* openFile('uart', fops)) as File;
        const a = yield* s.mm.mmap(f, { len: P, prot: PROT_READ_U | PROT_WRITE_U, flags: MAP_SHARED });
        const w = yield* s.mm.access(a + 0x10, { write: true, value: 0x41, expectPa: 0x20001010, expectType: promise });
        assert(w.ok && s.dev.regs.get(0x10) === 0x41 && s.dev.log.length === 1, 'the store reached the UART register');
        yield* s.mm.exit();
        yield* fput(f);
      })],
    });
    expect(check(m('device'), { strategy: 'random', maxExecutions: 1 }).finding?.violation.message ?? null).toBeNull();
    const v = check(m('cached'), { strategy: 'random', maxExecutions: 1 }).finding?.violation;
    wrong = v ? `${v.kind}: ${v.message}` : null;
    expect(wrong).toContain('wrong-target');
    expect(wrong).toContain('mapped device, caller was promised cached');
  });

  it('two threads faulting the same anonymous page: one frame mapped, none leaked, in every interleaving', () => {
    const m = defineModel({
      name: 'hw-test/mm-fault-race',
      scenarios: { default: {} },
      setup: () => {
        const phys = new PhysMem();
        phys.addRam(0x90000000, 3);
        return { phys, mm: new Mm('proc', phys), addr: 0, done: new Atomic(0, 'done') };
      },
      threads: (s) => [
        thread('mapper', function* () {
          s.addr = yield* s.mm.mmap(null, { len: P, prot: PROT_READ_U | PROT_WRITE_U, flags: MAP_PRIVATE });
          const r = yield* s.mm.access(s.addr, { write: true, value: 1 });
          assert(r.ok, 'write');
          yield op.wait(s.done.id, 'wait for the toucher', () => s.done.value === 1);
          const anon = s.phys.pagesOwnedBy('proc:anon');
          assert(anon.length === 1 && anon[0]?.count === 1, `anonymous frames in use: ${anon.map((p) => p.count).join(',')}`);
          yield* s.mm.exit();
        }),
        thread('toucher', function* () {
          const a = 0x10000; // the first mmap address of this mm
          const r = yield* s.mm.access(a);
          assert(r.ok || r.signal === 'SIGSEGV', 'read before or after the mmap');
          yield* s.done.store(1);
        }),
      ],
      final: [{ name: 'no anonymous frame left after exit', check: (s) => s.phys.pagesOwnedBy('proc:anon').length === 0 }],
    });
    const r = exploreKinds(m);
    expect(r.exhaustive).toBe(true);
    expect(r.messages).toEqual([]);
    expect(r.executions).toBeGreaterThan(2);
  });
});
