package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.rules.RuleLimits;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The trigger semantics of contract sections 3, 3b and 6, boundaries included. */
class TriggerSemanticsTest {
  static final String PUSH_READY = "{\"token\":\"tok-1\"}";

  static String cartRule(String extra) {
    return """
        id: cart-2h
        version: 3
        trigger: {kind: cart_abandoned, delay: 2h}
        message:
          channel: push
          title: "{{ first_name | default: 'Hi there' }}, your cart misses you"
          body: "{{ cart_units }} items worth {{ cart_value }} USD"
          variants:
            - when: {attribute: cart_value, op: gte, value: 200}
              body: "Free shipping on your {{ cart_value }} cart"
        """
        + extra;
  }

  static Scenario cart(String extra) {
    return new Scenario(cartRule(extra))
        .event("t", "2026-01-05T09:00:00Z", "push_token_registered", PUSH_READY);
  }

  @Nested
  class CartAbandoned {
    @Test
    void firesAtDelayAfterLastChangeWithRenderedMessage() {
      Scenario s =
          cart("")
              .event(
                  "e1",
                  "2026-01-05T10:00:00Z",
                  "cart_item_added",
                  "{\"sku\":\"A\",\"quantity\":2,\"price\":9.5}")
              .runToEnd();
      assertEquals(List.of("cart-2h@2026-01-05T12:00:00Z"), s.sentRules());
      var c = s.sent.get(0);
      assertEquals("Hi there, your cart misses you", c.getTitle());
      assertEquals("2 items worth 19.0 USD", c.getBody());
      assertEquals("push", c.getChannel());
      assertEquals("tok-1", c.getAddress());
      assertEquals(3, c.getRuleVersion());
      assertEquals("default", c.getVariant());
      assertEquals("2026-01-06T12:00:00Z", c.getExpiresAt().toString());
      assertEquals(
          "{\"cart_value\":19.0,\"cart_units\":2,\"cart_skus\":[\"A\"]}", c.getVariables());
    }

    @Test
    void laterChangeRearmsFromItsOwnTime() {
      Scenario s =
          cart("")
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .event(
                  "e2", "2026-01-05T11:00:00Z", "cart_item_added", "{\"sku\":\"B\",\"price\":250}")
              .runToEnd();
      assertEquals(List.of("cart-2h@2026-01-05T13:00:00Z"), s.sentRules());
      assertEquals("Free shipping on your 250.0 cart", s.sent.get(0).getBody());
    }

    @Test
    void eventExactlyAtDueTimeIsAppliedFirst() {
      Scenario cleared =
          cart("")
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .event("e2", "2026-01-05T12:00:00Z", "cart_cleared")
              .runToEnd();
      assertTrue(cleared.sent.isEmpty());
      assertTrue(cleared.suppressed.isEmpty());

      Scenario rearmed =
          cart("")
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .event("e2", "2026-01-05T12:00:00Z", "cart_item_added", "{\"sku\":\"B\"}")
              .runToEnd();
      assertEquals(List.of("cart-2h@2026-01-05T14:00:00Z"), rearmed.sentRules());
    }

    @Test
    void removalThatEmptiesTheCartDisarms() {
      Scenario s =
          cart("")
              .event(
                  "e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\",\"quantity\":2}")
              .event(
                  "e2",
                  "2026-01-05T10:30:00Z",
                  "cart_item_removed",
                  "{\"sku\":\"A\",\"quantity\":5}")
              .runToEnd();
      assertTrue(s.sent.isEmpty());
      assertNull(s.store.triggers(), "no trigger state is left behind");
      assertNull(s.store.cart());
    }

