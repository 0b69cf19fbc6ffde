package io.beckon.engine.event;

import java.util.Comparator;
import java.util.Map;

/**
 * A validated event, as the engine applies it. {@code properties} holds the value model (see {@link
 * io.beckon.engine.json.Json}); it is never null.
 */
public record UserEvent(
    String eventId, String userId, String type, long time, Map<String, Object> properties) {

  /** Per-user application order: event time, ties broken by event id. */
  public static final Comparator<UserEvent> APPLICATION_ORDER =
      Comparator.comparingLong(UserEvent::time).thenComparing(UserEvent::eventId);

  /** A property by dotted name, walking nested objects; null when absent. */
  public Object property(String dottedName) {
    return Paths.lookup(properties, dottedName);
  }
}
