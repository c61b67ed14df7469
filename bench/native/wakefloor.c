/* wakefloor: the floor of what watching costs at one wake-up a second.
 *
 *   wakefloor
 *
 * Prints one line, then sleeps in poll(2) with no descriptor and a 1 s timeout, forever, and does nothing else: no
 * file read, no system call besides the poll. The idle scenario runs it beside the daemons (earlyoom and reapd both
 * wake about once a second on an idle machine), so each window shows what the timer's wake-up alone costs on the
 * machine — the part of every daemon's cost that no cheaper reading can take away. The runner stops it by signal.
 */
#include <poll.h>
#include <stdio.h>

int main(void)
{
    printf("wakefloor: waking once a second\n");
    fflush(stdout);
    for (;;)
        poll(NULL, 0, 1000);
}
