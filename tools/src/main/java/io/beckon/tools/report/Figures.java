package io.beckon.tools.report;

import java.util.EnumMap;
import java.util.Map;

/**
 * The counts of one row of a report: a variant, the holdout, or a rule's total.
 *
 * @param group a variant id, {@code default}, {@code holdout}, or {@link #TOTAL}
 * @param fires sends plus suppressions
 * @param suppressions by reason; every reason is present
 * @param conversions conversions of this row's fires
 * @param exposed the rate's denominator: sends plus holdout fires (a variant has only the first,
 *     the holdout only the second)
 * @param lift over the rule's holdout; null when it cannot be computed or for the holdout itself
 */
public record Figures(
    String group,
    long fires,
    long sends,
    Map<Reason, Long> suppressions,
    long conversions,
    long exposed,
    ReportStats.Lift lift) {

  /** The group name of a rule's total row. */
  public static final String TOTAL = "total";

  public Figures {
    EnumMap<Reason, Long> all = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) {
      all.put(r, suppressions.getOrDefault(r, 0L));
    }
    suppressions = java.util.Collections.unmodifiableMap(all);
  }

  public long suppressed(Reason reason) {
    return suppressions.get(reason);
  }

  /** Conversions per exposed fire, or null with none exposed. */
  public Double rate() {
    return ReportStats.rate(conversions, exposed);
  }

  /** The 95% interval of {@link #rate()}, or null. */
  public ReportStats.Interval rateInterval() {
    return ReportStats.wilson(conversions, exposed);
  }

  public boolean isHoldout() {
    return group.equals(io.beckon.engine.rules.Experiment.HOLDOUT);
  }
}
