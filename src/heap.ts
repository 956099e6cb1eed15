import { setFlagsFromString } from 'node:v8';

/**
 * A scan's peak memory is V8's heap growth more than what the analysis keeps: after a full collection V8 lets the
 * heap grow to up to four times what survived before it collects again, and the analysis makes garbage fast
 * (JumpServer: 88 MB live at the end of a scan whose heap had grown to 228 MB). Growing by half of what survived
 * keeps the peak down (polar 378-415 → 316-326 MB, JumpServer 320-336 → 252-260 MB, netbox 258-273 → 243-248 MB)
 * for more full collections (polar: 4 → 9) and 4-7 % more time on those apps (alternating runs); twice what
 * survived left polar at 390-400 MB. Set for the processes apiposture runs as (the command, the bench's phases),
 * not by the library a program loads.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50');
}
