/**
 * Seed 002's Documentation/kiobuf.sample.c as posted (the "kiomap" misc device), and the 2.3.50
 * misc_open / misc_register / misc_deregister it is reached through.
 *
 * The module's use count is kept by the module's own code, 2.4 style: kiomap_open does
 * MOD_INC_USE_COUNT, kiomap_release MOD_DEC_USE_COUNT, kiomap_mmap MOD_INC_USE_COUNT on the first
 * kvmap reference and kiomap_finished (the deref_callback) MOD_DEC_USE_COUNT after the last close.
 * Nothing pins the module between misc_open finding the device and kiomap_open raising the count
 * but the 2.4 BKL, which chrdev_open holds around ->open and sys_delete_module around the count
 * check and the unload (nothing sleeps in between, so that side is closed). Code keeps running in
 * the module after each MOD_DEC_USE_COUNT, though, outside the BKL (kiomap_release and
 * kiomap_finished return through module text; kvmap_close then does up(&local_vmap.sem) on module
 * data) -- so an rmmod that sees the count at zero can free the module under them: each call into
 * the module is a read of its text, each access to local_vmap a field of its data block.
 * create_local_heap falls through to memset(local_data_area = 0, ...) when map_kernel_kiobuf fails;
 * init does not undo create_local_heap when misc_register fails; exit vfree()s the area before
 * misc_deregister and never unmap_kiobuf()s, leaking the kiobuf's page references and its maplist.
 * misc_open takes misc_sem (2.4 shape) so the list itself is not raced; 2.3.50 had no lock there.
 * misc_sem is taken with the BKL held (init, open, exit): a holder that sleeps on it drops the BKL.
 * Leaves out: dprintk, the minor number, /proc/misc.
 */
import {
  type File, type FileOps, MOD_DEC_USE_COUNT, MOD_INC_USE_COUNT, PAGE_SIZE, type Vma, choose, down, module_call, mutex_unlock, up,
} from '../../src/index.js';
import { sleepingLock } from './bkl.js';
import { kvmap_init, mmap_kiobuf } from './iomap-posted.js';
import { kiobuf_init, map_kernel_kiobuf, postedWalkTests, vfree_data, vmalloc_data } from './memory-posted.js';
import type { G, KiobufVmap, KvmapState } from './state.js';

const ENOMEM = 12;
const ENODEV = 19;
const EBUSY = 16;

/** misc_register(&kiomap_device): may fail with -EBUSY when the scenario allows it. */
export function* misc_register(s: KvmapState, label: string): G<number> {
  yield* sleepingLock(s, s.misc_sem, `${label}: misc_register: down(&misc_sem)`);
  if (s.p.miscFail && (yield* choose(2, `${label}: misc_register: no free minor?`)) === 1) {
    yield* mutex_unlock(s.misc_sem, `${label}: misc_register: up(&misc_sem)`);
    return -EBUSY;
  }
  yield* s.misc_registered.set(true, `${label}: misc_register: list_add(&misc->list, &misc_list)`);
  yield* mutex_unlock(s.misc_sem, `${label}: misc_register: up(&misc_sem)`);
  return 0;
}

/** misc_deregister(&kiomap_device). */
export function* misc_deregister(s: KvmapState, label: string): G<number> {
  yield* sleepingLock(s, s.misc_sem, `${label}: misc_deregister: down(&misc_sem)`);
  yield* s.misc_registered.set(false, `${label}: misc_deregister: list_del(&misc->list)`);
  yield* mutex_unlock(s.misc_sem, `${label}: misc_deregister: up(&misc_sem)`);
  return 0;
}

/** static void kiomap_finished(struct kiobuf_vmap *vmap) -- the deref_callback. */
function* kiomap_finished(s: KvmapState, _vmap: KiobufVmap): G<void> {
  yield* module_call(s.mod, 'kiomap_finished: call into module');
  yield* MOD_DEC_USE_COUNT(s.mod, 'kiomap_finished: MOD_DEC_USE_COUNT');
  yield* module_call(s.mod, 'kiomap_finished: return (module text, after MOD_DEC_USE_COUNT)');
}

