/** Chart colours from the theme (`--vscode-charts-*`), so light, dark and high-contrast themes all read. */
import { cssVar } from '../shared/dom';

const CHART_VARS: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

export interface ThemeColors {
  readonly series: readonly string[];
  readonly foreground: string;
  readonly grid: string;
  readonly divider: string;
  /** Marks where a run diverged. */
  readonly error: string;
}

export function themeColors(): ThemeColors {
  return {
    series: CHART_VARS.map(([v, f]) => cssVar(v, f)),
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    divider: cssVar('--vscode-focusBorder', '#007fd4'),
    error: cssVar('--vscode-errorForeground', '#f14c4c'),
  };
}

/**
 * Calls `redraw` when VS Code switches theme: it swaps the body's `vscode-light` / `vscode-dark` /
 * `vscode-high-contrast` class and rewrites the `--vscode-*` variables on the root element's style.
 */
export function onThemeChange(redraw: () => void): void {
  let frame = 0;
  const observer = new MutationObserver(() => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      redraw();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
