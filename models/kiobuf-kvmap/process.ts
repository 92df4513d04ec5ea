/**
 * The threads of the kiobuf-kvmap models: user processes running a scenario's list of actions
 * against the misc device (open, mmap shared / private / read / write at a page offset, touch a
 * page, munmap a sub-range, mprotect, mlock / munlock, close, fork with the child's own list; a
 * process may map again after an unmap and open again after a close), and the module loader
 * (insmod: module_init; rmmod: delete_module never, after every process exited, racing them, or as
 * soon as the use count is back at 0 -- retried once they have exited). Processes start once insmod
 * has returned, as a user would. kswapd (swap.ts) runs beside them when the scenario asks.
 *
 * Follows the 2.3.50 / 2.4 system-call paths through src/hw's Mm: do_mmap_pgoff then, because
 * mmap_kiobuf sets VM_LOCKED, make_pages_present faults every page in (2.3.50 re-reads vm_flags
 * after f_op->mmap); a user access that gets SIGBUS / SIGSEGV kills the process (it exits); fork
 * copies the mm (vm_ops->open per VMA) and takes a reference on the open file (copy_files);
 * do_exit runs exit_mmap before closing files, as 2.4's __exit_mm / __exit_files do. The 2.4 big
 * kernel lock is held by chrdev_open around ->open, by sys_init_module and by sys_delete_module
 * (bkl.ts). mlock / munlock (2.4 do_mlock) set or clear VM_LOCKED on the mapping's VMAs and mlock
 * makes the pages present.
 * Leaves out: more than one fd per process; mlock of part of a VMA (2.4 splits it with vm_ops->open
 * as mprotect does; here the whole VMA changes), and make_pages_present runs after mmap_sem is
 * dropped (the C faults with it held for writing).
 */
import {
  type File, MAP_PRIVATE, MAP_SHARED, Mm, PAGE_SIZE, PROT_READ_U, PROT_WRITE_U, type FileOps, type ThreadSpec, VM_LOCKED, VM_WRITE,
  READS_OWN, op, atomic_dec, atomic_inc, smp_store_release, delete_module, fput, getFile, join, module_call, openFile, spawn, thread,
} from '../../src/index.js';
import { lock_kernel, unlock_kernel } from './bkl.js';
import { type G, type KvmapState, type KvmapVariant, RAM_BASE, type UAct } from './state.js';

/** One mapping a process made: where and how many pages. */
interface Mapping {
  readonly addr: number;
  readonly pages: number;
  readonly pgoff: number;
}

/** A process's view: its mm, its fd and its mappings (acts use the newest). */
interface Proc {
  readonly name: string;
  readonly mm: Mm;
  file: File | null;
  maps: Mapping[];
}

/** chrdev_open (2.4 fs/devices.c): `lock_kernel(); ret = filp->f_op->open(inode, filp); unlock_kernel();`. */
function chrdevOpen(s: KvmapState, fops: FileOps): FileOps {
  const open = fops.open;
  if (s.p.bkl === false) return fops;
  return {
    ...fops,
    ...(open ? {
      open: function* (f: File): G<number> {
        yield* lock_kernel(s, 'chrdev_open');
        const r = yield* open(f);
        yield* unlock_kernel(s, 'chrdev_open');
        return r;
      },
    } : {}),
  };
}

