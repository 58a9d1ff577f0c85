/*
 * x86 paging and control-register bits (Intel SDM Vol. 3A, 4.3 and 2.5).
 * Each bit is named once, as a mask.  PWT, PCD and PAT choose the memory
 * type through the PAT (arch/x86/pat.h).  Page-directory
 * and page-table entries share the low bits; PDE_PS is only meaningful in a
 * directory entry, PTE_PAT only in a table entry.
 */
#ifndef ARCH_X86_MMU_H
#define ARCH_X86_MMU_H

#define PTE_PRESENT 0x001
#define PTE_RW 0x002
#define PTE_USER 0x004
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_ACCESSED 0x020
#define PTE_DIRTY 0x040
#define PDE_PS 0x080
#define PTE_PAT 0x080
#define PDE_PAT_LARGE 0x1000 /* a 4 MiB page's PAT bit (PS takes bit 7) */
#define PTE_GLOBAL 0x100
#define PTE_OWNED 0x200
#define PTE_FLAGS_MASK 0xFFF
#define PTE_FRAME_MASK 0xFFFFF000
#define PDE_4M_FRAME_MASK 0xFFC00000

#define CR0_WP 0x00010000 /* ring 0 honours read-only pages */
#define CR0_PG 0x80000000 /* paging */
#define CR4_PSE 0x00000010 /* 4 MiB pages */
#define CR4_PGE 0x00000080 /* global pages */

/* Page-fault error code (SDM 4.7). */
#define PF_ERR_PRESENT 0x01 /* 0: not present, 1: protection violation */
#define PF_ERR_WRITE 0x02 /* the access was a write */
#define PF_ERR_USER 0x04 /* the access came from ring 3 */
#define PF_ERR_RSVD 0x08 /* a reserved bit was set in a paging entry */
#define PF_ERR_FETCH 0x10 /* instruction fetch */

#endif
