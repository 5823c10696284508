import { createHash } from 'node:crypto';

/** Hex sha256 of in-memory bytes or text (UTF-8). For files, stream them (see hashing/). */
export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
