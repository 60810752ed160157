/**
 * A typed wrapper over the webview's `acquireVsCodeApi`. In a plain browser (panel development and browser
 * tests) there is no such function, so a stand-in keeps state in memory and logs posted messages.
 */
export interface VsCodeApi<State, Outgoing> {
  postMessage(message: Outgoing): void;
  getState(): State | undefined;
  setState(state: State): State;
}

declare const acquireVsCodeApi: (<S, O>() => VsCodeApi<S, O>) | undefined;

let api: unknown;

/** Returns the one API object; VS Code allows `acquireVsCodeApi` to be called only once per page. */
export function vscodeApi<State, Outgoing>(): VsCodeApi<State, Outgoing> {
  if (!api) {
    api =
      typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi<State, Outgoing>() : browserStandIn<State, Outgoing>();
  }
  return api as VsCodeApi<State, Outgoing>;
}

function browserStandIn<State, Outgoing>(): VsCodeApi<State, Outgoing> {
  let state: State | undefined;
  const posted: Outgoing[] = [];
  (globalThis as { __postedMessages?: Outgoing[] }).__postedMessages = posted;
  return {
    postMessage: (m) => void posted.push(m),
    getState: () => state,
    setState: (s) => (state = s),
  };
}
