/**
 * A DMA-capable device that runs as its own model thread, reaching memory only through an IOMMU
 * domain. Each transfer is split at IOVA page boundaries; each piece is an IOMMU walk (a read of the
 * IOVA PTE: absent or lacking permission -> 'iommu-fault') followed by the access to the frame
 * (freed frame -> 'use-after-free', frame owned by another buffer than the job names ->
 * 'wrong-target'), exactly as a CPU access through a page table.
 *
 * Two ways to drive it: `program(body)` builds a ThreadSpec whose body issues transfers directly;
 * `queueThread()` builds a device that takes jobs a CPU thread `submit`s (a doorbell), runs them
 * in order, marks each done (`waitDone` blocks on that) and exits after `stop`.
 * Leaves out: scatter-gather descriptors, bus widths, non-coherent caches, ATS.
 */
import { currentExecution } from '../engine/execution.js';
import type { ThreadSpec } from '../engine/model.js';
import { type Op, type ThreadGen, op, READS_OWN } from '../engine/ops.js';
import { PAGE_SIZE, pageOffset } from './addr.js';
import type { IommuDomain } from './iommu.js';
import { reach, walkedVia } from './reach.js';

type G<R> = Generator<Op, R, unknown>;

/** One DMA transfer. `expectOwner` is the buffer the driver meant (owner tag of the frames). */
export interface DmaJob {
  readonly iova: number;
  readonly len: number;
  readonly write: boolean;
  /** Value written to each touched word (writes). */
  readonly value?: number;
  readonly expectOwner?: string;
  readonly label?: string;
}

export class DmaDevice {
  /** The doorbell / job queue object (submit writes it, the device waits on it). */
  readonly queueId: number;
  private readonly queue: DmaJob[] = [];
  private readonly done: boolean[] = [];
  private next = 0;
  private stopped = false;
  /** Values read by the device, in order (for final checks). */
  readonly reads: number[] = [];
  constructor(readonly name: string, readonly domain: IommuDomain) {
    this.queueId = currentExecution().objects.add('dma-queue', `${name}.doorbell`, -1);
  }

  /** Perform one transfer now (device side). Returns the values read (one per page piece). */
  *dma(job: DmaJob): G<number[]> {
    const label = job.label ?? `${this.name}: DMA ${job.write ? 'write' : 'read'}`;
    const out: number[] = [];
    let a = job.iova;
    const end = job.iova + job.len;
    while (a < end) {
      const pte = yield* this.domain.pt.walk(a, label);
      const access = {
        write: job.write, value: job.value ?? 0, label,
        ...(job.expectOwner !== undefined ? { expectOwner: job.expectOwner } : {}),
      };
      const pa = this.domain.pt.check(pte, a, access, label, 'iommu-fault');
      const v = yield* reach(this.domain.phys, pa, access, label, this.name, walkedVia(this.domain.phys, pte, pa));
      out.push(v);
      if (!job.write) this.reads.push(v);
      a += PAGE_SIZE - pageOffset(a);
    }
    return out;
  }

  /** A device thread running a fixed program. */
  program(body: (dev: DmaDevice) => ThreadGen, name = this.name): ThreadSpec {
    return { name, body: () => body(this) };
  }

  /** CPU side: ring the doorbell with a job; returns its handle for waitDone. */
  *submit(job: DmaJob, label = `${this.name}: ring doorbell`): G<number> {
    yield op.write(this.queueId, label);
    this.queue.push(job);
    this.done.push(false);
    return this.queue.length - 1;
  }

  /** CPU side: block until job `h` completed. */
  *waitDone(h: number, label = `${this.name}: wait for completion`): G<void> {
    yield op.wait(this.queueId, label, () => this.done[h] === true, READS_OWN);
  }

  /** CPU side: tell the device to exit once its queue is empty. */
  *stop(label = `${this.name}: stop`): G<void> {
    yield op.write(this.queueId, label);
    this.stopped = true;
  }

  /**
   * The device thread: wait for a job or stop, run jobs in order, mark each done. The body is a
   * module-level generator behind an arrow (see `deviceLoop`), not a `function*` made per call.
   */
  queueThread(name = this.name): ThreadSpec {
    return { name, body: () => deviceLoop(this) };
  }

  /** One pass of the device thread's loop body; false when it should exit. */
  *serveNext(): G<boolean> {
    yield op.wait(this.queueId, `${this.name}: wait for doorbell`, () => this.next < this.queue.length || this.stopped, READS_OWN);
    if (this.next >= this.queue.length) return false;
    const job = this.queue[this.next] as DmaJob;
    yield* this.dma(job);
    yield op.write(this.queueId, `${this.name}: complete job ${this.next}`);
    this.done[this.next] = true;
    this.next++;
    return true;
  }
}

/**
 * The device thread's body. Module level on purpose: a `function*` expression evaluated once per
 * execution gets its own prototype and hidden class on first call, and that hidden class (old
 * space) keeps the closure and the whole execution's state alive through every scavenge until the
 * next full GC (measured: a fifth of all allocation surviving, most of the GC time).
 */
function* deviceLoop(dev: DmaDevice): G<void> {
  while (yield* dev.serveNext());
}
