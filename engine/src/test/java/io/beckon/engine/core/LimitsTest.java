package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import io.beckon.engine.profile.ProfileView;
import io.beckon.engine.rules.RuleSet;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-user limits (contract section 1) and Beckon's own bounds on per-user state. */
class LimitsTest {
  /** These tests have no date rule: the watermark a late event re-arms them at is unused. */
  static final long NO_DATE_RULES_WATERMARK = Long.MAX_VALUE;

  static final long T0 = Instant.parse("2026-01-05T10:00:00Z").toEpochMilli();
  final UserEngine engine =
      new UserEngine(
          RuleSet.parse(
              Map.of(
                  "later.yaml",
                  "id: later\nversion: 1\ntrigger: {kind: event, event: ping, delay: 1h}\n"
                      + "message: {channel: in_app, body: x}\n")));
  final InMemoryUserStore store = new InMemoryUserStore();

  static UserEvent event(String id, long time, String type, String props) {
    return new UserEvent(id, "u", type, time, Json.parseObject(props));
  }

  /** An attributes_set of names {@code prefix0..prefix(n-1)} (value null deletes). */
  static UserEvent attributes(String id, long time, String prefix, int n, Object value) {
    StringBuilder json = new StringBuilder("{\"attributes\":{");
    for (int i = 0; i < n; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append("\":");
      json.append(value == null ? "null" : Json.write(value));
    }
    return event(id, time, "attributes_set", json.append("}}").toString());
  }

  @Test
  void anAttributesSetThatWouldLeaveMoreThan256NamesIsRejectedWhole() {
    assertTrue(engine.apply(attributes("a", T0, "n", 256, "v"), store).applied());
    Outcome outcome = engine.apply(attributes("b", T0 + 1, "m", 1, "v"), store);
    assertEquals(Outcome.Status.REJECTED, outcome.status());
    assertTrue(outcome.reason().contains("257 attributes; the limit is 256"), outcome.reason());
    assertNull(store.attribute("m0"), "no effect at all");
    assertNull(store.seenEvent("b"), "not remembered for deduplication");
    assertEquals(1L, store.profile().getEventCounts().get("attributes_set"));
    // The same event id, once the user has room, is a new event, not a duplicate.
    assertTrue(
        engine
            .apply(
                event("b", T0 + 2, "attributes_set", "{\"attributes\":{\"n0\":null,\"m0\":1}}"),
                store)
            .applied(),
        "counted after the whole set: its deletion makes room");
    assertEquals(256, store.attributeCount());
  }

  @Test
  void deletingAbsentNamesMakesNoRoomAndDeletedNamesDoNotCount() {
    engine.apply(attributes("a", T0, "n", 255, "v"), store);
    engine.apply(attributes("d", T0 + 1, "n", 10, null), store);
    assertEquals(245, store.attributeCount(), "deletion markers are not names in the map");
    assertTrue(
        engine
            .apply(
                event(
                    "b",
                    T0 + 2,
                    "attributes_set",
                    "{\"attributes\":{\"ghost\":null,\"x1\":1,\"x2\":2}}"),
                store)
            .applied());
    assertEquals(247, store.attributeCount());
  }

  @Test
  void appOpenedFieldsCountTowardsTheLimit() {
    engine.apply(event("o", T0, "app_opened", "{\"platform\":\"ios\",\"locale\":\"pl\"}"), store);
    engine.apply(attributes("a", T0 + 1, "n", 254, "v"), store);
    assertEquals(256, store.attributeCount());
    assertTrue(engine.apply(attributes("b", T0 + 2, "m", 1, "v"), store).rejected());
  }

