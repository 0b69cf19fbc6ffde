package io.beckon.engine.core;

/**
 * What the engine did with one event: applied it, ignored it (a duplicate, or an event of a life
 * that was erased), or rejected it as malformed because it would break a per-user limit. A rejected
 * event has had no effect at all and is not remembered for deduplication.
 */
public record Outcome(Status status, String reason) {
  public enum Status {
    APPLIED,
    DUPLICATE,
    ERASED_LIFE,
    REJECTED
  }

  public static final Outcome APPLIED = new Outcome(Status.APPLIED, null);
  public static final Outcome DUPLICATE = new Outcome(Status.DUPLICATE, null);
  public static final Outcome ERASED_LIFE = new Outcome(Status.ERASED_LIFE, null);

  /** A malformed event; {@code reason} names the limit. */
  public static Outcome rejected(String reason) {
    return new Outcome(Status.REJECTED, reason);
  }

  public boolean applied() {
    return status == Status.APPLIED;
  }

  public boolean rejected() {
    return status == Status.REJECTED;
  }
}
