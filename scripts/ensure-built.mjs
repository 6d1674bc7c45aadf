#!/usr/bin/env node
// Makes `npm start`, `npm test` and `npm run bench` work on a fresh clone: installs the pinned
// dependencies when they are missing or older than package-lock.json, builds the native addon
// (binding.gyp: fcntl locks for mailbox delivery) when it is missing or older than its sources, then
// compiles the TypeScript (incrementally).
//
// The addon is built against the headers of the running Node when they are installed next to it
// (<prefix>/include/node), so no download from nodejs.org is needed; `npm ci` gets the same through
// npm_config_nodedir. A failed addon build stops here: delivery must never fall back to unlocked writes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    process.stderr.write(`ensure-built: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

/** The directory whose include/node holds this Node's headers, if they are installed locally. */
function localNodeDir() {
  const candidates = [dirname(dirname(realpathSync(process.execPath))), '/usr', '/usr/local'];
  return candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')) && existsSync(join(d, 'include', 'node', 'common.gypi')));
}

function gypEnv() {
  const env = { ...process.env };
  if (!env.npm_config_nodedir) {
    const dir = localNodeDir();
    if (dir !== undefined) env.npm_config_nodedir = dir;
  }
  return env;
}

/** npm's own node-gyp (npm bundles it; npm tells scripts where it is). */
function nodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const g = spawnSync(npm, ['root', '-g'], { encoding: 'utf8' });
  if (g.status === 0) candidates.push(join(g.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    process.stderr.write('ensure-built: node-gyp not found (it comes with npm); cannot build the native addon\n');
    process.exit(1);
  }
  return found;
}

function addonStale() {
  const addon = join(root, 'build', 'Release', 'postern_native.node');
  if (!existsSync(addon)) return true;
  const built = statSync(addon).mtimeMs;
  const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((n) => join(root, 'native', n))];
  return sources.some((s) => statSync(s).mtimeMs > built);
}

const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  // npm ci also builds the addon (npm runs `node-gyp rebuild` for a package with a binding.gyp).
  run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], gypEnv());
}
if (addonStale()) {
  const env = gypEnv();
  const args = [nodeGyp(), 'rebuild', '--loglevel=warn'];
  if (env.npm_config_nodedir) args.push(`--nodedir=${env.npm_config_nodedir}`);
  run(process.execPath, args, env);
}
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')]);
