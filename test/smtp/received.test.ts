import { test } from 'node:test';
import assert from 'node:assert/strict';
import { receivedHeader, receivedProtocol } from '../../src/smtp/received.js';

const base = {
  helo: 'client.example.net',
  client: 'client.example.net [192.0.2.1]',
  j: 'mx.example.com',
  protocol: 'ESMTP',
  qid: '5AbCdEfGh0001k',
  date: 'Mon, 1 Jan 2024 12:00:00 +0000',
};

test('§8.5 example: one recipient, no TLS', () => {
  assert.equal(
    receivedHeader({ ...base, rcpts: ['<bob@example.com>'] }),
    'Received: from client.example.net (client.example.net [192.0.2.1])\r\n' +
      '\tby mx.example.com (Postern) with ESMTP id 5AbCdEfGh0001k\r\n' +
      '\tfor <bob@example.com>; Mon, 1 Jan 2024 12:00:00 +0000\r\n',
  );
});

test('§8.5: several recipients put the date on its own line; no HELO drops the parentheses', () => {
  assert.equal(
    receivedHeader({ ...base, helo: undefined, client: '[192.0.2.1]', protocol: 'SMTP', rcpts: ['<a@x>', '<b@x>'] }),
    'Received: from [192.0.2.1]\r\n' +
      '\tby mx.example.com (Postern) with SMTP id 5AbCdEfGh0001k;\r\n' +
      '\tMon, 1 Jan 2024 12:00:00 +0000\r\n',
  );
});

test('§8.5: authentication and TLS', () => {
  const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256, verify: 'NO' };
  assert.equal(
    receivedHeader({ ...base, protocol: 'ESMTPSA', rcpts: ['bob@example.com'], auth: { ssf: 56 }, tls }),
    'Received: from client.example.net (client.example.net [192.0.2.1]) (authenticated bits=56)\r\n' +
      '\tby mx.example.com (Postern) with ESMTPSA id 5AbCdEfGh0001k\r\n' +
      '\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)\r\n' +
      '\tfor <bob@example.com>; Mon, 1 Jan 2024 12:00:00 +0000\r\n',
  );
  assert.equal(
    receivedHeader({ ...base, protocol: 'ESMTPSA', rcpts: [], auth: {}, tls }),
    'Received: from client.example.net (client.example.net [192.0.2.1]) (authenticated)\r\n' +
      '\tby mx.example.com (Postern) with ESMTPSA id 5AbCdEfGh0001k\r\n' +
      '\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO);\r\n' +
      '\tMon, 1 Jan 2024 12:00:00 +0000\r\n',
  );
});

test('cli.md §5.5: the command-line form', () => {
  assert.equal(
    receivedHeader({ client: 'alice@localhost', j: 'mx.example.com', qid: 'Q1', rcpts: ['<bob@example.com>'], date: 'D', local: true }),
    'Received: (from alice@localhost)\r\n\tby mx.example.com (Postern) id Q1\r\n\tfor <bob@example.com>; D\r\n',
  );
});

test('rule 5: control characters in $s and $_ cannot break the header', () => {
  const h = receivedHeader({ ...base, helo: 'evil\r\nX-Injected: 1', client: 'x\n[192.0.2.1]', rcpts: ['<a@b>'] });
  assert.equal(h.split('\r\n').length, 4);
  assert.match(h, /^Received: from evil\?\?X-Injected: 1 \(x\?\[192\.0\.2\.1\]\)\r\n/);
});

test('§5: the with word (RFC 3848, RFC 6531)', () => {
  const rows: [boolean, boolean, boolean, boolean, string][] = [
    [false, false, false, false, 'SMTP'],
    [false, true, true, false, 'SMTP'],
    [true, false, false, false, 'ESMTP'],
    [true, true, false, false, 'ESMTPS'],
    [true, false, true, false, 'ESMTPA'],
    [true, true, true, false, 'ESMTPSA'],
    [true, false, false, true, 'UTF8SMTP'],
    [true, true, false, true, 'UTF8SMTPS'],
    [true, false, true, true, 'UTF8SMTPA'],
    [true, true, true, true, 'UTF8SMTPSA'],
  ];
  for (const [ehlo, tls, authenticated, smtputf8, word] of rows) {
    assert.equal(receivedProtocol({ ehlo, tls, authenticated, smtputf8 }), word);
  }
});
