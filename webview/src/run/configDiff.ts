/**
 * What differs between compared runs: the config name, the backend and every package version that is not the
 * same in all of them. Equal fields are left out, so the table answers "why do these curves differ?".
 */
import type { RunMeta, RunSummary } from '../../../src/protocol/runFiles';

export interface DiffRow {
  readonly field: string;
  /** One cell per run; undefined where the run does not record it. */
  readonly values: readonly (string | undefined)[];
}

export function configDifferences(metas: readonly (RunMeta | undefined)[]): DiffRow[] {
  const rows: DiffRow[] = [];
  const add = (field: string, values: (string | undefined)[]): void => {
    if (new Set(values).size > 1) rows.push({ field, values });
  };
  add(
    'config',
    metas.map((m) => m?.config),
  );
  add(
    'backend',
    metas.map((m) => m?.backend),
  );
  const keys = new Set<string>();
  for (const m of metas) for (const k of Object.keys(m?.versions ?? {})) keys.add(k);
  for (const k of [...keys].sort())
    add(
      `version: ${k}`,
      metas.map((m) => m?.versions?.[k]),
    );
  return rows;
}

/** The union of summary keys, sorted, for the compare table. */
export function summaryKeys(summaries: readonly (RunSummary | undefined)[]): string[] {
  const keys = new Set<string>();
  for (const s of summaries) for (const k of Object.keys(s ?? {})) keys.add(k);
  return [...keys].sort();
}
