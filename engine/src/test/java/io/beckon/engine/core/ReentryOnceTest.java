package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code reentry: {once: true}}, contract v2 (section 3b): after the first sent or holdout fire the
 * rule does not fire for the user again at all; before it, fires are evaluated as usual.
 */
class ReentryOnceTest {
  static String once(String trigger, String extra) {
    return "id: welcome-first-open\nversion: 1\ntrigger: "
        + trigger
        + "\nreentry: {once: true}\nmessage: {channel: in_app, body: hi}\n"
        + extra;
  }

  @Test
  void laterTriggersLeaveNoTraceAtAll() {
    Scenario s =
        new Scenario(once("{kind: event, event: app_opened}", ""))
            .event("a", "2026-01-01T00:00:00Z", "app_opened")
            .event("b", "2026-01-02T00:00:00Z", "app_opened")
            .event("c", "2027-01-02T00:00:00Z", "app_opened")
            .runToEnd();
    assertEquals(List.of("welcome-first-open@2026-01-01T00:00:00Z"), s.sentRules());
    assertEquals(List.of(), s.suppressions());
    assertEquals(0, s.store.triggers().getPending().size(), "no pending fire either");
  }

  @Test
  void aFireDueAtTheSameInstantAfterTheFirstOneIsSilent() {
    Scenario s =
        new Scenario(once("{kind: event, event: ping, delay: 1h}", ""))
            .event("a", "2026-01-01T00:00:00Z", "ping")
            .event("b", "2026-01-01T00:00:00Z", "ping")
            .event("c", "2026-01-01T00:10:00Z", "ping")
            .runToEnd();
    assertEquals(List.of("welcome-first-open@2026-01-01T01:00:00Z"), s.sentRules());
    assertEquals(List.of(), s.suppressions());
  }

  @Test
  void suppressedFiresBeforeTheFirstCountedOneAreEvaluatedAsUsual() {
    Scenario s =
        new Scenario(
                once(
                    "{kind: event, event: app_opened}",
                    "audience: {attribute: vip, op: eq, value: true}\n"))
            .event("a", "2026-01-01T00:00:00Z", "app_opened")
            .event("b", "2026-01-01T01:00:00Z", "attributes_set", "{\"attributes\":{\"vip\":true}}")
            .event("c", "2026-01-01T02:00:00Z", "app_opened")
            .event("d", "2026-01-01T03:00:00Z", "app_opened")
            .runToEnd();
    assertEquals(List.of("welcome-first-open@2026-01-01T00:00:00Z:audience"), s.suppressions());
    assertEquals(List.of("welcome-first-open@2026-01-01T02:00:00Z"), s.sentRules());
  }

  @Test
  void aHoldoutFireCountsAsTheOnlyFire() {
    // welcome-first-open: bucket 2556 for u-1, so holdout at 30%.
    Scenario s =
        new Scenario(once("{kind: event, event: app_opened}", "experiment: {holdout_pct: 30}\n"))
            .event("a", "2026-01-01T00:00:00Z", "app_opened")
            .event("b", "2026-01-02T00:00:00Z", "app_opened")
            .runToEnd();
    assertEquals(List.of(), s.sentRules());
    assertEquals(List.of("welcome-first-open@2026-01-01T00:00:00Z:holdout"), s.suppressions());
  }
}
