/*
 * Lock order: every spinlock in Strata, outermost first.  A CPU that holds
 * a lock may take only locks with a higher number; two locks with the same
 * number are never held at once.  Lock debugging (lib/spinlock.c) checks
 * this on every acquisition and names the two locks when it is broken.
 * The numbers leave room between them for the locks still to come.
 *
 *  10 LOCK_ORDER_TASKS      kernel/task.c     the task table and pids
 *  20 LOCK_ORDER_VMALLOC    mm/vmalloc.c      the list of vmalloc areas;
 *                                             held while an area is mapped
 *                                             and unmapped (it takes 30)
 *  30 LOCK_ORDER_AS         mm/vmm.c          one per address space:
 *                                             its page tables, regions and
 *                                             counters (kernel_as: the
 *                                             kernel half); the allocators
 *                                             and shootdowns nest inside
 *  The allocators' locks nest inside 30 (page tables are allocated with
 *  an address space locked); per-CPU caches need none (mm/platform.h):
 *  35 LOCK_ORDER_FREELIST   mm/freelist.c     one per free-list heap (a
 *                                             heap grows with it held,
 *                                             and the buddy may reclaim
 *                                             from the slab: 40 and on)
 *  40 LOCK_ORDER_SLAB_LIST  mm/slab_cache.c   the list of caches and ids
 *  45 LOCK_ORDER_PERCPU     mm/percpu.c       the per-CPU space's map
 *  50 LOCK_ORDER_SLAB       mm/slab.c         one per cache: its slab
 *                                             lists, counters and depot
 *  55 LOCK_ORDER_KMALLOC    mm/kmalloc.c      the large blocks' list
 *  60 LOCK_ORDER_ZONE       mm/buddy.c        one per zone: its free lists
 *  70 LOCK_ORDER_FAILINJECT mm/failinject.c   fault injection's counts,
 *                                             while armed (an allocation
 *                                             inside any of the above)
 *  80 LOCK_ORDER_TRAPS      arch/x86/trap.c   the trap handler tables
 *                                             (writers only)
 *  85 LOCK_ORDER_CALL       arch/x86/smp_call.c  one cross-CPU call at a time
 *  90 LOCK_ORDER_SHOOTDOWN  arch/x86/tlb.c    one TLB shootdown at a time;
 *                                             taken with any of the above
 *                                             held (kunmap inside the
 *                                             allocators, vfree, unmap)
 *  95 LOCK_ORDER_REPORTS    mm/report.c       the misuse report counters
 *  97 LOCK_ORDER_LOCKSTAT   lib/lockstat.c    the list of the locks made
 *                                             at run time; held while
 *                                             lockstat prints them
 * 100 LOCK_ORDER_CONSOLE    lib/printk.c      the console: one message at
 *                                             a time; innermost, and not
 *                                             debugged (reports print)
 *
 * A CPU waiting for a lock with interrupts off still answers TLB
 * shootdowns (the spin loop polls for them), so holding any of these locks
 * while waiting for a shootdown's acknowledgements cannot deadlock.
 * Cross-CPU calls are answered only with interrupts on: never wait for
 * one while holding a lock its target may be spinning on.
 */
#ifndef LIB_LOCK_ORDER_H
#define LIB_LOCK_ORDER_H

#define LOCK_ORDER_NONE 0 /* outside the order: never checked */
#define LOCK_ORDER_TASKS 10
#define LOCK_ORDER_VMALLOC 20
#define LOCK_ORDER_AS 30
#define LOCK_ORDER_FREELIST 35
#define LOCK_ORDER_SLAB_LIST 40
#define LOCK_ORDER_PERCPU 45
#define LOCK_ORDER_SLAB 50
#define LOCK_ORDER_KMALLOC 55
#define LOCK_ORDER_ZONE 60
#define LOCK_ORDER_FAILINJECT 70
#define LOCK_ORDER_TRAPS 80
#define LOCK_ORDER_CALL 85
#define LOCK_ORDER_SHOOTDOWN 90
#define LOCK_ORDER_REPORTS 95
#define LOCK_ORDER_LOCKSTAT 97
#define LOCK_ORDER_CONSOLE 100

#endif
