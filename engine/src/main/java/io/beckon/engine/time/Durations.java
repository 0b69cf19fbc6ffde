package io.beckon.engine.time;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Rule durations: a whole number followed by s, m, h or d (e.g. 90m, 7d, 0s). */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smhd])");
  public static final long SECOND = 1000L;
  public static final long MINUTE = 60 * SECOND;
  public static final long HOUR = 60 * MINUTE;
  public static final long DAY = 24 * HOUR;

  private Durations() {}

  /** Milliseconds of a duration text; throws IllegalArgumentException with a readable message. */
  public static long parseMillis(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(notADuration(text));
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> amount * SECOND;
      case "m" -> amount * MINUTE;
      case "h" -> amount * HOUR;
      default -> amount * DAY;
    };
  }

  /** The message for a text that is not a duration. */
  public static String notADuration(String text) {
    return "'" + text + "' is not a duration: use a whole number and s, m, h or d (e.g. 90m, 7d)";
  }

  /**
   * The shortest text {@link #parseMillis} reads back as {@code millis} (whole seconds or more).
   */
  public static String format(long millis) {
    if (millis % DAY == 0 && millis != 0) {
      return millis / DAY + "d";
    }
    if (millis % HOUR == 0 && millis != 0) {
      return millis / HOUR + "h";
    }
    if (millis % MINUTE == 0 && millis != 0) {
      return millis / MINUTE + "m";
    }
    return millis % SECOND == 0 ? millis / SECOND + "s" : millis + "ms";
  }
}
