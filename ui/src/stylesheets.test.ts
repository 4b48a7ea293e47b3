// The stylesheets use no CSS nesting, so a rule opened inside another rule is
// a missing `}` — which browsers accept as nesting and silently mis-apply.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/ui-unit/ui/src/; the sources are four levels up.
const SOURCE_DIR = fileURLToPath(new URL('../../../../ui/src/', import.meta.url));

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cssFiles(join(dir, e.name)) : e.name.endsWith('.css') ? [join(dir, e.name)] : [],
  );
}

/** Problems of one stylesheet: a rule inside a rule, unbalanced braces. */
function nestingProblems(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const stack: ('at' | 'rule')[] = [];
  const problems: string[] = [];
  let line = 1;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (c === '{') {
      const prelude = text.slice(start, i).trim();
      const kind = prelude.startsWith('@') ? 'at' : 'rule';
      if (kind === 'rule' && stack[stack.length - 1] === 'rule') problems.push(`line ${line}: "${prelude.split('\n').pop()}" opens inside another rule (a missing "}" above?)`);
      stack.push(kind);
      start = i + 1;
    } else if (c === '}') {
      if (stack.pop() === undefined) problems.push(`line ${line}: "}" without "{"`);
      start = i + 1;
    } else if (c === ';') start = i + 1;
  }
  if (stack.length > 0) problems.push(`${stack.length} block(s) never closed`);
  return problems;
}

describe('stylesheets', () => {
  it('finds a missing closing brace', () => {
    assert.deepEqual(nestingProblems('a { color: red;\n.b { color: blue; }'), ['line 2: ".b" opens inside another rule (a missing "}" above?)', '1 block(s) never closed']);
    assert.deepEqual(nestingProblems('@keyframes s { to { opacity: 0; } }\n@media (x) { .a { b: c; } }'), []);
  });

  it('has every rule closed in every stylesheet of the UI', () => {
    const files = cssFiles(SOURCE_DIR);
    assert.ok(files.length > 0, `stylesheets under ${SOURCE_DIR}`);
    for (const f of files) assert.deepEqual(nestingProblems(readFileSync(f, 'utf8')), [], f);
  });
});
