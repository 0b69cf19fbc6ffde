package io.beckon.engine.core;

import io.beckon.engine.time.Durations;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;

/**
 * When a whole user, or their erasure marker, stops mattering. Checks fall on an hourly event-time
 * grid and a user needs one check instant at a time, so a backend keeps at most one timer per user
 * for it:
 *
 * <ul>
 *   <li>Retention (off unless configured): a user with no event for {@code retention} of event time
 *       and no pending fire is dropped entirely, erasure marker included. One who comes back later
 *       starts a new life, as a new user would. While a fire is pending there is no retention
 *       check: the fire's own wake-up checks again once it has been taken.
 *   <li>The erasure marker is kept for {@link #ERASURE_MEMORY} after the erasure, then deleted: a
 *       late event of the erased life arriving after that starts a new life.
 * </ul>
 */
public final class Expiry {
  /** The grid that expiry checks are rounded up to, so timers of many events coalesce. */
  public static final long GRID = Durations.HOUR;

  /**
   * How long an erasure marker keeps late events of the erased life out: 7 days of event time,
   * which is also Kafka's default topic retention, so a reprocessed topic holds nothing older.
   */
  public static final long ERASURE_MEMORY = 7 * Durations.DAY;

  private final long retention;

  /**
   * @param retention milliseconds of event time without an event after which a user is dropped; 0
   *     for never
   */
  public Expiry(long retention) {
    if (retention < 0) {
      throw new IllegalArgumentException("retention must not be negative");
    }
    this.retention = retention;
  }

  public long retention() {
    return retention;
  }

  /** The next instant at which {@link #expire} may have something to do for this user, or null. */
  public Long wakeUp(ProfileState profile, TriggerState triggers, UserStore.Erasure erasure) {
    Long at = null;
    Long last = lastEvent(profile, erasure);
    if (retention > 0 && last != null && !hasPending(triggers)) {
      at = grid(last + retention);
    }
    if (erasure != null) {
      long forget = grid(erasure.time() + ERASURE_MEMORY);
      at = at == null ? forget : Math.min(at, forget);
    }
    return at;
  }

  /**
   * Applies what is due at {@code now}: deletes an erasure marker that has served its time, and
   * drops a user past retention with nothing pending. Returns true when the user was dropped.
   */
  public boolean expire(long now, UserStore store) {
    if (dropsAt(now, store)) {
      store.clear();
      store.erasure(null);
      return true;
    }
    UserStore.Erasure erasure = store.erasure();
    if (erasure != null && now >= erasure.time() + ERASURE_MEMORY) {
      store.erasure(null);
    }
    return false;
  }

  /** Whether {@link #expire} drops the user at {@code now}. */
  public boolean dropsAt(long now, UserStore store) {
    if (retention == 0) {
      return false;
    }
    Long last = lastEvent(store.profile(), store.erasure());
    return last != null && now >= last + retention && !hasPending(store.triggers());
  }

  /** The user's last event: the latest event applied, or the erasure, whichever is later. */
  private static Long lastEvent(ProfileState profile, UserStore.Erasure erasure) {
    Long last = profile == null ? null : profile.getLastSeenAt();
    if (erasure != null && (last == null || erasure.time() > last)) {
      last = erasure.time();
    }
    return last;
  }

  private static boolean hasPending(TriggerState triggers) {
    return triggers != null
        && (!triggers.getPending().isEmpty() || !triggers.getJourneys().isEmpty());
  }

  /** The first grid instant at or after {@code time}. */
  static long grid(long time) {
    return Math.floorDiv(time + GRID - 1, GRID) * GRID;
  }
}