    @Test
    void partialRemovalRearmsAndRemovingUnknownSkuIsStillACartChange() {
      Scenario s =
          cart("")
              .event(
                  "e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\",\"quantity\":2}")
              .event(
                  "e2",
                  "2026-01-05T10:30:00Z",
                  "cart_item_removed",
                  "{\"sku\":\"A\",\"quantity\":1}")
              .event("e3", "2026-01-05T11:00:00Z", "cart_item_removed", "{\"sku\":\"ZZZ\"}")
              .runToEnd();
      assertEquals(List.of("cart-2h@2026-01-05T13:00:00Z"), s.sentRules());
      assertEquals("1 items worth 0.0 USD", s.sent.get(0).getBody());
    }

    @Test
    void firesOnceThenRearmsOnlyOnTheNextChange() {
      Scenario s =
          cart("")
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .event("e2", "2026-01-05T15:00:00Z", "app_opened")
              .event("e3", "2026-01-05T16:00:00Z", "cart_item_added", "{\"sku\":\"B\"}")
              .runToEnd();
      assertEquals(
          List.of("cart-2h@2026-01-05T12:00:00Z", "cart-2h@2026-01-05T18:00:00Z"), s.sentRules());
      assertTrue(!s.sent.get(0).getSendId().equals(s.sent.get(1).getSendId()));
    }

    @Test
    void firingConsumesTheArmingEvenWhenSuppressed() {
      Scenario s =
          new Scenario(cartRule("audience: {attribute: country, op: eq, value: PL}\n"))
              .event("t", "2026-01-05T09:00:00Z", "push_token_registered", PUSH_READY)
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .runToEnd();
      assertEquals(List.of("cart-2h@2026-01-05T12:00:00Z:audience"), s.suppressions());
      assertNull(s.store.triggers());
    }

    @Test
    void purchaseDisarms() {
      Scenario s =
          cart("")
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .event("e2", "2026-01-05T11:59:59Z", "purchase_completed", "{\"total\":3}")
              .runToEnd();
      assertTrue(s.sent.isEmpty());
    }
  }

  @Nested
  class Inactivity {
    static final String RULE =
        """
        id: winback-7d
        version: 1
        trigger: {kind: inactivity, after: 7d}
        message: {channel: in_app, body: "Away {{ inactive_days }} days"}
        """;

    @Test
    void userWithNoActivityEverIsNeverTargeted() {
      Scenario s =
          new Scenario(RULE)
              .event(
                  "e1",
                  "2026-01-01T00:00:00Z",
                  "attributes_set",
                  "{\"attributes\":{\"email\":\"a@b.c\"}}")
              .event("e2", "2026-01-02T00:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .runToEnd();
      assertTrue(s.sent.isEmpty());
      assertTrue(s.suppressed.isEmpty());
    }

    @Test
    void firesOncePerSpellFromTheLastActivity() {
      Scenario s =
          new Scenario(RULE)
              .event("e1", "2026-01-01T00:00:00Z", "app_opened")
              .event("e2", "2026-01-03T00:00:00Z", "app_opened")
              .event("e3", "2026-01-20T00:00:00Z", "app_opened")
              .runToEnd();
      assertEquals(
          List.of("winback-7d@2026-01-10T00:00:00Z", "winback-7d@2026-01-27T00:00:00Z"),
          s.sentRules());
      assertEquals("Away 7 days", s.sent.get(0).getBody());
      assertEquals("in_app", s.sent.get(0).getChannel());
      assertNull(s.sent.get(0).getAddress());
    }

    @Test
    void activityAtTheDueInstantPostponesTheFire() {
      Scenario s =
          new Scenario(RULE)
              .event("e1", "2026-01-01T00:00:00Z", "app_opened")
              .event("e2", "2026-01-08T00:00:00Z", "app_opened")
              .runToEnd();
      assertEquals(List.of("winback-7d@2026-01-15T00:00:00Z"), s.sentRules());
    }
  }

  @Nested
  class Geofence {
    // Circle of 100 m; a point 0.0009 deg of latitude north is ~100.08 m away (outside).
    static String rule(String extra) {
      return """
          id: store-visit
          version: 1
          trigger:
            kind: geofence_entered
            fences:
              - {id: store, lat: 52.0, lon: 21.0, radius_m: 100}
              - {id: square, polygon: [[10.0, 10.0], [10.0, 11.0], [11.0, 11.0], [11.0, 10.0]]}
          """
          + extra
          + """
          message: {channel: in_app, body: "Welcome to {{ fence_id }}"}
          """;
    }

