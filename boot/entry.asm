; Strata entry point.
;
; The boot loader (GRUB or QEMU -kernel) jumps here in 32-bit protected mode
; with paging off, EAX holding the Multiboot magic and EBX the physical address
; of the boot information.  The kernel is linked at KERNEL_VBASE + 1 MiB but
; runs at 1 MiB until paging is on, so everything before `higher_half` uses
; physical addresses (V2P).  Steps:
;   0. early_checks (boot/early.asm): stop with a message if the CPU or
;      the RAM cannot run the kernel;
;   1. zero .bss (the boot page tables and stack live there);
;   2. fill the boot page tables: the first BOOT_MAP_SIZE bytes of physical
;      memory, 4 KiB pages, page 0 and the stack guard page left out;
;   3. point the boot page directory at them twice, at 0 (identity, only to
;      survive the instruction that turns paging on) and at KERNEL_VBASE;
;   4. turn on paging, jump to the higher half, drop the identity entries, so
;      that from the first C line on nothing is mapped below KERNEL_VBASE.

%include "layout.inc"
%include "mmu.inc"
%include "multiboot.inc"
%include "segments.inc"

%define V2P(x) ((x) - KERNEL_VBASE)

; Both headers sit at the very start of the image: Multiboot 1 must be in the
; first 8 KiB and 4-byte aligned, Multiboot 2 in the first 32 KiB, 8-aligned.
section .multiboot progbits alloc noexec nowrite align=8
align 4
mb1_header:
	dd MB1_HEADER_MAGIC
	dd MB1_HEADER_FLAGS
	dd 0x100000000 - (MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)

align 8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; e_entry is the virtual _start (GRUB and QEMU both look it up among
	; the segments' virtual ranges and translate it to the physical one);
	; this tag says the same physically, for loaders that prefer it.
	dw MB2_HEADER_TAG_ENTRY, 0
	dd 12
	dd V2P(_start)
	dd 0				; pad to the next 8-byte boundary
	dw MB2_TAG_END, 0		; end tag: type, flags
	dd 8				; size
mb2_header_end:

; _start is in the first page of the image with the early checks (see
; boot/early.asm); the rest follows in .text.
section .text.boot progbits alloc exec nowrite align=16
global _start
extern kmain, early_checks, early_stack_top
extern __bss_start, __bss_end

_start:
	cli
	cld
	mov ebp, eax			; Multiboot magic
	mov esi, ebx			; Multiboot information (physical)

	; 0. no compiled C before these
	mov esp, V2P(early_stack_top)
	call early_checks
	jmp boot_paging

section .text
boot_paging:
	; 1. zero .bss
	mov edi, V2P(__bss_start)
	mov ecx, V2P(__bss_end)
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd

	; 2. boot page tables: entry i maps frame i
	mov edi, V2P(boot_page_tables)
	mov eax, PTE_PRESENT | PTE_RW
	mov ecx, BOOT_MAP_TABLES * PTRS_PER_TABLE
.fill_pte:
	stosd
	add eax, PAGE_SIZE
	loop .fill_pte
	mov dword [V2P(boot_page_tables)], 0	; page 0: NULL must fault
	mov eax, V2P(boot_stack_guard)
	shr eax, PAGE_SHIFT
	mov dword [V2P(boot_page_tables) + eax * 4], 0

	; 3. boot page directory
	mov edi, V2P(boot_page_directory)
	mov eax, V2P(boot_page_tables) + (PTE_PRESENT | PTE_RW)
	xor ecx, ecx
.fill_pde:
	mov [edi + ecx * 4], eax
	mov [edi + (KERNEL_PDE_FIRST * 4) + ecx * 4], eax
	add eax, PAGE_SIZE
	inc ecx
	cmp ecx, BOOT_MAP_TABLES
	jb .fill_pde
	mov dword [edi + (PTRS_PER_TABLE - 1) * 4], V2P(fixmap_page_table) + (PTE_PRESENT | PTE_RW)

	; 4. paging on, with ring 0 honouring read-only pages
	mov cr3, edi
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	mov eax, higher_half
	jmp eax

higher_half:
	; the identity entries have done their job
	mov edi, boot_page_directory
	xor eax, eax
	mov ecx, BOOT_MAP_TABLES
	rep stosd
	mov eax, cr3
	mov cr3, eax

	mov esp, boot_stack_top
	push esi			; kmain(magic, info_phys)
	push ebp
	xor ebp, ebp			; ends the frame-pointer chain for backtraces
	call kmain
.hang:
	cli
	hlt
	jmp .hang

section .bss
align PAGE_SIZE
global boot_page_directory, boot_page_tables, fixmap_page_table
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_page_directory:
	resb PAGE_SIZE
boot_page_tables:
	resb BOOT_MAP_TABLES * PAGE_SIZE
fixmap_page_table:
	resb PAGE_SIZE
; One unmapped page below the boot stack: running off the stack's end faults
; there, and the double-fault task reports it instead of a triple fault.
boot_stack_guard:
	resb PAGE_SIZE
boot_stack_bottom:
	resb BOOT_STACK_SIZE
boot_stack_top:
