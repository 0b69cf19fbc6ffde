package io.beckon.tools.demo;

import io.beckon.engine.time.Durations;
import io.beckon.schema.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Simulated app users for the demo: installs over ten days, sessions of browsing, carts that are
 * bought or abandoned, some users drifting away, trips past the airport and the flagship store,
 * flight searches that are booked or not, and the usual mobile noise (retried events).
 * Deterministic for a seed. Event time spans about six weeks so that week- and month-long rules
 * fire within a demo run.
 */
public final class TrafficModel {
  public static final long START = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
  public static final long SPAN = 42 * Durations.DAY;

  private static final String[] FIRST_NAMES = {
    "Ana", "Jan", "Maria", "Tomek", "Eva", "Luca", "Sofia", "Omar", "Mei", "Ola"
  };
  private static final String[][] PRODUCTS = {
    {"SKU-SOAP", "Hand soap", "3.5"},
    {"SKU-GUM", "Mint gum", "1.2"},
    {"SKU-WASH", "Face wash", "9.5"},
    {"SKU-SERUM", "Vitamin serum", "34.0"},
    {"SKU-CREAM", "Night cream", "58.0"},
    {"SKU-KIT", "Spa kit", "189.0"},
    {"SKU-DRYER", "Hair dryer", "249.0"}
  };
  private static final String[] DESTINATIONS = {
    "Lisbon", "Rome", "Barcelona", "Oslo", "Athens", "Reykjavik"
  };

  /** Users who plan trips, the chance that one of their sessions holds a search, and so on. */
  static final double TRAVELLERS = 0.2;

  static final double SEARCH_PER_SESSION = 0.15;
  static final double SECOND_SEARCH = 0.3;
  static final double BOOKED = 0.4;

  private final Random random;
  private final long seed;
  private final int users;

  public TrafficModel(long seed, int users) {
    this.random = new Random(seed);
    this.seed = seed;
    this.users = users;
  }

  /** Every simulated event, in event-time order. */
  public List<Event> generate() {
    List<Event> events = new ArrayList<>();
    forEachUser(events::addAll);
    events.sort(Comparator.comparing(Event::getTime).thenComparing(Event::getEventId));
    return events;
  }

  /**
   * Simulates the users one at a time and hands each user's events to {@code user} (not sorted), so
   * that millions of users need no more memory than one. The same events as {@link #generate}.
   */
  public void forEachUser(Consumer<List<Event>> user) {
    for (int u = 0; u < users; u++) {
      List<Event> events = new ArrayList<>();
      simulateUser("u-" + u, events);
      user.accept(events);
    }
  }

