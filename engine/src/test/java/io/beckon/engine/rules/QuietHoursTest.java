package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Quiet hours (contract section 6): {@code [start, end)} in local time, {@code send_after} the next
 * local end, DST gaps moving a wall time forward by the gap, overlaps taking the earlier offset.
 * Every expected instant below was worked out by hand from the zones' offsets, written in UTC.
 */
class QuietHoursTest {
  static final ZoneId WARSAW = ZoneId.of("Europe/Warsaw");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  static Policies.QuietHours quiet(String start, String end) {
    return new Policies.QuietHours(LocalTime.parse(start), LocalTime.parse(end));
  }

  static String sendAfter(Policies.QuietHours q, String fireUtc, ZoneId zone) {
    return Instant.ofEpochMilli(q.sendAfter(Instant.parse(fireUtc).toEpochMilli(), zone))
        .toString();
  }

  @Nested
  class AcrossMidnight {
    final Policies.QuietHours night = quiet("22:00", "08:00");

    @Test
    void aFireInsideWaitsForTheNextLocalEnd() {
      // Warsaw in January is UTC+1: 22:30 local = 21:30Z; 08:00 next day local = 07:00Z.
      assertEquals("2026-01-11T07:00:00Z", sendAfter(night, "2026-01-10T21:30:00Z", WARSAW));
      // 03:00 local (02:00Z) is inside the night that started the day before.
      assertEquals("2026-01-11T07:00:00Z", sendAfter(night, "2026-01-11T02:00:00Z", WARSAW));
    }

    @Test
    void startIsInsideAndEndIsOutside() {
      assertEquals("2026-01-11T07:00:00Z", sendAfter(night, "2026-01-10T21:00:00Z", WARSAW));
      assertEquals("2026-01-10T20:59:59Z", sendAfter(night, "2026-01-10T20:59:59Z", WARSAW));
      assertEquals("2026-01-11T07:00:00Z", sendAfter(night, "2026-01-11T07:00:00Z", WARSAW));
      // The last millisecond before the end is still quiet.
      assertEquals("2026-01-11T07:00:00Z", sendAfter(night, "2026-01-11T06:59:59.999Z", WARSAW));
    }

    @Test
    void aWindowWithinOneDay() {
      Policies.QuietHours siesta = quiet("13:00", "15:00");
      assertEquals("2026-01-10T14:00:00Z", sendAfter(siesta, "2026-01-10T12:00:00Z", WARSAW));
      assertEquals("2026-01-10T11:59:00Z", sendAfter(siesta, "2026-01-10T11:59:00Z", WARSAW));
      assertEquals("2026-01-10T14:00:00Z", sendAfter(siesta, "2026-01-10T14:00:00Z", WARSAW));
    }
  }

  @Nested
  class DstInWarsaw {
    // 2026-03-29 02:00 CET (UTC+1) -> 03:00 CEST (UTC+2); 2026-10-25 03:00 CEST -> 02:00 CET.
    @Test
    void springForwardNight() {
      // 23:00 CET = 22:00Z; the end 08:00 CEST = 06:00Z: the night is an hour shorter.
      assertEquals(
          "2026-03-29T06:00:00Z",
          sendAfter(quiet("22:00", "08:00"), "2026-03-28T22:00:00Z", WARSAW));
    }

    @Test
    void fallBackNight() {
      // 23:00 CEST = 21:00Z; the end 08:00 CET = 07:00Z: the night is an hour longer.
      assertEquals(
          "2026-10-25T07:00:00Z",
          sendAfter(quiet("22:00", "08:00"), "2026-10-24T21:00:00Z", WARSAW));
    }

    @Test
    void anEndInsideTheGapMovesForwardByTheGap() {
      Policies.QuietHours q = quiet("22:00", "02:30");
      // 02:30 does not exist on 2026-03-29: it becomes 03:30 CEST = 01:30Z.
      assertEquals("2026-03-29T01:30:00Z", sendAfter(q, "2026-03-28T22:00:00Z", WARSAW));
      // 03:10 CEST (01:10Z) is still before that end, so still quiet ...
      assertEquals("2026-03-29T01:30:00Z", sendAfter(q, "2026-03-29T01:10:00Z", WARSAW));
      // ... and 03:30 CEST itself is the end: not quiet.
      assertEquals("2026-03-29T01:30:00Z", sendAfter(q, "2026-03-29T01:30:00Z", WARSAW));
      assertEquals("2026-03-29T01:31:00Z", sendAfter(q, "2026-03-29T01:31:00Z", WARSAW));
    }

