package io.beckon.engine.date;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.regex.Pattern;

/**
 * A profile value as a {@code date} trigger reads it (contract section 8): a calendar day, an
 * instant, or nothing usable. Parsing is strict: only {@code YYYY-MM-DD} naming a real day, or an
 * RFC 3339 date-time with {@code Z} or a numeric offset; computed timestamps are instants.
 */
public sealed interface DateValue {
  /** A calendar day ({@code 1990-03-15}). */
  record Day(LocalDate date) implements DateValue {
    @Override
    public LocalDate localDate(ZoneId zone) {
      return date;
    }
  }

  /** An instant ({@code 2026-03-01T18:00:00+01:00}, or a computed timestamp). */
  record Moment(Instant instant) implements DateValue {
    @Override
    public LocalDate localDate(ZoneId zone) {
      return instant.atZone(zone).toLocalDate();
    }
  }

  /** The value's date in {@code zone}: the day itself, or the instant's local date. */
  LocalDate localDate(ZoneId zone);

  Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  Pattern DATE_TIME =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");
  DateTimeFormatter STRICT_DAY =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

  /** The value of an attribute or computed property, or null when it is missing or invalid. */
  static DateValue of(Object value) {
    if (value instanceof Instant instant) {
      return new Moment(instant);
    }
    if (!(value instanceof String text)) {
      return null; // numbers, booleans, lists, null: invalid or missing
    }
    try {
      if (DAY.matcher(text).matches()) {
        return new Day(LocalDate.parse(text, STRICT_DAY));
      }
      if (DATE_TIME.matcher(text).matches()) {
        return new Moment(OffsetDateTime.parse(text).toInstant());
      }
    } catch (DateTimeException e) {
      return null; // 1991-02-29, 2026-13-01, 25:00, an offset beyond 18 h ...
    }
    return null;
  }
}
