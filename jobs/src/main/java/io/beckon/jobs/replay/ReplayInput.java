package io.beckon.jobs.replay;

import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.EventValidator;
import io.beckon.engine.json.Json;
import io.beckon.schema.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads a JSON-lines event file: valid events in file order, bad lines reported with numbers. */
public final class ReplayInput {
  /** The events, and one message per rejected line ({@code line N: reason}). */
  public record Parsed(List<Event> events, List<String> rejected) {}

  private ReplayInput() {}

  public static Parsed read(BufferedReader reader) throws IOException {
    List<Event> events = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    String line;
    int number = 0;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      String error;
      try {
        EventValidator.Result result = EventValidator.validate(Json.parse(line));
        if (result.ok()) {
          events.add(AvroEvents.toAvro(result.event()));
          continue;
        }
        error = result.error();
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        error = "not valid JSON: " + Json.problem(e);
      }
      rejected.add("line " + number + ": " + error);
    }
    return new Parsed(events, rejected);
  }
}
