package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import io.beckon.engine.rules.RuleSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Late events (contract section 2) and erasure (section 6) against the engine directly. */
class LateEventsTest {
  /** These tests have no date rule: the watermark a late event re-arms them at is unused. */
  static final long NO_DATE_RULES_WATERMARK = Long.MAX_VALUE;

  final UserEngine engine =
      new UserEngine(
          RuleSet.parse(
              Map.of(
                  "cart.yaml",
                  "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: push, body: x}\n")));
  final InMemoryUserStore store = new InMemoryUserStore();

  static UserEvent event(String id, String time, String type, String props) {
    return new UserEvent(
        id, "u", type, Instant.parse(time).toEpochMilli(), Json.parseObject(props));
  }

  @Test
  void aLateErasureStillErasesEverything() {
    engine.apply(
        event("t", "2026-01-05T09:00:00Z", "push_token_registered", "{\"token\":\"tok\"}"), store);
    engine.apply(event("a", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}"), store);
    assertEquals(1, store.triggers().getPending().size());
    assertTrue(
        engine
            .applyLate(
                event("x", "2026-01-05T09:30:00Z", "user_erased", null),
                store,
                NO_DATE_RULES_WATERMARK)
            .applied());
    assertTrue(store.isEmpty(), "profile, cart, pending fires and dedup memory are gone");
  }

  @Test
  void lateEventsOfTheErasedLifeAreIgnoredButLaterOnesStartANewOne() {
    engine.apply(event("x", "2026-01-05T11:00:00Z", "user_erased", null), store);
    assertFalse(
        engine
            .applyLate(
                event(
                    "old",
                    "2026-01-05T10:50:00Z",
                    "attributes_set",
                    "{\"attributes\":{\"email\":\"a@b.c\"}}"),
                store,
                NO_DATE_RULES_WATERMARK)
            .applied());
    assertFalse(
        engine
            .applyLate(
                event(
                    "a",
                    "2026-01-05T11:00:00Z",
                    "attributes_set",
                    "{\"attributes\":{\"email\":\"a@b.c\"}}"),
                store,
                NO_DATE_RULES_WATERMARK)
            .applied(),
        "same instant, sorts before the erasure: erased life");
    assertNull(store.attribute("email"));
    assertTrue(
        engine
            .applyLate(
                event(
                    "y",
                    "2026-01-05T11:00:00Z",
                    "attributes_set",
                    "{\"attributes\":{\"email\":\"new@b.c\"}}"),
                store,
                NO_DATE_RULES_WATERMARK)
            .applied(),
        "same instant, sorts after the erasure: new life");
    assertEquals("new@b.c", store.attribute("email"));
  }

  @Test
  void lateUpdatesTakeEffectInEventTimeOrder() {
    engine.apply(
        event("t2", "2026-01-05T12:00:00Z", "push_token_registered", "{\"token\":\"new\"}"), store);
    engine.apply(
        event(
            "c2",
            "2026-01-05T12:00:00Z",
            "channel_consent_changed",
            "{\"channel\":\"push\",\"granted\":true}"),
        store);
    engine.apply(
        event(
            "e2",
            "2026-01-05T12:00:00Z",
            "attributes_set",
            "{\"attributes\":{\"email\":\"new@b.c\"}}"),
        store);
    engine.applyLate(
        event("t1", "2026-01-05T11:00:00Z", "push_token_registered", "{\"token\":\"old\"}"),
        store,
        NO_DATE_RULES_WATERMARK);
    engine.applyLate(
        event(
            "c1",
            "2026-01-05T09:00:00Z",
            "channel_consent_changed",
            "{\"channel\":\"push\",\"granted\":false}"),
        store,
        NO_DATE_RULES_WATERMARK);
    engine.applyLate(
        event(
            "e1",
            "2026-01-05T11:00:00Z",
            "attributes_set",
            "{\"attributes\":{\"email\":\"old@b.c\",\"country\":\"PL\"}}"),
        store,
        NO_DATE_RULES_WATERMARK);
    assertEquals("new", store.profile().getPushToken());
    assertEquals(true, store.profile().getConsent().get("push"));
    assertEquals("new@b.c", store.attribute("email"));
    assertEquals("PL", store.attribute("country"), "an attribute with no newer write is set");
    assertEquals(
        2L, store.profile().getEventCounts().get("attributes_set"), "late events count too");
  }

  @Test
  void aLateEventCountsAsSeenButStartsNoTrigger() {
    engine.apply(event("o", "2026-01-05T12:00:00Z", "app_opened", null), store);
    engine.applyLate(
        event("a", "2026-01-05T11:00:00Z", "cart_item_added", "{\"sku\":\"A\"}"),
        store,
        NO_DATE_RULES_WATERMARK);
    assertEquals(1L, store.profile().getEventCounts().get("cart_item_added"));
    assertNull(store.cart());
    assertNull(store.triggers());
  }

  @Test
  void anEntryWithoutDwellFiresEvenIfAnOutsideFixFollowsAtTheSameInstant() {
    Scenario s =
        new Scenario(
                "id: fence\nversion: 1\ntrigger:\n  kind: geofence_entered\n  fences: [{id: shop, lat: 52.0, lon: 21.0, radius_m: 100}]\n"
                    + "message: {channel: in_app, body: x}\n")
            .event("a", "2026-01-01T00:00:00Z", "location_updated", "{\"lat\":52.0,\"lon\":21.0}")
            .event("b", "2026-01-01T00:00:00Z", "location_updated", "{\"lat\":52.01,\"lon\":21.0}")
            .runToEnd();
    assertEquals(List.of("fence@2026-01-01T00:00:00Z"), s.sentRules());
  }
}
