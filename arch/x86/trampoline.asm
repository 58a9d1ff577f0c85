; The AP start-up trampoline (SDM Vol. 3A, 8.4.4.2 and 9.9.1).
;
; A STARTUP IPI with vector VV starts the AP in real mode at VV00:0000,
; that is at physical address VV000, the page arch/x86/smpboot.c copied
; this code to.  The code runs from wherever it was copied: it learns its
; physical base from CS and patches its own far jump with it.  Steps:
;   1. real mode: load the AP's own GDT (physical address in the
;      parameters), set CR0.PE, far-jump into 32-bit code;
;   2. flat 32-bit segments; CR4 as on the boot CPU (PSE, PGE), CR3 the
;      start-up directory (this page identity-mapped, the kernel half
;      shared), paging on with CR0.WP;
;   3. the AP's kernel stack, and a jump to the higher half: ap_start(cpu),
;      which moves to the kernel's own directory and never returns.
; The code is data until it is copied: it lives in .rodata.

%include "segments.inc"
%include "mmu.inc"
%include "trampoline.inc"

%define CR0_PE 1
%define OFF(x) ((x) - trampoline_start)

section .rodata
global trampoline_start, trampoline_end

bits 16
trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4			; ebx: this page's physical address
	lea eax, [ebx + OFF(protected)]
	mov [OFF(far_jump)], eax
	o32 lgdt [TRAMP_GDTR]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	o32 jmp far [OFF(far_jump)]

bits 32
protected:
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, [ebx + TRAMP_CR4]
	mov cr4, eax
	mov eax, [ebx + TRAMP_CR3]
	mov cr3, eax
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	mov esp, [ebx + TRAMP_STACK]
	mov ecx, [ebx + TRAMP_ENTRY]
	xor ebp, ebp			; ends the frame-pointer chain
	push dword [ebx + TRAMP_CPU]	; ap_start(cpu)
	push ebp			; no return address
	jmp ecx

align 4
far_jump:
	dd 0				; the offset of `protected`, patched above
	dw KERNEL_CS

	times TRAMP_PARAMS - ($ - trampoline_start) db 0
	times TRAMP_PARAMS_END - TRAMP_PARAMS db 0
trampoline_end:
