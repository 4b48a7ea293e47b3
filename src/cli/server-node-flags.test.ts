import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from './server-node-flags.js';

const root = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../' : '../../../', import.meta.url));

test('npm start runs the server with the server node flags', () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts['start'], `node ${SERVER_NODE_FLAGS.join(' ')} dist/src/cli/main.js serve`);
});

test("the marquetry bin's shebang passes the server node flags to node", () => {
  const firstLine = readFileSync(`${root}src/cli/main.ts`, 'utf8').split('\n')[0];
  assert.equal(firstLine, `#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
});
