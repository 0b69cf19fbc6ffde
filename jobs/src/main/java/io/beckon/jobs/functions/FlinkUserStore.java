package io.beckon.jobs.functions;

import io.beckon.engine.core.Tombstones;
import io.beckon.engine.core.UserStore;
import io.beckon.engine.json.Json;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The engine's {@link UserStore} over Flink keyed state for the current key. Every change is held
 * in this object until {@link #flush()} writes it back, or {@link #discard()} forgets it: one input
 * (an event, a timer) either takes effect completely or not at all, which is what lets the operator
 * quarantine an input whose handling throws and leave the user's state as it was. The value parts
 * are read at most once per input and written only when the engine changed them, so an event costs
 * one RocksDB write per part it touched.
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
  private final Part<String> erasureMarker = new Part<>();

  /** Map entries written since the last flush; a null value deletes the entry. */
  private final Map<String, String> attributeWrites = new HashMap<>();

  private final Map<String, Long> seenWrites = new HashMap<>();

  /** Whether {@link #clear()} was called since the last flush: the backend reads as empty. */
  private boolean cleared;

  /** Whether values read must be copied before the engine edits them (heap backends). */
  private final boolean copyOnRead;

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
      ValueState<String> erasure,
      boolean copyOnRead) {
    this.profileState = profileState;
    this.cartState = cartState;
    this.triggerState = triggerState;
    this.attributes = attributes;
    this.seen = seen;
    this.erasure = erasure;
    this.copyOnRead = copyOnRead;
  }

  private <T> T load(Part<T> part, ValueState<T> state) {
    if (!part.loaded) {
      try {
        part.value = state.value();
        if (copyOnRead && part.value instanceof SpecificRecord record) {
          @SuppressWarnings("unchecked")
          T copy = (T) SpecificData.get().deepCopy(record.getSchema(), record);
          part.value = copy;
        }
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
      String json;
      if (attributeWrites.containsKey(name)) {
        json = attributeWrites.get(name);
      } else {
        json = cleared ? null : attributes.get(name);
      }
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
    attributeWrites.put(name, Json.write(java.util.Arrays.asList(time, value)));
  }

  /** Whether an entry's JSON text is a deletion marker: {@code [time,null]}. */
  private static boolean isTombstone(String json) {
    return json.endsWith(",null]");
  }

  /** The attribute entries as the current input sees them: backend plus pending writes. */
  private Map<String, String> attributeEntries() {
    return merged(attributes, attributeWrites);
  }

  /** A map state's entries as the current input sees them: backend plus pending writes. */
  private <V> Map<String, V> merged(MapState<String, V> state, Map<String, V> writes) {
    Map<String, V> entries = new HashMap<>();
    try {
      if (!cleared) {
        for (Map.Entry<String, V> e : state.entries()) {
          entries.put(e.getKey(), e.getValue());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read state", e);
    }
    writes.forEach(
        (key, value) -> {
          if (value == null) {
            entries.remove(key);
          } else {
            entries.put(key, value);
          }
        });
    return entries;
  }

  @Override
  public int attributeCount() {
    int count = 0;
    for (String json : attributeEntries().values()) {
      if (!isTombstone(json)) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void pruneAttributeTombstones(int keep) {
    List<Map.Entry<String, Long>> tombstones = new ArrayList<>();
    for (Map.Entry<String, String> e : attributeEntries().entrySet()) {
      String json = e.getValue();
      if (isTombstone(json)) {
        tombstones.add(Map.entry(e.getKey(), Long.parseLong(json.substring(1, json.indexOf(',')))));
      }
    }
    for (String name : Tombstones.oldestBeyond(tombstones, keep)) {
      attributeWrites.put(name, null);
    }
  }

  @Override
  public Erasure erasure() {
    String marker = load(erasureMarker, erasure);
    if (marker == null) {
      return null;
    }
    int split = marker.indexOf(' ');
    return new Erasure(Long.parseLong(marker.substring(0, split)), marker.substring(split + 1));
  }

  @Override
  public void erasure(Erasure marker) {
    set(erasureMarker, marker == null ? null : marker.time() + " " + marker.eventId());
  }

  @Override
  public Long seenEvent(String eventId) {
    if (seenWrites.containsKey(eventId)) {
      return seenWrites.get(eventId);
    }
    try {
      return cleared ? null : seen.get(eventId);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read dedup state", e);
    }
  }

  @Override
  public void rememberEvent(String eventId, long time) {
    seenWrites.put(eventId, time);
  }

  @Override
  public void forgetEventsBefore(long time) {
    try {
      if (!cleared) {
        for (Map.Entry<String, Long> e : seen.entries()) {
          if (e.getValue() < time && !seenWrites.containsKey(e.getKey())) {
            seenWrites.put(e.getKey(), null);
          }
        }
      }
      seenWrites.replaceAll((id, seenAt) -> seenAt != null && seenAt < time ? null : seenAt);
    } catch (Exception e) {
      throw new IllegalStateException("cannot expire dedup state", e);
    }
  }

  /** Event times of the remembered event ids, pending writes included. */
  List<Long> rememberedEventTimes() {
    return new ArrayList<>(merged(seen, seenWrites).values());
  }

  /** Whether some remembered event id is due to be swept exactly at {@code sweepTime}. */
  boolean remembersEventsSweptAt(long sweepTime, java.util.function.LongUnaryOperator sweepOf) {
    for (long time : rememberedEventTimes()) {
      if (sweepOf.applyAsLong(time) == sweepTime) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void clear() {
    cleared = true;
    attributeWrites.clear();
    seenWrites.clear();
    set(profile, null);
    set(cart, null);
    set(triggers, null);
  }

  /** Writes every change since the last flush back to the backend. */
  void flush() {
    try {
      if (cleared) {
        attributes.clear();
        seen.clear();
      }
      write(profile, profileState);
      write(cart, cartState);
      write(triggers, triggerState);
      write(erasureMarker, erasure);
      for (Map.Entry<String, String> e : attributeWrites.entrySet()) {
        if (e.getValue() == null) {
          attributes.remove(e.getKey());
        } else {
          attributes.put(e.getKey(), e.getValue());
        }
      }
      for (Map.Entry<String, Long> e : seenWrites.entrySet()) {
        if (e.getValue() == null) {
          seen.remove(e.getKey());
        } else {
          seen.put(e.getKey(), e.getValue());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot write state", e);
    }
    discard();
  }

  /** Forgets every change since the last flush: the backend keeps the state from before. */
  void discard() {
    cleared = false;
    attributeWrites.clear();
    seenWrites.clear();
    profile.reset();
    cart.reset();
    triggers.reset();
    erasureMarker.reset();
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
