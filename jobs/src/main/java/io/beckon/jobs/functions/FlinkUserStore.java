package io.beckon.jobs.functions;

import io.beckon.engine.core.Tombstones;
import io.beckon.engine.core.UserStore;
import io.beckon.engine.json.Json;
import io.beckon.schema.state.AttributeEntry;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import io.beckon.schema.state.UserRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The engine's {@link UserStore} for the current key, over its {@link UserRecord} in a {@link
 * UserRecordCache}. Every change is held in this object until {@link #flush()} commits it to the
 * cached record, or {@link #discard()} forgets it: one input (an event, a timer) either takes
 * effect completely or not at all, which is what lets the operator quarantine an input whose
 * handling throws and leave the user's state as it was. Parts the engine reads are copies, since it
 * edits them in place; the committed record itself is never changed, only replaced.
 */
final class FlinkUserStore implements UserStore {
  private final UserRecordCache cache;
  private final Supplier<String> currentUser;

  /** The current input's user and cache entry; null until first touched. */
  private String user;

  private UserRecordCache.Entry entry;

  private final Part<ProfileState> profile = new Part<>();
  private final Part<CartState> cart = new Part<>();
  private final Part<TriggerState> triggers = new Part<>();
  private final Part<Erasure> erasureMarker = new Part<>();
  private final Part<Long> wakeUp = new Part<>();

  /** Attributes written by this input: name -> [time, value, JSON text]; null deletes entirely. */
  private final Map<String, Object[]> attributeWrites = new HashMap<>();

  /** Dedup entries written by this input; a null value forgets the id. */
  private final Map<String, Long> seenWrites = new HashMap<>();

  /** Whether {@link #clear()} was called since the last flush: the record reads as empty. */
  private boolean cleared;

  /** One value part of the record as this input sees it: loaded lazily, dirty when set. */
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

  /**
   * @param currentUser the operator's current key
   */
  FlinkUserStore(UserRecordCache cache, Supplier<String> currentUser) {
    this.cache = cache;
    this.currentUser = currentUser;
  }

  /** The committed record of the current user, or null (none, or cleared by this input). */
  private UserRecord committed() {
    if (entry == null) {
      user = currentUser.get();
      entry = cache.get(user);
    }
    return cleared ? null : entry.record;
  }

  /**
   * A part as this input sees it, read from the committed record at most once. {@code copy} makes
   * the engine's working copy of a part it edits in place; the committed record is never changed.
   */
  private <T> T load(
      Part<T> part,
      java.util.function.Function<UserRecord, T> getter,
      java.util.function.UnaryOperator<T> copy) {
    if (!part.loaded) {
      UserRecord record = committed();
      part.value = record == null ? null : copy.apply(getter.apply(record));
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
    return load(profile, UserRecord::getProfile, StateCopies::copy);
  }

  @Override
  public void profile(ProfileState value) {
    set(profile, value);
  }

  @Override
  public CartState cart() {
    return load(cart, UserRecord::getCart, StateCopies::copy);
  }

  @Override
  public void cart(CartState value) {
    set(cart, value);
  }

  @Override
  public TriggerState triggers() {
    return load(triggers, UserRecord::getTriggers, StateCopies::copy);
  }

  @Override
  public void triggers(TriggerState value) {
    set(triggers, value);
  }

  /** The registered wake-up of the current user (the instant of their one timer), or null. */
  Long wakeUp() {
    return load(wakeUp, UserRecord::getWakeUp, t -> t);
  }

  void wakeUp(Long value) {
    set(wakeUp, value);
  }

  // ---- attributes ----

  /** [time, value] of an attribute as this input sees it, or null when never set. */
  private Object[] attributeEntry(String name) {
    if (attributeWrites.containsKey(name)) {
      return attributeWrites.get(name);
    }
    UserRecord record = committed();
    AttributeEntry stored = record == null ? null : record.getAttributes().get(name);
    if (stored == null) {
      return null;
    }
    if (stored.getValue() == null) {
      return new Object[] {stored.getTime(), null};
    }
    Object value = entry.parsedAttributes.get(name);
    if (value == null) {
      value = parse(name, stored.getValue());
      entry.parsedAttributes.put(name, value);
    }
    return new Object[] {stored.getTime(), value};
  }

  private static Object parse(String name, String json) {
    try {
      return Json.parse(json);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read attribute " + name, e);
    }
  }

  @Override
  public Object attribute(String name) {
    Object[] e = attributeEntry(name);
    return e == null ? null : e[1];
  }

  @Override
  public Long attributeTime(String name) {
    Object[] e = attributeEntry(name);
    return e == null ? null : (Long) e[0];
  }

  @Override
  public void attribute(String name, Object value, long time) {
    attributeWrites.put(name, new Object[] {time, value, value == null ? null : Json.write(value)});
  }

  /**
   * name -> time of the last write, as this input sees them: of the deletion markers when {@code
   * tombstones}, else of the attributes with a value.
   */
  private Map<String, Long> attributeTimes(boolean tombstones) {
    Map<String, Long> times = new HashMap<>();
    UserRecord record = committed();
    if (record != null) {
      record
          .getAttributes()
          .forEach(
              (name, e) -> {
                if ((e.getValue() == null) == tombstones) {
                  times.put(name, e.getTime());
                }
              });
    }
    attributeWrites.forEach(
        (name, e) -> {
          if (e == null || (e[1] == null) != tombstones) {
            times.remove(name);
          } else {
            times.put(name, (Long) e[0]);
          }
        });
    return times;
  }

  @Override
  public int attributeCount() {
    return attributeTimes(false).size();
  }

  @Override
  public void pruneAttributeTombstones(int keep) {
    for (String name :
        Tombstones.oldestBeyond(new ArrayList<>(attributeTimes(true).entrySet()), keep)) {
      attributeWrites.put(name, null);
    }
  }

  // ---- erasure and dedup ----

  @Override
  public Erasure erasure() {
    return load(
        erasureMarker,
        r ->
            r.getErasureTime() == null
                ? null
                : new Erasure(r.getErasureTime(), r.getErasureEventId()),
        e -> e);
  }

  @Override
  public void erasure(Erasure marker) {
    set(erasureMarker, marker);
  }

  @Override
  public Long seenEvent(String eventId) {
    if (seenWrites.containsKey(eventId)) {
      return seenWrites.get(eventId);
    }
    UserRecord record = committed();
    return record == null ? null : record.getSeenEvents().get(eventId);
  }

  @Override
  public void rememberEvent(String eventId, long time) {
    seenWrites.put(eventId, time);
  }

  /**
   * The oldest event time in the committed record's dedup memory, null when it is empty: computed
   * once per committed map (a flush that remembers or forgets ids makes a new one).
   */
  private Long committedOldestSeen(UserRecord record) {
    Map<String, Long> seen = record.getSeenEvents();
    if (entry.oldestSeenOf != seen) {
      Long oldest = null;
      for (Long at : seen.values()) {
        if (oldest == null || at < oldest) {
          oldest = at;
        }
      }
      entry.oldestSeen = oldest;
      entry.oldestSeenOf = seen;
    }
    return entry.oldestSeen;
  }

  @Override
  public void forgetEventsBefore(long time) {
    UserRecord record = committed();
    Long oldest = record == null ? null : committedOldestSeen(record);
    if (oldest != null && oldest < time) {
      for (Map.Entry<String, Long> e : record.getSeenEvents().entrySet()) {
        if (e.getValue() < time && !seenWrites.containsKey(e.getKey())) {
          seenWrites.put(e.getKey(), null);
        }
      }
    }
    seenWrites.replaceAll((id, seenAt) -> seenAt != null && seenAt < time ? null : seenAt);
  }

  @Override
  public Long oldestSeenEvent() {
    Long oldest = null;
    UserRecord record = committed();
    if (record != null && seenWrites.isEmpty()) {
      return committedOldestSeen(record);
    }
    if (record != null) {
      for (Map.Entry<String, Long> e : record.getSeenEvents().entrySet()) {
        if (!seenWrites.containsKey(e.getKey()) && (oldest == null || e.getValue() < oldest)) {
          oldest = e.getValue();
        }
      }
    }
    for (Long seenAt : seenWrites.values()) {
      if (seenAt != null && (oldest == null || seenAt < oldest)) {
        oldest = seenAt;
      }
    }
    return oldest;
  }

  @Override
  public void clear() {
    Erasure marker = erasure(); // kept
    Long timer = wakeUp(); // still registered
    cleared = true;
    attributeWrites.clear();
    seenWrites.clear();
    set(profile, null);
    set(cart, null);
    set(triggers, null);
    set(erasureMarker, marker);
    set(wakeUp, timer);
  }

  // ---- commit ----

  private boolean changed() {
    return cleared
        || profile.dirty
        || cart.dirty
        || triggers.dirty
        || erasureMarker.dirty
        || wakeUp.dirty
        || !attributeWrites.isEmpty()
        || !seenWrites.isEmpty();
  }

  /** Commits every change since the last flush to the cached record. */
  void flush() {
    if (entry != null && changed()) {
      UserRecord before = committed();
      // A new record sharing what did not change: the committed one stays as it was (a heap
      // backend may be snapshotting it), and nothing is copied that this input did not touch.
      UserRecord record =
          before == null
              ? new UserRecord(null, null, null, new HashMap<>(), new HashMap<>(), null, null, null)
              : new UserRecord(
                  before.getProfile(),
                  before.getCart(),
                  before.getTriggers(),
                  before.getAttributes(),
                  before.getSeenEvents(),
                  before.getErasureTime(),
                  before.getErasureEventId(),
                  before.getWakeUp());
      if (profile.dirty) {
        record.setProfile(profile.value);
      }
      if (cart.dirty) {
        record.setCart(cart.value);
      }
      if (triggers.dirty) {
        record.setTriggers(triggers.value);
      }
      if (erasureMarker.dirty) {
        Erasure marker = erasureMarker.value;
        record.setErasureTime(marker == null ? null : marker.time());
        record.setErasureEventId(marker == null ? null : marker.eventId());
      }
      if (wakeUp.dirty) {
        record.setWakeUp(wakeUp.value);
      }
      if (cleared) {
        entry.parsedAttributes.clear();
      }
      if (!attributeWrites.isEmpty()) {
        Map<String, AttributeEntry> attributes = new HashMap<>(record.getAttributes());
        attributeWrites.forEach(
            (name, e) -> {
              entry.parsedAttributes.remove(name);
              if (e == null) {
                attributes.remove(name);
              } else {
                attributes.put(name, new AttributeEntry((Long) e[0], (String) e[2]));
                if (e[1] != null) {
                  entry.parsedAttributes.put(name, e[1]);
                }
              }
            });
        record.setAttributes(attributes);
      }
      if (!seenWrites.isEmpty()) {
        Map<String, Long> seen = new HashMap<>(record.getSeenEvents());
        seenWrites.forEach(
            (id, at) -> {
              if (at == null) {
                seen.remove(id);
              } else {
                seen.put(id, at);
              }
            });
        record.setSeenEvents(seen);
      }
      cache.update(user, entry, isEmpty(record) ? null : record);
    }
    discard();
  }

  /** Forgets every change since the last flush: the cached record stays as it was. */
  void discard() {
    cleared = false;
    attributeWrites.clear();
    seenWrites.clear();
    profile.reset();
    cart.reset();
    triggers.reset();
    erasureMarker.reset();
    wakeUp.reset();
    entry = null;
    user = null;
  }

  /** Nothing about the user is left: the record is deleted rather than kept empty. */
  static boolean isEmpty(UserRecord r) {
    return r.getProfile() == null
        && r.getCart() == null
        && r.getTriggers() == null
        && r.getAttributes().isEmpty()
        && r.getSeenEvents().isEmpty()
        && r.getErasureTime() == null
        && r.getWakeUp() == null;
  }
}
