/* PIT channel 2 as a stopwatch (see delay.h); Intel 8254 data sheet. */
#include "arch/x86/delay.h"
#include "arch/x86/io.h"
#include "lib/atomic.h"

#define PIT_TICKS_PER_MS 1193 /* 1.193182 MHz, rounded down */
#define PIT_CH2 0x42
#define PIT_COMMAND 0x43
#define PIT_CH2_MODE0 0xB0 /* channel 2, low then high byte, mode 0, binary */
#define PORT_B 0x61 /* system control port B */
#define PORT_B_GATE2 0x01 /* channel 2 counts while set */
#define PORT_B_SPEAKER 0x02 /* speaker data: kept off */
#define PORT_B_OUT2 0x20 /* channel 2's output: high at terminal count */
#define MAX_CHUNK_US 50000 /* 59659 ticks: fits the 16-bit counter */
/* Empty turns between two reads of the PIT: an emulator pays dearly for
 * each port access, real hardware a microsecond; either way the wait stays
 * exact to within a few microseconds.  Not PAUSE: QEMU leaves its CPU
 * loop on every PAUSE, which under -icount costs far more than a port. */
#define TURNS_PER_POLL 256

/* Counts `ticks` down in mode 0, whose output rises when it reaches 0. */
static void pit_wait(unsigned ticks)
{
	uint8_t b = inb(PORT_B);

	outb(PORT_B, (uint8_t)((b & ~(PORT_B_SPEAKER | PORT_B_GATE2))));
	outb(PIT_COMMAND, PIT_CH2_MODE0);
	outb(PIT_CH2, ticks & 0xFF);
	outb(PIT_CH2, (ticks >> 8) & 0xFF);
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	while (!(inb(PORT_B) & PORT_B_OUT2))
		for (unsigned i = 0; i < TURNS_PER_POLL; i++)
			barrier();
}

void udelay(unsigned us)
{
	while (us) {
		unsigned chunk = us < MAX_CHUNK_US ? us : MAX_CHUNK_US;
		pit_wait(chunk * PIT_TICKS_PER_MS / 1000 + 1);
		us -= chunk;
	}
}
