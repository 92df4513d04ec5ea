/**
 * User-space mapping objects of the 2.3/2.4 kernels: `struct file` with its `f_op` (open, mmap,
 * release) and reference count (get_file / fput), `struct vm_area_struct` (vm_start, vm_end,
 * vm_pgoff, vm_flags, vm_ops, vm_file, vm_private_data) and `vm_operations_struct` with open /
 * close / nopage. Callbacks are generators so a driver's open/close/nopage can take locks and
 * touch refcounts as ops (seed 002's kvmap_open / kvmap_close / kvmap_nopage).
 *
 * nopage returns the page with a reference the PTE now owns, `NOPAGE_SIGBUS` (NULL in 2.4) or
 * `NOPAGE_OOM`. The mm operations that call these live in mm.ts.
 * Leaves out: inodes and address_space, vm_ops->unmap / sync / swapout, VM_IO semantics beyond
 * the flag itself.
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { hexRange } from './addr.js';
import type { Mm } from './mm.js';
import type { MemType } from './pagetable.js';
import type { Page } from './phys.js';

type G<R> = Generator<Op, R, unknown>;

/** vm_flags (include/linux/mm.h, 2.4 values). */
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_LOCKED = 0x2000;
export const VM_IO = 0x4000;
export const VM_DONTCOPY = 0x20000;

/** mmap prot / flags. */
export const PROT_NONE_U = 0x0;
export const PROT_READ_U = 0x1;
export const PROT_WRITE_U = 0x2;
export const PROT_EXEC_U = 0x4;
export const MAP_SHARED = 0x1;
export const MAP_PRIVATE = 0x2;
export const MAP_FIXED = 0x10;

/** Error numbers returned as negative values. */
export const ENOMEM = 12;
export const EACCES = 13;
export const EINVAL = 22;
export const ENODEV = 19;

/** nopage results besides a page: NULL means SIGBUS in 2.4; OOM is ((struct page *) -1). */
export const NOPAGE_SIGBUS = null;
export const NOPAGE_OOM: unique symbol = Symbol('NOPAGE_OOM');
export type NopageResult = Page | typeof NOPAGE_SIGBUS | typeof NOPAGE_OOM;

export interface VmOps {
  readonly open?: (vma: Vma) => G<void>;
  readonly close?: (vma: Vma) => G<void>;
  /** `address` is page aligned; `noShare` is 2.4's write-access-to-private-mapping flag. */
  readonly nopage?: (vma: Vma, address: number, noShare: boolean) => G<NopageResult>;
}

export interface FileOps {
  readonly open?: (file: File) => G<number>;
  /** f_op->mmap: set up vma (vm_ops, private data, remap); 0 or -errno. */
  readonly mmap?: (file: File, vma: Vma) => G<number>;
  readonly release?: (file: File) => G<void>;
}

/** struct file: one open of a device. `count` is f_count. */
export class File {
  readonly id: number;
  count = 1;
  privateData: unknown = null;
  constructor(readonly name: string, readonly fops: FileOps) {
    this.id = currentExecution().objects.add('file', `file:${name}`, -1);
  }
}

/** open(2) on a device: a new struct file, then f_op->open. Returns the file or -errno. */
export function* openFile(name: string, fops: FileOps): G<File | number> {
  const f = new File(name, fops);
  yield op.write(f.id, `${name}: open`);
  if (fops.open) {
    const r = yield* fops.open(f);
    if (r < 0) return r;
  }
  return f;
}

/** get_file: f_count++. */
export function* getFile(f: File, label = 'get_file'): G<void> {
  yield op.rmw(f.id, label);
  f.count++;
}

/** fput: f_count--, f_op->release at zero (close(2) is an fput). */
export function* fput(f: File, label = 'fput'): G<void> {
  yield op.rmw(f.id, label);
  f.count--;
  if (f.count === 0 && f.fops.release) yield* f.fops.release(f);
}

/** struct vm_area_struct. Fields are protected by the owning mm's mmap_sem (no ops of their own). */
export class Vma {
  vmOps: VmOps | null = null;
  vmFile: File | null = null;
  vmPrivateData: unknown = null;
  /** Memory type user PTEs of this VMA get (a driver may set 'device' / 'wc'). */
  memType: MemType = 'cached';
  constructor(
    readonly id: number,
    readonly mm: Mm,
    public vmStart: number,
    public vmEnd: number,
    public vmPgoff: number,
    public vmFlags: number,
  ) {}

  get size(): number {
    return this.vmEnd - this.vmStart;
  }

  describe(): string {
    return `vma ${hexRange(this.vmStart, this.vmEnd)} pgoff ${this.vmPgoff} flags 0x${this.vmFlags.toString(16)}`;
  }
}
