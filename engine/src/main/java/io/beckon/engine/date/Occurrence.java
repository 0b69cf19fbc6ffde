package io.beckon.engine.date;

import io.beckon.engine.rules.Trigger;
import io.beckon.engine.time.Durations;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * One occurrence of a {@code date} trigger (contract section 8): its instant, the local date it was
 * computed for (calendar mode; null in instant mode) and its year (yearly; else null).
 */
public record Occurrence(long instant, LocalDate date, Integer year) {

  /** What identifies an occurrence (its send id): its year when yearly, else its instant. */
  public long identity() {
    return year != null ? year : instant;
  }

  /**
   * The earliest occurrence at or after {@code c} not already fired, or null when there is none or
   * the value does not fit the mode (instant mode needs an instant).
   *
   * @param zone the user's zone at {@code c} (calendar mode reads it)
   * @param fired yearly: the year of the last occurrence that fired for this rule and user; else
   *     null (nothing earlier than {@code c} fires again anyway)
   * @param fromYear yearly only: the first year to consider (after a cancelled occurrence, the next
   *     year's), or null
   */
  public static Occurrence next(
      Trigger.OnDate trigger, DateValue value, ZoneId zone, long c, Long fired, Integer fromYear) {
    if (!trigger.calendar()) {
      if (!(value instanceof DateValue.Moment moment)) {
        return null;
      }
      long at = moment.instant().toEpochMilli() + trigger.offset();
      return at < c ? null : new Occurrence(at, null, null);
    }
    LocalDate anchor = value.localDate(zone);
    long offsetDays = trigger.offset() / Durations.DAY;
    if (!trigger.yearly()) {
      LocalDate day = anchor.plusDays(offsetDays);
      long at = instantOf(day, trigger, zone);
      return at < c ? null : new Occurrence(at, day, null);
    }
    MonthDay birthday = MonthDay.from(anchor);
    // Years long before c cannot reach it: start two years (plus the offset's) before c's year.
    int cYear = Instant.ofEpochMilli(c).atZone(zone).getYear();
    int year = Math.max(anchor.getYear(), cYear - 2 - (int) (Math.abs(offsetDays) / 365));
    if (fired != null) {
      year = (int) Math.max(year, fired + 1);
    }
    if (fromYear != null) {
      year = Math.max(year, fromYear);
    }
    for (; ; year++) {
      // 29 February becomes 28 February in years without it (MonthDay.atYear does exactly that).
      LocalDate day = birthday.atYear(year).plusDays(offsetDays);
      long at = instantOf(day, trigger, zone);
      if (at >= c) {
        return new Occurrence(at, day, year);
      }
    }
  }

  /**
   * The contract's wall-time rule: a gap moves forward by its length, an overlap takes the first.
   */
  private static long instantOf(LocalDate day, Trigger.OnDate trigger, ZoneId zone) {
    return ZonedDateTime.of(day, trigger.at(), zone).toInstant().toEpochMilli();
  }
}
