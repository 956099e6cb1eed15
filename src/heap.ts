import { setFlagsFromString } from 'node:v8';

/**
 * A scan's peak memory is V8's heap growth more than what the analysis keeps: after a full collection V8 lets the
 * heap grow to up to four times what survived before it collects again, and the analysis makes garbage fast
 * (JumpServer: 88 MB live at the end of a scan whose heap had grown to 228 MB). Growing by half of what survived
 * keeps the peak down (polar 378-415 → 316-326 MB, JumpServer 320-336 → 252-260 MB, netbox 258-273 → 243-248 MB)
 * for more full collections (polar: 4 → 9) and 4-7 % more time on those apps (alternating runs); twice what
 * survived left polar at 390-400 MB. Set for the processes apiposture runs as (the command, the bench's phases),
 * not by the library a program loads: the scan changes the bound only where this was called.
 */
let bounded = false;

export function boundHeapGrowth(): void {
  bounded = true;
  boundHeapGrowthFor('reading');
}

/**
 * The bound for a scan's phase. While facts are read the heap grows fast and a tighter bound only adds collections;
 * once they are in, the analysis adds little that lives and much that does not, and growing by 30 % of what survived
 * lowered Skyvern's cold peak from 303-332 MB (median 325) to 296-318 MB (median 305) and JumpServer's from 218 to
 * 209 MB at no time we could measure (polar, indico and the generated service the same; alternating runs).
 * Nothing unless boundHeapGrowth was called.
 */
export function boundHeapGrowthFor(phase: 'reading' | 'analysis'): void {
  if (bounded) setFlagsFromString(`--heap-growing-percent=${phase === 'reading' ? 50 : 30}`);
}
