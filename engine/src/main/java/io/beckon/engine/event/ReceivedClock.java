package io.beckon.engine.event;

import io.beckon.engine.time.Durations;
import java.time.Instant;

/**
 * The contract's rule for clocks from the future (§2): an event is judged against the time R at
 * which the system received it (a Kafka record timestamp, or a replay line's {@code received_at}).
 * An event up to {@code maxSkew} ahead of R takes effect at R; one further ahead is malformed.
 *
 * <p>Why R and not the job's wall clock: R travels with the record, so reprocessing a topic decides
 * exactly as the live run did; and no device clock can pull event time ahead of the system that
 * received the event, so a few phones set years ahead cannot make every pending trigger fire.
 */
public final class ReceivedClock implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Default {@code max.clock.skew}: one hour. */
  public static final long DEFAULT_MAX_SKEW_MILLIS = Durations.HOUR;

  private final long maxSkewMillis;

  public ReceivedClock(long maxSkewMillis) {
    if (maxSkewMillis < 0) {
      throw new IllegalArgumentException("max clock skew must not be negative");
    }
    this.maxSkewMillis = maxSkewMillis;
  }

  /** The event to apply (at R when it was ahead of R), or why it is malformed. */
  public record Verdict(UserEvent event, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  /**
   * @param receivedAt R in epoch milliseconds, or null when the record has none (no check then)
   */
  public Verdict judge(UserEvent event, Long receivedAt) {
    long time = event.time();
    if (receivedAt == null || time <= receivedAt) {
      return new Verdict(event, null);
    }
    if (time - receivedAt > maxSkewMillis) {
      return new Verdict(
          null,
          "'time' "
              + Instant.ofEpochMilli(time)
              + " is more than max.clock.skew ("
              + Durations.format(maxSkewMillis)
              + ") ahead of the time the record was received, "
              + Instant.ofEpochMilli(receivedAt));
    }
    return new Verdict(
        new UserEvent(
            event.eventId(), event.userId(), event.type(), receivedAt, event.properties()),
        null);
  }
}
