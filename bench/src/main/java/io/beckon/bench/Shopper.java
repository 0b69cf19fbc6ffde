package io.beckon.bench;

import io.beckon.engine.core.InMemoryUserStore;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.core.UserTimeline;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One returning shopper, the realistic input of the per-rule benchmarks: a first visit with a
 * purchase and a stop at the flagship store, a browse four days later, and a cart of three items
 * (126 USD) left on day nine, whose reminder falls due at {@link #NOW}.
 */
final class Shopper {
  static final String USER = "u-4242";

  /** Two hours after the last cart change: the cart reminder is due. */
  static final long NOW = millis("2026-01-14T14:03:00Z");

  /** The custom attributes the history sets, those of {@code app_opened} included. */
  static final List<String> ATTRIBUTES =
      List.of("first_name", "email", "country", "platform", "app_version", "locale", "timezone");

  private Shopper() {}

  /** The first visit: install, reachability, a cart edited and bought, a fix at the store. */
  static List<UserEvent> firstVisit() {
    return List.of(
        event(
            "e00",
            "2026-01-05T09:00:00Z",
            "app_opened",
            "{\"platform\":\"ios\",\"app_version\":\"3.2.0\",\"locale\":\"en-GB\","
                + "\"timezone\":\"Europe/Warsaw\"}"),
        event(
            "e01",
            "2026-01-05T09:00:02Z",
            "push_token_registered",
            "{\"token\":\"fcm-u-4242\",\"platform\":\"ios\"}"),
        event(
            "e02",
            "2026-01-05T09:00:05Z",
            "attributes_set",
            "{\"attributes\":{\"first_name\":\"Maria\",\"email\":\"u-4242@example.com\","
                + "\"country\":\"PL\"}}"),
        event("e03", "2026-01-05T09:00:40Z", "product_viewed", "{\"sku\":\"SKU-SERUM\"}"),
        cartItemAdded("e04", "2026-01-05T09:01:10Z", "SKU-SERUM", "Vitamin serum", 1, "34.0"),
        cartItemAdded("e05", "2026-01-05T09:01:50Z", "SKU-SOAP", "Hand soap", 2, "3.5"),
        event(
            "e06",
            "2026-01-05T09:02:30Z",
            "cart_item_removed",
            "{\"sku\":\"SKU-SOAP\",\"quantity\":2}"),
        event(
            "e07",
            "2026-01-05T09:20:00Z",
            "location_updated",
            "{\"lat\":52.2297,\"lon\":21.0122,\"accuracy_m\":15}"),
        event(
            "e08",
            "2026-01-05T09:30:00Z",
            "purchase_completed",
            "{\"order_id\":\"o-4242-1\",\"total\":34.0,\"currency\":\"USD\"}"));
  }

  /** Every event before {@link #NOW}. */
  static List<UserEvent> history() {
    List<UserEvent> events = new ArrayList<>(firstVisit());
    events.add(event("e09", "2026-01-09T19:00:00Z", "app_opened", null));
    events.add(event("e10", "2026-01-09T19:01:00Z", "product_viewed", "{\"sku\":\"SKU-CREAM\"}"));
    events.add(event("e11", "2026-01-14T12:00:00Z", "app_opened", null));
    events.add(event("e12", "2026-01-14T12:01:00Z", "product_viewed", "{\"sku\":\"SKU-CREAM\"}"));
    events.add(cartItemAdded("e13", "2026-01-14T12:02:00Z", "SKU-CREAM", "Night cream", 1, "58.0"));
    events.add(
        cartItemAdded("e14", "2026-01-14T12:03:00Z", "SKU-SERUM", "Vitamin serum", 2, "34.0"));
    return events;
  }

  /** The shopper comes back at {@link #NOW}: two events at that one instant. */
  static List<UserEvent> atNow() {
    List<UserEvent> events = new ArrayList<>();
    events.add(event("e15", "2026-01-14T14:03:00Z", "app_opened", null));
    events.add(event("e16", "2026-01-14T14:03:00Z", "product_viewed", "{\"sku\":\"SKU-KIT\"}"));
    events.sort(UserEvent.APPLICATION_ORDER);
    return events;
  }

  /**
   * The shopper's state just before {@link #NOW}, as the engine leaves it after the history: every
   * earlier instant run, fires due before {@code NOW} taken, the cart reminder still pending.
   */
  static InMemoryUserStore stateBeforeNow(UserEngine engine) {
    UserTimeline timeline = new UserTimeline(engine, USER);
    history().forEach(timeline::add);
    timeline.runUntil(NOW - 1, Fires.counting());
    return timeline.store();
  }

  private static UserEvent cartItemAdded(
      String id, String time, String sku, String name, int quantity, String price) {
    return event(
        id,
        time,
        "cart_item_added",
        "{\"sku\":\""
            + sku
            + "\",\"name\":\""
            + name
            + "\",\"quantity\":"
            + quantity
            + ",\"price\":"
            + price
            + ",\"currency\":\"USD\"}");
  }

  private static UserEvent event(String id, String time, String type, String properties) {
    return new UserEvent(id, USER, type, millis(time), Json.parseObject(properties));
  }

  private static long millis(String time) {
    return Instant.parse(time).toEpochMilli();
  }
}