  private void simulateUser(String user, List<Event> out) {
    long t = START + (long) (random.nextDouble() * 10 * Durations.DAY);
    boolean churner = random.nextDouble() < 0.3;
    long activeUntil =
        churner ? t + (long) ((1 + random.nextDouble() * 6) * Durations.DAY) : START + SPAN;
    int seq = 0;
    String platform = random.nextBoolean() ? "ios" : "android";
    // First session: install, identity, reachability.
    out.add(
        event(
            user,
            seq++,
            "app_opened",
            t,
            "{\"platform\":\""
                + platform
                + "\",\"app_version\":\"3.2.0\",\"locale\":\"en-GB\",\"timezone\":\"Europe/Warsaw\"}"));
    if (random.nextDouble() < 0.75) {
      out.add(
          event(
              user,
              seq++,
              "push_token_registered",
              t + 2_000,
              "{\"token\":\"fcm-" + user + "\",\"platform\":\"" + platform + "\"}"));
    }
    if (random.nextDouble() < 0.6) {
      String name = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)];
      out.add(
          event(
              user,
              seq++,
              "attributes_set",
              t + 5_000,
              "{\"attributes\":{\"first_name\":\""
                  + name
                  + "\",\"email\":\""
                  + user
                  + "@example.com\",\"country\":\"PL\",\"birthday\":\""
                  + birthday(user)
                  + "\"}}"));
    }
    boolean firstSession = true;
    List<Long> sessions = new ArrayList<>();
    while (t < activeUntil && t < START + SPAN) {
      sessions.add(t);
      seq = session(user, seq, t, firstSession, out);
      firstSession = false;
      if (random.nextDouble() < 0.12) {
        seq = trip(user, seq, t + Durations.HOUR * (1 + random.nextInt(5)), out);
      }
      t += (long) ((0.5 + random.nextDouble() * 2.5) * Durations.DAY);
    }
    flights(user, sessions, out);
  }

  /**
   * Flight searches (custom event {@code flight_searched} with a {@code destination}), sometimes a
   * second one for another destination later that day, and a {@code trip_booked} within hours of
   * the last search, or never. Drawn from a generator of the user's own (model seed and user id)
   * and numbered apart ({@code u-1-f0}), so that every other event of the model is exactly what it
   * was before searches were added.
   */
  private void flights(String user, List<Long> sessions, List<Event> out) {
    Random r = new Random(seed * 1_000_003L + user.hashCode());
    if (r.nextDouble() >= TRAVELLERS) {
      return;
    }
    int n = 0;
    for (long start : sessions) {
      if (r.nextDouble() >= SEARCH_PER_SESSION) {
        continue;
      }
      long t = start + (1 + r.nextInt(10)) * Durations.MINUTE;
      String destination = DESTINATIONS[r.nextInt(DESTINATIONS.length)];
      out.add(flight(user, n++, "flight_searched", t, destination));
      if (r.nextDouble() < SECOND_SEARCH) {
        t += (2 + r.nextInt(8)) * Durations.HOUR;
        destination = DESTINATIONS[r.nextInt(DESTINATIONS.length)];
        out.add(flight(user, n++, "flight_searched", t, destination));
      }
      if (r.nextDouble() < BOOKED) {
        t += Durations.HOUR + r.nextInt(5 * 60) * Durations.MINUTE;
        out.add(flight(user, n++, "trip_booked", t, destination));
      }
    }
  }

  private static Event flight(String user, int n, String type, long time, String destination) {
    Event e = event(user, 0, type, time, "{\"destination\":\"" + destination + "\"}");
    e.setEventId(user + "-f" + n);
    return e;
  }

  /**
   * A birthday derived from the user id, so adding it left every other draw of the model as it was:
   * years 1960 to 2005, any day of a common year.
   */
  static String birthday(String user) {
    int h = Math.floorMod(user.hashCode() * 31 + 7, 46 * 365);
    return java.time.LocalDate.ofYearDay(2001, 1 + h % 365).withYear(1960 + h / 365).toString();
  }

  private int session(String user, int seq, long start, boolean install, List<Event> out) {
    long t = start;
    if (!install) {
      out.add(event(user, seq++, "app_opened", t, null));
    }
    int views = 1 + random.nextInt(3);
    for (int i = 0; i < views; i++) {
      t += 20_000 + random.nextInt(60_000);
      String[] p = PRODUCTS[random.nextInt(PRODUCTS.length)];
      out.add(event(user, seq++, "product_viewed", t, "{\"sku\":\"" + p[0] + "\"}"));
    }
    if (random.nextDouble() < 0.45) {
      int items = 1 + random.nextInt(2);
      for (int i = 0; i < items; i++) {
        t += 15_000 + random.nextInt(30_000);
        String[] p = product();
        out.add(
            event(
                user,
                seq++,
                "cart_item_added",
                t,
                String.format(
                    Locale.ROOT,
                    "{\"sku\":\"%s\",\"name\":\"%s\",\"quantity\":%d,\"price\":%s,\"currency\":\"USD\"}",
                    p[0],
                    p[1],
                    1 + random.nextInt(2),
                    p[2])));
      }
      double r = random.nextDouble();
      if (r < 0.45) {
        t += 5 * Durations.MINUTE + random.nextInt(50) * Durations.MINUTE;
        out.add(
            event(
                user,
                seq++,
                "purchase_completed",
                t,
                String.format(
                    Locale.ROOT,
                    "{\"order_id\":\"o-%s-%d\",\"total\":%d,\"currency\":\"USD\"}",
                    user,
                    seq,
                    10 + random.nextInt(300))));
      } else if (r < 0.55) {
        t += 30_000;
        out.add(event(user, seq++, "cart_cleared", t, null));
      }
    }
    if (random.nextDouble() < 0.01) {
      // A retried request: same event id, same content. It must have no effect.
      Event last = out.get(out.size() - 1);
      out.add(Event.newBuilder(last).build());
    }
    return seq;
  }

  /** A trip past one of the example fences: approach, enter, stay long enough to dwell. */
  private int trip(String user, int seq, long t, List<Event> out) {
    boolean airport = random.nextBoolean();
    double lat = airport ? 52.165 : 52.2297;
    double lon = airport ? 20.975 : 21.0122;
    out.add(event(user, seq++, "location_updated", t, fix(lat + 0.05, lon, 20)));
    out.add(event(user, seq++, "location_updated", t + 10 * Durations.MINUTE, fix(lat, lon, 15)));
    out.add(
        event(
            user,
            seq++,
            "location_updated",
            t + 17 * Durations.MINUTE,
            fix(lat + 0.0003, lon, 30)));
    return seq;
  }

  private String[] product() {
    double r = random.nextDouble();
    if (r < 0.35) {
      return PRODUCTS[random.nextInt(3)];
    }
    if (r < 0.85) {
      return PRODUCTS[3 + random.nextInt(2)];
    }
    return PRODUCTS[5 + random.nextInt(2)];
  }

  private static String fix(double lat, double lon, int accuracy) {
    return String.format(
        Locale.ROOT, "{\"lat\":%.5f,\"lon\":%.5f,\"accuracy_m\":%d}", lat, lon, accuracy);
  }

  private static Event event(String user, int seq, String type, long time, String properties) {
    return Event.newBuilder()
        .setEventId(user + "-" + seq)
        .setUserId(user)
        .setType(type)
        .setTime(Instant.ofEpochMilli(time))
        .setProperties(properties)
        .build();
  }
}
