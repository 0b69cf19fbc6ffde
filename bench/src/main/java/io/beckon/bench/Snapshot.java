package io.beckon.bench;

import io.beckon.engine.core.InMemoryUserStore;
import io.beckon.engine.core.UserStore;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A user's state kept aside and restored into a fresh store as often as needed, the way the Flink
 * operator loads a user's state before each instant: so a benchmark that consumes pending fires
 * starts every invocation from the same state. The dedup memory is not kept (the instant's events
 * are new).
 */
final class Snapshot {
  private final ProfileState profile;
  private final CartState cart;
  private final TriggerState triggers;
  private final Map<String, Object> attributes = new LinkedHashMap<>();
  private final Map<String, Long> attributeTimes = new LinkedHashMap<>();

  /** Keeps {@code store}'s parts and the attributes named (a store cannot list its own). */
  Snapshot(UserStore store, Collection<String> attributeNames) {
    profile = store.profile() == null ? null : ProfileState.newBuilder(store.profile()).build();
    cart = store.cart() == null ? null : CartState.newBuilder(store.cart()).build();
    triggers = store.triggers() == null ? null : TriggerState.newBuilder(store.triggers()).build();
    for (String name : attributeNames) {
      if (store.attributeTime(name) != null) {
        attributes.put(name, store.attribute(name));
        attributeTimes.put(name, store.attributeTime(name));
      }
    }
  }

  /** A new store holding deep copies of the kept state. */
  InMemoryUserStore restore() {
    InMemoryUserStore store = new InMemoryUserStore();
    store.profile(profile == null ? null : ProfileState.newBuilder(profile).build());
    if (cart != null) {
      CartState copy = CartState.newBuilder(cart).build();
      // Avro copies lists into its own array type, whose iterator cannot remove; the engine edits
      // in place (the job's store converts likewise).
      copy.setLines(new ArrayList<>(copy.getLines()));
      store.cart(copy);
    }
    if (triggers != null) {
      TriggerState copy = TriggerState.newBuilder(triggers).build();
      copy.setPending(new ArrayList<>(copy.getPending()));
      store.triggers(copy);
    }
    attributeTimes.forEach((name, time) -> store.attribute(name, attributes.get(name), time));
    return store;
  }
}
