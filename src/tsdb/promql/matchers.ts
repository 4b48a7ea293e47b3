// Label matchers: construction (compiling regexes once) and matching. A label
// that is absent matches as the empty string, as in Prometheus: `{env!="prod"}`
// selects series without `env`, and `{env=~".*"}` selects every series.

import type { LabelMatcher, MatchOp } from './ast.js';
import { compileAnchoredRegex } from './regex.js';

/** Throws RegexSyntaxError or RegexUnsupportedError for a bad `=~`/`!~` pattern. */
export function newLabelMatcher(name: string, op: MatchOp, value: string): LabelMatcher {
  const regex = op === '=~' || op === '!~' ? compileAnchoredRegex(value) : null;
  return { name, op, value, regex };
}

export function labelMatches(matcher: LabelMatcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return matcher.regex!.test(value);
    case '!~':
      return !matcher.regex!.test(value);
  }
}
