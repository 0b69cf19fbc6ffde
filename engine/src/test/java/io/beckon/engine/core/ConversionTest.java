package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beckon.schema.Conversion;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Conversions (contract section 5): the first matching event later than a sent or holdout fire and
 * at most {@code within} after it; one per fire; the window leaves state when it closes.
 */
class ConversionTest {
  /** Rule ids chosen by their buckets for u-1 in experiments/buckets.tsv. */
  static String promo(String id, String experiment) {
    return "id: "
        + id
        + "\nversion: 1\ntrigger: {kind: event, event: browse}\n"
        + "message: {channel: in_app, title: base, body: base}\n"
        + "conversion: {event: purchase_completed, within: 1d}\n"
        + experiment;
  }

  @Test
  void theWindowIsAfterTheFireAndIncludesItsLastInstant() {
    Scenario s =
        new Scenario(promo("promo", ""))
            .event("f1", "2026-01-01T00:00:00Z", "browse")
            // at the fire's own instant: applied before the fire, so not after it
            .event("p0", "2026-01-01T00:00:00Z", "purchase_completed", "{\"total\":5}")
            .event("f2", "2026-01-03T00:00:00Z", "browse")
            .event("p1", "2026-01-04T00:00:00Z", "purchase_completed", "{\"total\":7.5}")
            .event("f3", "2026-01-05T00:00:00Z", "browse")
            .event("p2", "2026-01-06T00:00:00.001Z", "purchase_completed")
            .runToEnd();
    assertEquals(
        List.of("promo/default@2026-01-03T00:00:00Z->2026-01-04T00:00:00Z"), s.conversions());
    Conversion c = s.converted.get(0);
    assertEquals(7.5, c.getTotal());
    assertEquals("u-1", c.getUserId());
    assertEquals(s.sent.get(1).getSendId(), c.getSendId(), "the converted fire's send id");
  }

  @Test
  void eachFireConvertsOnceAndOneEventConvertsEveryOpenWindow() {
    Scenario s =
        new Scenario(promo("promo", ""))
            .event("f1", "2026-01-01T00:00:00Z", "browse")
            .event("f2", "2026-01-01T01:00:00Z", "browse")
            .event("p1", "2026-01-01T02:00:00Z", "purchase_completed")
            .event("p2", "2026-01-01T03:00:00Z", "purchase_completed")
            .runToEnd();
    assertEquals(
        List.of(
            "promo/default@2026-01-01T00:00:00Z->2026-01-01T02:00:00Z",
            "promo/default@2026-01-01T01:00:00Z->2026-01-01T02:00:00Z"),
        s.conversions());
    assertNull(s.converted.get(0).getTotal(), "no total property");
  }

  @Test
  void holdoutFiresConvertUnderTheHoldoutGroup() {
    // welcome-first-open: bucket 2556 for u-1, so holdout at 30%.
    Scenario s =
        new Scenario(promo("welcome-first-open", "experiment: {holdout_pct: 30}\n"))
            .event("f1", "2026-01-01T00:00:00Z", "browse")
            .event("p1", "2026-01-01T12:00:00Z", "purchase_completed", "{\"total\":20}")
            .runToEnd();
    assertEquals(List.of(), s.sent);
    assertEquals(List.of("welcome-first-open@2026-01-01T00:00:00Z:holdout"), s.suppressions());
    assertEquals(
        List.of("welcome-first-open/holdout@2026-01-01T00:00:00Z->2026-01-01T12:00:00Z"),
        s.conversions());
    assertNotNull(s.converted.get(0).getSendId());
  }

