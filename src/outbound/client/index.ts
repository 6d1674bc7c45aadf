// The SMTP client's public face: deliver() and the shapes it takes and returns.

export { deliver, describeAttempt, destinationOf, hasEightBit, needsSmtputf8 } from './deliver.js';
export { clientSettings, clientSourceAddresses, clientTimeouts, poolSettings } from './settings.js';
export { clientTlsContext } from './tls-context.js';
export { outboundMessage } from './from-queue.js';
export { tlsSummary } from './tls-facts.js';
export { formatReply } from './reply.js';
export { CLIENT_TEXTS } from './texts.js';
export type { Session } from './session.js';
export type {
  ClientOptions,
  ClientTimeouts,
  DeliveryReport,
  HostAttempt,
  NextHop,
  OutboundMessage,
  OutboundRecipient,
  OutcomeReply,
  RecipientOutcome,
  Stage,
  TlsFacts,
} from './types.js';
