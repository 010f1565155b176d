// The one rendering path every chart takes: a Vega-Lite spec, compiled once, fed its data at each render,
// drawn to SVG by Vega with no DOM, and rasterised to PNG by resvg with the fonts shipped in an npm package.
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const require = createRequire(import.meta.url);

/**
 * Inter (SIL Open Font License) as TTF files: resvg reads TrueType/OpenType, not the WOFF2 of @fontsource, and
 * system fonts are never loaded, so a machine with none (CI, a slim container) draws the same pixels as any other.
 * Paths, not buffers: resvg-js copies buffers across the native boundary on every render (~90 ms measured),
 * while it reads files in a few milliseconds.
 */
const FONT_FILES = [
  require.resolve('@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf'),
  require.resolve('@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf'),
];
export const FONT_FAMILY = 'Inter';

/** Charts are shown in chat at about 700 px wide; 1.5× keeps text sharp on high-density screens. */
const PIXEL_RATIO = 1.5;

/**
 * Charts carry their data inline: a loader that refuses every request keeps a spec (or a value in it) from
 * ever reaching the network or the file system at run time.
 */
const NO_LOADING: vega.Loader = {
  ...vega.loader(),
  load: () => Promise.reject(new Error('charts render inline data only: nothing is loaded')),
  sanitize: () => Promise.reject(new Error('charts render inline data only: nothing is loaded')),
};

export interface RenderedChart {
  png: Buffer;
  svg: string;
  width: number;
  height: number;
}

/**
 * A chart type: its spec compiled and parsed once (the Vega-Lite compiler costs tens of milliseconds), rendered
 * as often as asked with the named datasets the spec declares (`data: {name: …}`).
 */
export class ChartRenderer {
  private runtime: vega.Runtime | undefined;

  /** `adjust` changes the compiled Vega spec, for what Vega-Lite cannot say (it rewrites legend symbol fills). */
  constructor(
    private readonly spec: TopLevelSpec,
    private readonly adjust: (compiled: vega.Spec) => void = () => {},
  ) {}

  async render(datasets: Record<string, readonly object[]>): Promise<RenderedChart> {
    this.runtime ??= this.parse();
    // Vega logs a refused load as a warning, a bad expression as an error, and draws on without the data: collected
    // here, either fails the render instead of giving a chart with a line missing.
    const errors: string[] = [];
    const collect = (...args: unknown[]) => {
      errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
      return logger;
    };
    const logger = { ...vega.logger(vega.Warn), warn: collect, error: collect };
    const view = new vega.View(this.runtime, { renderer: 'none', loader: NO_LOADING, logger: logger as never });
    try {
      for (const [name, values] of Object.entries(datasets)) view.data(name, values as object[]);
      const svg = await view.toSVG();
      if (errors.length > 0) throw new Error(`chart render: ${errors.join('; ')}`);
      const image = new Resvg(svg, {
        font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
        fitTo: { mode: 'zoom', value: PIXEL_RATIO },
      }).render();
      return { png: image.asPng(), svg, width: image.width, height: image.height };
    } finally {
      view.finalize();
    }
  }

  private parse(): vega.Runtime {
    // A warning is a spec Vega-Lite reads differently from what it says (a dropped format, merged scales): fail
    // where the chart is made rather than draw something else.
    const warnings: string[] = [];
    const logger = {
      ...vega.logger(vega.Warn),
      warn(...args: unknown[]) {
        warnings.push(args.join(' '));
        return logger;
      },
    };
    const compiled = compile(this.spec, { logger: logger as never }).spec;
    if (warnings.length > 0) throw new Error(`chart spec: ${warnings.join('; ')}`);
    this.adjust(compiled);
    return vega.parse(compiled);
  }
}
