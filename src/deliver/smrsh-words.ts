// Splitting smrsh arguments into words without a shell (program-and-file-delivery.md §2.4): quotes
// and backslashes as sh reads them, and nothing else (no globbing, no ~, no variables).

export type Words = { ok: true; words: string[] } | { ok: false };

export function splitWords(text: string): Words {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { ok: false };
      cur += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) j++;
        cur += text[j];
      }
      if (j >= text.length) return { ok: false };
      i = j;
    } else if (c === '\\') {
      // A backslash at the very end stays a backslash.
      if (i + 1 < text.length) i++;
      cur += text[i];
    } else {
      cur += c;
    }
  }
  if (inWord) words.push(cur);
  return { ok: true, words };
}
