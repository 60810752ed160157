/**
 * Small DOM helpers. Elements are built with the DOM API, never from HTML strings, so text from runs (labels,
 * generated text, reasons) cannot inject markup, and nothing needs an inline `style=` attribute (the CSP forbids it).
 */
type Child = Node | string | null | undefined | false;

export interface Attrs {
  readonly class?: string;
  readonly text?: string;
  readonly title?: string;
  readonly [attr: string]: string | undefined;
}

/** Creates an element with attributes (`class`, `text` for textContent, any other attribute) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Replaces all children. */
export function setChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** The panel's root: the host page's `<main id="app">`, or a new one (harness pages, older hosts). */
export function appRoot(): HTMLElement {
  let root = document.getElementById('app');
  if (!root) {
    root = h('main', { id: 'app' });
    document.body.append(root);
  }
  return root;
}

/**
 * A checklist item: `li.met` or `li.unmet` led by a ✓ or ○ mark whose accessible name says it (`names`: for met,
 * for unmet), then `children`.
 */
export function checkItem(met: boolean, names: readonly [string, string], ...children: Child[]): HTMLLIElement {
  return h(
    'li',
    { class: met ? 'met' : 'unmet' },
    h('span', { class: 'mark', text: met ? '✓' : '○', 'aria-label': met ? names[0] : names[1] }),
    ...children,
  );
}

/** A banner for notices (problems that did not stop the panel), `role=alert` so screen readers announce it. */
export function noticeBanner(messages: readonly string[]): HTMLElement | null {
  if (messages.length === 0) return null;
  return h('div', { class: 'banner', role: 'alert' }, h('ul', {}, ...messages.map((m) => h('li', { text: m }))));
}

/** Reads a CSS custom property (a VS Code theme colour) from the page, with a fallback for plain browsers. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** Posts uncaught errors to the host so they are logged, not lost in the webview's devtools console. */
export function reportErrorsTo(post: (message: string) => void): void {
  window.addEventListener('error', (e) => post(`${e.message}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}`));
  window.addEventListener('unhandledrejection', (e) =>
    post(`Unhandled rejection: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`),
  );
}
