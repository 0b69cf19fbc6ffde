package io.beckon.jobs.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.jobs.FlinkTestSupport;
import io.beckon.schema.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Property: a random set of events, delivered in different arrival orders whose disorder stays
 * within the bound, yields identical send commands, suppressions, conversions and journey events,
 * ids included. Runs the real pipeline on a MiniCluster at parallelism 2 with RocksDB and Kryo
 * disabled.
 */
class OrderIndependenceTest {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = FlinkTestSupport.miniCluster();

  static final Duration BOUND = Duration.ofSeconds(10);

  static final Map<String, String> RULES =
      Map.of(
          "cart.yaml",
          """
          id: cart
          version: 1
          trigger: {kind: cart_abandoned, delay: 30m}
          exit_on: [purchase_completed]
          message:
            channel: push
            fallback: [email, in_app]
            body: "{{ cart_units }} items, {{ cart_value | round: 2 }}"
          experiment:
            holdout_pct: 25
            variants: [{id: a, weight: 1}, {id: b, weight: 2, body: "b: {{ cart_units }}"}]
          conversion: {event: purchase_completed, within: 2h}
          """,
          "slot.yaml",
          """
          id: slot
          version: 1
          trigger: {kind: date, attribute: slot, offset: -30m}
          message: {channel: in_app, body: "soon"}
          """,
          "day.yaml",
          """
          id: day
          version: 1
          trigger: {kind: date, attribute: day, at: "09:00"}
          message: {channel: in_app, body: "{{ occurrence_date }}"}
          """,
          "bday.yaml",
          """
          id: bday
          version: 1
          trigger: {kind: date, attribute: birthday, at: "08:00", repeat: yearly}
          policies: {quiet_hours: ignore}
          message: {channel: in_app, body: "{{ years }}"}
          """,
          "policies.yaml",
          """
          default_timezone: America/New_York
          quiet_hours: {start: "21:00", end: "07:30"}
          frequency_caps: [{max: 2, per: 1h}, {max: 4, per: 6h}]
          """,
          "idle.yaml",
          """
          id: idle
          version: 1
          priority: 5
          trigger: {kind: inactivity, after: 2h}
          audience: {attribute: session_count, op: gte, value: 2}
          message: {channel: email, body: "Away {{ inactive_days }}"}
          """,
          "fence.yaml",
          """
          id: fence
          version: 1
          trigger:
            kind: geofence_entered
            fences: [{id: shop, lat: 52.0, lon: 21.0, radius_m: 500}]
            dwell: 5m
            cooldown: 1h
          message: {channel: in_app, body: "At {{ fence_id }}"}
          """,
          "trip.yaml",
          """
          kind: journey
          id: trip
          version: 1
          priority: 7
          trigger: {kind: event, event: app_opened}
          reentry: {cooldown: 10m}
          while_active: restart
          exit_on: [purchase_completed]
          steps:
            - id: hello
              send: {channel: push, fallback: [in_app], body: "Hi {{ event.platform }}"}
            - id: look
              wait_for:
                events: [{event: cart_item_added, where: {attribute: quantity, op: gte, value: 2},
                          goto: morning}]
                timeout: {after: 20m, goto: nudge}
            - id: nudge
              send: {channel: in_app, body: "{{ cart_units }} in cart"}
              then: end
            - id: morning
              wait_until: {local_time: "10:00"}
            - id: route
              branch:
                - {when: {attribute: email, op: exists}, goto: regular}
            - id: newcomer
              send: {channel: email, fallback: [in_app], body: "new"}
              then: end
            - id: regular
              send: {channel: in_app, body: "regular"}
          """,
          "reminder.yaml",
          """
          kind: journey
          id: reminder
          version: 1
          trigger: {kind: date, attribute: slot, offset: -10m}
          reentry: {cooldown: 1h}
          exit_on: [{event: cart_item_removed, where: {attribute: sku, op: eq, value: A}}]
          steps:
            - id: first
              send: {channel: in_app, body: "slot soon"}
            - id: gap
              wait: 15m
            - id: second
              send: {channel: in_app, body: "slot now"}
          """,
          "bought.yaml",
          """
          id: bought
          version: 1
          trigger: {kind: event, event: purchase_completed, delay: 1h}
          reentry: {cooldown: 3h}
          policies: {frequency_caps: ignore, quiet_hours: ignore}
          conversion: {event: app_opened, within: 30m}
          message: {channel: sms, fallback: [in_app], body: "Thanks for {{ event.total }}"}
          """);

