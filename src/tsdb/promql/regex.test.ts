import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelMatches, newLabelMatcher } from './matchers.js';
import { compileAnchoredRegex, RegexSyntaxError, RegexUnsupportedError } from './regex.js';

/** pattern, strings it must match, strings it must not match. */
const CASES: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
  ['foo', ['foo'], ['foobar', 'xfoo', '']],
  ['foo|bar', ['foo', 'bar'], ['foobar', 'fooba']],
  ['5..', ['500', '503'], ['5000', '404']],
  ['.*', ['', 'anything', 'multi\nline'], []],
  ['.+', ['x', '\n'], ['']],
  ['a.c', ['abc', 'a\nc'], ['ac']],
  ['(?i)foo', ['FOO', 'Foo', 'foo'], ['bar']],
  ['(?i)straße', ['straße', 'STRAßE'], ['strasse2']],
  ['(?s)a.b', ['a\nb'], []],
  ['(?m)^a$\n^b$', ['a\nb'], ['a\nb\nc', 'x\na\nb']],
  ['(?m)a', ['a'], ['a\nb', 'b\na']],
  ['(?is)A.b', ['a\nB'], []],
  ['(?P<name>x+)y', ['xxy'], ['y']],
  ['(?<name>x+)y', ['xy'], ['y']],
  ['(?:ab)+', ['abab'], ['aba']],
  ['\\.', ['.'], ['a']],
  ['\\-_', ['-_'], []],
  ['a\\-b', ['a-b'], ['ab']],
  ['\\"quoted\\"', ['"quoted"'], []],
  ['\\#\\ \\~\\@\\%\\=\\:\\!\\,\\<\\>\\\'', ["# ~@%=:!,<>'"], []],
  ['\\d+', ['123'], ['12a']],
  ['\\w+', ['ab_1'], ['a-b']],
  ['\\s', [' ', '\t', '\n'], ['\u00a0', 'x']],
  ['\\S+', ['ab'], ['a b']],
  ['[\\s]', [' '], ['x']],
  ['\\bfoo\\b', ['foo'], []],
  ['\\x41\\x{42}\\x{1F600}', ['AB😀'], []],
  ['\\101', ['A'], []],
  ['\\0', ['\0'], []],
  ['\\a\\f\\t\\n\\r\\v', ['\x07\f\t\n\r\v'], []],
  ['\\Qa.b*c\\E+', ['a.b*c', 'a.b*cc'], ['aXbc']],
  ['\\Q(unterminated', ['(unterminated'], []],
  ['\\Aab\\z', ['ab'], []],
  ['\\pL+', ['abcé'], ['ab1']],
  ['\\p{Lu}', ['A'], ['a']],
  ['\\PL', ['1'], ['a']],
  ['\\p{^L}', ['1'], ['a']],
  ['\\p{Greek}+', ['αβγ'], ['abc']],
  ['[[:alpha:]]+', ['abcXYZ'], ['ab1']],
  ['[[:digit:][:upper:]]+', ['1A'], ['a']],
  ['[^[:space:]]+', ['abc'], ['a b']],
  ['[[:punct:]]', ['!', '/', '[', '`', '~'], ['a', ' ']],
  ['[]a]', [']', 'a'], ['b']],
  ['[^]a]', ['b'], [']', 'a']],
  ['[a-]', ['a', '-'], ['b']],
  ['[a\\-z]', ['a', '-', 'z'], ['b']],
  ['[[]', ['['], ['a']],
  ['[\\]]', [']'], []],
  ['[\\d.]+', ['1.5'], ['a']],
  ['a{2}', ['aa'], ['a', 'aaa']],
  ['a{2,}', ['aa', 'aaaa'], ['a']],
  ['a{1,2}', ['a', 'aa'], ['aaa']],
  ['a{,2}', ['a{,2}'], ['aa']],
  ['a{', ['a{'], []],
  ['a}', ['a}'], []],
  ['a]', ['a]'], []],
  ['{}', ['{}'], []],
  ['a/b', ['a/b'], []],
  ['a*?b', ['aab'], []],
  ['😀+', ['😀😀'], ['']],
  ['.', ['😀'], ['😀😀']],
  ['^foo$', ['foo'], []],
  ['', [''], ['a']],
  ['a|', ['a', ''], ['b']],
];

describe('compileAnchoredRegex', () => {
  for (const [pattern, matches, rejects] of CASES) {
    it(`translates ${JSON.stringify(pattern)}`, () => {
      const re = compileAnchoredRegex(pattern);
      for (const s of matches) assert.equal(re.test(s), true, `${re} should match ${JSON.stringify(s)}`);
      for (const s of rejects) assert.equal(re.test(s), false, `${re} should not match ${JSON.stringify(s)}`);
    });
  }

  const SYNTAX_ERRORS = ['(', ')', '*', 'a**', '[a', '\\1', '\\8', '\\q', '\\', '(?=x)', '(?!x)', '(?<=x)', '\\xZZ', '\\p', '[[:nope:]]', '[z-a]'];
  for (const pattern of SYNTAX_ERRORS) {
    it(`rejects ${JSON.stringify(pattern)} as RE2 does`, () => {
      assert.throws(() => compileAnchoredRegex(pattern), (err: unknown) => err instanceof RegexSyntaxError && err.message.startsWith('error parsing regexp: '));
    });
  }

  const UNSUPPORTED = ['a(?i)b', '(?i:a)b', '(?U)a+', '(?-s).', '[[:^alpha:]]'];
  for (const pattern of UNSUPPORTED) {
    it(`reports ${JSON.stringify(pattern)} as valid RE2 it cannot translate`, () => {
      assert.throws(() => compileAnchoredRegex(pattern), RegexUnsupportedError);
    });
  }
});

describe('labelMatches', () => {
  it('applies each operator, an absent label counting as empty', () => {
    const cases: ReadonlyArray<readonly [string, '=' | '!=' | '=~' | '!~', string, string, boolean]> = [
      ['job', '=', 'api', 'api', true],
      ['job', '=', 'api', 'web', false],
      ['job', '=', '', '', true],
      ['job', '!=', 'api', 'web', true],
      ['job', '!=', 'api', '', true],
      ['job', '!=', 'api', 'api', false],
      ['job', '=~', 'a.*', 'api', true],
      ['job', '=~', 'a.*', 'xapi', false],
      ['job', '=~', '.*', '', true],
      ['job', '!~', 'a.*', 'web', true],
      ['job', '!~', 'a.*', 'api', false],
      ['job', '!~', '.+', '', true],
    ];
    for (const [name, op, value, input, expected] of cases) {
      assert.equal(labelMatches(newLabelMatcher(name, op, value), input), expected, `${name}${op}"${value}" on "${input}"`);
    }
  });
});
