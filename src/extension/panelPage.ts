import * as vscode from 'vscode';
import { makeNonce, panelHtml } from '../core/panelHtml';

/**
 * Gives a webview panel its page: scripts on, resources only from the extension's dist/ and media/, and the HTML of
 * src/core/panelHtml (strict CSP with a fresh nonce). `script` and `styles` are paths relative to the extension.
 */
export function setPanelPage(
  panel: vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  page: { readonly title: string; readonly script: readonly string[]; readonly styles: readonly (readonly string[])[] },
): void {
  panel.webview.options = {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
  const asUri = (p: readonly string[]): string =>
    panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  panel.webview.html = panelHtml({
    cspSource: panel.webview.cspSource,
    nonce: makeNonce(),
    title: page.title,
    script: asUri(page.script),
    styles: page.styles.map(asUri),
  });
}
