package io.beckon.jobs.functions;

import io.beckon.schema.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * On-time events of one operator instance waiting for the watermark, in memory, by instant and
 * user. Why in memory: events wait at most the disorder bound, so the buffer stays small, and
 * keeping each event in keyed state with a timer of its own cost more than the engine's work. The
 * buffer is part of every checkpoint as operator state (see the operator), so nothing in it is
 * lost.
 */
final class ReorderBuffer {
  /** The events of one instant, of one user, in application order: event time, then event id. */
  static final Comparator<Event> APPLICATION_ORDER =
      Comparator.comparing(Event::getTime).thenComparing(Event::getEventId);

  private final TreeMap<Long, Map<String, List<Event>>> byInstant = new TreeMap<>();
  private int size;

  void add(Event event) {
    byInstant
        .computeIfAbsent(event.getTime().toEpochMilli(), t -> new LinkedHashMap<>())
        .computeIfAbsent(event.getUserId(), u -> new ArrayList<>(1))
        .add(event);
    size++;
  }

  /** The earliest instant with events, or null when empty. */
  Long firstInstant() {
    return byInstant.isEmpty() ? null : byInstant.firstKey();
  }

  /** Removes and returns the earliest instant's events by user, each user's sorted. */
  Map<String, List<Event>> pollFirstInstant() {
    Map<String, List<Event>> users = byInstant.pollFirstEntry().getValue();
    for (List<Event> events : users.values()) {
      size -= events.size();
      if (events.size() > 1) {
        events.sort(APPLICATION_ORDER);
      }
    }
    return users;
  }

  int size() {
    return size;
  }

  /** Every buffered event, for a snapshot. */
  List<Event> all() {
    List<Event> all = new ArrayList<>(size);
    byInstant.values().forEach(users -> users.values().forEach(all::addAll));
    return all;
  }

  /** Takes back the snapshot's events that belong to this instance. */
  void restore(Iterable<Event> events, Predicate<String> ownsUser) {
    for (Event event : events) {
      if (ownsUser.test(event.getUserId())) {
        add(event);
      }
    }
  }
}
