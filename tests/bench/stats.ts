import { readFileSync } from 'node:fs';

/** Latency summary in milliseconds from a list of samples (ms). */
export function percentiles(samples: number[]): { p50: number; p99: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

export function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

export function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

/**
 * CPU time (user + system, ms) of this thread, from /proc on Linux (10 ms resolution); null elsewhere. Unlike
 * wall-clock throughput it hardly depends on what else the machine is doing, so it is the steadier comparison.
 */
export function threadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
