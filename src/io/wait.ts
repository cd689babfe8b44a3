// The one wake-up primitive of the I/O layer: a consumer waits for "more"
// (a message queued, or the end), a producer says so. Dumps and
// subscriptions both queue for one consumer through it.
import { AbortError } from '../core/errors.js';

/** One consumer waiting for a producer. */
export class Waiter {
  private wake: (() => void) | undefined;

  /** Resolves at the next notify(). */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Wakes the consumer, if it waits. */
  notify(): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake();
    }
  }
}

/** The AbortError an aborted signal gives, with its reason as the cause. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return new AbortError('The operation was aborted', { cause: reason });
}
