// errno values (src/linux/errno.ts, bug.ts): the asm-generic numbers a model compares return
// values against, the kernel-internal ones (ERESTARTSYS, EPROBE_DEFER, ENOTSUPP), and errname().
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

describe('errno', () => {
  it('has the asm-generic and kernel-internal values', () => {
    const want: Record<string, number> = {
      EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, E2BIG: 7, EBADF: 9, EAGAIN: 11, EWOULDBLOCK: 11, ENOMEM: 12, EFAULT: 14, EBUSY: 16,
      EEXIST: 17, ENODEV: 19, EINVAL: 22, ENOSPC: 28, EPIPE: 32, ERANGE: 34, EDEADLK: 35, EDEADLOCK: 35, ENOSYS: 38, ENODATA: 61,
      EOVERFLOW: 75, EOPNOTSUPP: 95, ETIMEDOUT: 110, ECANCELED: 125, EHWPOISON: 133, ERESTARTSYS: 512, EPROBE_DEFER: 517, ENOTSUPP: 524,
    };
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, (api as unknown as Record<string, number>)[k]]));
    expect(got).toEqual(want);
  });

  it('errname() names a value as lib/errname.c does', () => {
    expect([api.errname(-12), api.errname(12), api.errname(-api.ERESTARTSYS), api.errname(-11), api.errname(9999), api.errname(0)])
      .toEqual(['-ENOMEM', 'ENOMEM', '-ERESTARTSYS', '-EAGAIN', null, null]);
  });
});
