// The charts as the core's ChartService (src/core/charts-port.ts, matched by shape: src/charts imports no core).
// Vega, Vega-Lite and resvg are imported on the first chart, so a bot that never draws one never loads them.
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { TroopChartOptions } from './troops.ts';

export function chartService() {
  return {
    async troops(kb: KnowledgeBase, request: TroopChartOptions) {
      const { troopChart } = await import('./troops.ts');
      return troopChart(kb, request);
    },
    async bases(kb: KnowledgeBase) {
      const { basesMap } = await import('./bases.ts');
      return basesMap(kb);
    },
  };
}
