package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frequency caps (contract sections 3b and 6): rolling half-open windows across rules. */
class FrequencyCapTest {
  static final String PING =
      """
      id: ping
      version: 1
      trigger: {kind: event, event: ping}
      message: {channel: in_app, body: "pong"}
      """;

  static String rule(String id, int priority, String event, String extra) {
    return "id: "
        + id
        + "\nversion: 1\npriority: "
        + priority
        + "\ntrigger: {kind: event, event: "
        + event
        + "}\nmessage: {channel: in_app, body: x}\n"
        + extra;
  }

  @Test
  void twoCapsAtTheirWindowEdges() {
    Scenario s =
        Scenario.withPolicies(
                "frequency_caps:\n  - {max: 2, per: 1h}\n  - {max: 3, per: 1d}\n", PING)
            .event("a", "2026-01-01T00:00:00Z", "ping") // sent
            .event("b", "2026-01-01T00:30:00Z", "ping") // sent
            .event("c", "2026-01-01T00:59:59.999Z", "ping") // 2 in (23:59:59.999, now]: capped
            .event("d", "2026-01-01T01:00:00Z", "ping") // 00:00 is out of (00:00, 01:00]: sent
            .event("e", "2026-01-01T01:45:00Z", "ping") // hour: 1; day: 3 -> capped
            .event("f", "2026-01-02T00:00:00Z", "ping") // day window drops 00:00: 2 -> sent
            .runToEnd();
    assertEquals(
        List.of(
            "ping@2026-01-01T00:00:00Z",
            "ping@2026-01-01T00:30:00Z",
            "ping@2026-01-01T01:00:00Z",
            "ping@2026-01-02T00:00:00Z"),
        s.sentRules());
    assertEquals(
        List.of(
            "ping@2026-01-01T00:59:59.999Z:frequency_cap",
            "ping@2026-01-01T01:45:00Z:frequency_cap"),
        s.suppressions());
  }

  @Test
  void rulesThatIgnoreCapsNeitherCountNorAreCounted() {
    Scenario s =
        Scenario.withPolicies(
                "frequency_caps: [{max: 1, per: 1h}]\n",
                PING,
                rule("receipt", 0, "purchase", "policies: {frequency_caps: ignore}\n"))
            .event("a", "2026-01-01T00:00:00Z", "ping") // sent, spends the cap
            .event("b", "2026-01-01T00:10:00Z", "purchase") // sent although the cap is spent
            .event("c", "2026-01-01T00:20:00Z", "purchase") // and again
            .event("d", "2026-01-01T01:00:00Z", "ping") // only the ping at 00:00 counted: sent
            .event("e", "2026-01-01T01:05:00Z", "ping") // capped by the ping at 01:00
            .runToEnd();
    assertEquals(
        List.of(
            "ping@2026-01-01T00:00:00Z",
            "receipt@2026-01-01T00:10:00Z",
            "receipt@2026-01-01T00:20:00Z",
            "ping@2026-01-01T01:00:00Z"),
        s.sentRules());
    assertEquals(List.of("ping@2026-01-01T01:05:00Z:frequency_cap"), s.suppressions());
  }

  @Test
  void simultaneousFiresSpendTheCapByPriorityThenId() {
    Scenario s =
        Scenario.withPolicies(
                "frequency_caps: [{max: 1, per: 1h}]\n",
                rule("promo", 0, "x", ""),
                rule("urgent", 10, "x", ""),
                rule("bbb", 0, "y", ""),
                rule("aaa", 0, "y", ""))
            .event("a", "2026-01-01T00:00:00Z", "x")
            .event("b", "2026-01-01T05:00:00Z", "y")
            .runToEnd();
    assertEquals(List.of("urgent@2026-01-01T00:00:00Z", "aaa@2026-01-01T05:00:00Z"), s.sentRules());
    assertEquals(
        List.of(
            "promo@2026-01-01T00:00:00Z:frequency_cap", "bbb@2026-01-01T05:00:00Z:frequency_cap"),
        s.suppressions());
  }

  @Test
  void holdoutAndOtherSuppressionsDoNotSpendTheCap() {
    // welcome-first-open's bucket for u-1 is 2556 (experiments/buckets.tsv): holdout at 30%.
    Scenario s =
        Scenario.withPolicies(
                "frequency_caps: [{max: 1, per: 1d}]\n",
                rule("welcome-first-open", 5, "x", "experiment: {holdout_pct: 30}\n"),
                rule("vip-only", 4, "x", "audience: {attribute: vip, op: eq, value: true}\n"),
                PING)
            .event("a", "2026-01-01T00:00:00Z", "x")
            .event("b", "2026-01-01T00:00:01Z", "ping")
            .runToEnd();
    assertEquals(List.of("ping@2026-01-01T00:00:01Z"), s.sentRules());
    assertEquals(
        List.of(
            "welcome-first-open@2026-01-01T00:00:00Z:holdout",
            "vip-only@2026-01-01T00:00:00Z:audience"),
        s.suppressions());
  }

  @Test
  void capHistoryLeavesStateWhenTheLongestWindowHasPassed() {
    Scenario s =
        Scenario.withPolicies(
                "frequency_caps:\n  - {max: 5, per: 1h}\n  - {max: 9, per: 2h}\n", PING)
            .event("a", "2026-01-01T00:00:00Z", "ping")
            .event("b", "2026-01-01T00:30:00Z", "ping");
    s.runUntil("2026-01-01T02:29:59.999Z");
    assertEquals(
        List.of(Instant.parse("2026-01-01T00:30:00Z").toEpochMilli()),
        s.store.triggers().getCapHistory());
    assertEquals(
        Instant.parse("2026-01-01T02:30:00Z").toEpochMilli(),
        s.timeline.nextWakeUp(),
        "the user wakes up when the last send leaves the longest window");
    s.runUntil("2026-01-01T02:30:00Z");
    assertNull(s.store.triggers(), "nothing left: no cap history, no trigger state");
  }
}
