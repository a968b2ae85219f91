/**
 * The only place that emits colour codes. With colour off (NO_COLOR, not a terminal) every
 * function is the identity, so no escape code can leak into CI logs or piped output.
 */
export interface Colors {
  readonly enabled: boolean;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) =>
  text === "" ? text : `\x1b[${open}m${text}\x1b[${close}m`;

const ON: Colors = {
  enabled: true,
  green: sgr(32, 39),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

const identity = (text: string) => text;
const OFF: Colors = {
  enabled: false,
  green: identity,
  red: identity,
  yellow: identity,
  cyan: identity,
  dim: identity,
  bold: identity,
};

export function colors(enabled: boolean): Colors {
  return enabled ? ON : OFF;
}
