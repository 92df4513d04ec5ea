/**
 * The structures of seed 004 (Virtual Contiguous Memory, include/linux/vcm.h and vcm-drv.h):
 * `struct vcm`, `struct vcm_res`, `struct vcm_phys` (+ `struct vcm_phys_part`) and the ops table
 * `struct vcm_driver`, plus the interface both cores (posted, fixed) implement so the same
 * drivers and workloads run against either.
 *
 * C types are kept: members are Fields (plain, KCSAN-checked) or atomic_t inside the kmalloc'd
 * block of their struct, so any access after kfree is a KASAN use-after-free; pointers a C caller
 * may hold are `CPtr<T>` (struct | NULL | ERR_PTR | uninitialised garbage) and go through `deref`,
 * so using a bad one is an Oops. `struct vcm` carries the posted `atomic_t activations` and the
 * fixed core's `activation_lock` + `activation_count`; each core uses only its own members.
 * The driver table is `const` rodata in C: reading a callback is not an op, reading `vcm->driver`
 * is. Stores a driver makes to a struct before anyone else can see it are folded into its
 * kzalloc (`newRes`, `newPhys`): they cannot race and are not scheduling points.
 * The fixed core adds two members review asks for (KH E9 / E10): a `struct kref` on vcm_phys (the
 * memory lives until its last binding and its last holder are gone) and a mutex on vcm_res (a bind
 * checks and sets `res->phys` atomically with respect to other binds and unbinds).
 * Leaves out: `resource_size_t` / `dma_addr_t` widths (addresses here are below 2^32).
 */
import { AtomicT, type CPtr, type ErrPtr, Field, KMutex, Kref, type Op, type Page } from '../../src/index.js';

export type G<R> = Generator<Op, R, unknown>;

/** errno values seed 004 uses (kept here: src/index.ts re-exports errno names from two layers). */
export const ENOMEM = 12;
export const EINVAL = 22;
export const ENOSPC = 28;
export const EOPNOTSUPP = 95;
export const EADDRINUSE = 98;
export const EALREADY = 114;

/** An out-parameter (`struct vcm_phys **phys`): the caller's local, possibly uninitialised. */
export interface Slot<T> {
  v: CPtr<T>;
}

/** struct vcm_phys_part: one physically contiguous piece. */
export interface VcmPhysPart {
  readonly start: number;
  readonly page: readonly Page[];
  readonly size: number;
}

/** struct vcm_phys. */
export interface VcmPhys {
  readonly kblock: number;
  /** Name used in traces and as the owner tag of its pages. */
  readonly tag: string;
  readonly count: Field<number>;
  readonly size: Field<number>;
  readonly free: Field<((phys: VcmPhys) => G<void>) | null>;
  readonly bindings: AtomicT;
  /** fixed: the lifetime reference count (vcm_alloc's, each binding's, each vcm_phys_get's). */
  readonly ref: Kref;
  readonly parts: Field<readonly VcmPhysPart[]>;
  /** Set by the driver's free callback (for invariants; not an op). */
  freed: boolean;
}

/** struct vcm_res (`drv` is the driver's container of it, C's container_of). */
export interface VcmRes {
  readonly kblock: number;
  readonly tag: string;
  readonly start: Field<number>;
  readonly bound_size: Field<number>;
  readonly res_size: Field<number>;
  readonly vcm: Field<CPtr<Vcm>>;
  readonly phys: Field<CPtr<VcmPhys>>;
  /** fixed: serialises vcm_bind / vcm_unbind / vcm_unreserve on this reservation. */
  readonly lock: KMutex;
  freed: boolean;
}

/** struct vcm_driver: every callback optional (null), as in the C. */
export interface VcmDriver {
  readonly name: string;
  readonly cleanup: ((vcm: Vcm) => G<void>) | null;
  readonly alloc: ((vcm: Vcm, size: number, phys: Slot<VcmPhys> | null, alloc_flags: number,
    res: Slot<VcmRes> | null, res_flags: number) => G<number>) | null;
  readonly res: ((vcm: Vcm, size: number, flags: number) => G<VcmRes | ErrPtr>) | null;
  readonly phys: ((vcm: Vcm, size: number, flags: number) => G<VcmPhys | ErrPtr>) | null;
  readonly unreserve: ((res: VcmRes) => G<void>) | null;
  readonly map: ((vcm: Vcm, phys: VcmPhys, flags: number) => G<VcmRes | ErrPtr>) | null;
  readonly bind: ((res: VcmRes, phys: VcmPhys) => G<number>) | null;
  readonly unbind: ((res: VcmRes) => G<void>) | null;
  readonly activate: ((vcm: Vcm) => G<number>) | null;
  readonly deactivate: ((vcm: Vcm) => G<void>) | null;
}