  @Test
  void theLimitAppliesToLateEventsWithTheirVoidWritesLeftOut() {
    engine.apply(attributes("a", T0, "n", 256, "v"), store);
    engine.apply(attributes("d", T0 + 10, "n", 1, null), store); // n0 deleted at T0+10
    // Late, older than the deletion: its n0 write is void, so it would add m0 only: 256, fine.
    assertTrue(
        engine
            .applyLate(
                event("l1", T0 + 5, "attributes_set", "{\"attributes\":{\"n0\":1,\"m0\":1}}"),
                store,
                NO_DATE_RULES_WATERMARK)
            .applied());
    assertNull(store.attribute("n0"));
    assertTrue(
        engine
            .applyLate(attributes("l2", T0 + 6, "k", 1, "v"), store, NO_DATE_RULES_WATERMARK)
            .rejected());
  }

  @Test
  void deletionMarkersAreBoundedOldestFirst() {
    for (int i = 0; i < 3; i++) {
      engine.apply(attributes("d" + i, T0 + i, "g" + i + "_", 200, null), store);
    }
    engine.apply(
        event("l", T0 + 3, "attributes_set", "{\"attributes\":{\"g2_0\":1}}"), store); // revives
    assertEquals(1, store.attributeCount());
    // The newest 256 markers survive: all of g2 but the revived one, and the newest of g1.
    assertEquals(T0 + 2, store.attributeTime("g2_1"));
    assertNull(store.attributeTime("g0_0"), "the oldest markers are forgotten");
    assertEquals(T0 + 3, store.attributeTime("g2_0"));
  }

  @Test
  void onlyTheFirst512EventTypesInEventTimeOrderAreCounted() {
    for (int i = 0; i < 512; i++) {
      engine.apply(event("e" + i, T0 + 10 + i, "type" + i, "{}"), store);
    }
    assertTrue(engine.apply(event("x", T0 + 1000, "extra", "{}"), store).applied());
    ProfileView view = new ProfileView(store, T0 + 1000);
    assertEquals(0L, view.get("event_count.extra"), "the 513th type applies but reads 0");
    assertEquals(1L, view.get("event_count.type511"));
    engine.apply(event("y", T0 + 1001, "type0", "{}"), store);
    assertEquals(2L, new ProfileView(store, T0).get("event_count.type0"));
    // A late event of a new type that came before the latest counted type takes its place.
    engine.applyLate(event("early", T0 + 5, "early", "{}"), store, NO_DATE_RULES_WATERMARK);
    view = new ProfileView(store, T0 + 1001);
    assertEquals(1L, view.get("event_count.early"));
    assertEquals(0L, view.get("event_count.type511"));
    assertEquals(512, store.profile().getEventCounts().size());
  }

  @Test
  void aNewSkuBeyond256CartLinesIsRejectedButMoreUnitsOfALineAreNot() {
    for (int i = 0; i < 256; i++) {
      engine.apply(event("c" + i, T0 + i, "cart_item_added", "{\"sku\":\"S" + i + "\"}"), store);
    }
    Outcome outcome =
        engine.apply(event("x", T0 + 300, "cart_item_added", "{\"sku\":\"NEW\"}"), store);
    assertTrue(outcome.rejected());
    assertTrue(outcome.reason().contains("256 skus"), outcome.reason());
    assertTrue(
        engine
            .apply(
                event("y", T0 + 301, "cart_item_added", "{\"sku\":\"S7\",\"quantity\":2}"), store)
            .applied());
    assertEquals(256, store.cart().getLines().size());
  }

  @Test
  void delayedEventTriggersArmAtMost256FiresPerRule() {
    for (int i = 0; i < 300; i++) {
      engine.apply(event("p" + i, T0 + i, "ping", "{}"), store);
    }
    assertEquals(Limits.PENDING_FIRES_PER_RULE, store.triggers().getPending().size());
  }

  @Test
  void consentIsKeptOnlyForTheContractsChannels() {
    engine.apply(
        event("c", T0, "channel_consent_changed", "{\"channel\":\"fax\",\"granted\":false}"),
        store);
    assertTrue(store.profile().getConsent().isEmpty());
  }
}
