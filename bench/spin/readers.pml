/*
 * litmus readers-N for SPIN (mapcheck's litmus/readers): one writer stores x = 1 while N readers
 * each load x once; 2^N distinguishable outcomes. Compile with -DN=<readers>.
 * Same program as bench/spin/programs.ts readersModel: one visible step per thread access.
 */
#ifndef N
#define N 2
#endif

byte x = 0;
byte seen[N];

active proctype writer() {
  x = 1
}

active [N] proctype reader() {
  /* the writer is pid 0: readers are 1..N */
  seen[_pid - 1] = x
}
