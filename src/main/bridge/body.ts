import type { IncomingMessage } from 'node:http';

/** Why a request body was not read: `status` is the HTTP answer (413 too large, 400 broken). */
export class RequestBodyError extends Error {
  override readonly name = 'RequestBodyError';
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request body as bytes, never as a string, enforcing `limit` while
 * reading: a declared Content-Length over it is refused before a byte is
 * read, and a body that grows past it is refused at that chunk (reading
 * stops there). A known length is read into one buffer, without a second copy.
 * Every failure rejects the promise (nothing is thrown from an event handler,
 * where it would take the process down).
 *
 * @throws RequestBodyError 413 (over the limit) or 400 (aborted, broken).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declaredText = req.headers['content-length'];
    const declared = declaredText === undefined ? undefined : Number(declaredText);
    if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) {
      return reject(new RequestBodyError(400, `Content-Length "${declaredText}" is not a byte count`));
    }
    if (declared !== undefined && declared > limit) {
      return reject(new RequestBodyError(413, `request body of ${declared} bytes is over the ${limit}-byte limit`));
    }
    const whole = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > (declared ?? limit)) {
        req.pause();
        const why =
          declared === undefined
            ? `request body over the ${limit}-byte limit`
            : `request body longer than its Content-Length of ${declared} bytes`;
        return finish(() => reject(new RequestBodyError(declared === undefined ? 413 : 400, why)));
      }
      if (whole !== undefined) chunk.copy(whole, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    req.on('data', onData);
    req.on('end', () =>
      finish(() => {
        if (whole !== undefined && size !== declared) {
          reject(new RequestBodyError(400, `request body ended after ${size} of ${declared} bytes`));
        } else resolve(whole ?? Buffer.concat(chunks, size));
      }),
    );
    req.on('aborted', () => finish(() => reject(new RequestBodyError(400, 'the request was aborted'))));
    req.on('error', (e) => finish(() => reject(new RequestBodyError(400, `reading the request failed: ${e.message}`))));
  });
}
