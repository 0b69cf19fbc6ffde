package io.beckon.engine.event;

import io.beckon.engine.json.Json;
import io.beckon.schema.Event;
import java.time.Instant;

/** Converts between the validated {@link UserEvent} and the Avro {@link Event} of the topic. */
public final class AvroEvents {
  private AvroEvents() {}

  public static Event toAvro(UserEvent e) {
    return Event.newBuilder()
        .setEventId(e.eventId())
        .setUserId(e.userId())
        .setType(e.type())
        .setTime(Instant.ofEpochMilli(e.time()))
        .setProperties(e.properties().isEmpty() ? null : Json.write(e.properties()))
        .build();
  }

  /** For records that already passed {@link EventValidator} on their way in. */
  public static UserEvent fromAvro(Event e) {
    return new UserEvent(
        e.getEventId(),
        e.getUserId(),
        e.getType(),
        e.getTime().toEpochMilli(),
        Json.parseObject(e.getProperties()));
  }

  /** The contract's JSON view of an event (one line of a replay file). */
  public static String toJson(Event e) {
    var node = Json.object();
    node.put("event_id", e.getEventId());
    node.put("user_id", e.getUserId());
    node.put("type", e.getType());
    node.put("time", e.getTime().toString());
    node.set("properties", Json.toNode(Json.parseObject(e.getProperties())));
    return Json.write(node);
  }
}
