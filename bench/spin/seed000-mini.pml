/*
 * A miniature of seed 000 fixed (ioremap reuse: refcount_inc_not_zero lookup under
 * vmap_area_lock, one refcount_dec_and_test, the area unpublished and freed under the same lock)
 * for SPIN, with K callers. Each caller: under the lock, look the shared area up and take a
 * reference if it is live, or allocate a fresh one and publish it; use it outside the lock
 * (asserting it was not freed); under the lock again, drop the reference and, on the last one,
 * unpublish and free it. Compile with -DK=<callers>.
 * Same program as bench/spin/seed000-mini.ts (one visible step per shared access).
 */
#ifndef K
#define K 2
#endif

byte lk = 0;            /* lock owner + 1, 0 when free */
byte slot = 0;          /* published area id, 0 when none */
byte nextid = 0;        /* areas allocated so far */
byte ref[K + 1];        /* refcount of each area id (1..K) */
bool live[K + 1];       /* allocated and not yet freed */

inline lock() { atomic { lk == 0 -> lk = _pid + 1 } }
inline unlock() { lk = 0 }

active [K] proctype caller() {
  byte mine = 0;
  byte v;
  lock();
  v = slot;
  if
  :: v != 0 && ref[v] > 0 -> ref[v]++; mine = v      /* refcount_inc_not_zero */
  :: else ->
       nextid++; mine = nextid;                      /* kmalloc */
       live[mine] = true; ref[mine] = 1;
       slot = mine                                   /* publish */
  fi;
  unlock();
  assert(live[mine]);                                /* use: the area must not be freed */
  lock();
  ref[mine]--;                                       /* refcount_dec_and_test */
  if
  :: ref[mine] == 0 ->
       if :: slot == mine -> slot = 0 :: else -> skip fi;   /* unpublish */
       live[mine] = false                            /* kfree */
  :: else -> skip
  fi;
  unlock()
}
