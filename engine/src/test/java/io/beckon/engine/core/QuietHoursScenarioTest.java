package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Quiet hours in commands: deferred through send_after, never dropped; expires_at follows. */
class QuietHoursScenarioTest {
  static final String POLICIES =
      "default_timezone: Europe/Warsaw\nquiet_hours: {start: \"22:00\", end: \"08:00\"}\n";

  static String rule(String id, String extra) {
    return "id: "
        + id
        + "\nversion: 1\ntrigger: {kind: event, event: ping}\n"
        + "expire_after: 2h\nmessage: {channel: in_app, body: x}\n"
        + extra;
  }

  @Test
  void theUsersZoneThenTheDefault() {
    Scenario s =
        Scenario.withPolicies(POLICIES, rule("ping", ""))
            // Warsaw by default: 23:00 CET = 22:00Z, deferred to 08:00 CET = 07:00Z.
            .event("a", "2026-01-10T22:00:00Z", "ping")
            .event("b", "2026-01-11T09:00:00Z", "app_opened", "{\"timezone\":\"America/New_York\"}")
            // New York from now on: 22:30 EST = 03:30Z, deferred to 08:00 EST = 13:00Z.
            .event("c", "2026-01-12T03:30:00Z", "ping")
            .runToEnd();
    assertEquals("2026-01-11T07:00:00Z", s.sent.get(0).getSendAfter().toString());
    assertEquals("2026-01-11T09:00:00Z", s.sent.get(0).getExpiresAt().toString());
    assertEquals("2026-01-12T13:00:00Z", s.sent.get(1).getSendAfter().toString());
    assertEquals("2026-01-12T03:30:00Z", s.sent.get(1).getFireTime().toString());
  }

  @Test
  void aTransactionalRuleIgnoresThem() {
    Scenario s =
        Scenario.withPolicies(POLICIES, rule("receipt", "policies: {quiet_hours: ignore}\n"))
            .event("a", "2026-01-10T22:00:00Z", "ping")
            .runToEnd();
    assertEquals("2026-01-10T22:00:00Z", s.sent.get(0).getSendAfter().toString());
    assertEquals("2026-01-11T00:00:00Z", s.sent.get(0).getExpiresAt().toString());
  }

  @Test
  void withoutPoliciesSendAfterIsTheFireTime() {
    Scenario s =
        new Scenario(rule("ping", "")).event("a", "2026-01-10T22:00:00Z", "ping").runToEnd();
    assertEquals("2026-01-10T22:00:00Z", s.sent.get(0).getSendAfter().toString());
  }
}
