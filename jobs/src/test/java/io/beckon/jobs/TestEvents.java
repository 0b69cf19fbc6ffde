package io.beckon.jobs;

import io.beckon.schema.Event;
import java.time.Instant;

/** Builds Avro events for tests. */
public final class TestEvents {
  private TestEvents() {}

  public static Event event(
      String id, String user, String type, String time, String propertiesJson) {
    return Event.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setType(type)
        .setTime(Instant.parse(time))
        .setProperties(propertiesJson)
        .build();
  }

  public static long millis(String time) {
    return Instant.parse(time).toEpochMilli();
  }
}