  @Test
  void variantsAreAttributedAndCarryTheirOwnText() {
    // cart-abandonment-2h: bucket 8492 for u-1. holdout 10%, a and b halves of the rest:
    // a = [1000, 5500), b = [5500, 10000) -> b.
    Scenario s =
        new Scenario(
                promo(
                    "cart-abandonment-2h",
                    "experiment:\n  holdout_pct: 10\n  variants:\n"
                        + "    - {id: a, weight: 1}\n"
                        + "    - {id: b, weight: 1, body: \"variant b\"}\n"))
            .event("f1", "2026-01-01T00:00:00Z", "browse")
            .event("p1", "2026-01-01T00:00:01Z", "purchase_completed")
            .runToEnd();
    assertEquals("b", s.sent.get(0).getVariant());
    assertEquals("variant b", s.sent.get(0).getBody());
    assertEquals("base", s.sent.get(0).getTitle(), "no title of its own: the message's");
    assertEquals(
        List.of("cart-abandonment-2h/b@2026-01-01T00:00:00Z->2026-01-01T00:00:01Z"),
        s.conversions());
  }

  @Test
  void aConversionWhereFiltersTheEventsProperties() {
    Scenario s =
        new Scenario(
                "id: promo\nversion: 1\ntrigger: {kind: event, event: browse}\n"
                    + "message: {channel: in_app, body: x}\n"
                    + "conversion:\n  event: purchase_completed\n  within: 2h\n"
                    + "  where: {attribute: total, op: gte, value: 50}\n")
            .event("f1", "2026-01-01T00:00:00Z", "browse")
            .event("p1", "2026-01-01T00:10:00Z", "purchase_completed", "{\"total\":49.99}")
            .event("p2", "2026-01-01T00:20:00Z", "purchase_completed", "{\"total\":50}")
            .runToEnd();
    assertEquals(
        List.of("promo/default@2026-01-01T00:00:00Z->2026-01-01T00:20:00Z"), s.conversions());
  }

  @Test
  void suppressedFiresOpenNoWindow() {
    Scenario s =
        new Scenario(promo("promo", "audience: {attribute: vip, op: eq, value: true}\n"))
            .event("f1", "2026-01-01T00:00:00Z", "browse")
            .event("p1", "2026-01-01T01:00:00Z", "purchase_completed")
            .runToEnd();
    assertEquals(List.of("promo@2026-01-01T00:00:00Z:audience"), s.suppressions());
    assertEquals(List.of(), s.conversions());
  }

  @Test
  void anOpenWindowLeavesStateWhenItCloses() {
    Scenario s = new Scenario(promo("promo", "")).event("f1", "2026-01-01T00:00:00Z", "browse");
    s.runUntil("2026-01-01T23:59:59.999Z");
    assertEquals(1, s.store.triggers().getConversions().size());
    assertEquals(
        java.time.Instant.parse("2026-01-02T00:00:00Z").toEpochMilli(), s.timeline.nextWakeUp());
    s.runUntil("2026-01-02T00:00:00Z");
    assertNull(s.store.triggers(), "the closed window was the last thing kept");
    assertEquals(
        java.time.Instant.parse("2026-01-02T01:00:00Z").toEpochMilli(),
        s.timeline.nextWakeUp(),
        "only the dedup memory of f1 is left, forgotten on the next grid hour");
  }

  @Test
  void openWindowsPerRuleAreBoundedTheOldestClosingFirst() {
    Scenario s = new Scenario(promo("promo", ""));
    long start = java.time.Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    int fires = Limits.OPEN_CONVERSIONS_PER_RULE + 2;
    for (int i = 0; i < fires; i++) {
      s.event("b" + i, java.time.Instant.ofEpochMilli(start + i * 1000L).toString(), "browse");
    }
    s.event("p", "2026-01-01T01:00:00Z", "purchase_completed").runToEnd();
    assertEquals(fires, s.sent.size());
    assertEquals(Limits.OPEN_CONVERSIONS_PER_RULE, s.converted.size());
    assertEquals(
        "2026-01-01T00:00:02Z",
        s.converted.get(0).getFireTime().toString(),
        "the two oldest windows were closed to make room");
  }
}
