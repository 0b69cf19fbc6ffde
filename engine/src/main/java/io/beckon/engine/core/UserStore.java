package io.beckon.engine.core;

import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;

/**
 * One user's state as the engine sees it. Split into parts so a backend (Flink keyed state in
 * RocksDB) rewrites only what an event changed: counters, cart, triggers, single attributes and
 * single dedup entries are separate. Getters return null when a part is absent; setters with null
 * delete the part.
 */
public interface UserStore {
  ProfileState profile();

  void profile(ProfileState profile);

  CartState cart();

  void cart(CartState cart);

  TriggerState triggers();

  void triggers(TriggerState triggers);

  /** A custom attribute in the value model, or null. */
  Object attribute(String name);

  /**
   * Sets a custom attribute as of event time {@code time}; null deletes it. The time is kept (a
   * deletion included) so that a late, older write cannot undo a newer one.
   */
  void attribute(String name, Object value, long time);

  /** Event time of the last write of an attribute (a deletion included), or null. */
  Long attributeTime(String name);

  /** How many attributes the user has: names with a value (a deletion marker is not one). */
  int attributeCount();

  /**
   * Keeps the newest {@code keep} deletion markers (by event time, then name) and forgets the
   * others entirely, so deletions cannot grow the attribute state without bound.
   */
  void pruneAttributeTombstones(int keep);

  /**
   * The last erasure: its event time and event id, or null. Kept by {@link #clear()}: it is what
   * stops late events from before the erasure bringing the user's data back.
   */
  Erasure erasure();

  /** Sets the erasure marker; null deletes it. */
  void erasure(Erasure erasure);

  /** When a user was erased: events sorting before it belong to the erased life. */
  record Erasure(long time, String eventId) {
    public boolean isAfter(long otherTime, String otherEventId) {
      return time > otherTime || (time == otherTime && eventId.compareTo(otherEventId) > 0);
    }
  }

  /** The event time of an accepted event with this id still remembered, or null. */
  Long seenEvent(String eventId);

  void rememberEvent(String eventId, long time);

  /** Forgets event ids accepted strictly before {@code time}. */
  void forgetEventsBefore(long time);

  /** The event time of the oldest remembered event id, or null when none is remembered. */
  Long oldestSeenEvent();

  /** Deletes everything about the user but the erasure marker. */
  void clear();
}
