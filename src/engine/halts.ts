// Why entries are halted, as typed values. Each halt says what ends it; nothing here is decided on
// the text of a message. Repairs and reconciliation go on while any halt stands: a halt stops
// new entries only.
//
//   kind           set by                                        ends
//   kill_switch    N failed trades within the window             cooldown over and exposure flat
//   exposure_open  exposure still open after the repair deadline cooldown over and exposure flat
//   venue_down     a venue's status says unavailable/disconnected that venue's status says it is back
//   auth           an auth leg error or auth_failed readiness    a restart with the setting fixed

import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { VenueId } from '../venues/types.js';

export type HaltKind = 'kill_switch' | 'exposure_open' | 'venue_down' | 'auth';

export interface Halt {
  readonly kind: HaltKind;
  /** The venue it concerns (venue_down, auth). */
  readonly venue?: VenueId;
  /** Monotonic ms before which it cannot end; Infinity when only an event ends it. */
  until: number;
  /** One line for the log and the summary. */
  readonly text: string;
}

export class Halts {
  private readonly active = new Map<string, Halt>();
  /** Told of every halt set and ended (the engine's observer). */
  onChange?: (halt: Halt, set: boolean) => void;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get any(): boolean {
    return this.active.size > 0;
  }

  list(): Halt[] {
    return [...this.active.values()];
  }

  has(kind: HaltKind, venue?: VenueId): boolean {
    return this.active.has(key(kind, venue));
  }

  /** Sets a halt and says so, loudly; a halt of the same kind (and venue) already standing is kept, its `until` extended. */
  set(kind: HaltKind, text: string, untilMs: number, venue?: VenueId, resumeText?: string): void {
    const k = key(kind, venue);
    const standing = this.active.get(k);
    if (standing !== undefined) {
      standing.until = Math.max(standing.until, untilMs);
      return;
    }
    const halt: Halt = { kind, venue, until: untilMs, text };
    this.active.set(k, halt);
    this.onChange?.(halt, true);
    this.log.error(`ENTRIES HALTED: ${text}; ${resumeText ?? 'resuming once it is over, exposure is flat and both venues are up'}`);
  }

  /** Ends a halt that an event ends (venue_down); returns whether one stood. */
  clear(kind: HaltKind, venue?: VenueId): boolean {
    const k = key(kind, venue);
    const standing = this.active.get(k);
    if (standing === undefined) return false;
    this.active.delete(k);
    this.onChange?.(standing, false);
    return true;
  }

  /**
   * Ends the timed halts (kill_switch, exposure_open) whose time is over while exposure is flat;
   * true while any halt still stands.
   */
  blocking(flat: boolean): boolean {
    if (this.active.size === 0) return false;
    const now = this.clock.monoMs();
    for (const [k, h] of this.active) {
      if ((h.kind === 'kill_switch' || h.kind === 'exposure_open') && flat && now >= h.until && !this.has('venue_down', 'backpack') && !this.has('venue_down', 'lighter')) {
        this.active.delete(k);
        this.log.info(`entries resume: ${h.text} is over and exposure is flat`);
        this.onChange?.(h, false);
      }
    }
    return this.active.size > 0;
  }

  /** The standing halts in one line, for the summary; undefined when none. */
  summary(): string | undefined {
    return this.active.size === 0
      ? undefined
      : this.list()
          .map((h) => h.text)
          .join('; ');
  }
}

function key(kind: HaltKind, venue?: VenueId): string {
  return venue === undefined ? kind : `${kind}:${venue}`;
}