/** void __init create_local_heap(void) */
export function* create_local_heap(s: KvmapState): G<void> {
  const L = 'create_local_heap';
  const va = yield* vmalloc_data(s, L);
  yield* s.local_data_area.set(va, `${L}: local_data_area = vmalloc(DATA_SIZE)`);
  if (!va) return;
  yield* kiobuf_init(s, s.local_kiobuf, L);
  yield* kvmap_init(s.local_vmap, s.local_kiobuf, L);
  yield* s.local_vmap.kiobuf.set(s.local_kiobuf, `${L}: local_vmap.kiobuf = &local_kiobuf`);
  yield* s.local_vmap.deref_callback.set((v) => kiomap_finished(s, v), `${L}: local_vmap.deref_callback = kiomap_finished`);
  const err = yield* map_kernel_kiobuf(s, s.local_kiobuf, va, s.p.dataPages * PAGE_SIZE, postedWalkTests, false);
  if (err) {
    yield* vfree_data(s, va, `${L}: vfree(local_data_area)`);
    yield* s.local_data_area.set(0, `${L}: local_data_area = 0`);
  }
  /* we don't want users mapping this memory and peeking into stale kernel data! */
  const a = yield* s.local_data_area.get(`${L}: memset(local_data_area, 0xff, DATA_SIZE)`);
  for (let i = 0; i < s.p.dataPages; i++) {
    yield* s.kpt.access(a + i * PAGE_SIZE, { write: true, value: 0xff, label: `${L}: memset(local_data_area, 0xff, DATA_SIZE)` });
  }
}

/** int kiomap_init_module(void) */
export function* kiomap_init_module(s: KvmapState): G<number> {
  yield* create_local_heap(s);
  if (!(yield* s.local_data_area.get('kiomap_init_module: if (!local_data_area)'))) return -ENOMEM;
  return yield* misc_register(s, 'kiomap_init_module');
}

/** int kiomap_destroy_module(void) */
export function* kiomap_destroy_module(s: KvmapState): G<number> {
  const a = yield* s.local_data_area.get('kiomap_destroy_module: vfree(local_data_area)');
  yield* vfree_data(s, a, 'kiomap_destroy_module');
  return yield* misc_deregister(s, 'kiomap_destroy_module');
}

/** static int kiomap_mmap(struct file *file, struct vm_area_struct *vma) */
function* kiomap_mmap(s: KvmapState, vma: Vma): G<number> {
  yield* module_call(s.mod, 'kiomap_mmap: call into module');
  if (!(yield* s.local_data_area.get('kiomap_mmap: if (!local_data_area)'))) return -ENOMEM;
  yield* down(s.local_vmap.sem, 'kiomap_mmap: down(&local_vmap.sem)');
  const err = yield* mmap_kiobuf(s, s.local_vmap, vma);
  /* A return value of one means the kvmap was not in use when we called mmap_kiobuf() */
  if (err === 1) yield* MOD_INC_USE_COUNT(s.mod, 'kiomap_mmap: MOD_INC_USE_COUNT');
  yield* up(s.local_vmap.sem, 'kiomap_mmap: up(&local_vmap.sem)');
  if (err < 0) return err;
  return 0;
}

/** misc_open + kiomap_open: find the device, switch f_op, call the driver's open. */
function* misc_open(s: KvmapState, _file: File): G<number> {
  yield* sleepingLock(s, s.misc_sem, 'misc_open: down(&misc_sem)');
  if (!(yield* s.misc_registered.get('misc_open: walk misc_list for the minor'))) {
    yield* mutex_unlock(s.misc_sem, 'misc_open: up(&misc_sem)');
    return -ENODEV;
  }
  yield* s.kiomap_device_fops.get('misc_open: file->f_op = c->fops');
  // static int kiomap_open(struct inode *inode, struct file *file)
  yield* module_call(s.mod, 'kiomap_open: call into module');
  yield* MOD_INC_USE_COUNT(s.mod, 'kiomap_open: MOD_INC_USE_COUNT');
  yield* mutex_unlock(s.misc_sem, 'misc_open: up(&misc_sem)');
  return 0;
}

/** static int kiomap_release(struct inode *inode, struct file *file) */
function* kiomap_release(s: KvmapState): G<void> {
  yield* module_call(s.mod, 'kiomap_release: call into module');
  yield* MOD_DEC_USE_COUNT(s.mod, 'kiomap_release: MOD_DEC_USE_COUNT');
  yield* module_call(s.mod, 'kiomap_release: return 0 (module text, after MOD_DEC_USE_COUNT)');
}

/** The file operations a process's struct file reaches (kiomap_fops via misc_open). */
export function postedFops(s: KvmapState): FileOps {
  return {
    open: (f) => misc_open(s, f),
    mmap: (_f, vma) => kiomap_mmap(s, vma),
    release: () => kiomap_release(s),
  };
}
