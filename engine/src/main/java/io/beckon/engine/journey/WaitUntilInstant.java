package io.beckon.engine.journey;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When a {@code wait_until} step completes (contract section 7): the first instant at or after the
 * step was reached that its local time gives on an allowed local date, one instant per date, by the
 * wall-time rule of section 6 (a time in a gap moves forward by the gap's length, a time in an
 * overlap takes its first occurrence: exactly {@link ZonedDateTime#of}).
 */
public final class WaitUntilInstant {
  private WaitUntilInstant() {}

  /** The completion instant of {@code step} reached at {@code reached}, in zone {@code zone}. */
  public static long next(Step.WaitUntil step, ZoneId zone, long reached) {
    // From the local date before the one reached on: a gap across midnight can move that date's
    // time past midnight, to or after `reached` (America/Nuuk's 23:00 -> 00:00). A week and two
    // days later every weekday has come round, even when the first dates' instants came too early.
    LocalDate day = Instant.ofEpochMilli(reached).atZone(zone).toLocalDate().minusDays(1);
    for (int i = 0; i <= 9; i++, day = day.plusDays(1)) {
      if (!step.days().contains(day.getDayOfWeek())) {
        continue;
      }
      long at = ZonedDateTime.of(day, step.localTime(), zone).toInstant().toEpochMilli();
      if (at >= reached) {
        return at;
      }
    }
    throw new IllegalStateException("no allowed day within 9 days: " + step.days());
  }
}
