import type { KnowledgeBase } from '../knowledge/kb.ts';

/** A chart drawn to PNG, with the words for those who cannot see it. */
export interface ChartImage {
  png: Uint8Array;
  /** What the chart shows, in words (screen readers, platforms that show no image). */
  alt: string;
  /** What it is and the sources of every figure in it. */
  caption: string;
}

export interface TroopChartRequest {
  /** Display names as in deployments (`France`); default every country with figures. */
  countries?: readonly string[];
  /** ISO days bounding the chart; default the first and last figure. */
  from?: string;
  to?: string;
}

/**
 * Charts for answers (src/charts implements it; main.ts provides it). A port rather than an import so a command
 * stays a function of its input that tests and the core can run without drawing anything, and so the chart
 * libraries load on the first chart asked for rather than at start. Null: nothing to draw (the text stands alone).
 */
export interface ChartService {
  troops(kb: KnowledgeBase, request: TroopChartRequest): Promise<ChartImage | null>;
  bases(kb: KnowledgeBase): Promise<ChartImage | null>;
}