function* runActs(s: KvmapState, v: KvmapVariant, pr: Proc, acts: readonly UAct[]): G<void> {
  const label = pr.name;
  for (const a of acts) {
    const m = pr.maps[pr.maps.length - 1];
    switch (a.op) {
      case 'open': {
        if (pr.file) break;
        const f = yield* openFile('kiomap', chrdevOpen(s, v.fops(s)));
        if (typeof f === 'number') return; // open failed: the process gives up
        pr.file = f;
        break;
      }
      case 'mmap': {
        if (!pr.file) break;
        const prot = PROT_READ_U | (a.write ? PROT_WRITE_U : 0);
        const addr = yield* pr.mm.mmap(pr.file, { len: a.pages * PAGE_SIZE, prot, flags: a.shared ? MAP_SHARED : MAP_PRIVATE, pgoff: a.pgoff });
        if (addr < 0) break;
        pr.maps.push({ addr, pages: a.pages, pgoff: a.pgoff });
        const vma = pr.mm.findVma(addr);
        if (vma && (vma.vmFlags & VM_LOCKED)) {
          // do_mmap_pgoff: if (flags & VM_LOCKED) make_pages_present(addr, addr + len)
          const write = (vma.vmFlags & VM_WRITE) !== 0;
          for (let i = 0; i < a.pages; i++) yield* pr.mm.handleFault(addr + i * PAGE_SIZE, write);
        }
        break;
      }
      case 'touch': {
        if (!m) break;
        const r = yield* pr.mm.access(m.addr + a.page * PAGE_SIZE, { write: a.write, value: 0x5a, expectOwner: 'local_data_area', label: `${label}: ${a.write ? 'store to' : 'load from'} mapping page ${a.page}` });
        if (!r.ok) {
          s.signals.push(`${label}: ${r.signal} at page ${a.page}`);
          if (r.signal === 'SIGBUS' && m.pgoff + a.page < s.p.dataPages && s.initRc === 0) s.sigbusInBuffer.push(`${label}: SIGBUS at page ${m.pgoff + a.page} of the ${s.p.dataPages}-page buffer`);
          return; // the signal kills the process; do_exit follows
        }
        break;
      }
      case 'munmap': {
        if (!m) break;
        yield* pr.mm.munmap(m.addr + a.page * PAGE_SIZE, a.pages * PAGE_SIZE);
        if (a.page === 0 && a.pages >= m.pages) pr.maps.pop();
        break;
      }
      case 'mprotect': {
        if (!m) break;
        yield* pr.mm.mprotect(m.addr + a.page * PAGE_SIZE, a.pages * PAGE_SIZE, PROT_READ_U | (a.write ? PROT_WRITE_U : 0));
        break;
      }
      case 'mlock': {
        if (!m) break;
        yield* pr.mm.downWrite(`sys_${a.lock ? 'mlock' : 'munlock'}: down_write(&mm->mmap_sem)`);
        const vmas = pr.mm.vmas.filter((x) => x.vmStart < m.addr + m.pages * PAGE_SIZE && m.addr < x.vmEnd);
        for (const x of vmas) x.vmFlags = a.lock ? x.vmFlags | VM_LOCKED : x.vmFlags & ~VM_LOCKED;
        yield* pr.mm.upWrite(`sys_${a.lock ? 'mlock' : 'munlock'}: up_write(&mm->mmap_sem)`);
        if (a.lock) {
          for (const x of vmas) {
            for (let at = x.vmStart; at < x.vmEnd; at += PAGE_SIZE) yield* pr.mm.handleFault(at, (x.vmFlags & VM_WRITE) !== 0);
          }
        }
        break;
      }
      case 'close': {
        if (!pr.file) break;
        const f = pr.file;
        pr.file = null;
        yield* fput(f, `${label}: close(fd)`);
        break;
      }
      case 'fork': {
        yield* atomic_inc(s.liveProcs, 'do_fork: nr_threads++');
        const child = yield* pr.mm.fork(`${pr.name}.child`);
        if (!child) {
          yield* atomic_dec(s.liveProcs, 'do_fork: failed');
          break;
        }
        s.mms.push(child);
        if (pr.file) yield* getFile(pr.file, 'copy_files: get_file');
        const cp: Proc = { name: `${pr.name}.child`, mm: child, file: pr.file, maps: [...pr.maps] };
        const tid = yield* spawn(() => procBody(s, v, cp, a.child), cp.name, 'do_fork: wake_up_process(child)');
        s.procTids.push(tid);
        break;
      }
    }
  }
}

