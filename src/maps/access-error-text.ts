// The white space of an unquoted ERROR text, rebuilt the way sendmail's address tokenizer leaves it
// (relay-and-access.md §2.2): sendmail sends what its rulesets put back together from tokens, so
// `Mail refused, ask postmaster` goes out as `Mail refused,ask postmaster`. Postern rebuilds the text
// once, at load time, so that its replies match sendmail's.

/** The m4 default of OperatorChars (confOPERATORS). */
export const DEFAULT_OPERATOR_CHARS = '.:%@!^/[]+';

/** Always special in sendmail's tokenizer, whatever OperatorChars says. */
const FIXED_SPECIALS = '()<>,;';

export function specialsOf(operatorChars: string | undefined): ReadonlySet<string> {
  return new Set([...FIXED_SPECIALS, ...(operatorChars ?? DEFAULT_OPERATOR_CHARS)]);
}

function isWhite(ch: string): boolean {
  return ch === ' ' || ch === '\t';
}

/**
 * Two words are joined by exactly one space; nothing is put next to a special character. A double
 * quoted string is part of the word it is in and kept as written (spaces included); a backslash keeps
 * the character after it in the word.
 */
export function rebuildErrorText(text: string, specials: ReadonlySet<string>): string {
  let out = '';
  let word = '';
  // The last token written was a word, so a following word needs a space in front.
  let afterWord = false;
  const flushWord = (): void => {
    if (word === '') return;
    out += afterWord ? ` ${word}` : word;
    word = '';
    afterWord = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? text.length : end + 1;
      word += text.slice(i, stop);
      i = stop - 1;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text.slice(i, i + 2);
      i++;
    } else if (isWhite(ch)) {
      flushWord();
    } else if (specials.has(ch)) {
      flushWord();
      out += ch;
      afterWord = false;
    } else {
      word += ch;
    }
  }
  flushWord();
  return out;
}
