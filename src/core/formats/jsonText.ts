import { checkBudget, type ReadLimits } from './budget';
import { ModelFormatError } from './errors';

/**
 * Deepest nesting accepted in any JSON a reader parses (models, safetensors
 * headers, architecture sidecars). A model is 5 levels deep; JSON nested 10⁶
 * deep parses, but anything that walks it recursively (JSON.stringify in a
 * message, a validator) overflows the stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON.parse, after a linear pre-scan that refuses nesting deeper than
 * MAX_JSON_DEPTH and, with `limits`, text holding more values than the budget
 * allows (JSON.parse keeps every number as an 8-byte double; the reader then
 * copies them into Float64Arrays, hence 16 bytes a value).
 * @param where names the text in messages, e.g. `the header`.
 * @throws ModelFormatError from `fail` (too deep, not JSON) or the budget check.
 */
export function parseJsonText(
  text: string,
  format: string,
  fail: (message: string) => never,
  where: string,
  limits?: ReadLimits,
): unknown {
  let depth = 0;
  let values = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) fail(`${where} is nested more than ${MAX_JSON_DEPTH} levels deep`);
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c) values++;
  }
  if (limits !== undefined) checkBudget(format, `its ${values} values`, 16 * values, limits);
  try {
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    return fail(`${where} is not JSON (${(e as Error).message.split('\n')[0]})`);
  }
}
