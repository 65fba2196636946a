/**
 * A model file that cannot be read. The message is written as a headline for
 * the user ("… : layers[1].b has 299 entries but W has 300 rows"); `format`
 * names the reader that refused it.
 */
export class ModelFormatError extends Error {
  override readonly name = 'ModelFormatError';
  constructor(
    readonly format: string,
    message: string,
    /** Set when the file is fine but needs more from the user (the output activation of a weights-only file). */
    readonly needs?: 'output-activation',
  ) {
    super(message);
  }
}
