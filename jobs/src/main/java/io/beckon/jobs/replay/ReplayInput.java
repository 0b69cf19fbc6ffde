package io.beckon.jobs.replay;

import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.EventValidator;
import io.beckon.engine.json.Json;
import io.beckon.schema.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a JSON-lines event file: valid events in file order, bad lines reported with numbers. */
public final class ReplayInput {
  /**
   * The events, the line number of each, and one message per rejected line ({@code line N:
   * reason}).
   */
  public record Parsed(List<Event> events, List<Integer> lines, List<String> rejected) {
    /**
     * Line numbers by the event's JSON view, in file order: to name the line of an event that the
     * engine finds malformed later (a per-user limit). Retries of one event share a view.
     */
    public Map<String, Deque<Integer>> linesByEvent() {
      Map<String, Deque<Integer>> index = new HashMap<>();
      for (int i = 0; i < events.size(); i++) {
        index
            .computeIfAbsent(AvroEvents.toJson(events.get(i)), k -> new ArrayDeque<>())
            .add(lines.get(i));
      }
      return index;
    }
  }

  private ReplayInput() {}

  public static Parsed read(BufferedReader reader) throws IOException {
    List<Event> events = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
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
          lines.add(number);
          continue;
        }
        error = result.error();
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        error = "not valid JSON: " + e.getOriginalMessage();
      }
      rejected.add("line " + number + ": " + error);
    }
    return new Parsed(events, lines, rejected);
  }
}
