package io.beckon.engine.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/**
 * {@code policies.yaml} (contract section 3): defaults across all rules.
 *
 * @param defaultTimezone the zone of users whose profile has no valid one; null means UTC
 * @param quietHours null when there are none (also when start equals end)
 * @param frequencyCaps sends per user in rolling windows, across rules that do not ignore caps
 */
public record Policies(
    ZoneId defaultTimezone, QuietHours quietHours, List<FrequencyCap> frequencyCaps) {
  public static final Policies NONE = new Policies(null, null, List.of());

  private static final Set<String> IANA_IDS = ZoneId.getAvailableZoneIds();

  /** At most {@code max} sent commands with fire_time in {@code (T - per, T]}. */
  public record FrequencyCap(int max, long per) {}

  /**
   * The user's zone: the profile's {@code timezone} when it is an IANA id (offsets such as {@code
   * +02:00} are not), else the default, else UTC.
   */
  public ZoneId zoneOf(Object profileTimezone) {
    if (profileTimezone instanceof String id && IANA_IDS.contains(id)) {
      return ZoneId.of(id);
    }
    return defaultTimezone != null ? defaultTimezone : ZoneOffset.UTC;
  }

  /** The longest cap window: how long cap history must be kept; 0 without caps. */
  public long longestCapWindow() {
    return frequencyCaps.stream().mapToLong(FrequencyCap::per).max().orElse(0);
  }

  /**
   * Quiet hours {@code [start, end)} in local time, crossing midnight when start is after end.
   *
   * <p>Each night of quiet hours is an interval of instants: from the local start on one day to the
   * next local end, each wall time resolved as {@code ZonedDateTime.of} does (a time in a DST gap
   * moves forward by the gap's length, one in an overlap takes the earlier offset). A fire inside
   * such an interval is deferred to its end, which is therefore always later than the fire, and the
   * end of quiet hours on a DST day is exactly the instant the contract's rule names.
   */
  public record QuietHours(LocalTime start, LocalTime end) {
    public QuietHours {
      if (start.equals(end)) {
        throw new IllegalArgumentException("quiet hours with start = end are none: use null");
      }
    }

    /**
     * Whether a wall time of day lies inside {@code [start, end)}, crossing midnight if need be.
     */
    public boolean contains(LocalTime time) {
      return start.isAfter(end)
          ? !time.isBefore(start) || time.isBefore(end)
          : !time.isBefore(start) && time.isBefore(end);
    }

    /** When a command fired at {@code fireTime} may be sent in zone {@code zone}. */
    public long sendAfter(long fireTime, ZoneId zone) {
      Instant fire = Instant.ofEpochMilli(fireTime);
      LocalDate day = fire.atZone(zone).toLocalDate();
      boolean overnight = start.isAfter(end);
      // The nights that can contain the fire start on the local day before it or on its day.
      for (LocalDate first = day.minusDays(1); !first.isAfter(day); first = first.plusDays(1)) {
        Instant from = ZonedDateTime.of(first, start, zone).toInstant();
        Instant to = ZonedDateTime.of(overnight ? first.plusDays(1) : first, end, zone).toInstant();
        if (!fire.isBefore(from) && fire.isBefore(to)) {
          return to.toEpochMilli();
        }
      }
      return fireTime;
    }
  }
}
