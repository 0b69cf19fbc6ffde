package io.beckon.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beckon replay --journeys}: the journey events of a search that gets a booking and of one
 * that does not, worked out by hand from contract section 7, and the same files on every run.
 */
class ReplayJourneysTest {
  static final String JOURNEY =
      """
      kind: journey
      id: search-nudge
      version: 2
      trigger: {kind: event, event: flight_searched}
      while_active: restart
      steps:
        - id: look
          wait_for:
            events: [{event: trip_booked, goto: end}]
            timeout: {after: 1d, goto: nudge}
        - id: nudge
          send: {channel: in_app, body: "Still thinking about {{ event.destination }}?"}
      """;

  @TempDir Path dir;

  private Path events() throws Exception {
    String[][] lines = {
      {"s1", "u-1", "flight_searched", "2026-03-01T10:00:00Z", "{\"destination\":\"Lisbon\"}"},
      {"s2", "u-2", "flight_searched", "2026-03-01T10:00:00Z", "{\"destination\":\"Oslo\"}"},
      {"b2", "u-2", "trip_booked", "2026-03-01T12:00:00Z", "{}"},
      {"x", "u-3", "app_opened", "2026-03-03T00:00:00Z", "{}"}
    };
    StringBuilder out = new StringBuilder();
    for (String[] l : lines) {
      out.append(
          String.format(
              "{\"event_id\":\"%s\",\"user_id\":\"%s\",\"type\":\"%s\",\"time\":\"%s\","
                  + "\"properties\":%s}%n",
              (Object[]) l));
    }
    Path file = dir.resolve("events.jsonl");
    Files.writeString(file, out);
    return file;
  }

  private List<String> replay(Path rules, Path events, String run) throws Exception {
    Path commands = dir.resolve(run + "-commands.jsonl");
    Path journeys = dir.resolve(run + "-journeys.jsonl");
    int status =
        ReplayCommand.run(
            new String[] {
              "--rules", rules.toString(),
              "--events", events.toString(),
              "--out", commands.toString(),
              "--journeys", journeys.toString(),
              "--parallelism", "2"
            });
    assertEquals(0, status);
    List<String> out = new java.util.ArrayList<>(Files.readAllLines(commands));
    out.addAll(Files.readAllLines(journeys, StandardCharsets.UTF_8));
    return out;
  }

  @Test
  void journeyEventsAreWrittenSortedAndTheSameOnEveryRun() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("search.yaml"), JOURNEY);
    Path events = events();
    List<String> first = replay(rules, events, "a");
    List<String> journeys = first.subList(1, first.size());
    assertEquals(
        List.of(
            "u-1 2026-03-01T10:00:00Z entered -",
            "u-2 2026-03-01T10:00:00Z entered -",
            "u-2 2026-03-01T12:00:00Z exited look",
            "u-1 2026-03-02T10:00:00Z sent nudge",
            "u-1 2026-03-02T10:00:00Z exited nudge"),
        journeys.stream().map(ReplayJourneysTest::brief).toList());
    assertEquals(
        "{\"user_id\":\"u-2\",\"journey_id\":\"search-nudge\",\"journey_version\":2,"
            + "\"instance\":\"2026-03-01T10:00:00.000Z#0\",\"time\":\"2026-03-01T12:00:00Z\","
            + "\"type\":\"exited\",\"step\":\"look\",\"reason\":\"completed\"}",
        journeys.get(2),
        "fields a type does not carry are omitted");
    String command = first.get(0);
    assertEquals(true, command.contains("\"body\":\"Still thinking about Lisbon?\""));
    assertEquals(true, command.contains("\"journey_step\":\"nudge\""));
    assertEquals(first, replay(rules, events, "b"), "the same input, the same output");
  }

  private static String brief(String line) {
    var node = io.beckon.engine.json.Json.parseObject(line);
    return node.get("user_id")
        + " "
        + node.get("time")
        + " "
        + node.get("type")
        + " "
        + (node.get("step") == null ? "-" : node.get("step"));
  }
}
