; Checks before any compiled C runs: can this machine run the kernel at all?
;
; The C code is built for an i686 (-march=i686), so gcc may put cmov
; anywhere, printk included; on an older CPU the first such instruction
; raises #UD before there is an IDT, and the machine triple-faults without a
; word.  And if RAM ends inside the kernel image, the boot page tables in
; .bss are not there when paging is turned on: another silent triple fault.
; So entry.asm calls early_checks first; on failure it programs COM1 itself,
; prints one line saying why, and stops (leaving QEMU or Bochs with the
; failure verdict, halting elsewhere).
;
; This code, its strings and its stack sit in .text.boot, which the linker
; puts in the first page of the image, right after the Multiboot headers:
; whatever else is missing, the page the boot loader jumped into is there.
; Paging is still off, so the stack there is writable; nothing uses it
; after the boot stack takes over.

%include "layout.inc"
%include "multiboot.inc"
%include "cpuid.inc"
%include "uart.inc"
%include "qemu_exit.inc"

%define V2P(x) ((x) - KERNEL_VBASE)
%define EARLY_STACK_SIZE 256	; early_checks' deepest chain needs about 150

extern __kernel_end

section .text.boot progbits alloc exec nowrite align=16
global early_checks, early_stack_top

; In: ebp = the boot loader's magic, esi = its information (physical).
; Returns, every register as it was, only if the kernel can run here.
early_checks:
	pushad
	call check_cpu
	call check_memory
	popad
	ret

; CPUID must exist (EFLAGS.ID can be flipped) and leaf 1 must report every
; bit of CPUID_EDX_REQUIRED.
check_cpu:
	pushfd
	pop eax
	mov ecx, eax
	xor eax, EFLAGS_ID
	push eax
	popfd
	pushfd
	pop eax
	push ecx
	popfd				; EFLAGS as they were
	xor eax, ecx
	test eax, EFLAGS_ID
	jz .no_cpuid
	xor eax, eax
	cpuid				; eax = the highest leaf
	xor edx, edx
	test eax, eax
	jz .check
	mov eax, 1
	cpuid
.check:
	mov eax, edx
	and eax, CPUID_EDX_REQUIRED
	cmp eax, CPUID_EDX_REQUIRED
	jne .lacking
	ret
.no_cpuid:
	mov edi, V2P(msg_no_cpuid)
	call early_fail_begin
	jmp .needs
.lacking:
	mov edi, V2P(msg_lacks)
	call early_fail_begin
	mov edi, V2P(msg_tsc)
	test edx, CPUID_EDX_TSC
	jnz .tsc_ok
	call early_puts
.tsc_ok:
	mov edi, V2P(msg_cmov)
	test edx, CPUID_EDX_CMOV
	jnz .needs
	call early_puts
.needs:
	mov edi, V2P(msg_needs)
	call early_puts
	jmp early_stop

; RAM must reach the end of the kernel image.  The boot loader's mem_upper
; (KiB from 1 MiB up to the first hole) says how far it goes: Multiboot 1
; has it in its information, Multiboot 2 in the basic memory tag.  Without
; it the check is left to kmain, which reads the full memory map.
check_memory:
	cmp ebp, MB1_BOOTLOADER_MAGIC
	je .mb1
	cmp ebp, MB2_BOOTLOADER_MAGIC
	je .mb2
	ret				; a bad magic: kmain says so
.mb1:
	test dword [esi], MB1_INFO_MEMORY
	jz .unknown
	mov eax, [esi + MB1_INFO_MEM_UPPER]
	jmp .compare
.mb2:
	mov ecx, [esi]			; total_size
	add ecx, esi			; the end of the tags
	jc .unknown
	lea edi, [esi + MB2_INFO_FIRST_TAG]
.tag:
	lea eax, [edi + 8]
	cmp eax, ecx
	ja .unknown			; no room for another tag header
	mov edx, [edi + 4]		; size
	cmp edx, 8
	jb .unknown
	cmp dword [edi], MB2_TAG_END
	je .unknown
	cmp dword [edi], MB2_TAG_BASIC_MEMINFO
	je .meminfo
	add edx, MB2_TAG_ALIGN - 1
	and edx, -MB2_TAG_ALIGN
	add edi, edx
	jnc .tag
.unknown:
	ret
