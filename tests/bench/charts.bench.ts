// Chart rendering (`npm run bench charts`): the troop chart (every country, and France over late 2023) and the
// bases map, rendered in-process to PNG; target < 50 ms at p50 and p99. The first render of each chart type
// (compiling its Vega-Lite spec, reading the world outlines) is reported apart: it happens once per process.
// CPU per render (this thread's user + system time over all runs) depends far less on what else the machine runs
// than the wall-clock percentiles do; resvg rasterises on this thread too.
import { performance } from 'node:perf_hooks';
import { basesMap } from '../../src/charts/bases.ts';
import { troopChart } from '../../src/charts/troops.ts';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { fmt, percentiles, row, threadCpuMs } from './stats.ts';

const RUNS = 100;

export default async function bench(): Promise<void> {
  const kb = KnowledgeBase.load();
  const charts: [string, () => Promise<{ png: Buffer } | null>][] = [
    ['troops, all countries', () => troopChart(kb)],
    ['troops, France Aug–Dec 2023', () => troopChart(kb, { countries: ['France'], from: '2023-08-01', to: '2023-12-31' })],
    ['bases map', () => basesMap(kb)],
  ];
  process.stdout.write(
    `${row(['chart', 'first render', 'p50', 'p99', 'max', 'CPU per render', 'PNG size'])}\n${row(['---', '---', '---', '---', '---', '---', '---'])}\n`,
  );
  for (const [name, render] of charts) {
    const t0 = performance.now();
    const first = await render();
    const firstMs = performance.now() - t0;
    const samples: number[] = [];
    const cpu0 = threadCpuMs();
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await render();
      samples.push(performance.now() - t);
    }
    const cpu1 = threadCpuMs();
    const p = percentiles(samples);
    const cpu = cpu0 === null || cpu1 === null ? 'n/a' : fmt((cpu1 - cpu0) / RUNS);
    process.stdout.write(`${row([name, fmt(firstMs), fmt(p.p50), fmt(p.p99), fmt(p.max), cpu, `${Math.round((first?.png.length ?? 0) / 1024)} kB`])}\n`);
  }
}
