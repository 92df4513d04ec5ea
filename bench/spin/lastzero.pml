/*
 * litmus lastzero-N for SPIN (mapcheck's litmus/lastzero; Abdulla et al., POPL 2014): thread 0
 * searches backwards for the last zero of a[0..N] while N threads fill a[j] = a[j-1] + 1.
 * Compile with -DN=<fillers>. Same program as bench/spin/programs.ts lastzeroModel.
 */
#ifndef N
#define N 2
#endif

byte a[N + 1];
byte found = 255;

active proctype search() {
  byte i = N;
  do
  :: a[i] == 0 -> break
  :: else -> i--
  od;
  found = i
}

active [N] proctype fill() {
  /* search is pid 0: fillers are 1..N and fill a[_pid] */
  byte prev;
  prev = a[_pid - 1];
  a[_pid] = prev + 1
}
