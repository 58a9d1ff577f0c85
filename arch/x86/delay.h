/*
 * Busy-waiting for a while, timed by the PIT's channel 2 (the speaker's
 * counter, which no one else uses), for the pauses the AP start-up
 * protocol asks for.  Under QEMU -icount the PIT runs on virtual time, so
 * the wait is the same number of instructions on every run.
 */
#ifndef ARCH_X86_DELAY_H
#define ARCH_X86_DELAY_H

/* Waits at least us microseconds.  Boot CPU only (the PIT is shared). */
void udelay(unsigned us);

#endif
