; The ring-3 probe: enter user mode with iret, come back through a trap.
;
; user_enter saves the kernel's callee-saved registers and EFLAGS on the
; kernel stack, points this CPU's kernel_tss.esp0 just below them (so that a trap from
; ring 3 builds its frame there without touching them), loads the user data
; selectors and irets to USER_CS:eip with USER_DS:esp.  The way back is a
; trap: a handler for int 0x80 or for the user's fault calls user_return,
; which drops the trap frame, restores the saved registers and returns from
; user_enter with the handler's code.  Interrupts stay off throughout.
; The TSS and the saved words are per-CPU variables: every access goes
; through %fs, the per-CPU segment in the kernel (the trap entry reloads it).

%include "segments.inc"

extern kernel_tss
%define TSS_ESP0 4			; offsetof(struct tss, esp0), asserted in C

section .bss.percpu nobits alloc write align=4
user_saved_esp:
	resd 1
user_saved_esp0:
	resd 1

section .text
global user_enter, user_return

; int user_enter(uint32_t eip, uint32_t esp)
user_enter:
	push ebp
	push ebx
	push esi
	push edi
	pushfd
	mov [fs:user_saved_esp], esp
	mov eax, [fs:kernel_tss + TSS_ESP0]
	mov [fs:user_saved_esp0], eax
	mov [fs:kernel_tss + TSS_ESP0], esp
	mov eax, [esp + 24]		; eip (5 saved words, the return address)
	mov ecx, [esp + 28]		; esp
	mov dx, USER_DS
	mov ds, dx
	mov es, dx
	mov fs, dx
	mov gs, dx
	push dword USER_DS		; ss
	push ecx			; esp
	push dword 0x2			; eflags: reserved bit only, IF clear
	push dword USER_CS		; cs
	push eax			; eip
	iret

; __noreturn void user_return(int code), on the trap's kernel stack
user_return:
	mov eax, [esp + 4]
	mov esp, [fs:user_saved_esp]
	mov ecx, [fs:user_saved_esp0]
	mov [fs:kernel_tss + TSS_ESP0], ecx
	popfd
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

; Position-independent user code, copied into a user page by the test.
; Its stack holds three words: a user address to write, the value to write
; there, and an address to read at the end (a supervisor page faults here).
; int 0x80 reports EAX = the value read back, EDX = the last word read.
section .rodata
global user_probe_code, user_probe_code_end
user_probe_code:
	mov ebx, [esp]
	mov ecx, [esp + 4]
	mov [ebx], ecx
	mov eax, [ebx]
	mov edx, [esp + 8]
	mov edx, [edx]
	int 0x80
.spin:
	jmp .spin
user_probe_code_end:
