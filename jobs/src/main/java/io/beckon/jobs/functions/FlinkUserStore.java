package io.beckon.jobs.functions;

import io.beckon.engine.core.Tombstones;
import io.beckon.engine.core.UserStore;
import io.beckon.engine.json.Json;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The engine's {@link UserStore} over Flink keyed state for the current key. The three value parts
 * are read at most once per callback and written back by {@link #flush()} only when the engine
 * changed them, so an event costs one RocksDB write per part it touched.
 */
final class FlinkUserStore implements UserStore {
  private final ValueState<ProfileState> profileState;
  private final ValueState<CartState> cartState;
  private final ValueState<TriggerState> triggerState;
  private final MapState<String, String> attributes;
  private final MapState<String, Long> seen;
  private final ValueState<String> erasure;

  private final Part<ProfileState> profile = new Part<>();
  private final Part<CartState> cart = new Part<>();
  private final Part<TriggerState> triggers = new Part<>();

  /** One cached value part: loaded lazily, dirty when set. */
  private static final class Part<T> {
    T value;
    boolean loaded;
    boolean dirty;

    void reset() {
      value = null;
      loaded = false;
      dirty = false;
    }
  }

  FlinkUserStore(
      ValueState<ProfileState> profileState,
      ValueState<CartState> cartState,
      ValueState<TriggerState> triggerState,
      MapState<String, String> attributes,
      MapState<String, Long> seen,
      ValueState<String> erasure) {
    this.profileState = profileState;
    this.cartState = cartState;
    this.triggerState = triggerState;
    this.attributes = attributes;
    this.seen = seen;
    this.erasure = erasure;
  }

  private static <T> T load(Part<T> part, ValueState<T> state) {
    if (!part.loaded) {
      try {
        part.value = state.value();
      } catch (Exception e) {
        throw new IllegalStateException("cannot read state", e);
      }
      part.loaded = true;
    }
    return part.value;
  }

  private static <T> void set(Part<T> part, T value) {
    part.value = value;
    part.loaded = true;
    part.dirty = true;
  }

  @Override
  public ProfileState profile() {
    return load(profile, profileState);
  }

  @Override
  public void profile(ProfileState value) {
    set(profile, value);
  }

  @Override
  public CartState cart() {
    CartState value = load(cart, cartState);
    if (value != null && !(value.getLines() instanceof ArrayList)) {
      // Avro hands back its own array type, whose iterator cannot remove; the engine edits in
      // place.
      value.setLines(new ArrayList<>(value.getLines()));
    }
    return value;
  }

  @Override
  public void cart(CartState value) {
    set(cart, value);
  }

  @Override
  public TriggerState triggers() {
    TriggerState value = load(triggers, triggerState);
    if (value != null && !(value.getPending() instanceof ArrayList)) {
      value.setPending(new ArrayList<>(value.getPending()));
    }
    return value;
  }

  @Override
  public void triggers(TriggerState value) {
    set(triggers, value);
  }

  /** An attribute entry is the JSON array [event time, value]; a deletion keeps [time, null]. */
  private Object[] attributeEntry(String name) {
    try {
      String json = attributes.get(name);
      if (json == null) {
        return null;
      }
      java.util.List<?> entry = (java.util.List<?>) Json.parse(json);
      return new Object[] {((Number) entry.get(0)).longValue(), entry.get(1)};
    } catch (Exception e) {
      throw new IllegalStateException("cannot read attribute " + name, e);
    }
  }

  @Override
  public Object attribute(String name) {
    Object[] entry = attributeEntry(name);
    return entry == null ? null : entry[1];
  }

  @Override
  public Long attributeTime(String name) {
    Object[] entry = attributeEntry(name);
    return entry == null ? null : (Long) entry[0];
  }

  @Override
  public void attribute(String name, Object value, long time) {
    try {
      attributes.put(name, Json.write(java.util.Arrays.asList(time, value)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot write attribute " + name, e);
    }
  }

  /** Whether an entry's JSON text is a deletion marker: {@code [time,null]}. */
  private static boolean isTombstone(String json) {
    return json.endsWith(",null]");
  }

  @Override
  public int attributeCount() {
    try {
      int count = 0;
      for (String json : attributes.values()) {
        if (!isTombstone(json)) {
          count++;
        }
      }
      return count;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read attributes", e);
    }
  }

  @Override
  public void pruneAttributeTombstones(int keep) {
    try {
      List<Map.Entry<String, Long>> tombstones = new ArrayList<>();
      for (Map.Entry<String, String> e : attributes.entries()) {
        if (isTombstone(e.getValue())) {
          String json = e.getValue();
          tombstones.add(
              Map.entry(e.getKey(), Long.parseLong(json.substring(1, json.indexOf(',')))));
        }
      }
      for (String name : Tombstones.oldestBeyond(tombstones, keep)) {
        attributes.remove(name);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot prune attribute deletion markers", e);
    }
  }

  @Override
  public Erasure erasure() {
    try {
      String marker = erasure.value();
      if (marker == null) {
        return null;
      }
      int split = marker.indexOf(' ');
      return new Erasure(Long.parseLong(marker.substring(0, split)), marker.substring(split + 1));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read erasure marker", e);
    }
  }

  @Override
  public void erasure(Erasure marker) {
    try {
      if (marker == null) {
        erasure.clear();
        return;
      }
      erasure.update(marker.time() + " " + marker.eventId());
    } catch (Exception e) {
      throw new IllegalStateException("cannot write erasure marker", e);
    }
  }

  @Override
  public Long seenEvent(String eventId) {
    try {
      return seen.get(eventId);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read dedup state", e);
    }
  }

  @Override
  public void rememberEvent(String eventId, long time) {
    try {
      seen.put(eventId, time);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write dedup state", e);
    }
  }

  @Override
  public void forgetEventsBefore(long time) {
    try {
      List<String> expired = new ArrayList<>();
      for (Map.Entry<String, Long> e : seen.entries()) {
        if (e.getValue() < time) {
          expired.add(e.getKey());
        }
      }
      for (String id : expired) {
        seen.remove(id);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot expire dedup state", e);
    }
  }

  /** Event times of the remembered event ids. */
  List<Long> rememberedEventTimes() {
    try {
      List<Long> times = new ArrayList<>();
      seen.values().forEach(times::add);
      return times;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read dedup state", e);
    }
  }

  /** Whether some remembered event id is due to be swept exactly at {@code sweepTime}. */
  boolean remembersEventsSweptAt(long sweepTime, java.util.function.LongUnaryOperator sweepOf) {
    try {
      for (Long time : seen.values()) {
        if (sweepOf.applyAsLong(time) == sweepTime) {
          return true;
        }
      }
      return false;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read dedup state", e);
    }
  }

  @Override
  public void clear() {
    profileState.clear();
    cartState.clear();
    triggerState.clear();
    attributes.clear();
    seen.clear();
    profile.reset();
    cart.reset();
    triggers.reset();
    profile.loaded = cart.loaded = triggers.loaded = true;
  }

  /** Writes the changed parts back; a part set to null is cleared from the backend. */
  void flush() {
    try {
      write(profile, profileState);
      write(cart, cartState);
      write(triggers, triggerState);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write state", e);
    }
    profile.reset();
    cart.reset();
    triggers.reset();
  }

  private static <T> void write(Part<T> part, ValueState<T> state) throws Exception {
    if (part.dirty) {
      if (part.value == null) {
        state.clear();
      } else {
        state.update(part.value);
      }
    }
  }
}
