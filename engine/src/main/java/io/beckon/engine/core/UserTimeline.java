package io.beckon.engine.core;

import io.beckon.engine.event.UserEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One user's events and fires on an event-time line, without Flink: all events at an instant are
 * applied in event-id order, then the fires due at that instant are taken, instant after instant.
 * The same discipline the Flink operator keeps with its reorder buffer and one timer per user; used
 * by tests and by the engine benchmark.
 */
public final class UserTimeline {
  private final UserEngine engine;
  private final Expiry expiry;
  private final String userId;
  private final InMemoryUserStore store = new InMemoryUserStore();
  private final TreeMap<Long, List<UserEvent>> pending = new TreeMap<>();

  /** The latest event time queued: running to the end fires what is pending, no further year. */
  private long lastEventTime = Long.MIN_VALUE;

  public UserTimeline(UserEngine engine, String userId) {
    this(engine, new Expiry(0), userId);
  }

  public UserTimeline(UserEngine engine, Expiry expiry, String userId) {
    this.engine = engine;
    this.expiry = expiry;
    this.userId = userId;
  }

  public InMemoryUserStore store() {
    return store;
  }

  /** The next instant at which a fire, a history prune or a window end is due; null if none. */
  public Long nextWakeUp() {
    return engine.nextWakeUp(store, expiry);
  }

  /** Queues an event for its instant. */
  public void add(UserEvent event) {
    pending.computeIfAbsent(event.time(), t -> new ArrayList<>()).add(event);
    lastEventTime = Math.max(lastEventTime, event.time());
  }

  /** Runs every instant with events or due fires up to and including {@code until}. */
  public void runUntil(long until, FireListener out) {
    while (true) {
      Long next = pending.isEmpty() ? null : pending.firstKey();
      Long due = engine.nextWakeUp(store, expiry);
      if (due != null && (next == null || due < next)) {
        next = due;
      }
      if (next == null || next > until) {
        return;
      }
      UserEngine.openInstant(next, store);
      List<UserEvent> batch = pending.remove(next);
      if (batch != null) {
        batch.sort(UserEvent.APPLICATION_ORDER);
        batch.forEach(e -> engine.apply(e, store, out));
      }
      engine.fireDue(userId, next, store, out, lastEventTime);
      expiry.expire(next, store);
      UserEngine.closeInstant(next, store);
    }
  }
}
