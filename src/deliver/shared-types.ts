// The routing types the delivery agents share (delivery-design.md: owned by src/route/).

export type { Identity, StatusText } from '../route/types.js';
export type { FileRead, StatInfo, UserFileAccess } from '../route/file-access.js';
