import { err } from '../domain/errors.js';

/**
 * Regular expressions whose matching cost can explode are refused before they reach the
 * database. PostgreSQL compiles a pattern into an automaton whose size grows with nested
 * repetition: `(.*.*.*.*.*.*.*.*.*.*){50}z` (27 characters) takes tens of seconds to compile
 * and match even on an empty string. Two rules, each cheap to check and easy to explain:
 *   - no repetition of a group that itself holds a repetition (`(a*)*`, `(a+b)+`, `(.*){9}`);
 *   - at most MAX_REPETITIONS repetitions (`*`, `+`, `{m,n}` with n > 1) in one pattern.
 * `?` and `{0,1}` repeat nothing and are not counted. Escapes and bracket expressions are
 * skipped as a unit.
 */
export const MAX_REPETITIONS = 20;

interface Group {
  repeats: boolean;
}

/** Throws ERROR_INVALID_PARAMETER naming `where` when the pattern could take too long to match. */
export function checkPatternCost(pattern: string, where: string): void {
  const groups: Group[] = [{ repeats: false }];
  let repetitions = 0;
  /** Whether the last atom was a group whose content repeats. */
  let lastAtomRepeats = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      lastAtomRepeats = false;
    } else if (c === '[') {
      i = endOfBracket(pattern, i);
      lastAtomRepeats = false;
    } else if (c === '(') {
      groups.push({ repeats: false });
      lastAtomRepeats = false;
    } else if (c === ')' && groups.length > 1) {
      const inner = groups.pop()!;
      if (inner.repeats) groups[groups.length - 1].repeats = true;
      lastAtomRepeats = inner.repeats;
    } else if (c === '*' || c === '+' || c === '{' || c === '?') {
      const { repeats, end } = quantifier(pattern, i);
      i = end;
      if (!repeats) continue;
      if (lastAtomRepeats) {
        throw err.invalid(where, 'a repeated group holds a repetition (like (a*)* or (.*){9}); such a pattern can take minutes to match');
      }
      repetitions++;
      if (repetitions > MAX_REPETITIONS) {
        throw err.invalid(
          where,
          `a pattern may repeat at most ${MAX_REPETITIONS} times (*, +, {m,n}); such a pattern can take minutes to match`,
        );
      }
      groups[groups.length - 1].repeats = true;
      lastAtomRepeats = false;
    } else {
      lastAtomRepeats = false;
    }
  }
}

/** The quantifier starting at `i`: whether it repeats (more than once), and where it ends (its lazy `?` included). */
function quantifier(pattern: string, i: number): { repeats: boolean; end: number } {
  let end = i;
  let repeats = pattern[i] !== '?';
  if (pattern[i] === '{') {
    const bound = /^\{(\d*)(,(\d*))?\}/.exec(pattern.slice(i));
    if (!bound) return { repeats: false, end: i }; // a literal brace
    end = i + bound[0].length - 1;
    const max = bound[2] === undefined ? Number(bound[1] || '0') : bound[3] === '' ? Number.POSITIVE_INFINITY : Number(bound[3]);
    repeats = max > 1;
  }
  if (pattern[end + 1] === '?') end++;
  return { repeats, end };
}

/** The index of the `]` that closes the bracket expression opening at `i` (a leading `]` or `^]` is literal). */
function endOfBracket(pattern: string, i: number): number {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  for (; j < pattern.length; j++) {
    if (pattern[j] === '[' && (pattern[j + 1] === ':' || pattern[j + 1] === '.' || pattern[j + 1] === '=')) {
      const close = pattern.indexOf(`${pattern[j + 1]}]`, j + 2);
      if (close !== -1) j = close + 1;
    } else if (pattern[j] === ']') {
      return j;
    }
  }
  return pattern.length - 1;
}
