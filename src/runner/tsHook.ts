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
