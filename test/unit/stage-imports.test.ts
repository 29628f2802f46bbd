import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 13: stages only look down. Every folder under functions/ is a stage unless it is one of these layers, so a
// new stage folder is covered without editing this test. reports/ renders the monthly PDF packs from published
// documents and has no handler of its own: a layer the refresh calls after it publishes, like stats/.
const LAYERS = new Set(['contract', 'lib', 'auth', 'stats', 'reports']);

// Imports allowed across stages: none. (refresh -> ingest for the Parquet writer was the last; it moved to
// functions/lib/parquet.ts.) A name added here must say why, and the last case below fails once it is unused.
const ALLOWED: ReadonlySet<string> = new Set<string>();

const FUNCTIONS = resolve(import.meta.dirname, '../../functions');
// import/export ... from '...', import '...' and import('...'), type-only imports included.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Relative imports of a source text, as paths inside functions/ (imports of packages are left out). */
function functionsImports(file: string, text: string): string[] {
  return [...text.matchAll(SPECIFIER)]
    .map((match) => match[1] as string)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) =>
      relative(FUNCTIONS, resolve(dirname(file), specifier))
        .split(sep)
        .join('/'),
    );
}

const folderOf = (path: string) => path.split('/')[0] as string;
const isStage = (folder: string) => !LAYERS.has(folder);

/** Each import that crosses from one stage into another, or from a layer up into a stage. */
function crossings(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(FUNCTIONS)) {
    const from = relative(FUNCTIONS, file).split(sep).join('/');
    const own = folderOf(from);
    for (const target of functionsImports(file, readFileSync(file, 'utf8'))) {
      const folder = folderOf(target);
      if (folder === own || folder.startsWith('..') || !isStage(folder)) continue;
      const edge = `${from} -> ${target}`;
      if (!ALLOWED.has(edge)) found.push(edge);
    }
  }
  return found;
}

describe('stage imports (issue 13: stages only look down)', () => {
  it('finds relative imports of every form, type-only and dynamic included', () => {
    const file = join(FUNCTIONS, 'api', 'x.ts');
    const text = [
      "import { a } from '../refresh/refresh.ts';",
      "import type { B } from '../ingest/landing.ts';",
      "export { c } from './compress.ts';",
      "const d = await import('../upload/upload-api.ts');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(functionsImports(file, text)).toEqual([
      'refresh/refresh.ts',
      'ingest/landing.ts',
      'api/compress.ts',
      'upload/upload-api.ts',
    ]);
  });

  it('no stage folder imports another stage, and no layer imports a stage', () => {
    expect(crossings()).toEqual([]);
  });

  it('every allowed exception is still needed', () => {
    const used = [...ALLOWED].filter((edge) => {
      const [from, target] = edge.split(' -> ') as [string, string];
      const file = join(FUNCTIONS, from);
      try {
        return functionsImports(file, readFileSync(file, 'utf8')).includes(target);
      } catch {
        return false;
      }
    });
    expect(used).toEqual([...ALLOWED]);
  });
});
