package io.beckon.jobs.replay;

import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.event.EventValidator;
import io.beckon.engine.event.ReceivedClock;
import io.beckon.engine.json.Json;
import io.beckon.schema.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
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

  /**
   * @param clock the §2 check of {@code time} against the line's optional {@code received_at}
   */
  public static Parsed read(BufferedReader reader, ReceivedClock clock) throws IOException {
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
        Object json = Json.parse(line);
        EventValidator.Result result = EventValidator.validate(json);
        if (result.ok()) {
          ReceivedClock.Verdict verdict = clock.judge(result.event(), receivedAt(json));
          if (verdict.ok()) {
            events.add(AvroEvents.toAvro(verdict.event()));
            lines.add(number);
            continue;
          }
          error = verdict.error();
        } else {
          error = result.error();
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        error = "not valid JSON: " + Json.problem(e);
      } catch (MalformedLineException e) {
        error = e.getMessage();
      }
      rejected.add("line " + number + ": " + error);
    }
    return new Parsed(events, lines, rejected);
  }

  /**
   * R of §2 for a replay line: its optional {@code received_at}, an ISO-8601 instant with {@code Z}
   * or a numeric offset (a file made from a topic keeps each record's timestamp there).
   */
  private static Long receivedAt(Object json) {
    Object value = json instanceof Map<?, ?> map ? map.get("received_at") : null;
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeException | ArithmeticException e) {
        // falls through to the error below
      }
    }
    throw new MalformedLineException(
        "'received_at' must be an ISO-8601 instant with Z or an offset, got " + Json.write(value));
  }

  private static final class MalformedLineException extends RuntimeException {
    MalformedLineException(String message) {
      super(message);
    }
  }
}
