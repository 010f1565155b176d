/**
 * The value of one sample in Prometheus text format: `name` with exactly these labels (any order), or with
 * none. Fails the test when the sample is missing, so a renamed metric or label cannot pass as 0.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
    if (have.sort().join(',') === wanted) return Number(m[3]);
  }
  throw new Error(
    `no sample ${name}{${wanted}} in:\n${
      text
        .split('\n')
        .filter((l) => l.startsWith(name))
        .join('\n') || '(no such metric)'
    }`,
  );
}
