; Trap entry.  Every vector gets a small stub that makes the stack look the
; same (an error code, real or 0, and the vector number) and jumps to
; trap_common, which saves the rest of struct trap_frame (arch/x86/trap.h)
; and calls trap_dispatch(frame).  The probes with their fixup entries and
; the double-fault task entry live here too.

%include "segments.inc"
%include "vectors.inc"

section .text
extern trap_dispatch
extern double_fault_report

%macro STUB_NOERR 1
trap_stub_%1:
	push dword 0
	push dword %1
	jmp trap_common
%endmacro

%macro STUB_ERR 1
trap_stub_%1:
	push dword %1
	jmp trap_common
%endmacro

; Vectors for which the CPU pushes an error code (SDM 6.13).
%assign v 0
%rep 48
%if v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21 || v == 29 || v == 30
	STUB_ERR v
%else
	STUB_NOERR v
%endif
%assign v v + 1
%endrep
	STUB_NOERR 128
	STUB_NOERR T_IPI_CALL
	STUB_NOERR T_IPI_TLB
	STUB_NOERR T_APIC_SPURIOUS

trap_common:
	pusha
	cld				; C expects the direction flag clear; ring 3 may have set it
	push ds
	push es
	push fs
	push gs
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov gs, ax
	mov ax, PERCPU_SEL		; this CPU's per-CPU area (arch/x86/percpu.h)
	mov fs, ax
	push esp			; struct trap_frame *
	call trap_dispatch
	add esp, 4
	pop gs
	pop fs
	pop es
	pop ds
	popa
	add esp, 8			; vector and error code
	iret

section .rodata
global trap_stub_table
trap_stub_table:
%assign v 0
%rep 48
	dd trap_stub_ %+ v
%assign v v + 1
%endrep
global trap_stub_syscall
trap_stub_syscall:
	dd trap_stub_128
; The local APIC's vectors, in the order of arch/x86/vectors.h.
global trap_stub_apic
trap_stub_apic:
	dd trap_stub_ %+ T_IPI_CALL	; the stub labels carry the numbers
	dd trap_stub_ %+ T_IPI_TLB
	dd trap_stub_ %+ T_APIC_SPURIOUS

; The double-fault task gate lands here on a fresh stack with the error code
; pushed; the faulting task's registers are in kernel_tss.
section .text
global double_fault_task
double_fault_task:
	xor ebp, ebp
	call double_fault_report	; does not return
.hang:
	cli
	hlt
	jmp .hang

; Probes: each access that may fault is listed in .ex_table with the place
; to resume; the trap code puts -3 (ERR_FAULT) in EAX and jumps there.
%macro EXTABLE 2
section .ex_table
	dd %1, %2
section .text
%endmacro

global probe_read, probe_write, probe_read_seg, probe_write_seg, probe_far_call
global seg_demo_routine

; int probe_read(const volatile void *addr, uint32_t *out)
probe_read:
	mov edx, [esp + 4]
.access:
	mov eax, [edx]
	mov edx, [esp + 8]
	mov [edx], eax
	xor eax, eax
.done:
	ret
	EXTABLE probe_read.access, probe_read.done

; int probe_write(volatile void *addr, uint32_t val)
probe_write:
	mov edx, [esp + 4]
	mov eax, [esp + 8]
.access:
	mov [edx], eax
	xor eax, eax
.done:
	ret
	EXTABLE probe_write.access, probe_write.done

; int probe_read_seg(uint16_t sel, uint32_t offset, uint32_t *out)
probe_read_seg:
	push fs
	mov eax, [esp + 8]
	mov edx, [esp + 12]
.load:
	mov fs, ax
.access:
	mov eax, [fs:edx]
	mov edx, [esp + 16]
	mov [edx], eax
	xor eax, eax
.done:
	pop fs
	ret
	EXTABLE probe_read_seg.load, probe_read_seg.done
	EXTABLE probe_read_seg.access, probe_read_seg.done

; int probe_write_seg(uint16_t sel, uint32_t offset, uint32_t val)
probe_write_seg:
	push fs
	mov eax, [esp + 8]
	mov edx, [esp + 12]
.load:
	mov fs, ax
	mov eax, [esp + 16]
.access:
	mov [fs:edx], eax
	xor eax, eax
.done:
	pop fs
	ret
	EXTABLE probe_write_seg.load, probe_write_seg.done
	EXTABLE probe_write_seg.access, probe_write_seg.done

; int probe_far_call(uint16_t sel, uint32_t offset, uint32_t *result)
probe_far_call:
	mov eax, [esp + 4]
	mov edx, [esp + 8]
	sub esp, 8			; a far pointer: offset, then selector
	mov [esp], edx
	mov [esp + 4], ax
.call:
	call far [esp]
	add esp, 8
	mov edx, [esp + 12]
	mov [edx], eax
	xor eax, eax
	ret
.fault:					; EAX = ERR_FAULT already
	add esp, 8
	ret
	EXTABLE probe_far_call.call, probe_far_call.fault

; Reached through a test code segment: relocated by the segment's base.
seg_demo_routine:
	mov eax, 0x2A
	retf
