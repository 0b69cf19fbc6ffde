package io.beckon.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.json.Json;
import io.beckon.engine.time.Durations;
import io.beckon.schema.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demo's traffic: flight searches for the search journey, the rest as it always was. */
class TrafficModelTest {
  private static final Set<String> FLIGHTS = Set.of("flight_searched", "trip_booked");
  private static final List<Event> EVENTS = new TrafficModel(42, 300).generate();

  @Test
  void everyOtherEventIsExactlyWhatItWasBeforeSearchesWereAdded() throws Exception {
    // SHA-256 of the JSON lines of TrafficModel(42, 300) as generated before flight searches.
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    int n = 0;
    for (Event e : EVENTS) {
      if (!FLIGHTS.contains(e.getType())) {
        sha.update(AvroEvents.toJson(e).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        n++;
      }
    }
    assertEquals(21_445, n);
    assertEquals(
        "e1ebb1593080d442c58e389d2a2a91168161af5d3bbc97a29af96e513e9fd156",
        HexFormat.of().formatHex(sha.digest()));
  }

  @Test
  void someSearchersBookWithinHoursAndOthersNever() {
    Map<String, Long> lastSearch = new HashMap<>();
    Map<String, Integer> searches = new HashMap<>();
    Map<String, Integer> bookings = new HashMap<>();
    for (Event e : EVENTS) {
      if (!FLIGHTS.contains(e.getType())) {
        continue;
      }
      String destination = (String) Json.parseObject(e.getProperties()).get("destination");
      assertTrue(
          Set.of("Lisbon", "Rome", "Barcelona", "Oslo", "Athens", "Reykjavik")
              .contains(destination),
          destination);
      long t = e.getTime().toEpochMilli();
      if (e.getType().equals("flight_searched")) {
        lastSearch.put(e.getUserId(), t);
        searches.merge(e.getUserId(), 1, Integer::sum);
      } else {
        long after = t - lastSearch.get(e.getUserId());
        assertTrue(after >= Durations.HOUR && after < 7 * Durations.HOUR, e.toString());
        bookings.merge(e.getUserId(), 1, Integer::sum);
      }
    }
    long searchers = searches.size();
    long neverBooked = searches.keySet().stream().filter(u -> !bookings.containsKey(u)).count();
    assertTrue(searchers > 30 && searchers < 90, searchers + " of 300 users searched");
    assertTrue(neverBooked > 5, neverBooked + " searchers never booked");
    assertTrue(bookings.size() > 5, bookings.size() + " searchers booked");
    assertTrue(
        searches.values().stream().mapToInt(Integer::intValue).sum() > 2 * searchers,
        "searchers search more than once: the journey restarts");
  }

  @Test
  void theSameSeedGivesTheSameTraffic() {
    assertEquals(EVENTS, new TrafficModel(42, 300).generate());
  }
}
