// Turns a guide's example program into JavaScript a child process can run. Type checking is the
// docs package's `typecheck` task; here the code only has to run exactly as written.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const docsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const outputDir = join(docsDir, 'test-output');

/** Transpiles examples/<name>.ts to test-output/examples/<name>.mjs and returns its path. */
export function compileExample(name: string): string {
  const source = join(docsDir, 'examples', `${name}.ts`);
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: source,
  });
  const out = join(outputDir, 'examples', `${basename(name)}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, outputText);
  return out;
}