.meminfo:
	cmp edx, MB2_BASIC_MEMINFO_UPPER + 4
	jb .unknown
	mov eax, [edi + MB2_BASIC_MEMINFO_UPPER]
.compare:
	mov ebx, V2P(__kernel_end) - MB_UPPER_MEMORY_BASE
	shr ebx, 10			; KiB the image needs above 1 MiB
	cmp eax, ebx
	jae .unknown			; enough
	mov edi, V2P(msg_memory)
	call early_fail_begin
	add ebx, MB_UPPER_MEMORY_BASE >> 10
	xchg eax, ebx
	call early_put_dec		; where the image ends
	mov edi, V2P(msg_memory_have)
	call early_puts
	lea eax, [ebx + (MB_UPPER_MEMORY_BASE >> 10)]
	call early_put_dec		; where RAM ends
	mov edi, V2P(msg_memory_end)
	call early_puts
	jmp early_stop

; Programs COM1 as serial_init does, then prints the common start of every
; message and the string at edi.  Preserves every register.
early_fail_begin:
	pushad
	mov dx, COM1 + UART_IER
	xor al, al
	out dx, al
	mov dx, COM1 + UART_LCR
	mov al, LCR_DLAB
	out dx, al
	mov dx, COM1 + UART_DATA
	mov al, UART_DIVISOR & 0xFF
	out dx, al
	mov dx, COM1 + UART_IER
	mov al, UART_DIVISOR >> 8
	out dx, al
	mov dx, COM1 + UART_LCR
	mov al, LCR_8N1
	out dx, al
	mov dx, COM1 + UART_FCR
	mov al, FCR_ENABLE_CLEAR
	out dx, al
	mov dx, COM1 + UART_MCR
	mov al, MCR_DTR_RTS_OUT2
	out dx, al
	mov edi, V2P(msg_prefix)
	call early_puts
	popad
	; fall through: print edi

; Prints the NUL-terminated string at edi (physical), "\n" as "\r\n".
early_puts:
	pushad
.next:
	mov al, [edi]
	test al, al
	jz .done
	cmp al, 10
	jne .put
	mov al, 13
	call early_putc
	mov al, 10
.put:
	call early_putc
	inc edi
	jmp .next
.done:
	popad
	ret

; Prints eax in decimal.
early_put_dec:
	pushad
	mov ecx, 10
	xor ebx, ebx
.divide:
	xor edx, edx
	div ecx
	push edx			; digits come out lowest first
	inc ebx
	test eax, eax
	jnz .divide
.print:
	pop eax
	add al, '0'
	call early_putc
	dec ebx
	jnz .print
	popad
	ret

; Sends al once the transmitter is empty.
early_putc:
	push edx
	push eax
	mov dx, COM1 + UART_LSR
.wait:
	in al, dx
	test al, LSR_THR_EMPTY
	jz .wait
	pop eax
	mov dx, COM1 + UART_DATA
	out dx, al
	pop edx
	ret

; The failure verdict, as qemu_exit(QEMU_EXIT_FAIL) gives it: QEMU exits,
; Bochs leaves; anything else halts here.
early_stop:
	mov dx, QEMU_EXIT_PORT
	mov eax, QEMU_EXIT_FAIL
	out dx, eax
	mov edi, V2P(bochs_shutdown)
	mov dx, BOCHS_SHUTDOWN_PORT
.shutdown:
	mov al, [edi]
	test al, al
	jz .halt
	out dx, al
	inc edi
	jmp .shutdown
.halt:
	cli
	hlt
	jmp .halt

msg_prefix:	db `\nStrata cannot boot: `, 0
msg_no_cpuid:	db "this CPU has no CPUID instruction", 0
msg_lacks:	db "this CPU lacks", 0
msg_tsc:	db " TSC", 0
msg_cmov:	db " CMOV", 0
msg_needs:	db `; Strata needs an i686 (Pentium Pro or later: CPUID, TSC, CMOV). Halting.\n`, 0
msg_memory:	db "not enough memory: the kernel image needs RAM up to ", 0
msg_memory_have: db " KiB; the boot loader reports RAM up to ", 0
msg_memory_end:	db ` KiB. Halting.\n`, 0
bochs_shutdown:	db BOCHS_SHUTDOWN_STRING, 0

align 16
early_stack:
	times EARLY_STACK_SIZE db 0
early_stack_top:
