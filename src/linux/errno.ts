/**
 * The rest of the kernel's errno values (include/uapi/asm-generic/errno-base.h, errno.h and the
 * kernel-internal include/linux/errno.h: ERESTARTSYS, EPROBE_DEFER, ENOTSUPP, ...), beyond the
 * common ones bug.ts defines, and `errname()` (lib/errname.c): -12 -> '-ENOMEM', 12 -> 'ENOMEM',
 * an unknown value -> null. Values are the x86-64 / asm-generic ones; EWOULDBLOCK is EAGAIN and
 * EDEADLOCK is EDEADLK, as there.
 * Leaves out: the architecture-specific numberings (alpha, mips, parisc, sparc).
 */
import { EACCES, EAGAIN, EBUSY, EEXIST, EFAULT, EINTR, EINVAL, EIO, ENODEV, ENOENT, ENOMEM, ENOSPC, ENOSYS, ENXIO, EPERM, ERANGE } from './bug.js';

export const ESRCH = 3;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const ENOTBLK = 15;
export const EXDEV = 18;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ESPIPE = 29;
export const EROFS = 30;
export const EMLINK = 31;
export const EPIPE = 32;
export const EDOM = 33;
export const EDEADLK = 35;
export const ENAMETOOLONG = 36;
export const ENOLCK = 37;
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const ENOMSG = 42;
export const EIDRM = 43;
export const ENODATA = 61;
export const ETIME = 62;
export const ENOLINK = 67;
export const EPROTO = 71;
export const EBADMSG = 74;
export const EOVERFLOW = 75;
export const EILSEQ = 84;
export const EUSERS = 87;
export const ENOTSOCK = 88;
export const EMSGSIZE = 90;
export const EOPNOTSUPP = 95;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ESHUTDOWN = 108;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTUNREACH = 113;
export const EALREADY = 114;
export const EINPROGRESS = 115;
export const ESTALE = 116;
export const EREMOTEIO = 121;
export const EDQUOT = 122;
export const ENOMEDIUM = 123;
export const ECANCELED = 125;
export const ENOKEY = 126;
export const EKEYEXPIRED = 127;
export const EOWNERDEAD = 130;
export const ENOTRECOVERABLE = 131;
export const ERFKILL = 132;
export const EHWPOISON = 133;
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
export const ERESTARTNOHAND = 514;
export const ENOIOCTLCMD = 515;
export const ERESTART_RESTARTBLOCK = 516;
export const EPROBE_DEFER = 517;
export const EOPENSTALE = 518;
export const ENOPARAM = 519;
export const EBADHANDLE = 521;
export const ENOTSUPP = 524;
export const ETOOSMALL = 525;
export const ESERVERFAULT = 526;
export const EBADTYPE = 527;
export const EJUKEBOX = 528;
export const EIOCBQUEUED = 529;
export const ERECALLCONFLICT = 530;
export const EWOULDBLOCK = EAGAIN;
export const EDEADLOCK = EDEADLK;

const NAMES: Readonly<Record<string, number>> = { EPERM, ENOENT, EINTR, EIO, ENXIO, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, ENODEV, EINVAL, ENOSPC, ERANGE, ENOSYS, ESRCH, E2BIG, ENOEXEC, EBADF, ECHILD, ENOTBLK, EXDEV, ENOTDIR, EISDIR, ENFILE, EMFILE, ENOTTY, ETXTBSY, EFBIG, ESPIPE, EROFS, EMLINK, EPIPE, EDOM, EDEADLK, ENAMETOOLONG, ENOLCK, ENOTEMPTY, ELOOP, ENOMSG, EIDRM, ENODATA, ETIME, ENOLINK, EPROTO, EBADMSG, EOVERFLOW, EILSEQ, EUSERS, ENOTSOCK, EMSGSIZE, EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN, ENETUNREACH, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ESHUTDOWN, ETIMEDOUT, ECONNREFUSED, EHOSTUNREACH, EALREADY, EINPROGRESS, ESTALE, EREMOTEIO, EDQUOT, ENOMEDIUM, ECANCELED, ENOKEY, EKEYEXPIRED, EOWNERDEAD, ENOTRECOVERABLE, ERFKILL, EHWPOISON, ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ENOIOCTLCMD, ERESTART_RESTARTBLOCK, EPROBE_DEFER, EOPENSTALE, ENOPARAM, EBADHANDLE, ENOTSUPP, ETOOSMALL, ESERVERFAULT, EBADTYPE, EJUKEBOX, EIOCBQUEUED, ERECALLCONFLICT };
const BY_VALUE = new Map<number, string>(Object.entries(NAMES).map(([k, v]) => [v, k]));

/** errname(err): the errno's name, '-E…' for a negative value; null when it is not one. */
export function errname(err: number): string | null {
  const name = BY_VALUE.get(Math.abs(err));
  if (name === undefined) return null;
  return err < 0 ? `-${name}` : name;
}
