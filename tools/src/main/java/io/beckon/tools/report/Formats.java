package io.beckon.tools.report;

import java.time.Instant;
import java.util.Locale;

/** How figures are written in both renderings, so the terminal and the page agree. */
final class Formats {
  static final String NA = "n/a";

  /** Where no value belongs, such as the holdout's lift over itself. */
  static final String NONE = "\u2014";

  private Formats() {}

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A signed count difference: +3, -2, 0. */
  static String countChange(long d) {
    return d == 0 ? "0" : String.format(Locale.ROOT, "%+,d", d);
  }

  /** A share as a percentage with one decimal: 0.15 -> 15.0%; null -> n/a. */
  static String percent(Double share) {
    return share == null ? NA : String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  /** A change as a signed percentage: 0.5 -> +50.0%. */
  static String signedPercent(double share) {
    return String.format(Locale.ROOT, "%+.1f%%", share * 100);
  }

  /** A difference of two rates in percentage points; n/a when either is missing. */
  static String pointsChange(Double before, Double after) {
    if (before == null || after == null) {
      return NA;
    }
    return String.format(Locale.ROOT, "%+.1f pp", (after - before) * 100);
  }

  /** The lift and its interval: +50.0% (-23.6% to +194.4%). */
  static String lift(ReportStats.Lift lift) {
    if (lift == null) {
      return NA;
    }
    return signedPercent(lift.estimate())
        + " ("
        + signedPercent(lift.low())
        + " to "
        + signedPercent(lift.high())
        + ")";
  }

  /** The lift cell of a row: none for the holdout itself. */
  static String liftCell(Figures f) {
    return f.isHoldout() ? NONE : lift(f.lift());
  }

  /** The period covered, from the first to the last fire. */
  static String period(Instant first, Instant last) {
    return first == null ? "no fires" : first + " to " + last;
  }
}