/** struct vcm (first member of the driver's container, so `kblock` is the container's block). */
export interface Vcm {
  readonly kblock: number;
  readonly start: Field<number>;
  readonly size: Field<number>;
  readonly driver: Field<VcmDriver | null>;
  /** posted: `atomic_t activations`. */
  readonly activations: AtomicT;
  /** fixed: `struct mutex activation_lock` and the count it protects. */
  readonly activation_lock: KMutex;
  readonly activation_count: Field<number>;
}

/** The VCM API (mm/vcm.c + the vcm_unmap inline of vcm.h), as one core implements it. */
export interface VcmCore {
  readonly variant: 'posted' | 'fixed';
  vcm_init(vcm: CPtr<Vcm>): G<CPtr<Vcm>>;
  vcm_destroy(vcm: CPtr<Vcm>): G<void>;
  vcm_make_binding(vcm: CPtr<Vcm>, size: number, alloc_flags: number, res_flags: number): G<CPtr<VcmRes>>;
  vcm_alloc(vcm: CPtr<Vcm>, size: number, flags: number): G<CPtr<VcmPhys>>;
  vcm_reserve(vcm: CPtr<Vcm>, size: number, flags: number): G<CPtr<VcmRes>>;
  vcm_map(vcm: CPtr<Vcm>, phys: CPtr<VcmPhys>, flags: number): G<CPtr<VcmRes>>;
  vcm_unmap(res: CPtr<VcmRes>): G<void>;
  vcm_unreserve(res: CPtr<VcmRes>): G<void>;
  vcm_free(phys: CPtr<VcmPhys>): G<void>;
  vcm_bind(res: CPtr<VcmRes>, phys: CPtr<VcmPhys>): G<number>;
  vcm_unbind(res: CPtr<VcmRes>): G<CPtr<VcmPhys>>;
  vcm_destroy_binding(res: CPtr<VcmRes>): G<void>;
  vcm_activate(vcm: CPtr<Vcm>): G<number>;
  vcm_deactivate(vcm: CPtr<Vcm>): G<void>;
  /** fixed only: take a reference on memory handed to another user (the posted API has none). */
  readonly vcm_phys_get: ((phys: CPtr<VcmPhys>) => G<void>) | null;
}

/** The members of a struct vcm inside block `b` (the driver's container). */
export function newVcm(b: number, name: string, start: number, size: number, driver: VcmDriver): Vcm {
  return {
    kblock: b,
    start: new Field(start, `${name}.start`, b),
    size: new Field(size, `${name}.size`, b),
    driver: new Field<VcmDriver | null>(driver, `${name}.driver`, b),
    activations: new AtomicT(0, `${name}.activations`, b),
    activation_lock: new KMutex(`${name}.activation_lock`, b, 'vcm->activation_lock'),
    activation_count: new Field(0, `${name}.activation_count`, b),
  };
}

/** A kzalloc'd struct vcm_res with the members the driver fills in (start, res_size). */
export function newRes(b: number, tag: string, start: number, size: number): VcmRes {
  return {
    kblock: b, tag, freed: false,
    start: new Field(start, 'start', b),
    bound_size: new Field(0, 'bound_size', b),
    res_size: new Field(size, 'res_size', b),
    vcm: new Field<CPtr<Vcm>>(null, 'vcm', b),
    phys: new Field<CPtr<VcmPhys>>(null, 'phys', b),
    lock: new KMutex(`${tag}->lock`, b, 'vcm_res->lock'),
  };
}

/**
 * A kzalloc'd struct vcm_phys; the driver sets `parts` (and `size`) with plain `.v` stores once its
 * pages are allocated, before the struct is returned to anyone.
 */
export function newPhys(b: number, tag: string, size: number, free: (phys: VcmPhys) => G<void>): VcmPhys {
  return {
    kblock: b, tag, freed: false,
    count: new Field(1, 'count', b),
    size: new Field(size, 'size', b),
    free: new Field<((phys: VcmPhys) => G<void>) | null>(free, 'free', b),
    bindings: new AtomicT(0, 'bindings', b),
    ref: new Kref(`${tag}->ref`, b),
    parts: new Field<readonly VcmPhysPart[]>([], 'parts', b),
  };
}
