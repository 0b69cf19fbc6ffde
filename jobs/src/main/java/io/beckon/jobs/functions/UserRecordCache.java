package io.beckon.jobs.functions;

import io.beckon.schema.state.UserRecord;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A write-back cache of user records in front of keyed state. Why: reading and writing a record in
 * RocksDB means (de)serializing it, which cost more than the engine's own work; most events are of
 * users seen a moment ago. A record changed in the cache is written to keyed state when it is
 * evicted (least recently used first) and before every checkpoint ({@link #writeBack}), so the
 * checkpoint holds every change and the cache never needs to be part of it.
 */
final class UserRecordCache {
  /** Where records live between cache visits: keyed state, addressed by user id. */
  interface Backend {
    UserRecord read(String user);

    /** Writes {@code record} for {@code user}; null deletes the user's state. */
    void write(String user, UserRecord record);
  }

  /** One cached user: the committed record (null: no state) and what parsing it cost once. */
  static final class Entry {
    UserRecord record;
    boolean dirty;

    /** Attribute values parsed from their JSON text, by name: parsed at most once per visit. */
    final Map<String, Object> parsedAttributes = new HashMap<>();

    /**
     * The oldest time in {@link #oldestSeenOf}, the committed dedup memory it was computed for:
     * every instant asks whether anything is old enough to forget, and the answer is usually no.
     */
    Long oldestSeen;

    Map<String, Long> oldestSeenOf;
  }

  private final Backend backend;
  private final int capacity;
  private final LinkedHashMap<String, Entry> entries;

  /**
   * @param capacity how many users to keep; 0 caches nothing beyond the current input
   */
  UserRecordCache(Backend backend, int capacity) {
    this.backend = backend;
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(Math.max(16, Math.min(capacity, 1 << 16)), 0.75f, true);
  }

  /** The user's entry, read from keyed state on a miss. */
  Entry get(String user) {
    Entry entry = entries.get(user);
    if (entry == null) {
      entry = new Entry();
      entry.record = backend.read(user);
      entries.put(user, entry);
    }
    return entry;
  }

  /** Marks the user's record changed: {@code record} replaces it (null: the user has no state). */
  void update(String user, Entry entry, UserRecord record) {
    entry.record = record;
    entry.dirty = true;
    if (record == null) {
      entry.parsedAttributes.clear();
    }
  }

  /**
   * Evicts the least recently used users beyond capacity, writing changed ones back. Called between
   * inputs only: a backend write moves the current key, which the caller restores.
   */
  void evictBeyondCapacity() {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (entries.size() > capacity && it.hasNext()) {
      Map.Entry<String, Entry> eldest = it.next();
      if (eldest.getValue().dirty) {
        backend.write(eldest.getKey(), eldest.getValue().record);
      }
      it.remove();
    }
  }

  /** Writes every changed record to keyed state; the records stay cached, now clean. */
  void writeBack() {
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (e.getValue().dirty) {
        backend.write(e.getKey(), e.getValue().record);
        e.getValue().dirty = false;
      }
    }
  }

  /** Writes every changed record back, then empties the cache: for a walk over keyed state. */
  void clear() {
    writeBack();
    entries.clear();
  }

  int size() {
    return entries.size();
  }
}
