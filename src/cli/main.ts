// Entry point shared by the `postern`, `sendmail`, `mailq` and `newaliases` commands.

export async function main(invokedAs: string, argv: string[]): Promise<number> {
  if (invokedAs !== 'postern') {
    process.stderr.write(`${invokedAs}: not yet implemented in this version of Postern\n`);
    return 69;
  }
  process.stderr.write(`postern: ${argv.join(' ')}: not yet implemented\n`);
  return 64;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (invokedDirectly) {
  main('postern', process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
