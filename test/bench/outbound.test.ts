// The outbound benchmark's options and report (the run itself is `npm run bench -- --outbound`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOutboundReport, parseOutboundOptions } from '../../bench/outbound.js';
import { mainCf } from '../../bench/postfix.js';

test('outbound options: defaults, values, refusals', () => {
  assert.deepEqual(parseOutboundOptions(['--outbound']), { messages: 2000, domains: 50, size: 10240, runners: 32, compare: false, keep: false, json: false });
  const o = parseOutboundOptions(['--outbound', '--messages', '500', '--domains', '7', '--compare', 'postfix', '--runners', '8']);
  assert.equal(o.messages, 500);
  assert.equal(o.domains, 7);
  assert.equal(o.runners, 8);
  assert.equal(o.compare, true);
  assert.throws(() => parseOutboundOptions(['--outbound', '--messages', '0']), /positive integer/);
  assert.throws(() => parseOutboundOptions(['--outbound', '--compare', 'exim']), /only postfix/);
});

test('the report gives both targets and the ratios', () => {
  const text = formatOutboundReport({
    options: parseOutboundOptions(['--outbound', '--messages', '100']),
    runs: [
      { target: 'postern', messages: 100, seconds: 1, messagesPerSec: 100, cpuUsPerMessage: 900 },
      { target: 'postfix', messages: 100, seconds: 2, messagesPerSec: 50, cpuUsPerMessage: 1200 },
    ],
    ratios: { messagesPerSec: 2, cpuPerMessage: 0.75 },
  });
  assert.match(text, /^postern\s+100\s+1\.00\s+100\.0\s+900$/m);
  assert.match(text, /Postern \/ Postfix: 2\.00× messages\/s \(goal ≥ 1\.5\), 0\.75× CPU per message/);
});

test("Postfix's relay mode: held on arrival, a transport map to the sink for the benchmark's domains", () => {
  const cf = mainCf('/tmp/x', { host: '127.0.0.1', port: 2525, processLimit: 100, mode: 'hold', keep: false, relay: { host: '127.0.0.1', port: 2600, domainSuffix: 'bench' } });
  assert.match(cf, /^smtpd_data_restrictions = check_client_access static:HOLD$/m);
  assert.match(cf, /^transport_maps = inline:\{\.bench=smtp:\[127\.0\.0\.1\]:2600\}$/m);
});
