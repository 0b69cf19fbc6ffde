package io.beckon.engine.core;

import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@link UserStore} on plain maps: for tests and for tools that run the engine without Flink. */
public final class InMemoryUserStore implements UserStore {
  private ProfileState profile;
  private CartState cart;
  private TriggerState triggers;
  private final Map<String, Object> attributes = new HashMap<>();
  private final Map<String, Long> attributeTimes = new HashMap<>();
  private Erasure erasure;
  private final Map<String, Long> seen = new HashMap<>();

  @Override
  public ProfileState profile() {
    return profile;
  }

  @Override
  public void profile(ProfileState profile) {
    this.profile = profile;
  }

  @Override
  public CartState cart() {
    return cart;
  }

  @Override
  public void cart(CartState cart) {
    this.cart = cart;
  }

  @Override
  public TriggerState triggers() {
    return triggers;
  }

  @Override
  public void triggers(TriggerState triggers) {
    this.triggers = triggers;
  }

  @Override
  public Object attribute(String name) {
    return attributes.get(name);
  }

  @Override
  public void attribute(String name, Object value, long time) {
    if (value == null) {
      attributes.remove(name);
    } else {
      attributes.put(name, value);
    }
    attributeTimes.put(name, time);
  }

  @Override
  public Long attributeTime(String name) {
    return attributeTimes.get(name);
  }

  @Override
  public int attributeCount() {
    return attributes.size();
  }

  @Override
  public void pruneAttributeTombstones(int keep) {
    List<Map.Entry<String, Long>> tombstones = new ArrayList<>();
    attributeTimes.forEach(
        (name, time) -> {
          if (!attributes.containsKey(name)) {
            tombstones.add(Map.entry(name, time));
          }
        });
    Tombstones.oldestBeyond(tombstones, keep).forEach(attributeTimes::remove);
  }

  @Override
  public Erasure erasure() {
    return erasure;
  }

  @Override
  public void erasure(Erasure erasure) {
    this.erasure = erasure;
  }

  @Override
  public Long seenEvent(String eventId) {
    return seen.get(eventId);
  }

  @Override
  public void rememberEvent(String eventId, long time) {
    seen.put(eventId, time);
  }

  @Override
  public void forgetEventsBefore(long time) {
    seen.values().removeIf(t -> t < time);
  }

  @Override
  public Long oldestSeenEvent() {
    return seen.values().stream().min(Long::compare).orElse(null);
  }

  @Override
  public void clear() {
    profile = null;
    cart = null;
    triggers = null;
    attributes.clear();
    attributeTimes.clear();
    seen.clear();
  }

  /**
   * Whether nothing is stored but (possibly) the erasure marker: for tests of erasure and cleanup.
   */
  public boolean isEmpty() {
    return profile == null
        && cart == null
        && triggers == null
        && attributes.isEmpty()
        && attributeTimes.isEmpty()
        && seen.isEmpty();
  }

  /**
   * Bytes this user's long-lived state would take serialized as the Flink job stores it (Avro value
   * parts, attribute JSON): for the benchmark's memory figure. The dedup memory is not counted: it
   * holds only the last 24 h of event ids.
   */
  public long serializedBytes() {
    long bytes = avroBytes(profile) + avroBytes(cart) + avroBytes(triggers);
    for (Map.Entry<String, Object> a : attributes.entrySet()) {
      bytes += a.getKey().length() + io.beckon.engine.json.Json.write(a.getValue()).length() + 16;
    }
    return bytes;
  }

  private static long avroBytes(org.apache.avro.specific.SpecificRecord record) {
    if (record == null) {
      return 0;
    }
    var out = new java.io.ByteArrayOutputStream();
    var encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      new org.apache.avro.specific.SpecificDatumWriter<org.apache.avro.specific.SpecificRecord>(
              record.getSchema())
          .write(record, encoder);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.size();
  }

  /** How many event ids are remembered for deduplication. */
  public int rememberedEvents() {
    return seen.size();
  }
}
