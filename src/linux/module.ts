/**
 * Loadable modules: struct module with its use count, try_module_get / module_put (2.6+),
 * MOD_INC_USE_COUNT / MOD_DEC_USE_COUNT (2.4, which take no check at all), calls into module code,
 * and unload (delete_module) as an operation a thread performs.
 *
 * Follows kernel/module/main.c: delete_module fails with -EBUSY while the count is non-zero,
 * otherwise marks the module GOING (try_module_get then fails), runs its exit function and frees
 * its memory; the check and the state change are one atomic step (try_stop_module runs under
 * stop_machine). The module's text and data are one block that is freed at unload, so a call into
 * the module, a MOD_INC_USE_COUNT or a module_put after unload is a KASAN use-after-free naming the
 * unload site -- the 2.4 race where open() is entered just before the count is raised.
 * Leaves out: waiting unload (the old blocking rmmod), module dependencies, per-cpu counters.
 */
import { currentExecution, peekValue } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { kwarn } from './kernel.js';

type G<R> = Generator<Op, R, unknown>;

export const MODULE_STATE_LIVE = 0;
export const MODULE_STATE_GOING = 2;
export const MODULE_STATE_UNLOADED = 3;

/** struct module. Create it in setup; its memory is not a leak candidate while loaded. */
export class Module {
  /** The module's memory (text + data); freed at unload. */
  readonly block: number;
  /** The use count (an object in the module's block). */
  readonly refcnt: number;
  /** The module's code: calls into it are reads of this object. */
  readonly text: number;
  count = 0;
  state: number = MODULE_STATE_LIVE;
  constructor(readonly name: string, readonly exit: (() => G<unknown>) | null = null) {
    const exec = currentExecution();
    this.block = exec.objects.addHeap('module', name, { thread: -1, step: -1, label: `insmod ${name}` });
    // A loaded module is not a leak: only unload frees it.
    exec.objects.liveHeap--;
    this.refcnt = exec.objects.add('module_refcnt', 'refcnt', this.block);
    this.text = exec.objects.add('module_text', '.text', this.block);
  }
  get value(): number {
    peekValue(this.refcnt);
    return this.count;
  }
}

/** try_module_get(): false when the module is going away. */
export function* try_module_get(m: Module, label = 'try_module_get'): G<boolean> {
  yield op.rmw(m.refcnt, label);
  if (m.state !== MODULE_STATE_LIVE) return false;
  m.count++;
  return true;
}

/** __module_get(): increment, the caller already holds a reference. */
export function* __module_get(m: Module, label = '__module_get'): G<void> {
  yield op.rmw(m.refcnt, label);
  m.count++;
}

export function* module_put(m: Module, label = 'module_put'): G<void> {
  yield op.rmw(m.refcnt, label);
  if (m.count <= 0 && currentExecution().sanitize) {
    kwarn('refcount', `module_put(${m.name}) with a use count of ${m.count}: more puts than gets`, label, {
      title: `WARNING: module ${m.name} use count underflow`,
    });
  }
  m.count--;
}

/** MOD_INC_USE_COUNT (2.4): an unchecked increment, from code already running inside the module. */
export function* MOD_INC_USE_COUNT(m: Module, label = 'MOD_INC_USE_COUNT'): G<void> {
  yield* __module_get(m, label);
}

/** MOD_DEC_USE_COUNT (2.4). */
export function* MOD_DEC_USE_COUNT(m: Module, label = 'MOD_DEC_USE_COUNT'): G<void> {
  yield* module_put(m, label);
}

/** A call into (or return through) the module's code: a use-after-free once it is unloaded. */
export function* module_call(m: Module, label = 'call into module'): G<void> {
  yield op.read(m.text, label);
}

/** module_refcount(). */
export function* module_refcount(m: Module, label = 'module_refcount'): G<number> {
  yield op.read(m.refcnt, label);
  return m.count;
}

/** delete_module(): 0, or -EBUSY while in use, or -ENOENT when already unloaded. */
export function* delete_module(m: Module, label = 'delete_module'): G<number> {
  if (m.state !== MODULE_STATE_LIVE) return -2;
  yield op.rmw(m.refcnt, `${label}: try_stop_module`);
  if (m.state !== MODULE_STATE_LIVE) return -2;
  if (m.count !== 0) return -16;
  m.state = MODULE_STATE_GOING;
  if (m.exit) {
    yield op.read(m.text, `${label}: ${m.name} module_exit`);
    yield* m.exit();
  }
  const exec = currentExecution();
  // Count the block as live again just for the free (it was excluded from the leak check).
  exec.objects.liveHeap++;
  yield op.free(m.block, `${label}: free_module(${m.name})`);
  m.state = MODULE_STATE_UNLOADED;
  return 0;
}