function* procBody(s: KvmapState, v: KvmapVariant, pr: Proc, acts: readonly UAct[]): G<void> {
  // The user runs the program once insmod has returned (fork children start later anyway).
  yield op.wait(s.insmod_done.id, `${pr.name}: started after insmod returned`, () => s.insmod_done.v, READS_OWN);
  yield* runActs(s, v, pr, acts);
  // do_exit: __exit_mm (exit_mmap closes every VMA), then __exit_files.
  yield* pr.mm.exit();
  if (pr.file) {
    const f = pr.file;
    pr.file = null;
    yield* fput(f, `${pr.name}: do_exit: close_files: fput`);
  }
  yield* atomic_dec(s.liveProcs, `${pr.name}: do_exit: release_task`);
}

/** User process `i` of the scenario. */
export function procThread(s: KvmapState, v: KvmapVariant, i: number): ThreadSpec {
  const name = `proc${i}`;
  const mm = new Mm(name, s.phys, { mmapBase: RAM_BASE * 16 });
  s.mms.push(mm);
  const pr: Proc = { name, mm, file: null, maps: [] };
  return thread(name, () => procBody(s, v, pr, s.p.procs[i] ?? []));
}

/** Wait for every process (fork children included, as they appear). */
function* joinProcs(s: KvmapState): G<void> {
  for (let k = 0; k < s.procTids.length; k++) yield* join(s.procTids[k] as number, 'rmmod: wait for the process to exit');
}

/** sys_delete_module under the BKL: 0 when the module was freed. */
function* rmmod(s: KvmapState, label: string): G<number> {
  yield* lock_kernel(s, 'sys_delete_module');
  const r = yield* delete_module(s.mod, label);
  yield* unlock_kernel(s, 'sys_delete_module');
  return r;
}

/** insmod, then rmmod as the scenario says. */
export function loaderThread(s: KvmapState, v: KvmapVariant): ThreadSpec {
  return thread('insmod/rmmod', () => loaderBody(s, v));
}

/*
 * The loader's body is a module-level generator reached through an arrow: a `function*` expression
 * made per execution gets its own hidden class, which keeps that execution's whole world alive
 * through every scavenge until the next full GC.
 */
function* loaderBody(s: KvmapState, v: KvmapVariant): G<void> {
  yield* lock_kernel(s, 'sys_init_module');
  yield* module_call(s.mod, 'sys_init_module: mod->init()');
  const rc = yield* v.init(s);
  s.initRc = rc;
  if (rc !== 0) {
    // init failed: the loader frees the module without calling its exit function
    yield* delete_module(s.mod, 'sys_init_module: init failed: free_module');
    s.unloaded = true;
  }
  yield* unlock_kernel(s, 'sys_init_module');
  // Harness ordering: the user's program starts after insmod's syscall returned (full barriers
  // on the way), so the flag is a release store its wait acquires.
  yield* smp_store_release(s.insmod_done, true, 'sys_init_module: return to insmod');
  if (rc !== 0 || s.p.unload === 'none') return;
  if (s.p.unload === 'when-idle') {
    // The administrator watches lsmod: once the module was used and its count is back at 0, rmmod
    // (or gives up waiting when every process has exited).
    const reads = [s.mod.refcnt, s.liveProcs.id];
    yield op.wait(s.mod.refcnt, 'lsmod: wait for a user', () => s.mod.count > 0 || s.liveProcs.counter === 0, reads);
    yield op.wait(s.mod.refcnt, 'lsmod: wait for the count to drop to 0', () => s.mod.count === 0 || s.liveProcs.counter === 0, reads);
  }
  if (s.p.unload === 'concurrent' || s.p.unload === 'when-idle') {
    if ((yield* rmmod(s, 'rmmod kiobuf_sample')) === 0) {
      s.unloaded = true;
      return;
    }
  }
  yield* joinProcs(s);
  if ((yield* rmmod(s, 'rmmod kiobuf_sample (all processes exited)')) === 0) s.unloaded = true;
}