  @Test
  void arrivalOrderWithinTheBoundDoesNotChangeTheOutput() throws Exception {
    Random random = new Random(20261122L);
    List<Event> events = randomEvents(random, 12, 400);
    Replay.Result reference = null;
    for (int order = 0; order < 3; order++) {
      List<Event> arrival = arrivalOrder(events, new Random(order));
      Replay.Result result = Replay.run(FlinkTestSupport.environment(), arrival, RULES, BOUND);
      assertEquals(0, result.lateEvents(), "disorder within the bound makes nothing late");
      if (reference == null) {
        reference = result;
        assertFalse(reference.sendCommands().isEmpty());
        assertFalse(reference.suppressions().isEmpty());
        assertFalse(reference.conversions().isEmpty());
        for (String reason : List.of("holdout", "frequency_cap", "audience")) {
          assertTrue(
              reference.suppressions().stream().anyMatch(l -> l.contains("\"" + reason + "\"")),
              "the random set exercises " + reason);
        }
        assertTrue(
            reference.sendCommands().stream()
                .anyMatch(l -> !field(l, "send_after").equals(field(l, "fire_time"))),
            "some commands are held by quiet hours");
        for (String dateRule : List.of("slot", "day", "bday")) {
          assertTrue(
              reference.sendCommands().stream().anyMatch(l -> field(l, "rule_id").equals(dateRule)),
              "the date rule " + dateRule + " fires");
        }
        assertTrue(
            reference.sendCommands().stream()
                .anyMatch(l -> l.contains("\"bday\"") && l.contains("2027-03-01")),
            "a yearly occurrence armed before the end of input fires at the end");
        for (String type :
            List.of(
                "\"entered\"",
                "\"held\"",
                "\"suppressed\"",
                "\"reason\":\"restarted\"",
                "\"reason\":\"exit_on\"",
                "\"reason\":\"completed\"",
                "\"reason\":\"reentry\"")) {
          assertTrue(
              reference.journeyEvents().stream().anyMatch(l -> l.contains(type)),
              "the random set exercises journey events with " + type);
        }
        for (String step : List.of("hello", "nudge", "newcomer", "regular", "first", "second")) {
          assertTrue(
              reference.journeyEvents().stream()
                  .anyMatch(
                      l ->
                          l.contains("\"step\":\"" + step + "\"")
                              && (l.contains("\"sent\"") || l.contains("\"suppressed\""))),
              "the journey's send step " + step + " runs");
        }
        assertTrue(
            reference.sendCommands().stream().anyMatch(l -> l.contains("\"trigger\":\"journey\"")),
            "journeys send commands");
      } else {
        assertEquals(
            reference.sendCommands(), result.sendCommands(), "send commands, order " + order);
        assertEquals(
            reference.suppressions(), result.suppressions(), "suppressions, order " + order);
        assertEquals(reference.conversions(), result.conversions(), "conversions, order " + order);
        assertEquals(
            reference.journeyEvents(), result.journeyEvents(), "journey events, order " + order);
      }
    }
  }

  /** Sorted by time plus a jitter below the bound: no event arrives after one > bound newer. */
  static List<Event> arrivalOrder(List<Event> events, Random random) {
    List<long[]> keyed = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      long jitter = (long) (random.nextDouble() * (BOUND.toMillis() - 1));
      keyed.add(new long[] {events.get(i).getTime().toEpochMilli() + jitter, i});
    }
    keyed.sort(Comparator.comparingLong((long[] k) -> k[0]).thenComparingLong(k -> k[1]));
    List<Event> out = new ArrayList<>();
    keyed.forEach(k -> out.add(events.get((int) k[1])));
    return out;
  }

  /** Users doing random things, with same-instant events, retries and boundary timings. */
  static List<Event> randomEvents(Random random, int users, int count) {
    long start = Instant.parse("2026-03-01T08:00:00Z").toEpochMilli();
    List<Event> out = new ArrayList<>();
    String[] skus = {"A", "B", "C"};
    for (int i = 0; i < count; i++) {
      String user = "u-" + random.nextInt(users);
      // Coarse times (whole seconds, many collisions) to exercise same-instant ordering.
      long time = start + (long) random.nextInt(6 * 3600) * 1000 / 5 * 5;
      String type;
      String props;
      switch (random.nextInt(9)) {
        case 0, 1 -> {
          type = "cart_item_added";
          props =
              "{\"sku\":\""
                  + skus[random.nextInt(3)]
                  + "\",\"quantity\":"
                  + (1 + random.nextInt(3))
                  + ",\"price\":"
                  + (random.nextInt(4000) / 100.0)
                  + "}";
        }
        case 2 -> {
          type = "cart_item_removed";
          props = "{\"sku\":\"" + skus[random.nextInt(3)] + "\"}";
        }
        case 3 -> {
          type = "purchase_completed";
          props = "{\"total\":" + random.nextInt(100) + "}";
        }
        case 4, 5 -> {
          type = "app_opened";
          props = "{\"platform\":\"ios\"}";
        }
        case 6 -> {
          type = "location_updated";
          double lat = 52.0 + (random.nextBoolean() ? 0.001 : 0.02);
          props = "{\"lat\":" + lat + ",\"lon\":21.0,\"accuracy_m\":" + random.nextInt(150) + "}";
        }
        case 7 -> {
          type = "attributes_set";
          String attribute =
              switch (random.nextInt(6)) {
                case 0 -> "\"email\":\"x@example.com\"";
                case 1 -> "\"phone\":\"+48100\"";
                // date triggers: an instant, a day, a birthday, and an invalid day
                case 2 ->
                    "\"slot\":\"2026-03-01T1"
                        + random.nextInt(4)
                        + ":"
                        + (10 + random.nextInt(50))
                        + ":00Z\"";
                case 3 -> "\"day\":\"2026-03-0" + (1 + random.nextInt(2)) + "\"";
                case 4 -> "\"birthday\":\"19" + (70 + random.nextInt(30)) + "-03-01\"";
                default -> "\"day\":\"2026-02-30\"";
              };
          props = "{\"attributes\":{" + attribute + "}}";
        }
        default -> {
          type = "push_token_registered";
          props = "{\"token\":\"tok-" + random.nextInt(5) + "\"}";
        }
      }
      String id =
          random.nextInt(20) == 0 && !out.isEmpty()
              ? out.get(random.nextInt(out.size())).getEventId()
              : "e-" + i;
      out.add(
          io.beckon.jobs.TestEvents.event(
              id, user, type, Instant.ofEpochMilli(time).toString(), props));
    }
    return out;
  }

  private static String field(String jsonLine, String name) {
    return String.valueOf(io.beckon.engine.json.Json.parseObject(jsonLine).get(name));
  }
}
