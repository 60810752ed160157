import { randomBytes } from 'node:crypto';

/** A fresh nonce for one page load: 128 bits, base64. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface PanelPage {
  /** `webview.cspSource`: the only origin styles, fonts and images may come from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly title: string;
  /** Webview URIs (as strings) of the panel's script and style sheets. */
  readonly script: string;
  readonly styles: readonly string[];
}

/**
 * The panel HTML with a strict Content-Security-Policy: nothing by default; scripts only with this load's nonce;
 * styles, fonts and images only from the extension (plus blob:/data: images, which the panels make from PNG bytes;
 * sounds only from blob: URLs made from WAV bytes).
 * No remote origin is ever allowed, and no inline style or script without the nonce.
 */
export function panelHtml(p: PanelPage): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(p.nonce))
    throw new Error('panelHtml: the nonce must be base64 of at least 16 characters');
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource} blob: data:`,
    `style-src ${p.cspSource}`,
    `font-src ${p.cspSource}`,
    // Sounds play from blob: URLs the panel makes from WAV bytes (lab.audio); never from a remote origin.
    'media-src blob:',
    `script-src 'nonce-${p.nonce}'`,
  ].join('; ');
  const styles = p.styles.map((href) => `  <link rel="stylesheet" href="${attr(href)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${text(p.title)}</title>
</head>
<body>
  <main id="app" aria-live="polite"></main>
  <script nonce="${attr(p.nonce)}" src="${attr(p.script)}"></script>
</body>
</html>
`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
