package io.beckon.bench;

import static io.beckon.engine.time.Durations.DAY;
import static io.beckon.engine.time.Durations.HOUR;
import static io.beckon.engine.time.Durations.MINUTE;
import static io.beckon.engine.time.Durations.SECOND;

import io.beckon.engine.json.Json;
import io.beckon.schema.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Demo-like traffic for the throughput benchmark. Generated here because the demo's generator
 * (tools' {@code TrafficModel}) lives in a module that brings Flink and Kafka along; the mix is the
 * same: installs spread over ten days, three users in ten drifting away within a week, a visit
 * every half day to three days with one to three product views, a cart in 45% of visits (bought,
 * cleared or left), trips past the example fences, now and then a retried event. Deterministic for
 * a seed.
 */
final class Traffic {
  /** Events in a slice. */
  static final int EVENTS = 20_000;

  private static final long START = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
  private static final long END = START + 42 * DAY;
  private static final String[] NAMES = {"Ana", "Jan", "Maria", "Tomek", "Eva", "Luca", "Omar"};

  private record Product(String sku, String name, double price) {}

  private static final List<Product> EVERYDAY =
      List.of(
          new Product("SKU-SOAP", "Hand soap", 3.5),
          new Product("SKU-GUM", "Mint gum", 1.2),
          new Product("SKU-WASH", "Face wash", 9.5));
  private static final List<Product> CARE =
      List.of(
          new Product("SKU-SERUM", "Vitamin serum", 34.0),
          new Product("SKU-CREAM", "Night cream", 58.0));
  private static final List<Product> PREMIUM =
      List.of(
          new Product("SKU-KIT", "Spa kit", 189.0), new Product("SKU-DRYER", "Hair dryer", 249.0));
  private static final List<Product> CATALOGUE =
      Stream.of(EVERYDAY, CARE, PREMIUM).flatMap(List::stream).toList();

  private final Random random;
  private final List<Event> events = new ArrayList<>();
  private String user;
  private int numbered;

  private Traffic(long seed) {
    random = new Random(seed);
  }

  /**
   * The whole histories of users {@code u-0}, {@code u-1}, ... until {@link #EVENTS} events (the
   * last user's cut short), in event-time order.
   */
  static List<Event> slice(long seed) {
    Traffic traffic = new Traffic(seed);
    for (int u = 0; traffic.events.size() < EVENTS; u++) {
      traffic.simulate("u-" + u);
    }
    List<Event> slice = new ArrayList<>(traffic.events.subList(0, EVENTS));
    slice.sort(Comparator.comparing(Event::getTime).thenComparing(Event::getEventId));
    return slice;
  }

  private void simulate(String id) {
    user = id;
    numbered = 0;
    long t = START + (long) (random.nextDouble() * 10 * DAY);
    long leaves = chance(0.3) ? t + DAY + (long) (random.nextDouble() * 6 * DAY) : END;
    String platform = chance(0.5) ? "ios" : "android";
    emit(
        "app_opened",
        t,
        props(
            "platform",
            platform,
            "app_version",
            "3.2.0",
            "locale",
            "en-GB",
            "timezone",
            "Europe/Warsaw"));
    if (chance(0.75)) {
      emit(
          "push_token_registered",
          t + 2 * SECOND,
          props("token", "fcm-" + id, "platform", platform));
    }
    if (chance(0.6)) {
      Map<String, Object> attributes =
          props(
              "first_name",
              NAMES[random.nextInt(NAMES.length)],
              "email",
              id + "@example.com",
              "country",
              "PL");
      emit("attributes_set", t + 5 * SECOND, props("attributes", attributes));
    }
    for (boolean install = true; t < Math.min(leaves, END); install = false) {
      visit(t, install);
      if (chance(0.12)) {
        trip(t + (1 + random.nextInt(5)) * HOUR);
      }
      t += (long) ((0.5 + 2.5 * random.nextDouble()) * DAY);
    }
  }

  /** A visit: views, maybe a cart that is bought, cleared or left; the install's open is done. */
  private void visit(long start, boolean install) {
    long t = start;
    if (!install) {
      emit("app_opened", t, null);
    }
    for (int views = 1 + random.nextInt(3); views > 0; views--) {
      t += 20 * SECOND + random.nextInt(60_000);
      emit(
          "product_viewed", t, props("sku", CATALOGUE.get(random.nextInt(CATALOGUE.size())).sku()));
    }
    if (chance(0.45)) {
      for (int items = 1 + random.nextInt(2); items > 0; items--) {
        t += 15 * SECOND + random.nextInt(30_000);
        Product p = inCart();
        emit(
            "cart_item_added",
            t,
            props(
                "sku",
                p.sku(),
                "name",
                p.name(),
                "quantity",
                1 + random.nextInt(2),
                "price",
                p.price(),
                "currency",
                "USD"));
      }
      double outcome = random.nextDouble();
      if (outcome < 0.45) {
        t += 5 * MINUTE + random.nextInt(50) * MINUTE;
        emit(
            "purchase_completed",
            t,
            props(
                "order_id",
                "o-" + user + "-" + numbered,
                "total",
                10 + random.nextInt(300),
                "currency",
                "USD"));
      } else if (outcome < 0.55) {
        emit("cart_cleared", t + 30 * SECOND, null);
      }
    }
    if (chance(0.01)) {
      events.add(events.get(events.size() - 1)); // a retried request: same id, no effect
    }
  }

  /** Approaching a fence, a fix inside it, another after the five-minute dwell. */
  private void trip(long t) {
    boolean airport = chance(0.5);
    double lat = airport ? 52.165 : 52.2297;
    double lon = airport ? 20.975 : 21.0122;
    emit("location_updated", t, fix(lat + 0.05, lon, 20));
    emit("location_updated", t + 10 * MINUTE, fix(lat, lon, 15));
    emit("location_updated", t + 17 * MINUTE, fix(lat + 0.0003, lon, 30));
  }

  /** Carts lean to the mid-priced care products; one line in seven is premium. */
  private Product inCart() {
    double r = random.nextDouble();
    List<Product> shelf = r < 0.35 ? EVERYDAY : r < 0.85 ? CARE : PREMIUM;
    return shelf.get(random.nextInt(shelf.size()));
  }

  private boolean chance(double p) {
    return random.nextDouble() < p;
  }

  private static Map<String, Object> fix(double lat, double lon, int accuracy) {
    return props("lat", lat, "lon", lon, "accuracy_m", accuracy);
  }

  private static Map<String, Object> props(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private void emit(String type, long time, Map<String, Object> properties) {
    events.add(
        Event.newBuilder()
            .setEventId(user + "-" + numbered++)
            .setUserId(user)
            .setType(type)
            .setTime(Instant.ofEpochMilli(time))
            .setProperties(properties == null ? null : Json.write(properties))
            .build());
  }
}
