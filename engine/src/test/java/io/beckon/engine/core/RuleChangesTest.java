package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleParser;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a rule change does to pending triggers. */
class RuleChangesTest {
  static Rule cart(int version, String delay, boolean enabled) {
    return RuleParser.parse(
        "id: cart\nversion: "
            + version
            + "\nenabled: "
            + enabled
            + "\ntrigger: {kind: cart_abandoned, delay: "
            + delay
            + "}\nmessage: {channel: in_app, body: x}\n");
  }

  static Scenario armedCart() {
    return new Scenario(
            "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: in_app, body: x}\n")
        .event("a", "2026-01-05T10:00:00Z", "cart_item_added", "{\"sku\":\"A\"}")
        .runUntil("2026-01-05T10:30:00Z");
  }

  @Test
  void aShorterDelayReArmsFromTheArmingTime() {
    Scenario s = armedCart();
    var state = RuleChanges.apply(s.store.triggers(), cart(1, "2h", true), cart(2, "1h", true));
    assertEquals(
        Instant.parse("2026-01-05T11:00:00Z").toEpochMilli(),
        state.getPending().get(0).getDueTime());
  }

  @Test
  void aMessageOnlyChangeKeepsTheSchedule() {
    Scenario s = armedCart();
    var state = RuleChanges.apply(s.store.triggers(), cart(1, "2h", true), cart(2, "2h", true));
    assertEquals(
        Instant.parse("2026-01-05T12:00:00Z").toEpochMilli(),
        state.getPending().get(0).getDueTime());
  }

  @Test
  void disablingOrDeletingCancelsAndClears() {
    assertNull(
        RuleChanges.apply(armedCart().store.triggers(), cart(1, "2h", true), cart(2, "2h", false)));
    assertNull(RuleChanges.apply(armedCart().store.triggers(), cart(1, "2h", true), null));
  }

  @Test
  void aNewTriggerKindCancelsPendingFires() {
    Rule inactivity =
        RuleParser.parse(
            "id: cart\nversion: 2\ntrigger: {kind: inactivity, after: 1d}\nmessage: {channel: in_app, body: x}\n");
    assertNull(RuleChanges.apply(armedCart().store.triggers(), cart(1, "2h", true), inactivity));
  }

  @Test
  void otherRulesAreUntouched() {
    Scenario s = armedCart();
    Rule other =
        RuleParser.parse(
            "id: other\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 5m}\nmessage: {channel: in_app, body: x}\n");
    var state = RuleChanges.apply(s.store.triggers(), other, null);
    assertEquals(1, state.getPending().size());
    assertEquals("cart", state.getPending().get(0).getRuleId());
  }
}
