// Greeting (seed: SmtpGreetingMessage): greeting-discloses-version, greeting-missing-fqdn,
// help-discloses-version.

import type { AuditContext } from '../context.js';
import { describeCode, errnoCode } from '../root-fs.js';

const VERSION_LIKE = /\d+\.\d+\.\d+/;

export async function checkGreeting(ctx: AuditContext): Promise<void> {
  const greeting = ctx.cfg.options.SmtpGreetingMessage;
  const at = ctx.optionAt('SmtpGreetingMessage');
  const macro = /\$[vZ]/.exec(greeting);
  const number = VERSION_LIKE.exec(greeting);
  if (macro !== null || number !== null) {
    const what = macro !== null ? `${macro[0]} (the ${macro[0] === '$v' ? 'program' : 'configuration'} version)` : `"${number![0]}"`;
    ctx.add('greeting-discloses-version', 'SmtpGreetingMessage', `the greeting "${greeting}" shows ${what} to every client`, at);
  }
  if (!/^(\$j|\$\{j\})/.test(greeting)) {
    ctx.add(
      'greeting-missing-fqdn',
      'SmtpGreetingMessage',
      `the greeting "${greeting}" does not start with $j (RFC 5321 §4.3.1: the greeting starts with the server's name)`,
      at,
    );
  }
  await checkHelpFile(ctx);
}

async function checkHelpFile(ctx: AuditContext): Promise<void> {
  const path = ctx.cfg.options.HelpFile;
  if (path === undefined) return;
  let text: string;
  try {
    text = await ctx.fs.readFile(path, 'latin1');
  } catch (e) {
    const code = errnoCode(e);
    // No help file: HELP answers without one, and nothing can leak from it.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') ctx.skip('help-discloses-version', `cannot read ${path}: ${describeCode(code)}`);
    return;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const tab = l.indexOf('\t');
    if (tab < 0 || l.slice(0, tab) !== 'smtp' || !l.includes('$v')) continue;
    ctx.add('help-discloses-version', `${path}:${i + 1}`, `the help file's smtp topic shows $v to every client: "${l.slice(tab + 1)}"`, { file: path, line: i + 1 });
  }
}