    @Test
    void anEndInsideTheOverlapIsItsFirstOccurrence() {
      Policies.QuietHours q = quiet("22:00", "02:30");
      // 02:30 happens twice on 2026-10-25; the first (CEST) is 00:30Z.
      assertEquals("2026-10-25T00:30:00Z", sendAfter(q, "2026-10-24T21:00:00Z", WARSAW));
      // 02:10 of the second pass (CET) is 01:10Z, after the night ended: sent at once.
      assertEquals("2026-10-25T01:10:00Z", sendAfter(q, "2026-10-25T01:10:00Z", WARSAW));
    }
  }

  @Nested
  class DstInNewYork {
    // 2026-03-08 02:00 EST (UTC-5) -> 03:00 EDT (UTC-4); 2026-11-01 02:00 EDT -> 01:00 EST.
    @Test
    void springForwardNight() {
      // 23:00 EST = 04:00Z; 08:00 EDT = 12:00Z.
      assertEquals(
          "2026-03-08T12:00:00Z",
          sendAfter(quiet("22:00", "08:00"), "2026-03-08T04:00:00Z", NEW_YORK));
    }

    @Test
    void aStartInsideTheGapMovesForwardToo() {
      Policies.QuietHours q = quiet("02:30", "06:00");
      // The start 02:30 becomes 03:30 EDT = 07:30Z: 03:10 EDT (07:10Z) is not quiet.
      assertEquals("2026-03-08T07:10:00Z", sendAfter(q, "2026-03-08T07:10:00Z", NEW_YORK));
      // 03:45 EDT (07:45Z) is; the end 06:00 EDT is 10:00Z.
      assertEquals("2026-03-08T10:00:00Z", sendAfter(q, "2026-03-08T07:45:00Z", NEW_YORK));
    }

    @Test
    void fallBackNight() {
      // 23:00 EDT = 03:00Z; 08:00 EST = 13:00Z.
      assertEquals(
          "2026-11-01T13:00:00Z",
          sendAfter(quiet("22:00", "08:00"), "2026-11-01T03:00:00Z", NEW_YORK));
    }

    @Test
    void anEndInsideTheOverlap() {
      Policies.QuietHours q = quiet("22:00", "01:30");
      // 01:30 EDT (first occurrence) = 05:30Z.
      assertEquals("2026-11-01T05:30:00Z", sendAfter(q, "2026-11-01T03:00:00Z", NEW_YORK));
      // 01:15 EST (second pass) = 06:15Z: the night is over.
      assertEquals("2026-11-01T06:15:00Z", sendAfter(q, "2026-11-01T06:15:00Z", NEW_YORK));
    }
  }

  @Nested
  class WhichZone {
    final Policies warsawDefault =
        new Policies(WARSAW, quiet("22:00", "08:00"), java.util.List.of());
    final Policies noDefault = new Policies(null, quiet("22:00", "08:00"), java.util.List.of());

    @Test
    void theUsersOwnZoneWins() {
      assertEquals(ZoneId.of("Asia/Tokyo"), warsawDefault.zoneOf("Asia/Tokyo"));
      // 23:30 in Tokyo (UTC+9) = 14:30Z: deferred to 08:00 Tokyo = 23:00Z, though in Warsaw
      // it is mid-afternoon.
      assertEquals(
          "2026-01-10T23:00:00Z",
          sendAfter(
              warsawDefault.quietHours(),
              "2026-01-10T14:30:00Z",
              warsawDefault.zoneOf("Asia/Tokyo")));
    }

    @Test
    void anInvalidOrNonIanaZoneFallsBackToTheDefault() {
      assertEquals(WARSAW, warsawDefault.zoneOf("Mars/Olympus_Mons"));
      assertEquals(WARSAW, warsawDefault.zoneOf("+02:00"));
      assertEquals(WARSAW, warsawDefault.zoneOf(null));
      assertEquals(WARSAW, warsawDefault.zoneOf(42L));
    }

    @Test
    void withNeitherItIsUtc() {
      assertEquals(ZoneOffset.UTC, noDefault.zoneOf(null));
      assertEquals(
          "2026-01-11T08:00:00Z",
          sendAfter(noDefault.quietHours(), "2026-01-10T23:00:00Z", noDefault.zoneOf("bogus")));
    }
  }

  @Test
  void startEqualToEndMeansNone() {
    assertNull(
        PoliciesParser.parse("quiet_hours: {start: \"10:00\", end: \"10:00\"}\n").quietHours());
  }
}
