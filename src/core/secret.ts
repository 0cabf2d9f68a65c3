// Wraps a credential so that it cannot leak through logging, string interpolation, JSON or
// util.inspect: every one of those prints "[redacted]". Only reveal() gives the value.

import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}
