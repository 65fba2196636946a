/**
 * The few globals core may use beyond ES2022: every runtime core runs in
 * (browsers, Web Workers, Node ≥ 18, Electron) provides them with these
 * signatures. Declared here, narrowly, so core still cannot reach the DOM or Node.
 */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
