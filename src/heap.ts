import { setFlagsFromString } from 'node:v8';

/**
 * A scan's peak memory is V8's heap growth more than what the analysis keeps: after a full collection V8 lets the
 * heap grow to up to four times what survived before it collects again, and the analysis makes garbage fast
 * (JumpServer: 88 MB live at the end of a scan whose heap had grown to 228 MB). Growing by half of what survived
 * keeps the peak down (polar 377-397 → 323-330 MB, JumpServer 292-356 → 260-277 MB) for a few more full collections
 * (polar: 4 → 9, their pauses 35-158 → 162-217 ms of a 9 s scan). Set for the processes apiposture runs as (the
 * command, the bench's phases), not by the library a program loads.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50');
}
