// An error about a setting, written with the setting's parameter name in braces ("{size} 0.0001 is
// below the venue's minimum 0.0002 — raise {size}"). The code that raises it knows parameters,
// not where they came from; the program's edge renders the names as the user typed them (flags).

export class ParamError extends Error {
  override name = 'ParamError';
  /** `config`: the user must change a setting (exit status 2). `state`: the venues are not as the run needs. */
  readonly kind: 'config' | 'state';
  /** The parameters the text names, in order of appearance. */
  readonly params: readonly string[];

  constructor(
    readonly template: string,
    kind: 'config' | 'state' = 'config',
  ) {
    super(template.replace(/\{(\w+)\}/g, '$1'));
    this.kind = kind;
    this.params = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  }

  /** The text with every {param} replaced by `nameOf(param)` (e.g. its command-line flag). */
  render(nameOf: (param: string) => string): string {
    return this.template.replace(/\{(\w+)\}/g, (_all, p: string) => nameOf(p));
  }
}

/** Replaces every {param} in `template` with `nameOf(param)`. */
export function renderParams(template: string, nameOf: (param: string) => string): string {
  return template.replace(/\{(\w+)\}/g, (_all, p: string) => nameOf(p));
}