    static String fix(double lat, double lon) {
      return "{\"lat\":" + lat + ",\"lon\":" + lon + "}";
    }

    @Test
    void pointOnPolygonEdgeAndVertexIsInside() {
      Scenario edge =
          new Scenario(rule(""))
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(10.0, 10.5))
              .runToEnd();
      assertEquals(List.of("store-visit@2026-01-01T00:00:00Z"), edge.sentRules());
      assertEquals("Welcome to square", edge.sent.get(0).getBody());
      Scenario vertex =
          new Scenario(rule(""))
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(11.0, 11.0))
              .runToEnd();
      assertEquals(1, vertex.sent.size());
      Scenario outside =
          new Scenario(rule(""))
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(11.0001, 11.0))
              .runToEnd();
      assertTrue(outside.sent.isEmpty());
    }

    @Test
    void pointOnCircleBoundaryIsInside() {
      // The fence radius equals the exact haversine distance of this point: it must count as
      // inside.
      double lat = 52.0 + 0.0008;
      double d = io.beckon.engine.geo.Fence.haversineMeters(52.0, 21.0, lat, 21.0);
      String boundaryRule = rule("").replace("radius_m: 100", "radius_m: " + d);
      Scenario s =
          new Scenario(boundaryRule)
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(lat, 21.0))
              .runToEnd();
      assertEquals(1, s.sent.size());
      assertEquals(
          d,
          (Double)
              io.beckon.engine.json.Json.parseObject(s.sent.get(0).getVariables())
                  .get("distance_m"),
          1e-6);
    }

    @Test
    void stayingInsideIsNoNewEntryButLeavingAndComingBackIs() {
      Scenario s =
          new Scenario(rule("  cooldown: 0s\n"))
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(52.0, 21.0))
              .event("e2", "2026-01-01T00:10:00Z", "location_updated", fix(52.0001, 21.0))
              .event("e3", "2026-01-01T00:20:00Z", "location_updated", fix(52.01, 21.0))
              .event("e4", "2026-01-01T00:30:00Z", "location_updated", fix(52.0, 21.0))
              .runToEnd();
      assertEquals(
          List.of("store-visit@2026-01-01T00:00:00Z", "store-visit@2026-01-01T00:30:00Z"),
          s.sentRules());
    }

    @Test
    void dwellFiresWhenNoOutsideFixCameInBetween() {
      Scenario s =
          new Scenario(rule("  dwell: 10m\n"))
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(52.0, 21.0))
              .event("e2", "2026-01-01T00:05:00Z", "location_updated", fix(52.0001, 21.0))
              .runToEnd();
      assertEquals(List.of("store-visit@2026-01-01T00:10:00Z"), s.sentRules());
    }

    @Test
    void dwellInterruptedByAnOutsideFixAtTheDueInstant() {
      Scenario s =
          new Scenario(rule("  dwell: 10m\n"))
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(52.0, 21.0))
              .event("e2", "2026-01-01T00:10:00Z", "location_updated", fix(52.01, 21.0))
              .runToEnd();
      assertTrue(s.sent.isEmpty());
      assertNull(s.store.triggers(), "an interrupted dwell leaves no state");
    }

    @Test
    void inaccurateFixesAreInvisibleAndEqualAccuracyIsAccepted() {
      Scenario s =
          new Scenario(rule("  max_accuracy_m: 50\n"))
              .event(
                  "e1",
                  "2026-01-01T00:00:00Z",
                  "location_updated",
                  "{\"lat\":52.0,\"lon\":21.0,\"accuracy_m\":50.5}")
              .runToEnd();
      assertTrue(s.sent.isEmpty());
      Scenario ok =
          new Scenario(rule("  max_accuracy_m: 50\n"))
              .event(
                  "e1",
                  "2026-01-01T00:00:00Z",
                  "location_updated",
                  "{\"lat\":52.0,\"lon\":21.0,\"accuracy_m\":50}")
              .runToEnd();
      assertEquals(1, ok.sent.size());
    }

    @Test
    void cooldownEdges() {
      // Entries at 0, 59m59s (blocked: no fire, no suppression), exactly 1h after the first fire
      // (fires).
      Scenario s =
          new Scenario(rule("  cooldown: 1h\n"))
              .event("e1", "2026-01-01T00:00:00Z", "location_updated", fix(52.0, 21.0))
              .event("e2", "2026-01-01T00:30:00Z", "location_updated", fix(52.01, 21.0))
              .event("e3", "2026-01-01T00:59:59Z", "location_updated", fix(52.0, 21.0))
              .event("e4", "2026-01-01T00:59:59.500Z", "location_updated", fix(52.01, 21.0))
              .event("e5", "2026-01-01T01:00:00Z", "location_updated", fix(52.0, 21.0))
              .runToEnd();
      assertEquals(
          List.of("store-visit@2026-01-01T00:00:00Z", "store-visit@2026-01-01T01:00:00Z"),
          s.sentRules());
      assertTrue(s.suppressed.isEmpty());
    }
  }

  @Nested
  class EventTrigger {
    static final String RULE =
        """
        id: welcome
        version: 2
        trigger: {kind: event, event: app_opened, where: {attribute: platform, op: eq, value: ios}}
        message: {channel: in_app, body: "Hello from {{ event.platform | upcase }}"}
        """;

    /**
     * A rendering past the limits is clipped, ends in "…" and is still sent; filters that multiply
     * a length (an empty-target replace, three times over a 4,000-character value) stop early.
     */
    @Test
    void renderedTextPastTheLimitsIsClippedAndStillSent() {
      String word = "ab".repeat(2000);
      String grow =
          "{{ event.w | replace: '', event.w | replace: '', event.w | replace: '', event.w }}";
      long start = System.nanoTime();
      Scenario s =
          new Scenario(
                  RULE.replace("where: {attribute: platform, op: eq, value: ios}", "")
                      .replace(
                          "body: \"Hello from {{ event.platform | upcase }}\"",
                          "title: \"" + grow + "\", body: \"" + "{{ event.w }}".repeat(20) + "\""))
              .event("b", "2026-01-01T00:00:00Z", "app_opened", "{\"w\":\"" + word + "\"}")
              .runToEnd();
      assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000, "rendered quickly");
      assertEquals(1, s.sent.size());
      String title = s.sent.get(0).getTitle();
      String body = s.sent.get(0).getBody();
      assertEquals(RuleLimits.RENDERED_TITLE_CHARS, title.length());
      assertEquals(RuleLimits.RENDERED_BODY_CHARS, body.length());
      assertTrue(title.endsWith("\u2026") && body.endsWith("\u2026"));
      assertEquals(
          word.repeat(20).substring(0, RuleLimits.RENDERED_BODY_CHARS - 1),
          body.substring(0, body.length() - 1));
    }

    @Test
    void immediateFireSeesEveryEventAtTheSameInstant() {
      Scenario s =
          new Scenario(
                  RULE.replace(
                      "Hello from {{ event.platform | upcase }}",
                      "Hello {{ first_name | default: 'friend' }} on {{ event.platform }}"))
              .event("b", "2026-01-01T00:00:00Z", "app_opened", "{\"platform\":\"ios\"}")
              .event(
                  "c",
                  "2026-01-01T00:00:00Z",
                  "attributes_set",
                  "{\"attributes\":{\"first_name\":\"Ana\"}}")
              .runToEnd();
      assertEquals(List.of("Hello Ana on ios"), s.sent.stream().map(c -> c.getBody()).toList());
    }

    @Test
    void whereFiltersOnEventProperties() {
      Scenario s =
          new Scenario(RULE)
              .event("a", "2026-01-01T00:00:00Z", "app_opened", "{\"platform\":\"android\"}")
              .event("b", "2026-01-01T01:00:00Z", "app_opened", "{\"platform\":\"ios\"}")
              .runToEnd();
      assertEquals(List.of("welcome@2026-01-01T01:00:00Z"), s.sentRules());
      assertEquals("Hello from IOS", s.sent.get(0).getBody());
    }

    @Test
    void delayedFiresAreIndependentAndExitOnCancelsAll() {
      String rule =
          """
          id: reorder
          version: 1
          trigger: {kind: event, event: purchase_completed, delay: 30d}
          exit_on: [purchase_completed, cart_cleared]
          message: {channel: in_app, body: "Time to reorder"}
          """;
      Scenario s =
          new Scenario(rule)
              .event("p1", "2026-01-01T00:00:00Z", "purchase_completed", "{\"total\":10}")
              .event("p2", "2026-01-10T00:00:00Z", "purchase_completed", "{\"total\":10}")
              .runToEnd();
      // The second purchase exits the first pending fire, then arms its own: repurchase restarts.
      assertEquals(List.of("reorder@2026-02-09T00:00:00Z"), s.sentRules());

      Scenario cancelled =
          new Scenario(rule)
              .event("p1", "2026-01-01T00:00:00Z", "purchase_completed", "{\"total\":10}")
              .event("x", "2026-01-31T00:00:00Z", "cart_cleared")
              .runToEnd();
      assertTrue(cancelled.sent.isEmpty());
      assertNull(cancelled.store.triggers());
    }
  }

  @Nested
  class FireChecks {
    @Test
    void missingAttributeFailsTheAudience() {
      Scenario s =
          cart("audience: {attribute: country, op: in, value: [PL, DE]}\n")
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .runToEnd();
      assertEquals(List.of("cart-2h@2026-01-05T12:00:00Z:audience"), s.suppressions());
    }

    @Test
    void reentryCooldownIsHalfOpenAndSuppressedFiresDoNotStartIt() {
      String rule =
          """
          id: ping
          version: 1
          trigger: {kind: event, event: ping}
          reentry: {cooldown: 1h}
          message: {channel: in_app, body: "pong"}
          """;
      Scenario s =
          new Scenario(rule)
              .event("a", "2026-01-01T00:00:00Z", "ping")
              .event("b", "2026-01-01T00:59:59Z", "ping")
              .event("c", "2026-01-01T01:00:00Z", "ping")
              .runToEnd();
      assertEquals(
          List.of("ping@2026-01-01T00:00:00Z", "ping@2026-01-01T01:00:00Z"), s.sentRules());
      assertEquals(List.of("ping@2026-01-01T00:59:59Z:reentry"), s.suppressions());
    }

    @Test
    void reentryOnceIsSilentForeverAfterTheFirstFire() {
      String rule =
          """
          id: ping
          version: 1
          trigger: {kind: event, event: ping}
          reentry: {once: true}
          message: {channel: in_app, body: "pong"}
          """;
      Scenario s =
          new Scenario(rule)
              .event("a", "2026-01-01T00:00:00Z", "ping")
              .event("b", "2027-01-01T00:00:00Z", "ping")
              .runToEnd();
      assertEquals(1, s.sent.size());
      // Contract v2: no suppression either; v1 wrote a reentry suppression for the second ping.
      assertEquals(List.of(), s.suppressions());
    }

    @Test
    void fallbackToEmailWhenPushConsentWithdrawnAndUnreachableWhenNothingIs() {
      String rule =
          """
          id: ping
          version: 1
          trigger: {kind: event, event: ping}
          message: {channel: push, fallback: [email, sms], body: "pong"}
          """;
      Scenario s =
          new Scenario(rule)
              .event("t", "2026-01-01T00:00:00Z", "push_token_registered", PUSH_READY)
              .event(
                  "u",
                  "2026-01-01T00:00:01Z",
                  "channel_consent_changed",
                  "{\"channel\":\"push\",\"granted\":false}")
              .event(
                  "v",
                  "2026-01-01T00:00:02Z",
                  "attributes_set",
                  "{\"attributes\":{\"email\":\"ana@example.com\",\"phone\":\"\"}}")
              .event("a", "2026-01-01T01:00:00Z", "ping")
              .event(
                  "w",
                  "2026-01-01T02:00:00Z",
                  "attributes_set",
                  "{\"attributes\":{\"email\":null}}")
              .event("b", "2026-01-01T03:00:00Z", "ping")
              .runToEnd();
      assertEquals("email", s.sent.get(0).getChannel());
      assertEquals("ana@example.com", s.sent.get(0).getAddress());
      assertEquals(List.of("ping@2026-01-01T03:00:00Z:unreachable"), s.suppressions());
    }

    @Test
    void firesAtOneInstantGoByPriorityThenId() {
      String low =
          "id: b-low\nversion: 1\npriority: 1\ntrigger: {kind: event, event: ping}\nmessage: {channel: in_app, body: x}\n";
      String high =
          "id: c-high\nversion: 1\npriority: 5\ntrigger: {kind: event, event: ping}\nmessage: {channel: in_app, body: x}\n";
      String tie =
          "id: a-low\nversion: 1\npriority: 1\ntrigger: {kind: event, event: ping}\nmessage: {channel: in_app, body: x}\n";
      Scenario s =
          new Scenario(low, high, tie).event("a", "2026-01-01T00:00:00Z", "ping").runToEnd();
      assertEquals(
          List.of(
              "c-high@2026-01-01T00:00:00Z",
              "a-low@2026-01-01T00:00:00Z",
              "b-low@2026-01-01T00:00:00Z"),
          s.sentRules());
    }
  }

  @Nested
  class DuplicatesAndErasure {
    static final String RULE =
        "id: ping\nversion: 1\ntrigger: {kind: event, event: ping}\nmessage: {channel: in_app, body: x}\n";

    @Test
    void duplicateWithin24hHasNoEffectAndAfter24hIsNew() {
      Scenario s =
          new Scenario(RULE)
              .event("same", "2026-01-01T00:00:00Z", "ping")
              .event("same", "2026-01-02T00:00:00Z", "ping")
              .event("same", "2026-01-03T00:00:00.001Z", "ping")
              .runToEnd();
      assertEquals(
          List.of("ping@2026-01-01T00:00:00Z", "ping@2026-01-03T00:00:00.001Z"), s.sentRules());
      assertEquals(2L, s.store.profile().getEventCounts().get("ping"));
    }

    @Test
    void erasureForgetsEverythingAndLaterEventsStartANewLife() {
      String rule = TriggerSemanticsTest.cartRule("");
      Scenario erased =
          new Scenario(rule)
              .event("t", "2026-01-05T09:00:00Z", "push_token_registered", PUSH_READY)
              .event("e1", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
              .event("x", "2026-01-05T11:00:00Z", "user_erased")
              .runToEnd();
      assertTrue(erased.store.isEmpty());
      assertTrue(erased.sent.isEmpty() && erased.suppressed.isEmpty());

      // At the erasure instant, "a" sorts before "x" (erased with the rest), "y" after it (new
      // life).
      Scenario reborn =
          new Scenario(rule)
              .event("t", "2026-01-05T09:00:00Z", "push_token_registered", PUSH_READY)
              .event(
                  "a",
                  "2026-01-05T11:00:00Z",
                  "attributes_set",
                  "{\"attributes\":{\"country\":\"PL\"}}")
              .event("x", "2026-01-05T11:00:00Z", "user_erased")
              .event("y", "2026-01-05T11:00:00Z", "cart_item_added", "{\"sku\":\"B\"}")
              .runToEnd();
      assertEquals(List.of("cart-2h@2026-01-05T13:00:00Z:unreachable"), reborn.suppressions());
      assertNull(reborn.store.attribute("country"));
    }
  }
}
