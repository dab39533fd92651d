/**
 * The requests a connection sent most recently, by subject, so that a NATS permissions violation
 * can be answered. The server refuses a publish with an asynchronous `-ERR` naming only the
 * subject; the sender would otherwise wait for a reply that never comes. When the refusal arrives,
 * the requests sent to that subject and not yet refused are taken from here and answered at once.
 *
 * A fixed ring: writing a slot per request costs no allocation, and memory stays bounded. A request
 * pushed out by `SENT_REQUESTS_MAX` later ones before its refusal arrived is not answered early; it
 * times out as any unanswered request does.
 */
import type { Envelope } from './envelope.js';

export const SENT_REQUESTS_MAX = 1024;

export interface SentRequest { subject: string; to: string; from: string; replyTo: string | undefined; corr: number; type: string }

export class SentRequests {
  private readonly slots: Array<SentRequest | undefined> = new Array<SentRequest | undefined>(SENT_REQUESTS_MAX).fill(undefined);
  private next = 0;

  /** Only requests (a correlation id, not a reply) can be answered; anything else is not kept. */
  note(subject: string, envelope: Envelope): void {
    if (envelope.corr === undefined || envelope.type.endsWith('Reply')) return;
    const slot = this.slots[this.next];
    if (slot === undefined) {
      this.slots[this.next] = { subject, to: envelope.to, from: envelope.from, replyTo: envelope.replyTo, corr: envelope.corr, type: envelope.type };
    } else {
      slot.subject = subject; slot.to = envelope.to; slot.from = envelope.from; slot.replyTo = envelope.replyTo; slot.corr = envelope.corr; slot.type = envelope.type;
    }
    this.next = (this.next + 1) % SENT_REQUESTS_MAX;
  }

  /** Removes and returns every kept request sent to `subject`, oldest first. */
  take(subject: string): SentRequest[] {
    const taken: SentRequest[] = [];
    for (let i = 0; i < SENT_REQUESTS_MAX; i++) {
      const index = (this.next + i) % SENT_REQUESTS_MAX;
      const slot = this.slots[index];
      if (slot === undefined || slot.subject !== subject) continue;
      taken.push({ ...slot });
      slot.subject = '';
    }
    return taken;
  }
}

