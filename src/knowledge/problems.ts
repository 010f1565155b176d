/** A problem found in the knowledge base's files: where, and what is wrong. */
export interface DataProblem {
  file: string;
  entry?: string;
  field?: string;
  message: string;
}

export function formatProblem(p: DataProblem): string {
  const where = [p.file, p.entry && `entry "${p.entry}"`, p.field && `field "${p.field}"`].filter(Boolean).join(', ');
  return `${where}: ${p.message}`;
}

export class DataError extends Error {
  constructor(readonly problems: DataProblem[]) {
    super(`The knowledge base has ${problems.length} problem(s):\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'DataError';
  }
}
