// Learner TypeScript runs without a build step: `.ts` files are compiled on require with sucrase (pure JS, fast,
// keeps line numbers) and carry an inline source map, so stack traces point at the learner's own lines.
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { transform } from 'sucrase';

type Compile = (code: string, filename: string) => void;

let installed = false;

/** Installs the `.ts` (and `.mts`/`.cts`) require hook once per process. */
export function installTypeScriptHook(): void {
  if (installed) return;
  installed = true;
  process.setSourceMapsEnabled(true);
  const extensions = (Module as unknown as { _extensions: Record<string, (m: Module, f: string) => void> })._extensions;
  for (const ext of ['.ts', '.cts', '.mts']) {
    extensions[ext] = (module: Module, filename: string): void => {
      const source = readFileSync(filename, 'utf8');
      const line = multiNameExportLine(source);
      if (line !== undefined) {
        throw new SyntaxError(
          `${filename}:${line}: write one \`export const\` per name here. Multimodal Lab compiles TypeScript with sucrase, ` +
            'which exports only the first name of `export const a = …, b = …;` and would leave the others undefined.',
        );
      }
      const out = transform(source, {
        transforms: ['typescript', 'imports'],
        filePath: filename,
        sourceMapOptions: { compiledFilename: filename },
        production: true,
      });
      const map = { ...out.sourceMap, sources: [filename], sourcesContent: [source] };
      const code = `${out.code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
      (module as unknown as { _compile: Compile })._compile(code, filename);
    };
  }
}

/**
 * The 1-based line of the first `export const|let|var` that declares several names (a comma at the top level of
 * the declaration), which sucrase 3.35 compiles wrongly; undefined when there is none. Strings, template literals,
 * comments and brackets are skipped, so `export const f = (a, b) => [a, b];` is fine.
 */
export function multiNameExportLine(source: string): number | undefined {
  const re = /^[ \t]*export[ \t]+(?:const|let|var)\b/gm;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let depth = 0;
    let angle = 0; // type arguments such as Map<string, number>
    for (let i = m.index + m[0].length; i < source.length; i++) {
      const c = source[i];
      if (c === '/' && source[i + 1] === '/') {
        i = source.indexOf('\n', i) - 1;
        if (i < 0) break;
      } else if (c === '/' && source[i + 1] === '*') {
        i = source.indexOf('*/', i + 2) + 1;
        if (i <= 0) break;
      } else if (c === '"' || c === "'" || c === '`') {
        for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
      } else if (c === '<' && /[\w$]/.test(source[i - 1] ?? '')) {
        angle++;
      } else if (c === '>' && angle > 0 && source[i - 1] !== '=') {
        angle--;
      } else if ('([{'.includes(c)) {
        depth++;
      } else if (')]}'.includes(c)) {
        depth--;
      } else if (
        depth === 0 &&
        (c === ';' ||
          (c === '\n' &&
            !/^\s*[,.?:+\-*/|&=]/.test(source.slice(i + 1, i + 40)) &&
            !/[,=+\-*/|&?:(]\s*$/.test(source.slice(Math.max(0, i - 40), i))))
      ) {
        break;
      } else if (depth === 0 && angle === 0 && c === ',') {
        return source.slice(0, m.index).split('\n').length;
      }
    }
  }
  return undefined;
}
