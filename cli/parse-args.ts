/**
 * What is wrong with a command line that `util.parseArgs` refused in strict mode, read from the
 * parser's own tokens rather than its error messages (whose wording Node.js may change): every
 * command line of the project (`cli/args.ts`, `local/cli-args.ts`, `local/emulator/main.ts`) says
 * it in its own words from this.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';

/** The problem with one option, as the user typed it (`flag` is `--name` or `-n`). */
export type ArgsProblem =
  /** An option the command does not take. */
  | { readonly kind: 'unknown'; readonly flag: string }
  /** An option that takes a value, given none; `next` is the option-like argument that followed it. */
  | { readonly kind: 'missing-value'; readonly flag: string; readonly name: string; readonly next?: string }
  /** An option without a value, given one (`--help=yes`). */
  | { readonly kind: 'unexpected-value'; readonly flag: string; readonly name: string };

/**
 * The first problem with `argv` under `options`, in the order the arguments come; undefined when
 * the options are all known and well given (a strict parse then fails for another reason, such as
 * a positional argument the command does not take).
 */
export function argsProblem(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): ArgsProblem | undefined {
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens ?? []) {
    if (token.kind !== 'option') {
      continue;
    }
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) {
      return { kind: 'unknown', flag: token.rawName };
    }
    if (option.type === 'string') {
      // A lenient parse takes the next argument as the value even when it is another option; the
      // strict one refuses that, as it refuses no value at all.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
        return { kind: 'missing-value', flag: token.rawName, name: token.name, ...(token.value !== undefined ? { next: token.value } : {}) };
      }
    } else if (token.value !== undefined) {
      return { kind: 'unexpected-value', flag: token.rawName, name: token.name };
    }
  }
  return undefined;
}
