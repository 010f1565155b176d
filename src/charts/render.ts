// The one rendering path every chart takes: a Vega-Lite spec, compiled once, fed its data at each render,
// drawn to SVG by Vega with no DOM, and rasterised to PNG by resvg with the fonts shipped in an npm package.
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';

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

/**
 * Charts are shown in chat at about 700 px wide. 1.25× keeps text legible on high-density screens; 1.5× cost a
 * third more rasterising time (resvg's time grows with the pixels) for little that a chat preview shows.
 */
const PIXEL_RATIO = 1.25;

/**
 * Charts carry their data inline: a loader that refuses every request keeps a spec (or a value in it) from
 * ever reaching the network or the file system at run time.
 */
const NO_LOADING: vega.Loader = {
  ...vega.loader(),
  load: () => Promise.reject(new Error('charts render inline data only: nothing is loaded')),
  sanitize: () => Promise.reject(new Error('charts render inline data only: nothing is loaded')),
};

type Compile = typeof import('vega-lite')['compile'];

/**
 * vega-lite, loaded on the first chart, with its one global change confined to its own compile calls. Loading it
 * assigns `Set.prototype.toJSON` (so its spec hashing tells sets apart): left in place, every `JSON.stringify` in the
 * process writes a Set as the string "Set(1,2)" instead of `{}`, discord.js and Bolt included. The property is put
 * back as it was before the import, and vega-lite's own is set only while compile runs (synchronously: no other
 * code runs in between).
 */
let vegaLite: Promise<Compile> | undefined;

function loadVegaLite(): Promise<Compile> {
  vegaLite ??= (async () => {
    const before = Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON');
    let theirs: PropertyDescriptor | undefined;
    try {
      const { compile } = await import('vega-lite');
      theirs = Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON');
      return ((spec, options) => {
        const outside = Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON');
        setOwn(Set.prototype, 'toJSON', theirs);
        try {
          return compile(spec, options);
        } finally {
          setOwn(Set.prototype, 'toJSON', outside);
        }
      }) as Compile;
    } finally {
      setOwn(Set.prototype, 'toJSON', before);
    }
  })();
  return vegaLite;
}

function setOwn(target: object, key: string, descriptor: PropertyDescriptor | undefined): void {
  if (descriptor) Object.defineProperty(target, key, descriptor);
  else delete (target as Record<string, unknown>)[key];
}

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
  private view: vega.View | undefined;
  private readonly errors: string[] = [];
  /** Renders of one chart type take turns: they share one Vega view, whose data each replaces. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `adjust` changes the compiled Vega spec, for what Vega-Lite cannot say (it rewrites legend symbol fills);
   * `fixed` are datasets every render shares (a map's outlines), given to the view once and never replaced.
   */
  constructor(
    private readonly spec: TopLevelSpec,
    private readonly options: { adjust?: (compiled: vega.Spec) => void; fixed?: () => Record<string, readonly object[]> } = {},
  ) {}

  render(datasets: Record<string, readonly object[]>): Promise<RenderedChart> {
    const turn = this.queue.then(() => this.renderNow(datasets));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async renderNow(datasets: Record<string, readonly object[]>): Promise<RenderedChart> {
    // One view per chart type, its data replaced at each render: building the view's dataflow anew took three
    // quarters of Vega's time (about 15 ms of 20).
    // Cleared before a new view is made: its failed loads are reported while it is being made.
    this.errors.length = 0;
    const view = (this.view ??= await this.createView());
    // Vega keeps the objects it is given and marks them with its own ids: copies leave the caller's rows alone.
    for (const [name, values] of Object.entries(datasets))
      view.data(
        name,
        values.map((row) => ({ ...row })),
      );
    const svg = await view.toSVG();
    if (this.errors.length > 0) {
      // A view that failed once may hold half-updated state: the next render builds a fresh one.
      view.finalize();
      this.view = undefined;
      throw new Error(`chart render: ${this.errors.join('; ')}`);
    }
    const image = new Resvg(svg, {
      font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
      fitTo: { mode: 'zoom', value: PIXEL_RATIO },
    }).render();
    return { png: image.asPng(), svg, width: image.width, height: image.height };
  }

  private async createView(): Promise<vega.View> {
    this.runtime ??= await this.parse();
    // Vega logs a refused load as a warning, a bad expression as an error, and draws on without the data: collected
    // here, either fails the render instead of giving a chart with a line missing.
    const collect = (...args: unknown[]) => {
      this.errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
      return logger;
    };
    const logger = { ...vega.logger(vega.Warn), warn: collect, error: collect };
    const view = new vega.View(this.runtime, { renderer: 'none', loader: NO_LOADING, logger: logger as never });
    for (const [name, values] of Object.entries(this.options.fixed?.() ?? {})) view.data(name, values as object[]);
    return view;
  }

  private async parse(): Promise<vega.Runtime> {
    const compile = await loadVegaLite();
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
    this.options.adjust?.(compiled);
    return vega.parse(compiled);
  }
}
