// The API reference documents exactly what each package exports: every name its src/index.ts
// exports (as TypeScript sees it) has an entry on the package's reference page.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { docsDir } from './compile.js';
import { buildSite, distDir } from './site.js';

const packagesDir = resolve(docsDir, '..', '..', 'packages');

function exportedNames(pkg: string): string[] {
  const file = join(packagesDir, pkg, 'src', 'index.ts');
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    paths: { '@fusekit/*': [join(packagesDir, '*', 'src', 'index.ts')] },
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!);
  if (module === undefined) return []; // `export {}`: nothing yet
  return checker
    .getExportsOfModule(module)
    .filter((symbol) => !ts.getJSDocTags(symbol.declarations?.[0] ?? ({} as ts.Node)).some((t) => t.tagName.text === 'internal'))
    .map((symbol) => symbol.name);
}

beforeAll(() => {
  buildSite();
}, 600_000);

describe.each(['lowlevel', 'highlevel', 'fs-memory', 'fs-passthrough'])('the reference of @fusekit/%s', (pkg) => {
  it('has an entry for every export', () => {
    const page = readFileSync(join(distDir, 'api', pkg, 'index.html'), 'utf8');
    const names = exportedNames(pkg);
    expect(names.length).toBeGreaterThan(0);
    const missing = names.filter((name) => !page.includes(`>${name}</a>`) && !page.includes(`>${name}</code></a>`));
    expect(missing).toEqual([]);
  });
});
