/**
 * Narrows the `milestones` message in the panel. The host is trusted, but a message of another protocol version or
 * a malformed item must produce a readable notice, not a blank panel; malformed items are dropped one by one.
 */
import type { EvidenceLink, MilestoneView } from '../../../src/protocol/panels';

export type MilestoneItem = MilestoneView;

/** undefined: not a milestone message (ignored); `problem`: say so; otherwise the items that are well-formed. */
export function parseMilestones(
  data: unknown,
  version: number,
): { items: MilestoneItem[] } | { problem: string } | undefined {
  if (!isRecord(data) || data.type !== 'milestones') return undefined;
  if (data.protocol !== version)
    return {
      problem: `This panel understands protocol version ${version} but received ${String(data.protocol)}. Reload the window after updating the extension.`,
    };
  if (!Array.isArray(data.items)) return { problem: 'The milestone list was missing from the message.' };
  const items: MilestoneItem[] = [];
  for (const it of data.items) {
    if (!isRecord(it) || typeof it.id !== 'string' || typeof it.title !== 'string' || !Array.isArray(it.evidence))
      continue;
    const evidence = it.evidence
      .filter(isRecord)
      .map((e) => ({ label: String(e.label ?? ''), met: e.met === true, link: asLink(e.link) }));
    items.push({ id: it.id, title: it.title, met: it.met === true, evidence });
  }
  return { items };
}

function asLink(v: unknown): EvidenceLink | undefined {
  if (isRecord(v) && v.kind === 'quiz' && typeof v.quizId === 'string') return { kind: 'quiz', quizId: v.quizId };
  if (!isRecord(v) || typeof v.exerciseId !== 'string') return undefined;
  if (v.kind === 'run' && typeof v.runId === 'string') return { kind: 'run', exerciseId: v.exerciseId, runId: v.runId };
  if (v.kind === 'tests') return { kind: 'tests', exerciseId: v.exerciseId };
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
