package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.time.Durations;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** profile.retention and the erasure marker's lifetime, without Flink. */
class ExpiryTest {
  /** These tests have no date rule: the watermark a late event re-arms them at is unused. */
  static final long NO_DATE_RULES_WATERMARK = Long.MAX_VALUE;

  static final long T0 = Instant.parse("2026-01-05T10:20:00Z").toEpochMilli();
  static final long H = Durations.HOUR;
  final UserEngine engine =
      new UserEngine(
          RuleSet.parse(
              Map.of(
                  "winback.yaml",
                  "id: winback\nversion: 1\ntrigger: {kind: inactivity, after: 10d}\n"
                      + "message: {channel: in_app, body: x}\n",
                  "welcome.yaml",
                  "id: welcome\nversion: 1\ntrigger: {kind: event, event: signed_up}\n"
                      + "reentry: {once: true}\nmessage: {channel: in_app, body: hi}\n")));
  final Expiry expiry = new Expiry(3 * Durations.DAY);
  final UserTimeline timeline = new UserTimeline(engine, expiry, "u");
  final InMemoryUserStore store = timeline.store();
  final List<String> sent = new ArrayList<>();
  final FireListener out =
      new FireListener() {
        @Override
        public void sent(SendCommand c) {
          sent.add(c.getRuleId() + "@" + c.getFireTime());
        }

        @Override
        public void suppressed(Suppression s) {}

        @Override
        public void converted(io.beckon.schema.Conversion c) {}

        @Override
        public void journey(io.beckon.schema.JourneyEvent e) {}
      };

  static UserEvent event(String id, long time, String type) {
    return new UserEvent(id, "u", type, time, Json.parseObject("{}"));
  }

  @Test
  void anIdleUserIsDroppedOnTheHourlyGridAfterRetentionAndComesBackAsNew() {
    timeline.add(event("s", T0, "signed_up"));
    timeline.runUntil(T0 + 3 * Durations.DAY, out);
    assertFalse(store.isEmpty(), "not before retention has passed");
    long check = expiry.wakeUp(store.profile(), store.triggers(), null);
    assertEquals(Instant.parse("2026-01-08T11:00:00Z").toEpochMilli(), check, "rounded up");
    timeline.runUntil(check, out);
    assertTrue(store.isEmpty(), "dropped: profile and the once-rule's history");
    assertNull(expiry.wakeUp(store.profile(), store.triggers(), store.erasure()));
    timeline.add(event("s2", check + H, "signed_up"));
    timeline.runUntil(check + H, out);
    assertEquals(2, sent.size(), "a new life: the once-rule welcomes the user again");
    assertEquals(1L, store.profile().getEventCounts().get("signed_up"));
  }

  @Test
  void aPendingFireKeepsTheUserUntilItIsTaken() {
    timeline.add(event("o", T0, "app_opened"));
    timeline.runUntil(T0 + 9 * Durations.DAY, out);
    assertNull(
        expiry.wakeUp(store.profile(), store.triggers(), null),
        "no retention check while the win-back fire is pending");
    assertFalse(store.isEmpty());
    timeline.runUntil(T0 + 10 * Durations.DAY, out);
    assertEquals(1, sent.size());
    assertTrue(store.isEmpty(), "dropped at the fire's instant, once nothing is pending");
  }

  @Test
  void anEventBeforeTheCheckKeepsTheUser() {
    timeline.add(event("a", T0, "page_viewed"));
    timeline.add(event("b", T0 + 2 * Durations.DAY, "page_viewed"));
    timeline.runUntil(T0 + 4 * Durations.DAY, out);
    assertEquals(2L, store.profile().getEventCounts().get("page_viewed"));
    timeline.runUntil(T0 + 6 * Durations.DAY, out);
    assertTrue(store.isEmpty());
  }

  @Test
  void theErasureMarkerIsForgottenSevenDaysAfterTheErasure() {
    Expiry noRetention = new Expiry(0);
    engine.apply(event("x", T0, "user_erased"), store);
    long forget = noRetention.wakeUp(store.profile(), store.triggers(), store.erasure());
    assertEquals(Expiry.grid(T0 + 7 * Durations.DAY), forget);
    noRetention.expire(forget - H, store);
    assertNotNull(store.erasure(), "kept for seven days");
    assertFalse(
        engine
            .applyLate(event("old", T0 - 1, "attributes_set"), store, NO_DATE_RULES_WATERMARK)
            .applied());
    noRetention.expire(forget, store);
    assertNull(store.erasure());
    assertNull(noRetention.wakeUp(store.profile(), store.triggers(), store.erasure()));
  }

  @Test
  void theMarkerOutlivesANewLifeButNotItsSevenDays() {
    Expiry noRetention = new Expiry(0);
    engine.apply(event("x", T0, "user_erased"), store);
    engine.apply(event("n", T0 + H, "page_viewed"), store);
    assertFalse(noRetention.expire(T0 + 8 * Durations.DAY, store));
    assertNull(store.erasure());
    assertNotNull(store.profile(), "the new life stays: retention is off");
  }

  @Test
  void retentionDropsAMarkerOnlyUserToo() {
    engine.apply(event("x", T0, "user_erased"), store);
    long check = expiry.wakeUp(store.profile(), store.triggers(), store.erasure());
    assertEquals(Expiry.grid(T0 + 3 * Durations.DAY), check, "retention comes before 7 days");
    assertTrue(expiry.expire(check, store));
    assertNull(store.erasure());
  }
}
