/**
 * The milestone panel: each milestone with its state, the evidence it has (✓) and still needs (○), and links to
 * the run or tests behind each piece. The extension sends the whole list on `ready` and whenever it changes.
 */
import { PANEL_PROTOCOL_VERSION, type MilestonePanelToExtension } from '../../../src/protocol/panels';
import { appRoot, checkItem, h, noticeBanner, setChildren } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { parseMilestones, type MilestoneItem } from './parse';

const api = vscodeApi<unknown, MilestonePanelToExtension>();
// The milestone protocol has no `error` message (yet), so script errors stay in the webview's devtools console.
const root = appRoot();
setChildren(root, h('p', { class: 'empty', text: 'Loading milestones…' }));

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const parsed = parseMilestones(e.data, PANEL_PROTOCOL_VERSION);
  if (parsed === undefined) return;
  if ('problem' in parsed) setChildren(root, noticeBanner([parsed.problem]));
  else render(parsed.items);
});
api.postMessage({ type: 'ready' });

function render(items: readonly MilestoneItem[]): void {
  const met = items.filter((m) => m.met).length;
  setChildren(
    root,
    h('h1', { text: `Milestones · ${met} of ${items.length} reached` }),
    items.length === 0 ? h('p', { class: 'empty', text: 'This course defines no milestones.' }) : null,
    h(
      'ol',
      { class: 'milestones' },
      ...items.map((m) => {
        const missing = m.evidence.filter((e) => !e.met);
        return h(
          'li',
          { class: `milestone ${m.met ? 'met' : 'unmet'}`, 'data-id': m.id },
          h(
            'h2',
            {},
            h('span', { class: 'mark', 'aria-hidden': 'true', text: m.met ? '✓' : '○' }),
            `${m.title} `,
            h('span', {
              class: 'state',
              text: m.met
                ? 'reached'
                : `${m.evidence.length - missing.length} of ${m.evidence.length} pieces of evidence`,
            }),
          ),
          h(
            'ul',
            { class: 'evidence' },
            ...m.evidence.map((e) =>
              checkItem(e.met, ['has', 'missing'], ` ${e.label} `, e.link ? linkButton(e.link, e.met) : null),
            ),
          ),
          !m.met && missing.length > 0
            ? h('p', { class: 'missing', text: `Still missing: ${missing.map((e) => e.label).join('; ')}.` })
            : null,
        );
      }),
    ),
  );
}

function linkButton(link: MilestoneItem['evidence'][number]['link'] & object, met: boolean): HTMLElement {
  const text =
    link.kind === 'quiz'
      ? met
        ? 'Review the concept check'
        : 'Take the concept check'
      : link.kind === 'run'
        ? met
          ? 'Open the run'
          : 'Open latest run'
        : met
          ? 'Show the tests'
          : 'Run the tests';
  const title =
    link.kind === 'quiz'
      ? `Concept check ${link.quizId}`
      : link.kind === 'run'
        ? `${link.exerciseId} / ${link.runId}`
        : `Tests of ${link.exerciseId}`;
  const b = h('button', { class: 'link', text, title });
  b.addEventListener('click', () => api.postMessage({ type: 'open', link } satisfies MilestonePanelToExtension));
  return b;
}
