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

  /** Sets a custom attribute; null deletes it. */
  void attribute(String name, Object value);

  /** The event time of an accepted event with this id still remembered, or null. */
  Long seenEvent(String eventId);

  void rememberEvent(String eventId, long time);

  /** Forgets event ids accepted strictly before {@code time}. */
  void forgetEventsBefore(long time);

  /** Deletes everything about the user. */
  void clear();
}
