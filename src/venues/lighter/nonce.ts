// The next nonce of our API key, handed out locally while it can be trusted, read again from the
// venue (`nextNonce`) when it cannot.
//
// A transaction that was rejected, timed out, stayed unknown, or was acknowledged and then failed
// in the sequencer may or may not have used its nonce (spec §0 and §3; apidocs troubleshooting;
// lighter-python signer_client.py rolls back or hard-refreshes on every failure; nautilus_trader
// resyncs on 21104). After any of these the local count is only a guess, so the next transaction
// waits for a fresh read instead of being signed with it: one rejection never becomes a run of
// 21104 "invalid nonce". Every read discards what was signed ahead (the `onRead` hook).

export class NonceKeeper {
  private next = -1;
  /** Bumped by every suspicion; a read started at this generation makes the count trusted again. */
  private generation = 0;
  private trustedAt = -1;
  private reading?: Promise<void>;

  /**
   * @param read asks the venue for the next nonce (GET /api/v1/nextNonce)
   * @param onRead called after every read and every suspicion: transactions signed ahead are void
   */
  constructor(
    private readonly read: () => Promise<number>,
    private readonly onRead: () => void,
  ) {}

  /** The nonce the next transaction carries (−1 before the first read). */
  get value(): number {
    return this.next;
  }

  /** True while the local count follows the venue's: read, and nothing has cast doubt on it since. */
  get trusted(): boolean {
    return this.trustedAt === this.generation && this.next >= 0;
  }

  /** The nonce for a transaction being signed now; the count moves on. Only while trusted. */
  take(): number {
    if (!this.trusted) throw new Error('the Lighter nonce must be read again before signing');
    return this.next++;
  }

  /** A transaction's fate is unknown or it failed: the local count is no longer the truth. */
  suspect(): void {
    this.generation++;
    this.onRead();
  }

  /**
   * Reads the nonce if it is not trusted (a read already under way is shared). Tries a few times
   * when new doubts arrive while reading; throws the read's error, or when it never settles.
   */
  async ensure(): Promise<void> {
    for (let attempt = 0; attempt < 3 && !this.trusted; attempt++) await this.reread();
    if (!this.trusted) throw new Error('the Lighter nonce kept changing while it was read; the venue is busy with transactions we did not follow');
  }

  /** One read from the venue; concurrent callers share it. */
  reread(): Promise<void> {
    if (this.reading !== undefined) return this.reading;
    const startedAt = this.generation;
    this.reading = this.read()
      .then((n) => {
        this.next = n;
        this.trustedAt = startedAt;
        this.onRead();
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
